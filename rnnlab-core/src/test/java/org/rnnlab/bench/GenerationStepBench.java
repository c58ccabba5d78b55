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
import org.rnnlab.generate.Sampler;
import org.rnnlab.generate.SamplingOptions;
import org.rnnlab.kernel.Kernel;
import org.rnnlab.kernel.Parallelism;
import org.rnnlab.model.CharModel;
import org.rnnlab.util.Rng;

/**
 * Carried-state generation at batch 1, one character per op: {@code step} is {@link CharModel#step} alone;
 * {@code stepSample} also draws the next character at temperature 0.8 and feeds it back, as the peer's
 * {@code gen_carried_cps} does. Chars/s = 1 / (time per op). The kernel and the thread count are parameters.
 * Run: {@code bin/jmh GenerationStepBench -p config=large-lstm -p threads=1,2}; {@code -p rows=16} steps 16
 * sequences at once (time per op is then for 16 characters).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class GenerationStepBench {
    @Param({"lab-lstm", "lab-rnn", "medium-lstm", "large-lstm"})
    public String config;

    /** {@code vector} or {@code scalar}. */
    @Param({"vector"})
    public String kernel;

    /** Kernel threads; 0 leaves the default (the machine's processors). */
    @Param({"0"})
    public int threads;

    /** Sequences stepped together (continuous batching's live rows). */
    @Param({"1"})
    public int rows;

    /** Whether the model is frozen, as every loaded model is (false: its steps pack the weights each time). */
    @Param({"true"})
    public boolean frozen;

    CharModel model;
    CharModel.StepWorkspace ws;
    org.rnnlab.model.State state;
    int[] token = {1};
    Sampler sampler;
    Rng rng = new Rng(3);

    @Setup
    public void setup() {
        BenchConfigs c = BenchConfigs.named(config);
        if (threads > 0) Parallelism.setThreads(threads);
        model = CharModel.create(c.model(), 1, Kernel.named(kernel));
        if (frozen) model = model.freeze();
        ws = model.stepWorkspace(rows);
        state = model.zeroState(rows);
        token = new int[rows];
        java.util.Arrays.fill(token, 1);
        sampler = new Sampler(SamplingOptions.NOTEBOOK, c.model().vocab());
    }

    @Benchmark
    public float[] step() {
        return model.step(ws, rows, token, state, state);
    }

    @Benchmark
    public int stepSample() {
        float[] logits = model.step(ws, token, state, state);
        token[0] = sampler.choose(logits, 0, rng);
        return token[0];
    }
}
