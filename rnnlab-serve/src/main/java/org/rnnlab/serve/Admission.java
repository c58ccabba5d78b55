package org.rnnlab.serve;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounded admission: at most {@code running} requests compute at once and at most {@code queued} more wait for a
 * turn. Anything beyond is refused at once (503), and a waiting request gives up when its deadline passes, so load
 * degrades into fast refusals instead of piling up threads and memory.
 */
final class Admission {
    private final Semaphore permits;
    private final int capacity;
    private final AtomicInteger admitted = new AtomicInteger();

    Admission(int running, int queued) {
        this.permits = new Semaphore(running, true);
        this.capacity = running + queued;
    }

    /** A held turn; closing it gives the turn back. */
    interface Ticket extends AutoCloseable {
        @Override
        void close();
    }

    Ticket enter(long deadlineNanos) {
        if (admitted.incrementAndGet() > capacity) {
            admitted.decrementAndGet();
            throw new ApiError(503, null, "the server is busy (" + capacity + " requests running or waiting); retry shortly");
        }
        boolean got = false;
        try {
            got = permits.tryAcquire(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!got) {
            admitted.decrementAndGet();
            throw new ApiError(503, null, "the server is busy: no turn came before the request's time limit; retry shortly");
        }
        return () -> {
            permits.release();
            admitted.decrementAndGet();
        };
    }
}
