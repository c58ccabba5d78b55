package org.rnnlab.generate;

import java.util.Arrays;
import org.rnnlab.model.CharModel;
import org.rnnlab.model.State;
import org.rnnlab.util.Rng;

/**
 * Continuous batching: sampled completions of one model advanced together, one {@link CharModel#step} over every
 * live sequence per {@link #step()}, whatever phase each is in (a new sequence's prompt characters are fed in the
 * same steps as the others' generated ones). Sequences join ({@link #add}) and leave (finished, cancelled, out of
 * time) between steps; each keeps its own recurrent state (a slot of one batch state), sampler, random stream, stop
 * string, length and deadline. Since the model computes each row on its own, a sequence gets exactly the text
 * {@link Completer} gives for the same prompt, options and seed, alone or beside any others.
 *
 * <p>One thread owns a batch and calls {@link #add} and {@link #step}; a {@link Sequence}'s output and
 * {@link Sequence#cancel()} are for any thread (the one that waits for it). After set-up a step allocates nothing.
 */
public final class SequenceBatch {
    /** How a sequence ended. */
    public enum Finish {
        /** It generated its length. */
        LENGTH,
        /** Its completion ended with the stop string. */
        STOP,
        /** Its deadline passed before it ended (the character decided after it is not kept). */
        TIME_LIMIT,
        /** {@link Sequence#cancel()} was called (a client that went away). */
        CANCELLED,
        /** A step failed ({@link #failAll}); {@link Sequence#failure()} says why. */
        FAILED
    }

    /**
     * One completion: a prompt, how its characters are chosen, when it ends. Made by any thread, advanced by the
     * batch's; its characters can be read while it runs ({@link #produced()}, {@link #await}).
     */
    public static final class Sequence {
        private final int[] prompt;     // the visible prompt tokens, in order
        private final Sampler sampler;
        private final Rng rng;
        private final int[] stop;
        private final int length;
        private final long deadline;
        private final boolean signalEachToken;
        private final int[] out;        // (length) the tokens generated so far
        private int fed;                // prompt tokens fed so far
        private int input;              // the token the next step feeds
        private int slot = -1;
        private volatile int produced;
        private volatile Finish finish;
        private volatile Throwable failure;
        private volatile boolean cancelled;

        /**
         * @param slots          the prompt as {@link Prompt#slots()} ({@link Prompt#SKIPPED} slots are not fed); at
         *                       least one visible token
         * @param seed           the random seed: the stream is the one {@link StepGenerator} gives its first sequence
         * @param stop           the stop string's tokens (empty for none)
         * @param deadlineNanos  a {@link System#nanoTime()} past which it ends with {@link Finish#TIME_LIMIT}
         * @param signalEachToken wake a thread in {@link #await} at every character (streaming), not only at the end
         */
        public Sequence(int[] slots, SamplingOptions sampling, int vocab, long seed, int[] stop, int length,
                        long deadlineNanos, boolean signalEachToken) {
            if (length < 1) throw new IllegalArgumentException("the length must be at least 1, got " + length);
            this.prompt = Arrays.stream(slots).filter(id -> id != Prompt.SKIPPED).toArray();
            if (prompt.length == 0) throw new IllegalArgumentException("a sequence needs at least one visible prompt token");
            for (int id : prompt) {
                if (id < 0 || id >= vocab) throw new IllegalArgumentException("prompt token " + id + " is outside [0, " + vocab + ")");
            }
            this.sampler = new Sampler(sampling, vocab);
            this.rng = StepGenerator.streams(seed, 1)[0];
            this.stop = stop.clone();
            this.length = length;
            this.deadline = deadlineNanos;
            this.signalEachToken = signalEachToken;
            this.out = new int[length];
            this.input = prompt[0];
        }

        /** Asks the batch to drop this sequence before its next step ({@link Finish#CANCELLED}); any thread. */
        public void cancel() {
            cancelled = true;
        }

        /**
         * Ends, with {@link Finish#FAILED}, a sequence that no batch has taken (its scheduler stopped before); call it
         * on the thread that would have added it.
         */
        public void abandon(Throwable why) {
            if (slot != -1 || finish != null) throw new IllegalStateException("this sequence is or was in a batch");
            end(Finish.FAILED, why);
        }

        /** How many tokens have been generated; {@link #token(int)} reads each (any thread). */
        public int produced() {
            return produced;
        }

        /** Generated token {@code i}, for {@code i < }{@link #produced()}. */
        public int token(int i) {
            if (i >= produced) throw new IndexOutOfBoundsException("token " + i + " of " + produced);
            return out[i];
        }

        /** The generated tokens so far (a copy). */
        public int[] tokens() {
            return Arrays.copyOf(out, produced);
        }

        /** How it ended, or {@code null} while it runs. Once set, {@link #produced()} is final. */
        public Finish finish() {
            return finish;
        }

        /** With {@link Finish#FAILED}: the step's exception. */
        public Throwable failure() {
            return failure;
        }

        /**
         * Waits until more than {@code seen} tokens are there, or it has finished, or {@code timeoutNanos} passed;
         * returns {@link #produced()}. Without {@code signalEachToken} only the end (or the timeout) wakes it.
         */
        public int await(int seen, long timeoutNanos) throws InterruptedException {
            long end = System.nanoTime() + timeoutNanos;
            synchronized (this) {
                while (produced <= seen && finish == null) {
                    long left = end - System.nanoTime();
                    if (left <= 0) break;
                    wait(Math.max(1, left / 1_000_000), 0);
                }
            }
            return produced;
        }

