package org.rnnlab.train;

import org.rnnlab.text.Tokens;
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
 * Both are deterministic given their {@link Rng}, and their position can be saved and restored exactly. Both read
 * the tokens by offset ({@link Tokens}), so a text of any length costs the heap only the batch it is filling.
 */
public sealed interface Batcher permits Batcher.Windows, Batcher.Stream {
    /** Sequences per batch (the last batch of an epoch in windows mode may hold fewer). */
    int batchSize();

    /** Steps per sequence. */
    int seqLength();

    long batchesPerEpoch();

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
    long batchInEpoch();

    /** The position as numbers, for checkpoints. */
    long[] position();

    void restore(long[] position);

    /**
     * The notebook's windows. The order of an epoch is a Fisher–Yates shuffle of the window starts, as in memory,
     * for up to {@link #SHUFFLE_IN_MEMORY} windows (64 MiB of starts); past that, a random permutation computed
     * from the position ({@link Permutation}), so that a text of any length needs no array of its windows.
     */
    final class Windows implements Batcher {
        /** The most windows whose order is held as an array. */
        public static final int SHUFFLE_IN_MEMORY = 1 << 24;

        private final Tokens tokens;
        private final int batch;
        private final int seq;
        private final long windows; // N - T window starts
        private final int[] order; // this epoch's order of the starts; null past SHUFFLE_IN_MEMORY
        private final Permutation permutation; // this epoch's order otherwise
        private final Rng rng;
        private long[] epochStartRng;
        private long epoch;
        private long taken; // windows taken this epoch

        public Windows(int[] tokens, int batch, int seq, Rng rng) {
            this(Tokens.of(tokens), batch, seq, rng);
        }

        /** {@code batch} must not exceed the number of windows (see {@link Batchers#fit}). */
        public Windows(Tokens tokens, int batch, int seq, Rng rng) {
            this(tokens, batch, seq, rng, SHUFFLE_IN_MEMORY);
        }

        Windows(Tokens tokens, int batch, int seq, Rng rng, int shuffleInMemory) {
            if (seq < 1) throw new IllegalArgumentException("sequence length must be at least 1, got " + seq);
            if (tokens.length() < seq + 1) {
                throw new IllegalArgumentException("windows of " + seq + " steps need at least " + (seq + 1)
                        + " characters; the text has " + tokens.length() + " (lower --seq)");
            }
            long windows = tokens.length() - seq;
            if (batch < 1 || batch > windows) {
                throw new IllegalArgumentException("batch must be between 1 and the " + windows + " windows, got " + batch);
            }
            this.tokens = tokens;
            this.batch = batch;
            this.seq = seq;
            this.windows = windows;
            this.rng = rng;
            this.order = windows <= shuffleInMemory ? new int[(int) windows] : null;
            this.permutation = order == null ? new Permutation(windows) : null;
            startEpoch();
        }

