package org.rnnlab.train;

import java.util.List;
import org.rnnlab.model.CharModel;
import org.rnnlab.model.State;

/**
 * Where a training step's forward and backward passes run, when not in this process: the seam through which
 * {@code rnnlab-spark} spreads a batch over a cluster while the {@link Trainer} keeps everything else (batches,
 * clipping, the optimizer, evaluation, checkpoints, progress) exactly as a run on one machine has it.
 *
 * <p>An engine is given the whole batch the trainer's batcher made and must leave in the model's gradient buffer the
 * gradient of the batch's mean loss, as one forward and backward pass over it would: summing shards' gradients
 * weighted by their share of the batch, in a fixed order, so that the result does not depend on where or in which
 * order the shards ran.
 */
public interface StepEngine extends AutoCloseable {
    /** A batch's mean loss per character and how many of its predictions were the model's first choice. */
    record Result(double loss, long correct) {}

    /**
     * Forward and backward over {@code n} sequences of {@code seq} characters ({@code inputs} and {@code targets},
     * batch-first) from {@code initial} (null: zeros), with dropout from {@code seed} when the model has any.
     *
     * @param model the trainer's model, whose weights are the step's; its gradient buffer receives the gradient
     * @param after receives the state after the batch (stream mode), or null when the caller does not carry it
     * @param step  the optimizer step this batch is for (counting from 1), for the shards' dropout masks
     */
    Result gradients(CharModel model, int[] inputs, int[] targets, int n, int seq, State initial, State after,
                     long step);

    /**
     * Optimizer steps per round: 1 (the default) averages the shards' gradients at every step, as one machine does;
     * K > 1 runs {@link #round}s instead, for networks too slow to move a gradient every step.
     */
    default int syncEvery() {
        return 1;
    }

    /** A round's batches: k of them, each {@code n[i]} rows of {@code seq} (and whether it starts a fresh state). */
    record Round(List<int[]> inputs, List<int[]> targets, int[] n, boolean[] fresh, int seq) {}

    /**
     * A round of local steps ({@link #syncEvery} > 1): every shard takes the round's k optimizer steps on its own rows
     * of each batch, from the common weights and optimizer state, each on its own copy of them; then the shards'
     * weights and optimizer buffers are averaged, weighted by how many characters each trained on, into
     * {@code model} and {@code optimizer} (whose step count moves on by k). In stream mode each shard carries its
     * streams' state through its local steps, and {@code carry} receives it.
     *
     * @return the mean loss per character over the round and the right guesses; a non-finite loss when a local
     *     step diverged (the model is then left as it was)
     */
    default Result round(CharModel model, Optimizer optimizer, TrainConfig config, Round round, State carry,
                         long firstStep) {
        throw new UnsupportedOperationException("this engine averages gradients at every step");
    }

    /** One line for the run's description, e.g. {@code "on Spark local[2], 2 tasks"}. */
    String describe();

    /** Where the steps' time went so far (compute, data movement, aggregation), one line, or null. */
    default String timings() {
        return null;
    }

    @Override
    default void close() {}
}