        private void emit(int token) {
            out[produced] = token;
            produced = produced + 1; // only the batch's thread writes
            if (signalEachToken) {
                synchronized (this) {
                    notifyAll();
                }
            }
        }

        private void end(Finish how, Throwable why) {
            failure = why;
            synchronized (this) {
                finish = how;
                notifyAll();
            }
        }

        private boolean stopped() {
            int m = stop.length, n = produced;
            if (m == 0 || m > n) return false;
            for (int i = 0; i < m; i++) {
                if (out[n - m + i] != stop[i]) return false;
            }
            return true;
        }

        /**
         * After a step with this row's logits: the next prompt token, or the next character chosen (and kept, unless
         * the deadline has passed); false once it has ended.
         */
        private boolean advance(float[] logits, int offset, long now) {
            if (++fed < prompt.length) {
                input = prompt[fed];
                return true;
            }
            int token = sampler.choose(logits, offset, rng);
            if (now > deadline) {
                end(Finish.TIME_LIMIT, null);
                return false;
            }
            emit(token);
            if (stopped()) {
                end(Finish.STOP, null);
                return false;
            }
            if (produced == length) {
                end(Finish.LENGTH, null);
                return false;
            }
            input = token;
            return true;
        }
    }

    private final CharModel model;
    private final int capacity;
    private final int vocab;
    private final CharModel.StepWorkspace ws;
    private final State slots;       // (L, capacity, H): live sequence i's state in row i
    private final int[] tokens;      // (capacity) what each row feeds at the next step
    private final Sequence[] live;   // [i] the sequence in row i, i < size
    private int size;
    private long steps;
    private long rowsStepped;

    /** @param capacity the most sequences stepped together */
    public SequenceBatch(CharModel model, int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("a batch holds at least one sequence, got " + capacity);
        this.model = model;
        this.capacity = capacity;
        this.vocab = model.config().vocab();
        this.ws = model.stepWorkspace(capacity);
        this.slots = model.zeroState(capacity);
        this.tokens = new int[capacity];
        this.live = new Sequence[capacity];
    }

    public int capacity() {
        return capacity;
    }

    /** Live sequences. */
    public int size() {
        return size;
    }

    public boolean isFull() {
        return size == capacity;
    }

    /** Batched steps taken so far, and the rows they stepped in all (their ratio is the mean batch). */
    public long steps() {
        return steps;
    }

    public long rowsStepped() {
        return rowsStepped;
    }

    /** Takes a new sequence in, from the zero state; it is fed its first prompt token at the next step. */
    public void add(Sequence s) {
        if (size == capacity) throw new IllegalStateException("the batch is full (" + capacity + " sequences)");
        if (s.slot >= 0 || s.finish != null) throw new IllegalArgumentException("this sequence has been batched before");
        int H = slots.hidden();
        for (int l = 0; l < slots.layers(); l++) {
            Arrays.fill(slots.h(l), size * H, (size + 1) * H, 0f);
            if (slots.hasCell()) Arrays.fill(slots.c(l), size * H, (size + 1) * H, 0f);
        }
        s.slot = size;
        live[size] = s;
        tokens[size] = s.input;
        size++;
    }

    /**
     * Drops the sequences cancelled or out of time, then advances every live one by one batched step; the ones that
     * end leave. Returns how many were stepped (0 when none is live).
     */
    public int step() {
        long now = System.nanoTime();
        for (int i = size - 1; i >= 0; i--) {
            Sequence s = live[i];
            if (s.cancelled) remove(i, Finish.CANCELLED);
            else if (now > s.deadline) remove(i, Finish.TIME_LIMIT);
        }
        int n = size;
        if (n == 0) return 0;
        float[] logits = model.step(ws, n, tokens, slots, slots);
        steps++;
        rowsStepped += n;
        now = System.nanoTime();
        // backwards, so that a row moved into a freed slot has been advanced already
        for (int i = n - 1; i >= 0; i--) {
            Sequence s = live[i];
            if (s.advance(logits, i * vocab, now)) tokens[i] = s.input;
            else release(i);
        }
        return n;
    }

    /** Ends every live sequence with {@link Finish#FAILED} (after a step threw): their waiters answer with an error. */
    public void failAll(Throwable why) {
        while (size > 0) {
            Sequence s = live[size - 1];
            release(size - 1);
            s.end(Finish.FAILED, why);
        }
    }

    private void remove(int i, Finish how) {
        Sequence s = live[i];
        release(i);
        s.end(how, null);
    }

    /** Frees row i: the last live row moves into it (its state, its next token). */
    private void release(int i) {
        int last = size - 1;
        live[i].slot = Integer.MIN_VALUE; // never batched again
        if (i != last) {
            int H = slots.hidden();
            for (int l = 0; l < slots.layers(); l++) {
                System.arraycopy(slots.h(l), last * H, slots.h(l), i * H, H);
                if (slots.hasCell()) System.arraycopy(slots.c(l), last * H, slots.c(l), i * H, H);
            }
            live[i] = live[last];
            live[i].slot = i;
            tokens[i] = tokens[last];
        }
        live[last] = null;
        size = last;
    }
}
