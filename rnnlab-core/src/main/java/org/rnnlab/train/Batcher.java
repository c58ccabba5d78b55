package org.rnnlab.train;

import org.rnnlab.util.Rng;

/**
 * Cuts a token stream into training batches of B sequences of T steps, batch-first: {@code inputs[b*T + t]}
 * and {@code targets[b*T + t] = the token after inputs[b*T + t]}.
 * <ul>
 *   <li>{@link Windows}, the notebook's way: every slice of T+1 tokens is one example (N-T of them), shuffled
 *       anew each epoch, B at a time, each with a fresh zero state. The last batch of an epoch may be smaller, as
 *       with PyTorch's DataLoader.</li>
 *   <li>{@link Stream}, char-rnn's way: the tokens are cut into B contiguous streams; each batch is the next T
 *       tokens of every stream and the recurrent state is carried from batch to batch (truncated BPTT); an epoch
 *       is one pass over the streams, and the state restarts from zero when they wrap.</li>
 * </ul>
 * Both are deterministic given their {@link Rng}, and their position can be saved and restored exactly.
 */
public sealed interface Batcher permits Batcher.Windows, Batcher.Stream {
    /** Sequences per batch (the last batch of an epoch in windows mode may hold fewer). */
    int batchSize();

    /** Steps per sequence. */
    int seqLength();

    int batchesPerEpoch();

    /**
     * Fills the next batch into {@code inputs} and {@code targets} (each at least B*T long) and returns how many
     * sequences it holds. Moves to the next epoch after the last batch of one.
     */
    int next(int[] inputs, int[] targets);

    /** Whether the batch last returned starts from a zero state (always in windows mode; at each wrap in stream mode). */
    boolean freshState();

    /** Completed epochs. */
    long epoch();

    /** Batches already taken in the current epoch. */
    int batchInEpoch();

    /** The position as numbers, for checkpoints. */
    long[] position();

    void restore(long[] position);

    /** The notebook's windows. */
    final class Windows implements Batcher {
        private final int[] tokens;
        private final int batch;
        private final int seq;
        private final int[] order; // (N-T) window starts in this epoch's order
        private final Rng rng;
        private long[] epochStartRng;
        private long epoch;
        private int taken; // windows taken this epoch

        /** {@code batch} must not exceed the number of windows (see {@link Batchers#fit}). */
        public Windows(int[] tokens, int batch, int seq, Rng rng) {
            if (seq < 1) throw new IllegalArgumentException("sequence length must be at least 1, got " + seq);
            if (tokens.length < seq + 1) {
                throw new IllegalArgumentException("windows of " + seq + " steps need at least " + (seq + 1)
                        + " characters; the text has " + tokens.length + " (lower --seq)");
            }
            int windows = tokens.length - seq;
            if (batch < 1 || batch > windows) {
                throw new IllegalArgumentException("batch must be between 1 and the " + windows + " windows, got " + batch);
            }
            this.tokens = tokens;
            this.batch = batch;
            this.seq = seq;
            this.rng = rng;
            this.order = new int[windows];
            startEpoch();
        }

        private void startEpoch() {
            epochStartRng = rng.state();
            for (int i = 0; i < order.length; i++) order[i] = i;
            rng.shuffle(order);
            taken = 0;
        }

        @Override
        public int batchSize() {
            return batch;
        }

        @Override
        public int seqLength() {
            return seq;
        }

        public int windows() {
            return order.length;
        }

        @Override
        public int batchesPerEpoch() {
            return (order.length + batch - 1) / batch;
        }

        @Override
        public int next(int[] inputs, int[] targets) {
            if (taken == order.length) {
                epoch++;
                startEpoch();
            }
            int n = Math.min(batch, order.length - taken);
            for (int b = 0; b < n; b++) {
                int start = order[taken + b];
                System.arraycopy(tokens, start, inputs, b * seq, seq);
                System.arraycopy(tokens, start + 1, targets, b * seq, seq);
            }
            taken += n;
            return n;
        }

        @Override
        public boolean freshState() {
            return true;
        }

        @Override
        public long epoch() {
            return taken == order.length ? epoch + 1 : epoch;
        }

        @Override
        public int batchInEpoch() {
            return taken == order.length ? 0 : (taken + batch - 1) / batch;
        }

        @Override
        public long[] position() {
            return new long[] {epoch, taken, epochStartRng[0], epochStartRng[1], epochStartRng[2], epochStartRng[3]};
        }

        @Override
        public void restore(long[] p) {
            if (p.length != 6) throw new IllegalArgumentException("a windows position has 6 numbers, got " + p.length);
            rng.restore(new long[] {p[2], p[3], p[4], p[5]});
            startEpoch();
            epoch = p[0];
            taken = (int) p[1];
        }
    }

    /** char-rnn's contiguous streams with carried state. */
    final class Stream implements Batcher {
        private final int[] tokens;
        private final int batch;
        private final int seq;
        private final int streamLength; // L = (N-1) / B tokens per stream
        private final int chunks; // L / T batches per epoch
        private long epoch;
        private int chunk; // next chunk index
        private boolean fresh;

        public Stream(int[] tokens, int batch, int seq) {
            if (seq < 1) throw new IllegalArgumentException("sequence length must be at least 1, got " + seq);
            if (batch < 1) throw new IllegalArgumentException("batch must be at least 1, got " + batch);
            int length = (tokens.length - 1) / batch;
            if (length < seq) {
                throw new IllegalArgumentException("stream mode with " + batch + " streams of " + seq
                        + " steps needs at least " + ((long) batch * seq + 1) + " characters; the text has "
                        + tokens.length + " (lower --batch or --seq)");
            }
            this.tokens = tokens;
            this.batch = batch;
            this.seq = seq;
            this.streamLength = length;
            this.chunks = length / seq;
        }

        @Override
        public int batchSize() {
            return batch;
        }

        @Override
        public int seqLength() {
            return seq;
        }

        @Override
        public int batchesPerEpoch() {
            return chunks;
        }

        @Override
        public int next(int[] inputs, int[] targets) {
            if (chunk == chunks) {
                epoch++;
                chunk = 0;
            }
            fresh = chunk == 0;
            for (int b = 0; b < batch; b++) {
                int start = b * streamLength + chunk * seq;
                System.arraycopy(tokens, start, inputs, b * seq, seq);
                System.arraycopy(tokens, start + 1, targets, b * seq, seq);
            }
            chunk++;
            return batch;
        }

        @Override
        public boolean freshState() {
            return fresh;
        }

        @Override
        public long epoch() {
            return chunk == chunks ? epoch + 1 : epoch;
        }

        @Override
        public int batchInEpoch() {
            return chunk == chunks ? 0 : chunk;
        }

        @Override
        public long[] position() {
            return new long[] {epoch, chunk};
        }

        @Override
        public void restore(long[] p) {
            if (p.length != 2) throw new IllegalArgumentException("a stream position has 2 numbers, got " + p.length);
            epoch = p[0];
            chunk = (int) p[1];
        }
    }
}
