package org.rnnlab.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The adaptation policy on a made-up clock: when it lowers the level, when it probes, how the back-off grows. */
class ThreadLevelTest {
    private static final long MS = 1_000_000;

    /** Feeds enough jobs at the current level to close a window with speed-up {@code s}; returns the clock. */
    private static long window(ThreadLevel l, double s, long now) {
        for (int j = 0; j < ThreadLevel.WINDOW_JOBS; j++) {
            now += MS;
            l.record(MS, (long) (s * MS), now);
        }
        return now;
    }

    @Test
    void startsWithEveryThreadAndKeepsThemWhileTheyPay() {
        ThreadLevel l = new ThreadLevel(2);
        assertThat(l.level()).isEqualTo(2);
        long now = 0;
        for (int w = 0; w < 10; w++) now = window(l, 1.7, now);
        assertThat(l.level()).isEqualTo(2);
        assertThat(l.changes()).isZero();
    }

    @Test
    void twoThreadsThatDoNotBeatOneDropToOneThenProbeWithAGrowingBackoff() {
        ThreadLevel l = new ThreadLevel(2);
        long now = window(l, 0.4, 0); // a preempted worker: the job took longer than the caller alone
        assertThat(l.level()).isEqualTo(1);
        assertThat(l.probeDue(now)).isFalse();
        assertThat(l.probeDue(now + ThreadLevel.FIRST_BACKOFF_NANOS)).isTrue();

        now += ThreadLevel.FIRST_BACKOFF_NANOS;
        l.raise(now);
        assertThat(l.level()).as("probing two threads again").isEqualTo(2);
        now = window(l, 1.02, now); // still not worth it (below GAIN)
        assertThat(l.level()).isEqualTo(1);
        assertThat(l.probeDue(now + ThreadLevel.FIRST_BACKOFF_NANOS)).as("the back-off doubled").isFalse();
        assertThat(l.probeDue(now + 2 * ThreadLevel.FIRST_BACKOFF_NANOS)).isTrue();

        // Many failed probes: the back-off stops growing at its maximum
        for (int i = 0; i < 10; i++) {
            now += ThreadLevel.MAX_BACKOFF_NANOS;
            l.raise(now);
            assertThat(l.level()).isEqualTo(2);
            now = window(l, 0.5, now);
            assertThat(l.level()).isEqualTo(1);
        }
        assertThat(l.probeDue(now + ThreadLevel.MAX_BACKOFF_NANOS - 1)).isFalse();
        assertThat(l.probeDue(now + ThreadLevel.MAX_BACKOFF_NANOS)).isTrue();

        // The other process ends: the next probe pays and stays
        now += ThreadLevel.MAX_BACKOFF_NANOS;
        l.raise(now);
        now = window(l, 1.8, now);
        assertThat(l.level()).isEqualTo(2);
        for (int w = 0; w < 5; w++) now = window(l, 1.8, now);
        assertThat(l.level()).isEqualTo(2);
        // and a contention that comes back is noticed in one window; the level had held, so the back-off starts
        // again from its first value
        now += ThreadLevel.HOLD_NANOS;
        now = window(l, 0.6, now);
        assertThat(l.level()).isEqualTo(1);
        assertThat(l.probeDue(now + ThreadLevel.FIRST_BACKOFF_NANOS)).isTrue();
    }

    @Test
    void aProbeThatWinsOneLuckyWindowButDoesNotHoldDoublesTheBackoff() {
        ThreadLevel l = new ThreadLevel(2);
        long now = window(l, 0.5, 0);
        long backoff = ThreadLevel.FIRST_BACKOFF_NANOS;
        for (int round = 0; round < 3; round++) {
            now += backoff;
            l.raise(now);
            now = window(l, 1.5, now); // the probe's window happened to pay
            assertThat(l.level()).isEqualTo(2);
            now = window(l, 0.5, now); // and the next did not
            assertThat(l.level()).isEqualTo(1);
            backoff *= 2;
            assertThat(l.probeDue(now + backoff - 1)).as("round %d", round).isFalse();
            assertThat(l.probeDue(now + backoff)).isTrue();
        }
    }

    @Test
    void aWindowNeedsItsTimeAndItsJobs() {
        ThreadLevel l = new ThreadLevel(2);
        long now = 0;
        for (int j = 0; j < ThreadLevel.WINDOW_JOBS - 1; j++) l.record(10 * MS, MS, now += 10 * MS);
        assertThat(l.level()).as("too few jobs for a window").isEqualTo(2);
        l.record(10 * MS, MS, now += 10 * MS);
        assertThat(l.level()).isEqualTo(1);

        ThreadLevel short_ = new ThreadLevel(2);
        for (int j = 0; j < 100; j++) short_.record(10_000, 1_000, j); // 100 jobs of 10 us: 1 ms, not a window yet
        assertThat(short_.level()).isEqualTo(2);
    }

    @Test
    void onManyCoresItStepsDownOneLevelAtATimeAndStopsWhereTheNextLevelDownIsNoBetter() {
        ThreadLevel l = new ThreadLevel(4);
        long now = window(l, 1.6, 0); // 4 threads, 40% each: below half, level 3 never measured
        assertThat(l.level()).isEqualTo(3);
        now = window(l, 2.4, now); // 3 threads, 80% each
        assertThat(l.level()).isEqualTo(3);
        for (int w = 0; w < 5; w++) now = window(l, 2.4, now);
        assertThat(l.level()).isEqualTo(3);
        // the probe of 4 after the back-off: worse than 3, so back to 3
        now += ThreadLevel.FIRST_BACKOFF_NANOS;
        l.raise(now);
        assertThat(l.level()).isEqualTo(4);
        now = window(l, 2.0, now);
        assertThat(l.level()).isEqualTo(3);
        // level 3 gets worse than level 2 was never measured, so it needs to fall below 1.5 (half of 3)
        now = window(l, 1.6, now);
        assertThat(l.level()).isEqualTo(3);
        now = window(l, 1.2, now);
        assertThat(l.level()).isEqualTo(2);
        // at 2, compared with one thread
        window(l, 1.05, now);
        assertThat(l.level()).isEqualTo(1);
    }

    @Test
    void raiseOutsideItsTimeDoesNothing() {
        ThreadLevel l = new ThreadLevel(2);
        l.raise(Long.MAX_VALUE);
        assertThat(l.level()).isEqualTo(2);
        long now = window(l, 0.3, 0);
        l.raise(now + 1);
        assertThat(l.level()).isEqualTo(1);
    }
}
