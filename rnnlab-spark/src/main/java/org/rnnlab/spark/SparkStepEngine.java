package org.rnnlab.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;
import org.rnnlab.model.CellType;
import org.rnnlab.model.CharModel;
import org.rnnlab.model.ModelConfig;
import org.rnnlab.model.State;
import org.rnnlab.nn.Mode;
import org.rnnlab.train.Evaluator;
import org.rnnlab.train.Optimizer;
import org.rnnlab.train.Shards;
import org.rnnlab.train.StepEngine;
import org.rnnlab.train.TrainConfig;
import org.rnnlab.train.TrainStep;
import org.rnnlab.util.Rng;

/**
 * Synchronous data parallelism: each step the weights are broadcast, the batch's rows are cut into contiguous shards
 * (shard s gets rows {@code [s n / P, (s + 1) n / P)}: in stream mode its own streams, whose carried state goes out
 * with it and comes back), each shard's forward and backward pass is one Spark task, and the shards' gradients are
 * summed on the driver in shard order, each weighted by its share of the rows. That is the gradient of the batch's
 * mean loss, as one pass over the whole batch computes it, up to float rounding; it does not depend on which
 * executor ran which shard, in which order they finished, or whether one was run twice (a task is a pure function
 * of what it is sent).
 *
 * <p>Dropout draws its masks in each shard from a generator seeded by the run's seed, the step and the shard, so a
 * run with dropout is reproducible on any cluster, though not mask for mask the one-machine run.
 */
final class SparkStepEngine implements StepEngine {
    private final SparkCluster cluster;
    private final JavaSparkContext sc;
    private final int shards;
    private final long seed;
    private final int syncEvery;

    SparkStepEngine(SparkCluster cluster, JavaSparkContext sc, int shards, long seed, int syncEvery) {
        if (shards < 1) throw new IllegalArgumentException("--tasks must be at least 1, got " + shards);
        if (syncEvery < 1) throw new IllegalArgumentException("--sync-every must be at least 1, got " + syncEvery);
        this.syncEvery = syncEvery;
        this.cluster = cluster;
        this.sc = sc;
        this.shards = shards;
        this.seed = seed;
    }

    /** What one task is sent: the model's shape, its rows of the batch and their state. */
    record Shard(int index, String cell, int vocab, int embed, int hidden, int layers, double dropout, int rows,
                 int seq, int[] inputs, int[] targets, float[] h, float[] c, long dropoutSeed) implements Serializable {
        ModelConfig config() {
            return new ModelConfig(CellType.parse(cell), vocab, embed, hidden, layers, dropout);
        }
    }

    /** What it sends back: its mean loss, right guesses, the gradient of its mean loss, and its rows' state after. */
    record Gradient(int index, double loss, long correct, float[] grads, float[] h, float[] c, long computeNanos)
            implements Serializable {}

    // Where the time of the steps went, summed over steps: the driver's broadcast of the weights, the job from
    // submission to the last result (which holds the shards' compute, the slowest shard's being the step's), the
    // shards' compute itself (the slowest each step), and the driver's sum of the gradients.
    private long steps;
    private long broadcastNanos;
    private long jobNanos;
    private long computeNanos;
    private long sumNanos;

    @Override
    public Result gradients(CharModel model, int[] inputs, int[] targets, int n, int seq, State initial, State after,
                            long step) {
        ModelConfig mc = model.config();
        int size = model.parameters().size();
        int parts = Math.min(shards, n);
        int hidden = mc.hidden();
        boolean cell = mc.cell().hasCell();
        long t0 = System.nanoTime();
        Broadcast<float[]> weights = sc.broadcast(Arrays.copyOf(model.parameters().values(), size));
        long t1 = System.nanoTime();
        try {
            List<Shard> list = new ArrayList<>(parts);
            for (int s = 0; s < parts; s++) {
                int r0 = rowStart(n, parts, s);
                int rows = rowStart(n, parts, s + 1) - r0;
                float[] h = initial == null ? null : rowsOf(initial, false, r0, rows);
                float[] c = initial == null || !cell ? null : rowsOf(initial, true, r0, rows);
                list.add(new Shard(s, mc.cell().id(), mc.vocab(), mc.embed(), hidden, mc.layers(), mc.dropout(), rows,
                        seq, Arrays.copyOfRange(inputs, r0 * seq, (r0 + rows) * seq),
                        Arrays.copyOfRange(targets, r0 * seq, (r0 + rows) * seq), h, c, dropoutSeed(step, s)));
            }
            List<Gradient> results;
            try {
                results = new ArrayList<>(sc.parallelize(list, parts).map(new Worker(weights)).collect());
            } catch (Exception e) { // a job whose tasks failed Spark's retries, or a cluster gone
                throw SparkCluster.failed("compute step " + step + " (the last checkpoint saved is the one to "
                        + "--resume)", e);
            }
            long t2 = System.nanoTime();
            results.sort((a, b) -> Integer.compare(a.index(), b.index())); // collect keeps the order; say it anyway
            float[] g = model.parameters().grads();
            Arrays.fill(g, 0, size, 0f);
            double loss = 0;
            long correct = 0;
            for (Gradient r : results) {
                int r0 = rowStart(n, parts, r.index());
                int rows = rowStart(n, parts, r.index() + 1) - r0;
                float share = (float) rows / n;
                float[] rg = r.grads();
                for (int i = 0; i < size; i++) g[i] += share * rg[i];
                loss += r.loss() * rows / n;
                correct += r.correct();
                if (after != null) {
                    setRows(after, false, r0, rows, r.h());
                    if (cell) setRows(after, true, r0, rows, r.c());
                }
            }
            long slowest = 0;
            for (Gradient r : results) slowest = Math.max(slowest, r.computeNanos());
            steps++;
            broadcastNanos += t1 - t0;
            jobNanos += t2 - t1;
            computeNanos += slowest;
            sumNanos += System.nanoTime() - t2;
            return new Result(loss, correct);
        } finally {
            weights.destroy();
        }
    }

