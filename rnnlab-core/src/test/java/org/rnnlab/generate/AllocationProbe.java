package org.rnnlab.generate;

import java.lang.management.ManagementFactory;
import org.rnnlab.model.ModelFiles;

/**
 * Run in a fresh JVM by {@link SharedModelTest} (with the argument {@code int8}: from the model quantized to int8):
 * warms a generator up, then prints how many of 200 characters were
 * generated without allocating, and the most bytes any one of them allocated. A fresh JVM, because whether the
 * Vector API's vectors stay in registers depends on how the JIT compiled the kernels, and a test JVM that has also
 * run the scalar kernel and every other test compiles them differently.
 */
public final class AllocationProbe {
    private AllocationProbe() {}

    public static void main(String[] args) throws Exception {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long me = Thread.currentThread().getId();
        ModelFiles.Loaded lstm = NotebookModels.load("lstm_L1_notebook");
        boolean int8 = args.length > 0 && args[0].equals("int8"); // the model quantized to int8
        StepGenerator g = new StepGenerator(int8 ? lstm.model().quantizeInt8() : lstm.model(),
                new SamplingOptions(0.8, 0, 1, false), 4, 1);
        g.prime(lstm.vocabulary().encode("the cat"));
        int clean = 0;
        long worst = 0;
        for (int attempt = 0; attempt < 40 && clean <= 190; attempt++) {
            for (int i = 0; i < 2000; i++) g.next();
            clean = 0;
            worst = 0;
            for (int i = 0; i < 200; i++) {
                long before = threads.getThreadAllocatedBytes(me);
                g.next();
                long bytes = threads.getThreadAllocatedBytes(me) - before;
                if (bytes == 0) clean++;
                worst = Math.max(worst, bytes);
            }
        }
        System.out.println(clean + " " + worst);
    }
}
