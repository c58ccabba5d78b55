package org.rnnlab.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.rnnlab.kernel.Kernel;
import org.rnnlab.kernel.PackedB;
import org.rnnlab.kernel.Parallelism;
import org.rnnlab.kernel.VectorGemm;
import org.rnnlab.util.Rng;

/**
 * sgemm shapes of the training hot path, as (m, n, k, layout): the input projection of all T steps
 * ({@code X W_ih^T}: NT), the recurrence (NT forward, NN for dh), and the backward products (NN for dX, TN for
 * dW), for the medium, large and lab configurations. Report GFLOP/s = 2 m n k / time.
 * <ul>
 *   <li>{@code vector}: {@link VectorGemm#sgemm} itself, one thread (the same call as before the tuning);</li>
 *   <li>{@code kernel}: {@link Kernel#named vector kernel}'s sgemm with {@code threads} threads (split products);</li>
 *   <li>{@code packed}: the kernel's product with B packed once ({@link PackedB}), as a recurrence uses W_hh
 *       (NT and NN layouts only);</li>
 *   <li>{@code scalar}: the scalar kernel, for reference (slow: use with a few shapes).</li>
 * </ul>
 * Run: {@code bin/jmh GemmBench -p shape=512x512x512xNN}, or {@code bin/jmh 'GemmBench.kernel' -p threads=1,2}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class GemmBench {
    @Param({"512x512x512xNN",
        // medium (B 32, T 64, E 64, H 256, LSTM): input projections, recurrence, backward dh, dW, dX, output layer
        "2048x1024x64xNT", "2048x1024x256xNT", "32x1024x256xNT", "32x256x1024xNN", "1024x256x2048xTN",
        "2048x256x1024xNN", "2048x96x256xNT",
        // large (B 64, T 100, H 512): input projection, recurrence, dh, dW, dX
        "6400x2048x512xNT", "64x2048x512xNT", "64x512x2048xNN", "2048x512x6400xTN", "6400x512x2048xNN",
        // lab (B 1, T 40, E 64, H 128): input projection, recurrence, dh, dW_ih; generation at B 1 (large)
        "40x512x64xNT", "1x512x128xNT", "1x128x512xNN", "512x64x40xTN", "1x2048x512xNT"})
    public String shape;

    @Param({"1"})
    public int threads;

    int m;
    int n;
    int k;
    boolean ta;
    boolean tb;
    float[] a;
    float[] b;
    float[] c;
    Kernel kernel;
    PackedB packedB;

    @Setup
    public void setup() {
        String[] s = shape.split("x");
        m = Integer.parseInt(s[0]);
        n = Integer.parseInt(s[1]);
        k = Integer.parseInt(s[2]);
        ta = s[3].charAt(0) == 'T';
        tb = s[3].charAt(1) == 'T';
        Rng rng = new Rng(1);
        a = new float[m * k];
        b = new float[k * n];
        c = new float[m * n];
        for (int i = 0; i < a.length; i++) a[i] = rng.nextFloat() - 0.5f;
        for (int i = 0; i < b.length; i++) b[i] = rng.nextFloat() - 0.5f;
        Parallelism.setThreads(threads);
        kernel = Kernel.named("vector");
        packedB = kernel.newPackedB(tb, k, n, m, 100);
        kernel.pack(packedB, b, 0, tb ? k : n);
    }

    @Benchmark
    public float[] vector() {
        VectorGemm.sgemm(ta, tb, m, n, k, a, 0, ta ? m : k, b, 0, tb ? k : n, c, 0, n, false);
        return c;
    }

    @Benchmark
    public float[] kernel() {
        kernel.sgemm(ta, tb, m, n, k, a, 0, ta ? m : k, b, 0, tb ? k : n, c, 0, n, false);
        return c;
    }

    @Benchmark
    public float[] packed() {
        if (ta) throw new IllegalStateException("packed B is for products without a transposed A");
        kernel.sgemm(m, a, 0, k, packedB, c, 0, n, false);
        return c;
    }

    @Benchmark
    public float[] scalar() {
        Kernel.scalar().sgemm(ta, tb, m, n, k, a, 0, ta ? m : k, b, 0, tb ? k : n, c, 0, n, false);
        return c;
    }
}