    /** The first row of shard s of P over n rows ({@link Shards#rowStart}, as {@link org.rnnlab.train.LocalShards} cuts). */
    static int rowStart(int n, int parts, int s) {
        return Shards.rowStart(n, parts, s);
    }

    private long dropoutSeed(long step, int shard) {
        return Shards.dropoutSeed(seed, step, shard);
    }

    /** Rows [r0, r0 + rows) of every layer of h (or c), as (L, rows, H). */
    private static float[] rowsOf(State s, boolean cell, int r0, int rows) {
        int hidden = s.hidden();
        float[] out = new float[s.layers() * rows * hidden];
        for (int l = 0; l < s.layers(); l++) {
            System.arraycopy(cell ? s.c(l) : s.h(l), r0 * hidden, out, l * rows * hidden, rows * hidden);
        }
        return out;
    }

    private static void setRows(State s, boolean cell, int r0, int rows, float[] from) {
        int hidden = s.hidden();
        for (int l = 0; l < s.layers(); l++) {
            System.arraycopy(from, l * rows * hidden, cell ? s.c(l) : s.h(l), r0 * hidden, rows * hidden);
        }
    }

    @Override
    public int syncEvery() {
        return syncEvery;
    }

    /** What one task of a round is sent: its rows of each of the round's batches, and where the optimizer stands. */
    record RoundShard(int index, String config, int vocab, int[] rows, int seq, List<int[]> inputs, List<int[]> targets,
                      boolean[] fresh, float[] h, float[] c, long firstStep, long optimizerSteps, double lr,
                      long[] dropoutSeeds) implements Serializable {}

    /** What it sends back: its weights and optimizer buffers after its local steps, its state, its loss. */
    record RoundResult(int index, float[] weights, LinkedHashMap<String, float[]> buffers, float[] h, float[] c,
                       double lossSum, long chars, long correct, long computeNanos) implements Serializable {}

