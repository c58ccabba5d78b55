package org.rnnlab.perf;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.rnnlab.generate.SamplingOptions;
import org.rnnlab.generate.StepGenerator;
import org.rnnlab.generate.TokenGenerator;
import org.rnnlab.generate.WindowGenerator;
import org.rnnlab.model.CellType;
import org.rnnlab.model.CharModel;
import org.rnnlab.model.ModelConfig;
import org.rnnlab.model.State;
import org.rnnlab.nn.Mode;
import org.rnnlab.text.Vocabulary;
import org.rnnlab.train.Adam;
import org.rnnlab.train.LocalShards;
import org.rnnlab.train.StepEngine;
import org.rnnlab.train.TrainStep;
import org.rnnlab.train.Batcher;
import org.rnnlab.train.Batchers;
import org.rnnlab.train.Batching;
import org.rnnlab.util.Rng;

/**
 * Measures what {@code tools/torch_bench.py} measures in PyTorch, the same way, so the two print comparable
 * figures: training tokens per second (rnnlab train's own {@link TrainStep}: forward, backward, the gradient norm
 * and clipping, an Adam step per batch, after warm-up steps), then
 * generation characters per second at batch 1 with the state carried ({@code gen_carried_cps}) and the notebook's way,
 * re-running the last {@code context} characters from a zero state for every character ({@code gen_naive_cps}).
 * The result uses the peer's JSON keys.
 *
 * <p>One difference is the JVM's: its code runs interpreted, then compiled, then recompiled with the profile, and
 * the Vector API is slow until the last compiler has run. So each phase warms up for at least
 * {@code warmupSeconds} as well as the given number of steps or characters (PyTorch's compiled code needs only the
 * steps), and each timed phase runs for at least {@code minSeconds} as well as the given count, so that a fast
 * configuration is not timed over a few milliseconds. The counts actually timed are in the result
 * ({@code steps}, {@code gen_chars}, {@code naive_chars}); the cost of warming up is measured whole by
 * {@code rnnlab lab}'s wall time.
 *
 * <p>With {@code int8}, carried generation is also measured from the model quantized to int8
 * ({@link CharModel#quantizeInt8()}), in {@code genRounds} rounds alternating with float32 rounds of the same
 * length: {@code gen_int8_cps} and {@code gen_float32_best_cps} are the best rounds, {@code gen_int8_speedup} their
 * ratio.
 */
public final class Throughput {
    /** One benchmark configuration: the peer script's flags. */
    public record Config(String name, CellType cell, int embed, int hidden, int layers, int batch, int seq,
                         Batching mode, int steps, int warmup, double lr, int genChars, int naiveChars,
                         int genWarmup, int context, double temperature, long seed, double warmupSeconds,
                         double minSeconds, double clip, boolean int8, int genRounds, int shards) {
        /** A configuration without int8 generation. */
        public Config(String name, CellType cell, int embed, int hidden, int layers, int batch, int seq,
                      Batching mode, int steps, int warmup, double lr, int genChars, int naiveChars,
                      int genWarmup, int context, double temperature, long seed, double warmupSeconds,
                      double minSeconds, double clip) {
            this(name, cell, embed, hidden, layers, batch, seq, mode, steps, warmup, lr, genChars, naiveChars, genWarmup,
                    context, temperature, seed, warmupSeconds, minSeconds, clip, false, 1, 0);
        }

        public Config {
            if (genRounds < 1) throw new IllegalArgumentException("--gen-rounds must be at least 1, got " + genRounds);
            if (steps < 1) throw new IllegalArgumentException("--steps must be at least 1, got " + steps);
            if (warmup < 0) throw new IllegalArgumentException("--warmup must be >= 0, got " + warmup);
            if (!(warmupSeconds >= 0)) throw new IllegalArgumentException("--warmup-seconds must be >= 0, got " + warmupSeconds);
            if (!(minSeconds >= 0)) throw new IllegalArgumentException("--min-seconds must be >= 0, got " + minSeconds);
            if (genChars < 0 || naiveChars < 0) throw new IllegalArgumentException("character counts must be >= 0");
            if (context < 1) throw new IllegalArgumentException("--context must be at least 1, got " + context);
            if (!(clip >= 0)) throw new IllegalArgumentException("--clip must be >= 0 (0: none), got " + clip);
            if (shards < 0) throw new IllegalArgumentException("--shards must be at least 1, got " + shards);
        }
    }

    private Throughput() {}

