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
import org.rnnlab.kernel.Int8Matrix;
import org.rnnlab.kernel.Kernel;
import org.rnnlab.kernel.Parallelism;
import org.rnnlab.util.Rng;

/**
 * A generation step's products of the large model (three 2048 x 512 matrices: layer 0's W_hh, layer 1's W_ih and
 * W_hh) for {@code rows} sequences, from float32 weights ({@code float32}: the kernel's sgemm, B transposed, as a
 * step computes them) and from int8 weights ({@code int8}: {@link Kernel#gemmInt8}). Per operation: one step's three
 * products. The float32 weights are in row panels packed once ({@link Kernel#newRowPanels}), as a frozen model's
 * are. Run: {@code bin/jmh Int8Bench -p rows=1,4,16 -p threads=1,2}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class Int8Bench {
    @Param({"1", "4", "16"})
    public int rows;

    @Param({"1"})
    public int threads;

    static final int N = 2048;
    static final int K = 512;

    float[][] w;
    org.rnnlab.kernel.PackedB[] panels;
    Int8Matrix[] q;
    float[] x;
    float[] c;
    Kernel kernel;

    @Setup
    public void setup() {
        Rng rng = new Rng(1);
        w = new float[3][N * K];
        q = new Int8Matrix[3];
        panels = new org.rnnlab.kernel.PackedB[3];
        kernel = Kernel.named("vector");
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < w[i].length; j++) w[i][j] = rng.nextFloat() - 0.5f;
            q[i] = Int8Matrix.quantize(w[i], 0, N, K);
            panels[i] = kernel.newRowPanels(K, N);
            kernel.pack(panels[i], w[i], 0, K);
        }
        x = new float[rows * K];
        for (int j = 0; j < x.length; j++) x[j] = rng.nextFloat() - 0.5f;
        c = new float[rows * N];
        Parallelism.setThreads(threads);
    }

    @Benchmark
    public float[] float32() {
        for (org.rnnlab.kernel.PackedB p : panels) kernel.sgemm(rows, x, 0, K, p, c, 0, N, Kernel.OVERWRITE);
        return c;
    }

    @Benchmark
    public float[] int8() {
        for (Int8Matrix m : q) kernel.gemmInt8(rows, x, 0, K, m, c, 0, N, Kernel.OVERWRITE);
        return c;
    }
}