    @Override
    public Result round(CharModel model, Optimizer optimizer, TrainConfig config, Round round, State carry,
                        long firstStep) {
        int size = model.parameters().size();
        int k = round.n().length;
        int parts = shards;
        for (int rows : round.n()) parts = Math.min(parts, rows);
        int seq = round.seq();
        boolean cell = model.config().cell().hasCell();
        long t0 = System.nanoTime();
        LinkedHashMap<String, float[]> buffers = new LinkedHashMap<>();
        optimizer.buffers().forEach((name, b) -> buffers.put(name, b.clone()));
        Broadcast<float[]> weights = sc.broadcast(Arrays.copyOf(model.parameters().values(), size));
        Broadcast<LinkedHashMap<String, float[]>> state = sc.broadcast(buffers);
        long t1 = System.nanoTime();
        try {
            List<RoundShard> list = new ArrayList<>(parts);
            for (int s = 0; s < parts; s++) {
                int[] rows = new int[k];
                List<int[]> ins = new ArrayList<>(k);
                List<int[]> tgs = new ArrayList<>(k);
                long[] seeds = new long[k];
                for (int i = 0; i < k; i++) {
                    int r0 = rowStart(round.n()[i], parts, s);
                    rows[i] = rowStart(round.n()[i], parts, s + 1) - r0;
                    ins.add(Arrays.copyOfRange(round.inputs().get(i), r0 * seq, (r0 + rows[i]) * seq));
                    tgs.add(Arrays.copyOfRange(round.targets().get(i), r0 * seq, (r0 + rows[i]) * seq));
                    seeds[i] = dropoutSeed(firstStep + i, s);
                }
                int r0 = rowStart(round.n()[0], parts, s);
                float[] h = carry == null ? null : rowsOf(carry, false, r0, rows[0]);
                float[] c = carry == null || !cell ? null : rowsOf(carry, true, r0, rows[0]);
                list.add(new RoundShard(s, config.toJson(), model.config().vocab(), rows, seq, ins, tgs, round.fresh(),
                        h, c, firstStep, optimizer.steps(), optimizer.learningRate(), seeds));
            }
            List<RoundResult> results;
            try {
                results = new ArrayList<>(sc.parallelize(list, parts).map(new RoundWorker(weights, state)).collect());
            } catch (Exception e) {
                throw SparkCluster.failed("compute steps " + firstStep + " to " + (firstStep + k - 1) + " (the last "
                        + "checkpoint saved is the one to --resume)", e);
            }
            long t2 = System.nanoTime();
            results.sort((a, b) -> Integer.compare(a.index(), b.index()));
            long chars = 0;
            long correct = 0;
            double lossSum = 0;
            for (RoundResult r : results) {
                if (!Double.isFinite(r.lossSum())) return new Result(r.lossSum(), 0);
                chars += r.chars();
                correct += r.correct();
                lossSum += r.lossSum();
            }
            // The average, each shard weighted by the characters it trained on, summed in shard order.
            float[] w = model.parameters().values();
            Arrays.fill(w, 0, size, 0f);
            LinkedHashMap<String, float[]> averaged = new LinkedHashMap<>();
            buffers.forEach((name, b) -> averaged.put(name, new float[b.length]));
            for (RoundResult r : results) {
                float share = (float) ((double) r.chars() / chars);
                for (int i = 0; i < size; i++) w[i] += share * r.weights()[i];
                for (var e : averaged.entrySet()) {
                    float[] from = r.buffers().get(e.getKey());
                    float[] to = e.getValue();
                    for (int i = 0; i < to.length; i++) to[i] += share * from[i];
                }
                if (carry != null) {
                    int r0 = rowStart(round.n()[k - 1], parts, r.index());
                    int rows = rowStart(round.n()[k - 1], parts, r.index() + 1) - r0;
                    setRows(carry, false, r0, rows, r.h());
                    if (cell) setRows(carry, true, r0, rows, r.c());
                }
            }
            optimizer.restore(optimizer.steps() + k, averaged);
            long slowest = 0;
            for (RoundResult r : results) slowest = Math.max(slowest, r.computeNanos());
            steps += k;
            broadcastNanos += t1 - t0;
            jobNanos += t2 - t1;
            computeNanos += slowest;
            sumNanos += System.nanoTime() - t2;
            return new Result(lossSum / chars, correct);
        } finally {
            weights.destroy();
            state.destroy();
        }
    }

    /** A round's task: the shard's local steps, with the training step one machine runs, on its own copies. */
    static final class RoundWorker implements Function<RoundShard, RoundResult> {
        private static final long serialVersionUID = 1L;
        private final Broadcast<float[]> weights;
        private final Broadcast<LinkedHashMap<String, float[]>> buffers;

        RoundWorker(Broadcast<float[]> weights, Broadcast<LinkedHashMap<String, float[]>> buffers) {
            this.weights = weights;
            this.buffers = buffers;
        }

        @Override
        public RoundResult call(RoundShard s) {
            fitThreadsToTask();
            long start = System.nanoTime();
            TrainConfig config = TrainConfig.fromJson(s.config());
            ModelConfig mc = config.modelConfig(s.vocab());
            CharModel m = CharModel.create(mc, 0);
            float[] w = weights.value();
            System.arraycopy(w, 0, m.parameters().values(), 0, w.length);
            Optimizer opt = config.newOptimizer(w.length);
            opt.restore(s.optimizerSteps(), buffers.value());
            opt.setLearningRate(s.lr());
            TrainStep step = new TrainStep(m, opt, config.clipNorm(), config.clipValue());
            State carry = s.h() == null ? null : State.fromTensors(s.h(), s.c(), mc.layers(), s.rows()[0], mc.hidden());
            java.util.Map<Integer, CharModel.Workspace> spaces = new java.util.HashMap<>();
            double lossSum = 0;
            long chars = 0;
            long correct = 0;
            for (int i = 0; i < s.rows().length; i++) {
                int rows = s.rows()[i];
                if (rows == 0) continue; // a short last batch of an epoch that left this shard no row
                CharModel.Workspace ws = spaces.computeIfAbsent(rows, r -> m.workspace(r, s.seq()));
                State initial = carry != null ? carry : m.zeroState(rows);
                if (carry != null && s.fresh()[i]) carry.reset();
                double loss = step.run(ws, s.inputs().get(i), s.targets().get(i), initial,
                        Mode.training(new Rng(s.dropoutSeeds()[i])));
                if (!Double.isFinite(loss)) {
                    return new RoundResult(s.index(), null, null, null, null, loss, 0, 0, System.nanoTime() - start);
                }
                if (carry != null) carry.copyFrom(ws.finalState());
                lossSum += loss * rows * s.seq();
                chars += (long) rows * s.seq();
                correct += Evaluator.countCorrect(ws.logits(), s.targets().get(i), rows * s.seq(), mc.vocab());
            }
            LinkedHashMap<String, float[]> out = new LinkedHashMap<>();
            opt.buffers().forEach((name, b) -> out.put(name, b.clone()));
            return new RoundResult(s.index(), Arrays.copyOf(m.parameters().values(), w.length), out,
                    carry == null ? null : carry.hTensor(), carry == null || !mc.cell().hasCell() ? null : carry.cTensor(),
                    lossSum, chars, correct, System.nanoTime() - start);
        }
    }

