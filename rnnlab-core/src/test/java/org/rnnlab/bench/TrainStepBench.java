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
import org.rnnlab.kernel.Parallelism;
import org.rnnlab.model.CharModel;
import org.rnnlab.train.Adam;
import org.rnnlab.util.Rng;

/**
 * One training step of {@link CharModel} on a (B, T) batch for the configurations ({@link BenchConfigs}):
 * {@code step} is zeroGrad + forward + backward (no optimizer); {@code stepAdam} adds torch's Adam(0.005) update,
 * which is what the peer's {@code train_tokens_per_s} times. Tokens/s = B T / (time per op). The kernel and the
 * thread count are parameters. Run: {@code bin/jmh TrainStepBench -p config=medium-lstm -p threads=1,2}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx3g"})
public class TrainStepBench {
    @Param({"lab-lstm", "lab-rnn", "medium-lstm", "medium-gru", "large-lstm"})
    public String config;

    /** {@code vector} or {@code scalar}. */
    @Param({"vector"})
    public String kernel;

    /** Kernel threads; 0 leaves the default (the machine's processors). */
    @Param({"0"})
    public int threads;

    BenchConfigs c;
    CharModel model;
    CharModel.Workspace ws;
    org.rnnlab.model.State zero;
    int[] inputs;
    int[] targets;
    Adam adam;

    @Setup
    public void setup() {
        c = BenchConfigs.named(config);
        if (threads > 0) Parallelism.setThreads(threads);
        model = CharModel.create(c.model(), 1, Kernel.named(kernel));
        ws = model.workspace(c.batch(), c.steps());
        zero = model.zeroState(c.batch());
        Rng rng = new Rng(2);
        inputs = new int[c.batch() * c.steps()];
        targets = new int[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = rng.nextInt(c.model().vocab());
            targets[i] = rng.nextInt(c.model().vocab());
        }
        adam = new Adam((int) c.model().parameterCount(), 0.005, Adam.Options.DEFAULT);
        model.forward(ws, inputs, targets, zero, org.rnnlab.nn.Mode.EVAL);
    }

    @Benchmark
    public double step() {
        model.zeroGrad();
        double loss = model.forward(ws, inputs, targets, c.stream() ? ws.finalState() : zero, org.rnnlab.nn.Mode.EVAL);
        model.backward(ws);
        return loss;
    }

    @Benchmark
    public double stepAdam() {
        double loss = step();
        adam.step(model.parameters().values(), model.parameters().grads());
        return loss;
    }
}
