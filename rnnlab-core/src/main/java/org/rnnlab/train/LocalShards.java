package org.rnnlab.train;

import org.rnnlab.kernel.Parallelism;
import org.rnnlab.model.CharModel;
import org.rnnlab.model.State;
import org.rnnlab.nn.Mode;
import org.rnnlab.util.Rng;

/**
 * Data parallelism on this machine's cores ({@code rnnlab train --shards P}): each step's batch is cut into P shards
 * of rows as rnnlab-spark cuts it ({@link Shards#rowStart}), each shard's whole forward and backward pass runs on one
 * kernel thread, and the shards' gradients are summed in shard order, each weighted by its share of the rows.
 *
 * <p>Why: the default step splits every product over the threads, dozens of fork-joins a step, and a thread the OS
 * takes off its core (another process on the machine) holds up each of them, so the kernels fall back to one thread
 * ({@link Parallelism#activeThreads}). Here a thread claims a whole shard at a time ({@link Parallelism#runEach}),
 * so a slowed thread only runs fewer shards. Inside a shard the products run on its thread alone.
 *
 * <p>The gradient is the batch's mean-loss gradient up to float rounding (the sums over rows run per shard, then
 * across shards); its bits depend on P, never on the thread count or on which thread ran which shard, and equal
 * a Spark run's with {@code --tasks P} (the same cut, weights and dropout seeds). Each shard computes with a model
 * sharing the trainer's weights ({@link CharModel#sharingWeights}) and has its own workspace, gradients and
 * buffers, made once per shard size; a steady-state step allocates only a few small objects (its two tasks and the
 * shards' dropout generators), nothing the size of the model or the batch.
 */
public final class LocalShards implements StepEngine {
    private final int shards;
    private final long seed;
    private Shard[] work = new Shard[0];
    private CharModel owner;

    /** One shard's model, workspace and buffers, for {@code rows} rows of {@code seq} characters. */
    private static final class Shard {
        final CharModel model;
        final int rows;
        final int seq;
        final CharModel.Workspace ws;
        final int[] inputs;
        final int[] targets;
        final State initial;
        double loss;
        long correct;

        Shard(CharModel trainer, int rows, int seq) {
            this.model = trainer.sharingWeights();
            this.rows = rows;
            this.seq = seq;
            this.ws = model.workspace(rows, seq);
            this.inputs = new int[rows * seq];
            this.targets = new int[rows * seq];
            this.initial = model.zeroState(rows);
        }
    }

    /**
     * @param shards the shards each batch is cut into (a batch of fewer rows gets one row per shard)
     * @param seed   the run's seed, for the shards' dropout masks
     */
    public LocalShards(int shards, long seed) {
        if (shards < 1) throw new IllegalArgumentException("--shards must be at least 1, got " + shards);
        this.shards = shards;
        this.seed = seed;
    }

    @Override
    public Result gradients(CharModel model, int[] inputs, int[] targets, int n, int seq, State initial, State after,
                            long step) {
        int parts = Math.min(shards, n);
        Shard[] s = shardsFor(model, n, parts, seq);
        int vocab = model.config().vocab();
        Parallelism.runEach(parts, (p, count) -> {
            Shard sh = s[p];
            int r0 = Shards.rowStart(n, parts, p);
            System.arraycopy(inputs, r0 * seq, sh.inputs, 0, sh.rows * seq);
            System.arraycopy(targets, r0 * seq, sh.targets, 0, sh.rows * seq);
            if (initial == null) sh.initial.reset();
            else copyRows(initial, r0, sh.initial, 0, sh.rows);
            sh.model.zeroGrad();
            Mode mode = Mode.training(new Rng(Shards.dropoutSeed(seed, step, p)));
            sh.loss = sh.model.forward(sh.ws, sh.inputs, sh.targets, sh.initial, mode);
            if (Double.isFinite(sh.loss)) sh.model.backward(sh.ws);
            sh.correct = Evaluator.countCorrect(sh.ws.logits(), sh.targets, sh.rows * seq, vocab);
        });
        double loss = 0;
        long correct = 0;
        for (int p = 0; p < parts; p++) {
            loss += s[p].loss * s[p].rows / n;
            correct += s[p].correct;
            if (after != null) copyRows(s[p].ws.finalState(), 0, after, Shards.rowStart(n, parts, p), s[p].rows);
        }
        sum(model, s, parts, n);
        return new Result(loss, correct);
    }

    /**
     * The model's gradient: for every entry, {@code 0 + share_0 g_0 + share_1 g_1 + ...} in shard order, in float
     * (as rnnlab-spark's driver sums), split over the threads by ranges of entries.
     */
    private static void sum(CharModel model, Shard[] s, int parts, int n) {
        float[] g = model.parameters().grads();
        int size = model.parameters().size();
        int ranges = Math.max(1, Math.min(Parallelism.activeThreads() * 4, size / 65_536));
        Parallelism.run(ranges, (r, count) -> {
            int from = (int) ((long) size * r / count), to = (int) ((long) size * (r + 1) / count);
            java.util.Arrays.fill(g, from, to, 0f);
            for (int p = 0; p < parts; p++) {
                float share = (float) s[p].rows / n;
                float[] rg = s[p].model.parameters().grads();
                for (int i = from; i < to; i++) g[i] += share * rg[i];
            }
        });
    }

    /** The shards' work for a batch of n rows in {@code parts} shards, made again when the model or a size changed. */
    private Shard[] shardsFor(CharModel model, int n, int parts, int seq) {
        boolean fits = owner == model && work.length == parts;
        for (int p = 0; fits && p < parts; p++) {
            fits = work[p].rows == Shards.rowStart(n, parts, p + 1) - Shards.rowStart(n, parts, p) && work[p].seq == seq;
        }
        if (!fits) {
            Shard[] made = new Shard[parts];
            for (int p = 0; p < parts; p++) {
                int rows = Shards.rowStart(n, parts, p + 1) - Shards.rowStart(n, parts, p);
                // a shard of the same size is kept (an epoch's short last batch changes only some)
                Shard old = owner == model && p < work.length ? work[p] : null;
                made[p] = old != null && old.rows == rows && old.seq == seq ? old : new Shard(model, rows, seq);
            }
            work = made;
            owner = model;
        }
        return work;
    }

    /** Rows [from, from + rows) of every layer of {@code src} into rows [to, to + rows) of {@code dst}. */
    private static void copyRows(State src, int from, State dst, int to, int rows) {
        int hidden = src.hidden();
        for (int l = 0; l < src.layers(); l++) {
            System.arraycopy(src.h(l), from * hidden, dst.h(l), to * hidden, rows * hidden);
            if (src.hasCell()) System.arraycopy(src.c(l), from * hidden, dst.c(l), to * hidden, rows * hidden);
        }
    }

    /** The shard count. */
    public int shards() {
        return shards;
    }

    @Override
    public String describe() {
        return "forward and backward on " + shards + " shards a step, on this machine's " + Parallelism.threads()
                + (Parallelism.threads() == 1 ? " thread" : " threads");
    }
}