        private void startEpoch() {
            epochStartRng = rng.state();
            if (order != null) {
                for (int i = 0; i < order.length; i++) order[i] = i;
                rng.shuffle(order);
            } else {
                permutation.rekey(rng);
            }
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

        public long windows() {
            return windows;
        }

        @Override
        public long batchesPerEpoch() {
            return (windows + batch - 1) / batch;
        }

        @Override
        public int next(int[] inputs, int[] targets) {
            if (taken == windows) {
                epoch++;
                startEpoch();
            }
            int n = (int) Math.min(batch, windows - taken);
            for (int b = 0; b < n; b++) {
                long start = order != null ? order[(int) (taken + b)] : permutation.apply(taken + b);
                tokens.read(start, inputs, b * seq, seq);
                tokens.read(start + 1, targets, b * seq, seq);
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
            return taken == windows ? epoch + 1 : epoch;
        }

        @Override
        public long batchInEpoch() {
            return taken == windows ? 0 : (taken + batch - 1) / batch;
        }

        @Override
        public long[] position() {
            return new long[] {epoch, taken, epochStartRng[0], epochStartRng[1], epochStartRng[2], epochStartRng[3]};
        }

        @Override
        public void restore(long[] p) {
            if (p.length != 6) throw new IllegalArgumentException("a windows position has 6 numbers, got " + p.length);
            if (p[1] < 0 || p[1] > windows) {
                throw new IllegalArgumentException("a windows position of " + p[1] + " taken, of " + windows + " windows");
            }
            rng.restore(new long[] {p[2], p[3], p[4], p[5]});
            startEpoch();
            epoch = p[0];
            taken = p[1];
        }
    }

    /**
     * A random permutation of {@code [0, n)} computed one position at a time, in constant memory: a four-round
     * Feistel network over the smallest even number of bits that holds n, with cycle walking (an output of n or
     * more is put through again, which ends because the network permutes its whole square domain), the round
     * keys drawn from the run's generator at each epoch. Four rounds of a good mixing function give a permutation
     * that no training run can tell from a shuffle (Luby and Rackoff).
     */
    final class Permutation {
        private final long n;
        private final int half; // bits in each half
        private final long mask;
        private final long[] keys = new long[4];

        Permutation(long n) {
            if (n < 1) throw new IllegalArgumentException("a permutation of " + n + " elements");
            this.n = n;
            int bits = Math.max(2, 64 - Long.numberOfLeadingZeros(n - 1));
            this.half = (bits + 1) / 2;
            this.mask = (1L << half) - 1;
        }

        void rekey(Rng rng) {
            for (int r = 0; r < keys.length; r++) keys[r] = rng.nextLong();
        }

        long apply(long i) {
            if (i < 0 || i >= n) throw new IndexOutOfBoundsException(i + " of " + n);
            long x = i;
            do {
                long left = x >>> half;
                long right = x & mask;
                for (long key : keys) {
                    long t = left ^ mix(right ^ key) & mask;
                    left = right;
                    right = t;
                }
                x = left << half | right;
            } while (x >= n);
            return x;
        }

        /** SplitMix64's finaliser: every input bit reaches every output bit. */
        private static long mix(long z) {
            z = (z ^ z >>> 30) * 0xBF58476D1CE4E5B9L;
            z = (z ^ z >>> 27) * 0x94D049BB133111EBL;
            return z ^ z >>> 31;
        }
    }

    /** char-rnn's contiguous streams with carried state. */
    final class Stream implements Batcher {
        private final Tokens tokens;
        private final int batch;
        private final int seq;
        private final long streamLength; // L = (N-1) / B tokens per stream
        private final long chunks; // L / T batches per epoch
        private long epoch;
        private long chunk; // next chunk index
        private boolean fresh;

        public Stream(int[] tokens, int batch, int seq) {
            this(Tokens.of(tokens), batch, seq);
        }

        public Stream(Tokens tokens, int batch, int seq) {
            if (seq < 1) throw new IllegalArgumentException("sequence length must be at least 1, got " + seq);
            if (batch < 1) throw new IllegalArgumentException("batch must be at least 1, got " + batch);
            long length = (tokens.length() - 1) / batch;
            if (length < seq) {
                throw new IllegalArgumentException("stream mode with " + batch + " streams of " + seq
                        + " steps needs at least " + ((long) batch * seq + 1) + " characters; the text has "
                        + tokens.length() + " (lower --batch or --seq)");
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
        public long batchesPerEpoch() {
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
                long start = b * streamLength + chunk * seq;
                tokens.read(start, inputs, b * seq, seq);
                tokens.read(start + 1, targets, b * seq, seq);
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
        public long batchInEpoch() {
            return chunk == chunks ? 0 : chunk;
        }

        @Override
        public long[] position() {
            return new long[] {epoch, chunk};
        }

        @Override
        public void restore(long[] p) {
            if (p.length != 2) throw new IllegalArgumentException("a stream position has 2 numbers, got " + p.length);
            if (p[1] < 0 || p[1] > chunks) {
                throw new IllegalArgumentException("a stream position of chunk " + p[1] + ", of " + chunks);
            }
            epoch = p[0];
            chunk = p[1];
        }
    }
}
