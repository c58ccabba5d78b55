package org.rnnlab.kernel;

/**
 * How many of the pool's threads the next jobs use, adapted to how much the other threads actually help: on a
 * machine where another process takes a core, a worker the OS deschedules in the middle of a part holds the whole
 * job up for a time slice (milliseconds, against parts of tens of microseconds), and two threads end up slower
 * than one. Measured on 2 cores with a busy loop pinned to one: medium LSTM training at 10,116 tokens/s with two
 * threads against 28,059 with one.
 *
 * <p>The measure is each parallel job's speed-up over the calling thread alone, estimated from the job itself:
 * the caller times the parts it ran, so {@code parts x (its time per part)} is what the job would have taken on it
 * alone, and the job's wall time is what it took. Summed over a window of jobs ({@link #WINDOW_NANOS}), their
 * ratio is the window's speed-up at the current level. Rules, at level {@code a} of {@code 1..max}:
 * <ul>
 *   <li>a window at {@code a > 1} whose speed-up is not {@link #GAIN} times that of level {@code a - 1} (1 for a
 *       single thread, otherwise its last window; when that level was never measured, half of {@code a}) drops
 *       to {@code a - 1};</li>
 *   <li>a level below {@code max} probes {@code a + 1} after a back-off ({@link #FIRST_BACKOFF_NANOS}, doubled
 *       each time the probe does not pay or the level it won back does not hold for {@link #HOLD_NANOS}, up to
 *       {@link #MAX_BACKOFF_NANOS}; back to the first value when a level held that long drops), so a contention
 *       that goes away is noticed within a second, and one that stays costs a probe window a second (about 1%).</li>
 * </ul>
 * Results do not depend on the level: every product is split so that each output is computed the same way
 * whatever the number of parts ({@link Parallelism}).
 *
 * <p>{@link #record} and {@link #raise} are synchronized (a job's end and another thread's probe may meet); the
 * level and the probe time are volatile, read on every product without a lock.
 */
final class ThreadLevel {
    /** A window of parallel jobs: at least this much of their wall time (and {@link #WINDOW_JOBS} jobs). */
    static final long WINDOW_NANOS = 8_000_000;
    static final int WINDOW_JOBS = 8;
    /** A level must be this much faster than the one below it to be kept. */
    static final double GAIN = 1.08;
    static final long FIRST_BACKOFF_NANOS = 50_000_000;
    static final long MAX_BACKOFF_NANOS = 1_000_000_000;
    /** A level raised by a probe must hold this long before a drop starts the back-off again from its first value. */
    static final long HOLD_NANOS = 2_000_000_000L;

    private final int max;
    private volatile int level;
    /** speedUp[a]: the last window's speed-up at level a (1 at level 1, NaN before any). */
    private final double[] speedUp;
    private long backoff = FIRST_BACKOFF_NANOS;
    private volatile long probeAt = Long.MAX_VALUE;
    /** The level that a probe raised from, or 0 when the current level is not a probe. */
    private int probingFrom;
    /** When a probe last raised the level. */
    private long raisedAt = Long.MIN_VALUE / 2;

    private long windowWall;
    private long windowAlone;
    private int windowJobs;
    private long changes;

    ThreadLevel(int max) {
        this.max = max;
        this.level = max;
        this.speedUp = new double[max + 1];
        java.util.Arrays.fill(speedUp, Double.NaN);
        speedUp[1] = 1;
    }

    int max() {
        return max;
    }

    /** The threads a job may use now, 1..max. */
    int level() {
        return level;
    }

    /** How many times the level changed (for diagnostics). */
    long changes() {
        return changes;
    }

    /** Whether the level is below max and its back-off is over at {@code now}. */
    boolean probeDue(long now) {
        return level < max && now >= probeAt;
    }

    /** Raises the level by one to probe it, when {@link #probeDue}. */
    synchronized void raise(long now) {
        if (!probeDue(now)) return;
        probingFrom = level;
        raisedAt = now;
        setLevel(level + 1);
        probeAt = Long.MAX_VALUE;
        resetWindow();
    }

    /**
     * One parallel job at the current level: its wall time, and what it would have taken on the caller alone
     * ({@code parts} times the caller's mean time per part).
     */
    synchronized void record(long wallNanos, long aloneNanos, long now) {
        if (level == 1) return;
        windowWall += wallNanos;
        windowAlone += aloneNanos;
        windowJobs++;
        if (windowWall < WINDOW_NANOS || windowJobs < WINDOW_JOBS) return;
        double s = windowAlone / (double) windowWall;
        resetWindow();
        int a = level;
        speedUp[a] = s;
        double below = speedUp[a - 1];
        if (probingFrom != 0) {
            // A probe of level a from a - 1: kept when it pays, else back down with a longer back-off.
            probingFrom = 0;
            if (s >= GAIN * below) {
                if (a < max) probeAt = now + backoff;
            } else {
                setLevel(a - 1);
                backoff = Math.min(MAX_BACKOFF_NANOS, 2 * backoff);
                probeAt = now + backoff;
            }
            return;
        }
        // Below a known level's speed-up, or (never measured) with less than half of each thread's worth
        if (Double.isNaN(below) ? s < 0.5 * a : s < GAIN * below) {
            // A level that a probe won back but that did not hold is a lucky window: wait longer next time.
            backoff = now - raisedAt < HOLD_NANOS ? Math.min(MAX_BACKOFF_NANOS, 2 * backoff) : FIRST_BACKOFF_NANOS;
            setLevel(a - 1);
            probeAt = now + backoff;
        }
    }

    private void setLevel(int a) {
        if (a != level) changes++;
        level = a;
        resetWindow();
    }

    private void resetWindow() {
        windowWall = 0;
        windowAlone = 0;
        windowJobs = 0;
    }
}
