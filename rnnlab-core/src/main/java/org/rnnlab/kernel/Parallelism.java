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
 *
 * <p>Of those threads, jobs use as many as help ({@link #activeThreads()}): when a core is taken by another process,
 * a worker the OS deschedules holds every job it is part of up for a time slice, and fewer threads go faster.
 * {@link ThreadLevel} measures each job's speed-up over its caller alone and lowers or raises the level; results
 * are the same at any level. {@code -Drnnlab.threads.adaptive=false} or {@code RNNLAB_ADAPTIVE_THREADS=0} keep all
 * the threads in every job.
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
    private static volatile boolean adaptive = initialAdaptive();
    private static volatile ThreadLevel level = newLevel(threads);

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

    private static boolean initialAdaptive() {
        String s = System.getProperty("rnnlab.threads.adaptive");
        if (s == null || s.isBlank()) s = System.getenv("RNNLAB_ADAPTIVE_THREADS");
        if (s == null || s.isBlank()) return true;
        s = s.trim();
        return !(s.equals("0") || s.equalsIgnoreCase("false") || s.equalsIgnoreCase("off"));
    }

    private static ThreadLevel newLevel(int n) {
        return adaptive && n > 1 ? new ThreadLevel(n) : null;
    }

    /** The number of threads a job may use, the caller included (at least 1). */
    public static int threads() {
        return threads;
    }

    /**
     * The threads the next job should be split for, 1..{@link #threads()}: all of them, or fewer while the other
     * cores are measured not to help ({@link ThreadLevel}). Callers size their parts by it.
     */
    public static int activeThreads() {
        ThreadLevel l = level;
        if (l == null) return threads;
        int a = l.level();
        if (a == l.max()) return a; // the usual case: no clock read
        long now = System.nanoTime();
        if (l.probeDue(now)) l.raise(now);
        return l.level();
    }

    /** Whether the level adapts to the cores that help (the default), or every job uses {@link #threads()}. */
    public static boolean adaptive() {
        return adaptive;
    }

    /** Turns the adaptation on or off (off: every job uses all {@link #threads()}); starts again from all. */
    public static void setAdaptive(boolean on) {
        synchronized (LOCK) {
            adaptive = on;
            level = newLevel(threads);
        }
    }

    /** A line on the threads, e.g. {@code 2 threads (adaptive: 1 now, 3 changes)}, for bench and diagnostics. */
    public static String describe() {
        ThreadLevel l = level;
        int n = threads;
        String base = n + (n == 1 ? " thread" : " threads");
        if (l == null) return base + (n > 1 ? " (fixed)" : "");
        return base + " (adaptive: " + l.level() + " now, " + l.changes() + " changes)";
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
            level = newLevel(n);
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
        dispatch(parts, task, parts == 1 ? 1 : activeThreads(), level);
    }

    /**
     * {@link #run} on all {@link #threads()} whatever the adaptive level, for jobs of a few long parts (a training
     * step's shards): a part is claimed whole by whichever thread is free, so a thread slowed by another process only
     * runs fewer of them, and the level, which measures fine-grained jobs, does not apply. Not recorded to the level.
     */
    public static void runEach(int parts, Task task) {
        if (parts < 1) throw new IllegalArgumentException("parts must be at least 1, got " + parts);
        dispatch(parts, task, parts == 1 ? 1 : threads, null);
    }

    /** The job on {@code use} threads (the caller included) when the pool is free, else all on the caller, in order. */
    private static void dispatch(int parts, Task task, int use, ThreadLevel record) {
        Pool p = use == 1 ? null : pool();
        if (p == null || !p.tryAcquire()) {
            for (int i = 0; i < parts; i++) task.run(i, parts);
            return;
        }
        try {
            p.execute(parts, task, use - 1, record);
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
        private volatile int helpers;   // workers 1..helpers take part in the current job
        private long callerNanos;       // the caller's time in the parts it ran (only the caller touches it)
        private volatile Throwable failure;

        Pool(int n) {
            workers = new Thread[n];
            for (int w = 0; w < n; w++) {
                int index = w + 1;
                Thread t = new Thread(() -> work(index), "rnnlab-kernel-" + index);
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

        /**
         * Runs the job with the caller and workers 1..{@code use}; when {@code level} is given, reports the job's
         * wall time and the caller's estimate of its time alone to it.
         */
        void execute(int n, Task t, int use, ThreadLevel level) {
            long t0 = System.nanoTime();
            task = t;
            parts = n;
            helpers = Math.min(use, workers.length);
            failure = null;
            done.set(0);
            long generation = (claim.get() >>> 32) + 1;
            claim.set(generation << 32); // publishes task and parts: a worker reads them after seeing this
            // Unparking a spinning worker only leaves it a permit (its next park returns at once): cheaper than
            // tracking who is parked.
            for (int w = 0; w < helpers; w++) LockSupport.unpark(workers[w]);
            callerNanos = 0;
            int own = runClaimed(generation, t, n, true);
            long start = System.nanoTime();
            while (done.get() < n) {
                if (System.nanoTime() - start < SPIN_NANOS) Thread.onSpinWait();
                else Thread.yield();
            }
            if (level != null && own > 0) {
                long end = System.nanoTime();
                level.record(end - t0, callerNanos * n / own, end);
            }
            task = null;
            Throwable f = failure;
            if (f instanceof RuntimeException r) throw r;
            if (f instanceof Error e) throw e;
            if (f != null) throw new IllegalStateException(f);
        }

        /**
         * Claims and runs parts of job {@code generation} until none is left (or the job is over); returns how many
         * it ran. {@code timed} (the caller only) adds the time spent in them to {@link #callerNanos}.
         */
        private int runClaimed(long generation, Task t, int n, boolean timed) {
            int ran = 0;
            while (true) {
                long c = claim.get();
                int part = (int) c;
                if (c >>> 32 != generation || part >= n) break;
                if (!claim.compareAndSet(c, c + 1)) continue;
                long a = timed ? System.nanoTime() : 0;
                try {
                    t.run(part, n);
                } catch (Throwable e) {
                    if (failure == null) failure = e;
                }
                if (timed) callerNanos += System.nanoTime() - a;
                ran++;
                done.incrementAndGet();
            }
            return ran;
        }

        private void work(int index) {
            long seen = 0; // the generation at construction: a job published before this thread runs is not missed
            while (true) {
                long generation = waitForJob(seen);
                if (stopped) return;
                seen = generation;
                Task t = task;
                int n = parts;
                // t and n may already belong to a later job; runClaimed then finds the generation changed. A worker
                // past the job's helpers leaves it to the others (it only woke from spinning).
                if (t != null && index <= helpers) runClaimed(generation, t, n, false);
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