    @Override
    public String timings() {
        if (steps == 0) return null;
        double ms = 1e-6 / steps;
        return String.format(java.util.Locale.ROOT, "per step, over %d steps: broadcast %.1f ms, Spark job %.1f ms "
                + "(of which the slowest shard's forward and backward %.1f ms, the rest scheduling and moving tasks and "
                + "results), summing the gradients %.1f ms", steps, broadcastNanos * ms, jobNanos * ms,
                computeNanos * ms, sumNanos * ms);
    }

    @Override
    public String describe() {
        return syncEvery == 1 ? "forward and backward on " + cluster.describe() + ", " + shards + " shards a step"
                : "local steps on " + cluster.describe() + ", " + shards + " shards, weights averaged every "
                        + syncEvery + " steps";
    }

    /**
     * On a cluster's executor the kernels take the cores Spark gave the task ({@code spark.task.cpus}), not every
     * processor of the machine, which several executors often share: with a thread per processor in each, two
     * one-core executors on two cores ran slower than one. In local mode the tasks run in the driver, whose
     * threads are left as they are. The results do not depend on the number of threads.
     */
    static void fitThreadsToTask() {
        org.apache.spark.SparkEnv env = org.apache.spark.SparkEnv.get();
        org.apache.spark.TaskContext task = org.apache.spark.TaskContext.get();
        if (env == null || task == null || "driver".equals(env.executorId())) return;
        org.rnnlab.kernel.Parallelism.setThreads(Math.max(1, Math.min(task.cpus(), org.rnnlab.kernel.Parallelism.MAX_THREADS)));
    }

    /** The task: one shard's forward and backward pass, on a model kept per executor thread between steps. */
    static final class Worker implements Function<Shard, Gradient> {
        private static final long serialVersionUID = 1L;
        private static final ThreadLocal<Cached> CACHE = new ThreadLocal<>();
        private final Broadcast<float[]> weights;

        Worker(Broadcast<float[]> weights) {
            this.weights = weights;
        }

        private record Cached(ModelConfig config, int rows, int seq, CharModel model, CharModel.Workspace ws,
                              State zero) {}

        @Override
        public Gradient call(Shard s) {
            fitThreadsToTask();
            long start = System.nanoTime();
            ModelConfig config = s.config();
            Cached k = CACHE.get();
            if (k == null || !k.config().equals(config) || k.rows() != s.rows() || k.seq() != s.seq()) {
                CharModel m = CharModel.create(config, 0);
                k = new Cached(config, s.rows(), s.seq(), m, m.workspace(s.rows(), s.seq()), m.zeroState(s.rows()));
                CACHE.set(k);
            }
            CharModel m = k.model();
            float[] w = weights.value();
            System.arraycopy(w, 0, m.parameters().values(), 0, w.length);
            State initial = s.h() == null ? k.zero()
                    : State.fromTensors(s.h(), s.c(), config.layers(), s.rows(), config.hidden());
            if (s.h() == null) initial.reset();
            Mode mode = Mode.training(new Rng(s.dropoutSeed()));
            m.zeroGrad();
            double loss = m.forward(k.ws(), s.inputs(), s.targets(), initial, mode);
            if (Double.isFinite(loss)) m.backward(k.ws());
            float[] grads = Arrays.copyOf(m.parameters().grads(), m.parameters().size());
            long correct = Evaluator.countCorrect(k.ws().logits(), s.targets(), s.rows() * s.seq(), config.vocab());
            State fin = k.ws().finalState();
            return new Gradient(s.index(), loss, correct, grads, fin.hTensor(), config.cell().hasCell() ? fin.cTensor() : null,
                    System.nanoTime() - start);
        }
    }
}
