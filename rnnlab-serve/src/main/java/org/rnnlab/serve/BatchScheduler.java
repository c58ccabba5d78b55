package org.rnnlab.serve;

import java.util.concurrent.ArrayBlockingQueue;
import org.rnnlab.generate.SequenceBatch;

/**
 * One served model's stepping loop: a thread that advances every live sampled completion of the model together, one
 * batched step for all of them ({@link SequenceBatch}), taking new ones from a queue between steps. Requests enter
 * through its own {@link Admission}: at most {@code maxBatch} generate, at most {@code maxQueued} more wait for a
 * place, beyond that 503 at once. The request's handler thread hands its sequence over, then waits on it and writes
 * the answer (the loop never touches a connection, so a slow client slows only itself). Idle, the loop blocks on its
 * queue; its thread starts with the first request and is a daemon.
 */
final class BatchScheduler implements AutoCloseable {
    private final String name;
    private final org.rnnlab.model.CharModel model;
    private final int maxBatch;
    private final Admission admission;
    /** Sequences handed over and not yet in the batch; at most maxBatch hold a turn, the rest is slack. */
    private final ArrayBlockingQueue<SequenceBatch.Sequence> inbox;
    /** Put in the queue by {@link #close()} to wake an idle loop (an interrupt could land inside a step's kernel). */
    private final SequenceBatch.Sequence wakeUp = new SequenceBatch.Sequence(new int[] {0},
            org.rnnlab.generate.SamplingOptions.GREEDY, 1, 0, new int[0], 1, Long.MAX_VALUE, false);
    private Thread thread;
    private volatile boolean closed;
    private volatile long steps;
    private volatile long rows;

    BatchScheduler(ServedModel model, int maxBatch, int maxQueued) {
        this.name = model.name();
        this.model = model.model();
        this.maxBatch = maxBatch;
        this.admission = new Admission(maxBatch, maxQueued);
        this.inbox = new ArrayBlockingQueue<>(2 * maxBatch);
    }

    /** A place in the batch (waiting for one until the deadline); 503 when the batch and its queue are full. */
    Admission.Ticket enter(long deadlineNanos) {
        return admission.enter(deadlineNanos);
    }

    /** Hands a sequence to the loop, which takes it into the batch at the next step. */
    void submit(SequenceBatch.Sequence s) {
        synchronized (this) {
            if (closed) throw new ApiError(503, null, "the server is shutting down");
            if (thread == null) {
                thread = new Thread(this::loop, "rnnlab-batch-" + name);
                thread.setDaemon(true);
                thread.start();
            }
        }
        if (!inbox.offer(s)) throw new ApiError(503, null, "the server is busy; retry shortly");
    }

    /** Batched steps so far, and the sequence-steps they made (their ratio is the mean batch). */
    long steps() {
        return steps;
    }

    long rows() {
        return rows;
    }

    private void loop() {
        SequenceBatch batch = new SequenceBatch(model, maxBatch);
        while (!closed) {
            try {
                if (batch.size() == 0) { // nothing live: sleep until a request comes
                    SequenceBatch.Sequence first = inbox.take();
                    if (first == wakeUp) continue;
                    batch.add(first);
                }
                for (SequenceBatch.Sequence s; !batch.isFull() && (s = inbox.poll()) != null; ) {
                    if (s != wakeUp) batch.add(s);
                }
                batch.step();
                steps = batch.steps();
                rows = batch.rowsStepped();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (Throwable t) {
                System.err.println("rnnlab serve: internal error while stepping model " + name + ": " + t);
                batch.failAll(t);
            }
        }
        IllegalStateException stopped = new IllegalStateException("the server stopped");
        batch.failAll(stopped);
        for (SequenceBatch.Sequence s; (s = inbox.poll()) != null; ) {
            if (s != wakeUp) s.abandon(stopped);
        }
    }

    /** Stops the loop (after the server has answered everything in flight); what is still live fails. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            closed = true;
            t = thread;
        }
        if (t == null) return;
        inbox.offer(wakeUp); // when the queue is full the loop is not idle, and sees closed at its next step
        try {
            t.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
