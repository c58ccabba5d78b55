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
import org.rnnlab.util.Rng;

/**
 * Packing W_hh for a recurrence pass, as the layers do once per forward pass: {@code kernel.pack} of a transposed
 * (k, n) = (H, G*H) B for a pass of {@code rows} batch rows and T uses. At batch 1 this is the transposed plain copy
 * that the products then combine rows of; at larger batches the blocked plan's panels. Report: microseconds per
 * pack, and GB/s = 2 * 4 k n bytes (read and written) / time.
 * Run: {@code bin/jmh PackBench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class PackBench {
    /** k x n x rows: the lab LSTM's and RNN's W_hh^T at batch 1, the large LSTM's at batch 1 and 64. */
    @Param({"128x512x1", "128x128x1", "512x2048x1", "512x2048x64"})
    public String shape;

    @Param({"vector"})
    public String kernel;

    Kernel k;
    PackedB packed;
    float[] w;
    int ld;

    @Setup
    public void setup() {
        String[] p = shape.split("x");
        int kk = Integer.parseInt(p[0]), n = Integer.parseInt(p[1]), rows = Integer.parseInt(p[2]);
        k = Kernel.named(kernel);
        w = new float[n * kk];
        Rng r = new Rng(1);
        for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
        packed = k.newPackedB(true, kk, n, rows, 40);
        ld = kk;
    }

    @Benchmark
    public PackedB pack() {
        k.pack(packed, w, 0, ld);
        return packed;
    }
}
