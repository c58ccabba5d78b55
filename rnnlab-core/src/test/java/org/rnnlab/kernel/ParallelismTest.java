package org.rnnlab.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The kernel thread pool: every part runs once, on rnnlab's own threads; failures reach the caller; a busy pool
 * makes a second caller run its parts itself; dispatching allocates nothing; and products give identical bits
 * with one and two threads.
 */
class ParallelismTest {
    private static final int THREADS = Parallelism.threads();

    @AfterEach
    void restore() {
        Parallelism.setThreads(THREADS);
        Parallelism.setAdaptive(true);
    }

    private static void spin(long nanos) {
        long t0 = System.nanoTime();
        while (System.nanoTime() - t0 < nanos) Thread.onSpinWait();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A worker that is slow to finish its parts (as when the OS gives its core to another process) makes the jobs
     * slower than the caller alone: the pool drops to the caller only, runs the parts there, and probes two threads
     * again after the back-off.
     */
    @Test
    void workersThatHoldJobsUpAreLeftOutThenProbedAgain() {
        Parallelism.setThreads(2);
        Parallelism.Task task = (part, parts) -> {
            if (Thread.currentThread().getName().startsWith("rnnlab-kernel-")) sleep(3);
            else spin(100_000);
        };
        long deadline = System.nanoTime() + 5_000_000_000L;
        int jobs = 0;
        while (Parallelism.activeThreads() == 2 && System.nanoTime() < deadline && jobs < 1000) {
            Parallelism.run(8, task);
            jobs++;
        }
        assertThat(Parallelism.activeThreads()).as("threads after %d slow jobs", jobs).isEqualTo(1);
        assertThat(Parallelism.describe()).contains("adaptive: 1 now");
        Recorder r = new Recorder(4, 0);
        Parallelism.run(4, r);
        for (int p = 0; p < 4; p++) assertThat(r.threads.get(p)).isSameAs(Thread.currentThread());
        // runEach ignores the level (long parts, a step's shards, balance a slow thread by being claimed), and a job
        // started inside one of its parts runs on that part's thread, the pool being busy
        java.util.Set<Thread> ran = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicInteger elsewhere = new java.util.concurrent.atomic.AtomicInteger();
        Parallelism.runEach(8, (part, parts) -> {
            Thread me = Thread.currentThread();
            ran.add(me);
            Parallelism.run(4, (q, n) -> {
                if (Thread.currentThread() != me) elsewhere.incrementAndGet();
            });
            sleep(5);
        });
        assertThat(ran).as("threads that ran runEach's parts at level 1").hasSize(2);
        assertThat(elsewhere.get()).isZero();
        sleep(ThreadLevel.FIRST_BACKOFF_NANOS / 1_000_000 + 20);
        assertThat(Parallelism.activeThreads()).as("probing two threads after the back-off").isEqualTo(2);
    }

    /**
     * Workers that do their share keep every thread in the jobs (parts of 10 ms, so that even a loaded machine's
     * wake-up latency leaves two threads about twice as fast as one).
     */
    @Test
    void workersThatHelpKeepTheirPlace() {
        Parallelism.setThreads(2);
        Parallelism.Task task = (part, parts) -> sleep(10);
        for (int i = 0; i < 2 * ThreadLevel.WINDOW_JOBS; i++) Parallelism.run(4, task);
        assertThat(Parallelism.activeThreads()).isEqualTo(2);
        assertThat(Parallelism.describe()).isEqualTo("2 threads (adaptive: 2 now, 0 changes)");
    }

    @Test
    void withoutAdaptationEveryJobUsesEveryThread() {
        Parallelism.setThreads(2);
        Parallelism.setAdaptive(false);
        Parallelism.Task task = (part, parts) -> {
            if (Thread.currentThread().getName().startsWith("rnnlab-kernel-")) sleep(3);
        };
        for (int i = 0; i < 20; i++) Parallelism.run(4, task);
        assertThat(Parallelism.activeThreads()).isEqualTo(2);
        assertThat(Parallelism.describe()).isEqualTo("2 threads (fixed)");
    }

    /** Records which thread ran each part, each part taking {@code millis}. */
    private static final class Recorder implements Parallelism.Task {
        final AtomicIntegerArray runs;
        final AtomicReferenceArray<Thread> threads;
        final long millis;

        Recorder(int parts, long millis) {
            runs = new AtomicIntegerArray(parts);
            threads = new AtomicReferenceArray<>(parts);
            this.millis = millis;
        }

        @Override
        public void run(int part, int parts) {
            runs.incrementAndGet(part);
            threads.set(part, Thread.currentThread());
            if (millis > 0) {
                try {
                    Thread.sleep(millis);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    @Test
    void everyPartRunsOnceOnTheCallerOrTheKernelThreads() {
        Parallelism.setThreads(3);
        int onWorkers = 0;
        for (int round = 0; round < 20; round++) {
            Recorder r = new Recorder(3, 2); // parts long enough for the workers to wake and claim some
            Parallelism.run(3, r);
            for (int p = 0; p < 3; p++) {
                assertThat(r.runs.get(p)).isEqualTo(1);
                Thread t = r.threads.get(p);
                if (t != Thread.currentThread()) {
                    onWorkers++;
                    assertThat(t.getName()).startsWith("rnnlab-kernel-");
                    assertThat(t.isDaemon()).isTrue();
                }
            }
        }
        assertThat(onWorkers).as("parts run by the pool's workers").isPositive();
        Recorder more = new Recorder(7, 1);
        Parallelism.run(7, more); // more parts than threads: claimed in turn
        for (int p = 0; p < 7; p++) assertThat(more.runs.get(p)).isEqualTo(1);
    }

    @Test
    void oneThreadMeansTheCallerOnly() {
        Parallelism.setThreads(1);
        assertThat(Parallelism.threads()).isEqualTo(1);
        Recorder r = new Recorder(1, 0);
        Parallelism.run(1, r);
        assertThat(r.threads.get(0)).isSameAs(Thread.currentThread());
        assertThatThrownBy(() -> Parallelism.setThreads(0)).hasMessage("--threads must be between 1 and 1024, got 0");
        assertThatThrownBy(() -> Parallelism.setThreads(1025)).hasMessage("--threads must be between 1 and 1024, got 1025");
    }

    @Test
    void aFailingPartReachesTheCallerAndThePoolStillWorks() {
        Parallelism.setThreads(2);
        assertThatThrownBy(() -> Parallelism.run(2, (part, parts) -> {
            if (part == 1) throw new IllegalStateException("part one failed");
        })).isInstanceOf(IllegalStateException.class).hasMessage("part one failed");
        Recorder r = new Recorder(2, 0);
        Parallelism.run(2, r);
        assertThat(r.runs.get(0) + r.runs.get(1)).isEqualTo(2);
    }

    @Test
    void concurrentCallersEachGetEveryPartRun() throws Exception {
        Parallelism.setThreads(2);
        Thread[] callers = new Thread[3];
        Throwable[] failures = new Throwable[callers.length];
        for (int t = 0; t < callers.length; t++) {
            int me = t;
            callers[t] = new Thread(() -> {
                try {
                    for (int round = 0; round < 2000; round++) {
                        Recorder r = new Recorder(2, 0);
                        Parallelism.run(2, r);
                        if (r.runs.get(0) != 1 || r.runs.get(1) != 1) throw new AssertionError("round " + round);
                    }
                } catch (Throwable e) {
                    failures[me] = e;
                }
            });
            callers[t].start();
        }
        for (Thread t : callers) t.join();
        for (Throwable f : failures) assertThat(f).isNull();
    }

    @Test
    void dispatchingAllocatesNothing() {
        Parallelism.setThreads(2);
        Parallelism.setAdaptive(false); // empty parts: the adaptation would rightly run them all on the caller
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long me = Thread.currentThread().getId();
        Parallelism.Task task = (part, parts) -> { };
        for (int i = 0; i < 20_000; i++) Parallelism.run(2, task);
        long before = mx.getThreadAllocatedBytes(me);
        for (int i = 0; i < 1000; i++) Parallelism.run(2, task);
        assertThat(mx.getThreadAllocatedBytes(me) - before).as("bytes allocated by 1000 dispatches").isLessThan(1024);
    }

    /** Every plan of the vector kernel's products, packed operands included: one thread and two, bit for bit. */
    @Test
    void productsAreIdenticalBitForBitWithOneAndTwoThreads() {
        Kernel v = Kernel.named("vector");
        // each big enough to be split (VectorKernel.PART_WORK); split by columns, or by rows when C is tall
        int[][] shapes = {{1, 1024, 300}, {3, 700, 130}, {32, 256, 64}, {130, 96, 64}, {70, 40, 130}, {37, 333, 129}};
        SplittableRandom r = new SplittableRandom(1);
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    float[] a = VectorKernelTest.filled(r, m * k, 1), b = VectorKernelTest.filled(r, k * n, 1);
                    float[] c0 = VectorKernelTest.filled(r, m * n, 1);
                    float[][] out = new float[2][];
                    for (int threads = 1; threads <= 2; threads++) {
                        Parallelism.setThreads(threads);
                        float[] c = c0.clone();
                        v.sgemm(ta, tb, m, n, k, a, 0, ta ? m : k, b, 0, tb ? k : n, c, 0, n, true);
                        out[threads - 1] = c;
                    }
                    assertThat(out[1]).as("%dx%dx%d ta=%s tb=%s", m, n, k, ta, tb).containsExactly(out[0]);
                }
                if (!ta) {
                    boolean tb = true;
                    float[] a = VectorKernelTest.filled(r, m * k, 1), b = VectorKernelTest.filled(r, k * n, 1);
                    float[][] out = new float[2][];
                    for (int threads = 1; threads <= 2; threads++) {
                        Parallelism.setThreads(threads);
                        PackedB p = v.newPackedB(tb, k, n, m, 64);
                        v.pack(p, b, 0, k);
                        float[] c = new float[m * n];
                        v.sgemm(m, a, 0, k, p, c, 0, n, false);
                        out[threads - 1] = c;
                    }
                    assertThat(out[1]).as("packed %dx%dx%d", m, n, k).containsExactly(out[0]);
                }
            }
        }
    }

    /** Cell steps large enough to be split over batch rows: one thread and two, bit for bit. */
    @Test
    void cellsAreIdenticalBitForBitWithOneAndTwoThreads() {
        Kernel v = Kernel.named("vector");
        int b = 64, h = 300;
        assertThat(b * h).isGreaterThanOrEqualTo(VectorKernel.CELL_PARALLEL);
        SplittableRandom r = new SplittableRandom(2);
        float[] gates = VectorKernelTest.filled(r, b * 4 * h, 3), gh = VectorKernelTest.filled(r, b * 3 * h, 3);
        float[] prev = VectorKernelTest.filled(r, b * h, 1), up = VectorKernelTest.filled(r, b * h, 1);
        float[][] out = new float[2][];
        for (int threads = 1; threads <= 2; threads++) {
            Parallelism.setThreads(threads);
            float[] g = gates.clone(), c = new float[b * h], hh = new float[b * h];
            v.lstmCell(b, h, g, 0, prev, 0, c, 0, hh, 0);
            float[] dc = up.clone(), dg = new float[b * 4 * h];
            v.lstmCellBackward(b, h, g, 0, c, 0, prev, 0, up, 0, prev, 0, dc, 0, dg, 0);
            float[] gx = gates.clone(), h2 = new float[b * h];
            v.gruCell(b, h, gx, 0, gh, 0, prev, 0, h2, 0);
            float[] dh = up.clone(), dGx = new float[b * 3 * h], dGh = new float[b * 3 * h];
            v.gruCellBackward(b, h, gx, 0, gh, 0, prev, 0, dh, 0, up, 0, dGx, dGh, 0);
            out[threads - 1] = concat(g, c, hh, dc, dg, gx, h2, dh, dGx, dGh);
        }
        assertThat(out[1]).containsExactly(out[0]);
    }

    private static float[] concat(float[]... parts) {
        int n = 0;
        for (float[] p : parts) n += p.length;
        float[] all = new float[n];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }
}