    /** Runs one configuration on {@code text} and returns the figures under the peer's keys. */
    public static Map<String, Object> run(Config c, String corpusName, String text) {
        Vocabulary vocab = Vocabulary.fromText(text);
        int[] data = vocab.encode(text);
        ModelConfig mc = new ModelConfig(c.cell(), vocab.size(), c.embed(), c.hidden(), c.layers(), 0);
        CharModel model = CharModel.create(mc, c.seed());
        // The step rnnlab train runs: Adam, and the gradient norm (clipped when --clip is given).
        TrainStep step = new TrainStep(model, new Adam(model.parameters().size(), c.lr(), Adam.Options.DEFAULT),
                c.clip(), 0);
        Rng rng = new Rng(c.seed());
        Batcher batcher = Batchers.fit(c.mode(), data, c.batch(), c.seq(), rng, w -> {});
        int B = batcher.batchSize();
        int T = c.seq();
        CharModel.Workspace ws = c.shards() > 0 ? null : model.workspace(B, T);
        LocalShards engine = c.shards() > 0 ? new LocalShards(c.shards(), c.seed()) : null;
        int[] in = new int[B * T];
        int[] out = new int[B * T];
        State state = model.zeroState(B);

        double firstLoss = Double.NaN;
        double lastLoss = Double.NaN;
        long warm0 = System.nanoTime();
        int warmupSteps = 0;
        while (warmupSteps < c.warmup() || System.nanoTime() - warm0 < c.warmupSeconds() * 1e9) {
            lastLoss = trainStep(step, engine, batcher, ws, in, out, state, T, warmupSteps + 1);
            if (warmupSteps++ == 0) firstLoss = lastLoss;
        }
        double[] stepSeconds = new double[Math.max(16, c.steps())];
        int steps = 0;
        long cpu0 = cpuNanos();
        long t0 = System.nanoTime();
        while (steps < c.steps() || System.nanoTime() - t0 < c.minSeconds() * 1e9) {
            long a = System.nanoTime();
            lastLoss = trainStep(step, engine, batcher, ws, in, out, state, T, warmupSteps + steps + 1);
            if (steps == stepSeconds.length) stepSeconds = Arrays.copyOf(stepSeconds, 2 * steps);
            stepSeconds[steps] = (System.nanoTime() - a) / 1e9;
            if (warmupSteps == 0 && steps == 0) firstLoss = lastLoss;
            steps++;
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        double cpu = (cpuNanos() - cpu0) / 1e9;

        int[] prompt = Arrays.copyOf(data, Math.min(c.context(), data.length));
        SamplingOptions sampling = new SamplingOptions(c.temperature(), 0, 1, false);
        model.freeze(); // trained: from here on it generates, as rnnlab complete and serve run a loaded model
        int genChars = 0;
        double carriedSeconds = 0;
        if (c.genChars() > 0) {
            // the peer's carried generation: the prompt once, then one step per character
            TokenGenerator carried = new StepGenerator(model, sampling, 1, c.seed());
            carried.prime(prompt);
            repeat(carried, c.genWarmup(), c.warmupSeconds());
            long g0 = System.nanoTime();
            genChars = repeat(carried, c.genChars(), c.minSeconds());
            carriedSeconds = (System.nanoTime() - g0) / 1e9;
        }
        // int8 (--quantize int8): the same generation from the quantized model, in rounds alternating with float32
        // ones, so that both see the same state of a shared host; the best round of each counts
        double[] floatRounds = null, int8Rounds = null;
        CharModel quantized = null;
        if (c.int8() && c.genChars() > 0) {
            quantized = model.quantizeInt8();
            TokenGenerator floats = new StepGenerator(model, sampling, 1, c.seed());
            TokenGenerator int8 = new StepGenerator(quantized, sampling, 1, c.seed());
            floats.prime(prompt);
            int8.prime(prompt);
            repeat(floats, c.genWarmup(), c.warmupSeconds() / 2);
            repeat(int8, c.genWarmup(), c.warmupSeconds());
            floatRounds = new double[c.genRounds()];
            int8Rounds = new double[c.genRounds()];
            for (int round = 0; round < c.genRounds(); round++) {
                long a = System.nanoTime();
                int n = repeat(floats, c.genChars(), c.minSeconds());
                floatRounds[round] = n / ((System.nanoTime() - a) / 1e9);
                a = System.nanoTime();
                n = repeat(int8, c.genChars(), c.minSeconds());
                int8Rounds[round] = n / ((System.nanoTime() - a) / 1e9);
            }
        }
        int naiveChars = 0;
        double naiveSeconds = 0;
        if (c.naiveChars() > 0) {
            // the notebook's complete_prompt: every character re-reads the last `context` characters from zero
            TokenGenerator naive = new WindowGenerator(model, sampling, 1, c.seed(), c.context());
            naive.prime(prompt);
            repeat(naive, Math.min(c.genWarmup(), c.naiveChars()), c.warmupSeconds());
            long n0 = System.nanoTime();
            naiveChars = repeat(naive, c.naiveChars(), c.minSeconds());
            naiveSeconds = (System.nanoTime() - n0) / 1e9;
        }

        double[] sorted = Arrays.copyOf(stepSeconds, steps);
        Arrays.sort(sorted);
        double median = sorted[sorted.length / 2];
        long tokensPerStep = (long) B * T;
        double tps = tokensPerStep * steps / wall;
        long fwdFlops = forwardFlopsPerToken(mc);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("kind", "train");
        r.put("name", c.name());
        r.put("cell", c.cell().id());
        r.put("embed", c.embed());
        r.put("hidden", c.hidden());
        r.put("layers", c.layers());
        r.put("batch", B);
        r.put("seq", T);
        r.put("mode", c.mode().name().toLowerCase());
        r.put("corpus", corpusName);
        r.put("corpus_chars", data.length);
        r.put("vocab", vocab.size());
        r.put("params", mc.parameterCount());
        r.put("steps", steps);
        r.put("warmup", warmupSteps);
        r.put("clip", c.clip());
        r.put("threads", org.rnnlab.kernel.Parallelism.threads());
        if (c.shards() > 0) r.put("train_shards", c.shards());
        r.put("threads_now", org.rnnlab.kernel.Parallelism.describe());
        r.put("kernel", org.rnnlab.kernel.Kernel.preferred().name());
        r.put("kernel_description", org.rnnlab.kernel.Kernel.preferred().description());
        r.put("host", org.rnnlab.kernel.Host.describe());
        r.put("java", Runtime.version().toString());
        r.put("tokens_per_step", tokensPerStep);
        r.put("train_tokens_per_s", tps);
        r.put("train_tokens_per_s_median_step", tokensPerStep / median);
        r.put("step_ms_median", 1e3 * median);
        r.put("step_ms_min", 1e3 * sorted[0]);
        r.put("step_ms_max", 1e3 * sorted[sorted.length - 1]);
        r.put("train_wall_s", wall);
        r.put("train_cpu_s", cpu);
        r.put("train_cpu_util", cpu / wall);
        r.put("fwd_flops_per_token", fwdFlops);
        r.put("train_flops_per_token", 3 * fwdFlops);
        r.put("train_gflops", 3.0 * fwdFlops * tps / 1e9);
        r.put("loss_first", firstLoss);
        r.put("loss_last", lastLoss);
        r.put("gen_carried_cps", genChars == 0 ? null : genChars / carriedSeconds);
        r.put("gen_naive_cps", naiveChars == 0 ? null : naiveChars / naiveSeconds);
        if (int8Rounds != null) {
            double bestFloat = Arrays.stream(floatRounds).max().orElseThrow();
            double bestInt8 = Arrays.stream(int8Rounds).max().orElseThrow();
            r.put("gen_float32_rounds_cps", floatRounds);
            r.put("gen_int8_rounds_cps", int8Rounds);
            r.put("gen_float32_best_cps", bestFloat);
            r.put("gen_int8_cps", bestInt8);
            r.put("gen_int8_speedup", bestInt8 / bestFloat);
            long int8Bytes = 0, floatBytes = 0;
            for (org.rnnlab.kernel.Int8Matrix m : quantized.int8Weights().values()) {
                int8Bytes += m.bytes();
                floatBytes += 4L * m.rows() * m.cols();
            }
            r.put("int8_weights_mb", int8Bytes / 1e6);
            r.put("float32_weights_mb", floatBytes / 1e6);
        }
        r.put("gen_chars", genChars);
        r.put("naive_chars", naiveChars);
        r.put("gen_carried_s", carriedSeconds);
        r.put("gen_naive_s", naiveSeconds);
        r.put("gen_temperature", c.temperature());
        r.put("naive_context", c.context());
        r.put("peak_rss_mb", peakRssMegabytes());
        r.put("heap_used_mb", usedHeapMegabytes());
        return r;
    }

    /** One step as rnnlab train takes it: the model's own passes, or the shards' ({@code engine} not null). */
    private static double trainStep(TrainStep step, LocalShards engine, Batcher batcher, CharModel.Workspace ws, int[] in,
                                    int[] out, State state, int seq, long stepNumber) {
        int n = batcher.next(in, out);
        if (batcher.freshState()) state.reset();
        boolean stream = batcher instanceof Batcher.Stream;
        if (engine != null) {
            StepEngine.Result r = engine.gradients(step.model(), in, out, n, seq, state, stream ? state : null, stepNumber);
            return step.update(r.loss());
        }
        double loss = step.run(ws, in, out, state, Mode.EVAL);
        if (stream) state.copyFrom(ws.finalState());
        return loss;
    }

    /**
     * Generates with {@code g} in rounds until at least {@code chars} characters and {@code seconds} of time: rounds
     * of {@code chars} characters, so the clock is read rarely. Returns the characters generated.
     */
    private static int repeat(TokenGenerator g, int chars, double seconds) {
        long t0 = System.nanoTime();
        int round = Math.max(1, chars);
        int done = 0;
        do {
            for (int i = 0; i < round; i++) g.next();
            done += round;
        } while (System.nanoTime() - t0 < seconds * 1e9);
        return done;
    }

    /**
     * The rate of the engine's matrix product on this host, the yardstick of the training figures: square products
     * {@code C = A B^T} (the orientation of a layer's forward) of sizes 256, 512, 1024 and 2048, after 1.5 s of
     * warm-up (or {@code seconds} when shorter), each repeated for {@code seconds / 4}, best GFLOP/s (2 FLOPs a multiply-add) of any repetition, on the kernel threads.
     */
    public static Map<String, Object> sgemm(double seconds) {
        org.rnnlab.kernel.Kernel k = org.rnnlab.kernel.Kernel.preferred();
        double best = 0;
        int bestN = 0;
        Map<String, Object> perSize = new LinkedHashMap<>();
        Rng rng = new Rng(1);
        // Warm-up: the JIT compiles the blocked product's code before anything is timed
        float[] w = new float[256 * 256], wc = new float[256 * 256];
        long w0 = System.nanoTime();
        while (System.nanoTime() - w0 < Math.min(1.5, seconds) * 1e9) k.sgemm(false, true, 256, 256, 256, w, 0, 256, w, 0, 256, wc, 0, 256, false);
        for (int n : new int[] {256, 512, 1024, 2048}) {
            float[] a = new float[n * n], b = new float[n * n], c = new float[n * n];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) rng.nextGaussian();
                b[i] = (float) rng.nextGaussian();
            }
            double flops = 2.0 * n * n * n, sizeBest = 0;
            long t0 = System.nanoTime();
            do {
                long a0 = System.nanoTime();
                k.sgemm(false, true, n, n, n, a, 0, n, b, 0, n, c, 0, n, false);
                sizeBest = Math.max(sizeBest, flops / (System.nanoTime() - a0));
            } while (System.nanoTime() - t0 < seconds / 4 * 1e9);
            perSize.put(String.valueOf(n), Math.round(sizeBest * 10) / 10.0);
            if (sizeBest > best) {
                best = sizeBest;
                bestN = n;
            }
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("kind", "sgemm");
        r.put("gflops", best);
        r.put("n", bestN);
        r.put("gflops_by_n", perSize);
        r.put("threads", org.rnnlab.kernel.Parallelism.threads());
        r.put("kernel", k.description());
        r.put("host", org.rnnlab.kernel.Host.describe());
        r.put("java", Runtime.version().toString());
        return r;
    }

    /** The peer's count: 2 FLOPs per multiply-add of the forward matmuls for one token. */
    static long forwardFlopsPerToken(ModelConfig c) {
        long f = 0;
        for (int l = 0; l < c.layers(); l++) {
            long in = l == 0 ? c.embed() : c.hidden();
            f += 2L * c.cell().gates() * c.hidden() * (in + c.hidden());
        }
        return f + 2L * c.hidden() * c.vocab();
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** The process's peak resident set (VmHWM), from /proc on Linux; -1 elsewhere. */
    static double peakRssMegabytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private static double usedHeapMegabytes() {
        Runtime rt = Runtime.getRuntime();
        return (rt.totalMemory() - rt.freeMemory()) / (1024.0 * 1024.0);
    }
}
