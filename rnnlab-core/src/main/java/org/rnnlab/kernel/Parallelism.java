package org.rnnlab.kernel;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * rnnlab's own thread pool for the kernels: a fixed number of threads (the caller plus {@code threads() - 1}
 * daemon workers named {@code rnnlab-kernel-N}), never the common ForkJoinPool. A job is split into parts, which
 * the caller and the workers claim one at a time until all are done.
 *
 * <p>The size defaults to {@link Runtime#availableProcessors()}, or {@code -Drnnlab.threads=N} /
 * {@code RNNLAB_THREADS=N} when set, and {@link #setThreads(int)} changes it (the CLI's {@code --threads}).
 *
 * <p>Dispatching allocates nothing: the caller passes a task object it owns, and idle workers wait on a counter
 * (spinning briefly, then parked), so even the per-time-step products of a recurrent layer can use the pool. One
 * job runs at a time: a caller that finds the pool busy (another thread's job, or a part calling back in) runs
 * every part itself, in order. Callers split work so that each output is computed by exactly one part, the same
 * way whatever the number of parts, so results do not depend on the thread count or on who ran which part.
 */
public final class Parallelism {
    /** One job, split into parts: {@code run(part, parts)} does part {@code part} of {@code parts}. */
    public interface Task {
        void run(int part, int parts);
    }

    /** How long an idle worker spins for the next job before parking, in nanoseconds. */
    private static final long SPIN_NANOS = 100_000;

    private static final Object LOCK = new Object();
    private static volatile int threads = initialThreads();
    private static volatile Pool pool;

    private Parallelism() {}

    private static int initialThreads() {
        String s = System.getProperty("rnnlab.threads");
        if (s == null || s.isBlank()) s = System.getenv("RNNLAB_THREADS");
        if (s != null && !s.isBlank()) {
            try {
                int n = Integer.parseInt(s.trim());
                if (n >= 1) return n;
            } catch (NumberFormatException ignored) {
                // fall through to the default, as for any unusable value
            }
            System.err.println("rnnlab: ignoring thread count '" + s + "' (need an integer >= 1)");
        }
        return Runtime.getRuntime().availableProcessors();
    }

    /** The number of threads a job may use, the caller included (at least 1). */
    public static int threads() {
        return threads;
    }

    /** The most worker threads accepted. */
    public static final int MAX_THREADS = 1024;

    /**
     * Sets the number of threads, the caller included; 1 runs everything on the calling thread. Waits for a
     * running job to finish; the old workers stop and new ones start on the next parallel job.
     */
    public static void setThreads(int n) {
        if (n < 1 || n > MAX_THREADS) {
            throw new IllegalArgumentException("--threads must be between 1 and " + MAX_THREADS + ", got " + n);
        }
        synchronized (LOCK) {
            if (n == threads) return;
            Pool old = pool;
            if (old != null) {
                old.acquireWaiting(); // and never released: a caller still holding it runs its parts itself
                pool = null;
                old.shutdown();
            }
            threads = n;
        }
    }

    /**
     * Runs {@code task.run(p, parts)} for every p in [0, parts) and returns when all are done: claimed one at a time
     * by the caller and the pool's workers when the pool is free, all on the calling thread, in order, otherwise.
     * More parts than threads balance the load when a thread is slow (a busy machine). An exception of any part is
     * rethrown (the first one; the other parts still finish).
     */
    public static void run(int parts, Task task) {
        if (parts < 1) throw new IllegalArgumentException("parts must be at least 1, got " + parts);
        Pool p = parts == 1 ? null : pool();
        if (p == null || !p.tryAcquire()) {
            for (int i = 0; i < parts; i++) task.run(i, parts);
            return;
        }
        try {
            p.execute(parts, task);
        } finally {
            p.release();
        }
    }

    private static Pool pool() {
        Pool p = pool;
        if (p != null) return p;
        synchronized (LOCK) {
            if (pool == null && threads > 1) pool = new Pool(threads - 1);
            return pool;
        }
    }

    /**
     * The workers of one pool size; the caller of {@link #execute} is the extra thread. Parts are claimed, not
     * assigned: the caller and the workers take the next unclaimed part until none is left, so a worker that the
     * OS has not scheduled yet (a busy machine) only means the caller does more parts itself. A claim is a CAS on
     * one long holding the job's generation (high half) and the next part (low half), so a worker that wakes late
     * can never claim a part of a later job.
     */
    private static final class Pool {
        private final Thread[] workers;
        private final AtomicBoolean busy = new AtomicBoolean();
        private final AtomicLong claim = new AtomicLong();   // generation << 32 | next unclaimed part
        private final AtomicInteger done = new AtomicInteger();
        private volatile boolean stopped;
        private volatile Task task;
        private volatile int parts;
        private volatile Throwable failure;

        Pool(int n) {
            workers = new Thread[n];
            for (int w = 0; w < n; w++) {
                Thread t = new Thread(this::work, "rnnlab-kernel-" + (w + 1));
                t.setDaemon(true);
                workers[w] = t;
                t.start();
            }
        }

        boolean tryAcquire() {
            return busy.compareAndSet(false, true);
        }

        void acquireWaiting() {
            while (!busy.compareAndSet(false, true)) Thread.onSpinWait();
        }

        void release() {
            busy.set(false);
        }

        void shutdown() {
            stopped = true;
            for (Thread t : workers) LockSupport.unpark(t);
        }

        void execute(int n, Task t) {
            task = t;
            parts = n;
            failure = null;
            done.set(0);
            long generation = (claim.get() >>> 32) + 1;
            claim.set(generation << 32); // publishes task and parts: a worker reads them after seeing this
            // Unparking a spinning worker only leaves it a permit (its next park returns at once): cheaper than
            // tracking who is parked.
            for (Thread w : workers) LockSupport.unpark(w);
            runClaimed(generation, t, n);
            long start = System.nanoTime();
            while (done.get() < n) {
                if (System.nanoTime() - start < SPIN_NANOS) Thread.onSpinWait();
                else Thread.yield();
            }
            task = null;
            Throwable f = failure;
            if (f instanceof RuntimeException r) throw r;
            if (f instanceof Error e) throw e;
            if (f != null) throw new IllegalStateException(f);
        }

        /** Claims and runs parts of job {@code generation} until none is left (or the job is over). */
        private void runClaimed(long generation, Task t, int n) {
            while (true) {
                long c = claim.get();
                int part = (int) c;
                if (c >>> 32 != generation || part >= n) return;
                if (!claim.compareAndSet(c, c + 1)) continue;
                try {
                    t.run(part, n);
                } catch (Throwable e) {
                    if (failure == null) failure = e;
                }
                done.incrementAndGet();
            }
        }

        private void work() {
            long seen = 0; // the generation at construction: a job published before this thread runs is not missed
            while (true) {
                long generation = waitForJob(seen);
                if (stopped) return;
                seen = generation;
                Task t = task;
                int n = parts;
                // t and n may already belong to a later job; runClaimed then finds the generation changed
                if (t != null) runClaimed(generation, t, n);
            }
        }

        /** Spins for a while, then parks, until a job later than {@code seen} is published; returns its generation. */
        private long waitForJob(long seen) {
            long start = System.nanoTime();
            while (true) {
                for (int i = 0; i < 64; i++) {
                    long g = claim.get() >>> 32;
                    if (g != seen || stopped) return g;
                    Thread.onSpinWait();
                }
                if (System.nanoTime() - start > SPIN_NANOS) {
                    // The caller publishes the job before unparking, so a job published after this check finds
                    // the permit set and park returns at once.
                    if (claim.get() >>> 32 == seen && !stopped) LockSupport.park(this);
                    start = System.nanoTime();
                }
            }
        }
    }
}
