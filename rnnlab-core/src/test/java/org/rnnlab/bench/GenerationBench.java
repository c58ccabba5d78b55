package org.rnnlab.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
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
import org.rnnlab.generate.SamplingOptions;
import org.rnnlab.generate.StepGenerator;
import org.rnnlab.generate.TokenGenerator;
import org.rnnlab.generate.WindowGenerator;
import org.rnnlab.io.NpyArray;
import org.rnnlab.io.Npz;
import org.rnnlab.model.CharModel;
import org.rnnlab.model.ModelFiles;
import org.rnnlab.nn.Nonlinearity;
import org.rnnlab.testing.Resources;
import org.rnnlab.text.Vocabulary;

/**
 * Sampling 2,000 characters after "the cat" from the notebook's two models (PyTorch-trained, E 64, H 128, V 39,
 * temperature 0.8), with the state carried (one step per character) and with the notebook's window of 40 (up to
 * 40 steps per character, recomputed from a zero state). Also 8 samples as one batch of 8 against 8 one after
 * another. Run: {@code bin/jmh GenerationBench}; the README reports the numbers.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class GenerationBench {
    static final int CHARACTERS = 2000;

    @Param({"lstm_L1_notebook", "rnn_L1_notebook"})
    public String model;

    CharModel charModel;
    int[] prompt;
    long seed;

    @Setup
    public void setup() throws IOException {
        String dir = "/org/rnnlab/notebook/";
        Map<String, NpyArray> npz = Npz.read(Resources.path(getClass(), dir + model + ".npz"));
        Vocabulary vocab = Vocabulary.literal(new String(npz.get("vocab").data(), StandardCharsets.UTF_8));
        charModel = ModelFiles.load(Resources.path(getClass(), dir + model + ".pt"),
                new ModelFiles.Hints(vocab, Nonlinearity.TANH)).model();
        prompt = vocab.encode("the cat");
    }

    static long run(TokenGenerator g, int[] prompt, int n) {
        g.prime(prompt);
        long sum = 0;
        for (int i = 0; i < n; i++) sum += g.next()[0];
        return sum;
    }

    @Benchmark
    public long carried() {
        return run(new StepGenerator(charModel, SamplingOptions.NOTEBOOK, 1, ++seed), prompt, CHARACTERS);
    }

    @Benchmark
    public long window40() {
        return run(new WindowGenerator(charModel, SamplingOptions.NOTEBOOK, 1, ++seed, 40), prompt, CHARACTERS);
    }

    @Benchmark
    public long carried8AsOneBatch() {
        return run(new StepGenerator(charModel, SamplingOptions.NOTEBOOK, 8, ++seed), prompt, CHARACTERS);
    }

    @Benchmark
    public long carried8OneAfterAnother() {
        long sum = 0;
        for (int b = 0; b < 8; b++) sum += run(new StepGenerator(charModel, SamplingOptions.NOTEBOOK, 1, ++seed), prompt, CHARACTERS);
        return sum;
    }
}
