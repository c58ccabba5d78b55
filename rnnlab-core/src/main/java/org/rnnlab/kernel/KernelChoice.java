package org.rnnlab.kernel;

import java.util.Locale;

/**
 * Picks {@link Kernel#preferred()} once per JVM: the vector kernel when {@code jdk.incubator.vector} links (the
 * module must be added with {@code --add-modules jdk.incubator.vector}), the scalar one otherwise, or when
 * {@code -Drnnlab.kernel=scalar} (first) or {@code RNNLAB_KERNEL=scalar} asks for it. {@code vector} and
 * {@code auto} (the default) are the other values; anything else is reported on stderr and treated as auto.
 *
 * <p>This class never names a Vector API type, so it loads on any JVM; a missing module surfaces as a
 * {@link LinkageError} from {@link VectorKernel#create()}, caught here.
 */
final class KernelChoice {
    static final Kernel KERNEL;
    static final String REASON;
    private static final String VECTOR_PROBLEM;

    static {
        Kernel vector = null;
        String problem = null;
        try {
            vector = VectorKernel.create();
            int lanes = vectorLanes();
            if (lanes < 4) {
                problem = "the CPU's preferred vector holds only " + lanes + " floats";
                vector = null;
            }
        } catch (LinkageError e) {
            problem = "jdk.incubator.vector is not available (run java with --add-modules jdk.incubator.vector): " + e;
        }
        VECTOR_PROBLEM = problem;

        String property = System.getProperty("rnnlab.kernel");
        String source = "-Drnnlab.kernel";
        String wanted = property;
        if (wanted == null || wanted.isBlank()) {
            wanted = System.getenv("RNNLAB_KERNEL");
            source = "RNNLAB_KERNEL";
        }
        wanted = wanted == null ? "auto" : wanted.trim().toLowerCase(Locale.ROOT);
        if (!wanted.equals("scalar") && !wanted.equals("vector") && !wanted.equals("auto") && !wanted.isEmpty()) {
            System.err.println("rnnlab: ignoring " + source + "=" + wanted + " (scalar, vector or auto)");
            wanted = "auto";
        }
        if (wanted.equals("scalar")) {
            KERNEL = ScalarKernel.INSTANCE;
            REASON = "scalar: asked for by " + source + "=scalar";
        } else if (vector != null) {
            KERNEL = vector;
            REASON = "vector: jdk.incubator.vector is available (" + vectorLanes() + " float lanes)";
        } else {
            KERNEL = ScalarKernel.INSTANCE;
            REASON = "scalar: " + problem;
            if (wanted.equals("vector")) System.err.println("rnnlab: cannot use the vector kernel: " + problem);
        }
    }

    private KernelChoice() {}

    private static int vectorLanes() {
        return VectorGemm.L;
    }

    static Kernel vector() {
        if (VECTOR_PROBLEM != null) throw new UnsupportedOperationException("no vector kernel: " + VECTOR_PROBLEM);
        return VectorKernel.INSTANCE;
    }
}
