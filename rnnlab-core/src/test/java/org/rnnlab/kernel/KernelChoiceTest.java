package org.rnnlab.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Which kernel {@link Kernel#preferred()} picks, decided once per JVM: so each case runs {@link Probe} in a JVM of
 * its own, with or without the Vector API module and with the switches to force the scalar kernel.
 */
class KernelChoiceTest {
    /** Prints the preferred kernel, the reason, and what asking for the vector kernel by name gives. */
    public static final class Probe {
        public static void main(String[] args) {
            String named;
            try {
                named = Kernel.named("vector").name();
            } catch (UnsupportedOperationException e) {
                named = "unsupported: " + e.getMessage();
            }
            System.out.println(Kernel.preferred().name() + "\n" + Kernel.preferredReason() + "\n" + named);
        }
    }

    private static String[] probe(boolean vectorModule, Map<String, String> env, String... jvmArgs)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (vectorModule) cmd.addAll(List.of("--add-modules", "jdk.incubator.vector"));
        cmd.addAll(List.of(jvmArgs));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Probe.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(false);
        pb.environment().remove("RNNLAB_KERNEL");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.getErrorStream().readAllBytes();
        assertThat(p.waitFor()).as(out).isZero();
        return out.split("\n");
    }

    @Test
    void theVectorKernelWhenTheModuleIsThere() throws Exception {
        String[] out = probe(true, Map.of());
        assertThat(out[0]).isEqualTo("vector");
        assertThat(out[1]).startsWith("vector: jdk.incubator.vector is available (").contains("float lanes");
        assertThat(out[2]).isEqualTo("vector");
        assertThat(Kernel.named("vector").description()).contains("float lanes").contains("thread");
    }

    @Test
    void theScalarKernelWhenAskedFor() throws Exception {
        String[] byProperty = probe(true, Map.of(), "-Drnnlab.kernel=scalar");
        assertThat(byProperty[0]).isEqualTo("scalar");
        assertThat(byProperty[1]).isEqualTo("scalar: asked for by -Drnnlab.kernel=scalar");
        assertThat(byProperty[2]).as("still available by name").isEqualTo("vector");
        String[] byEnvironment = probe(true, Map.of("RNNLAB_KERNEL", "scalar"));
        assertThat(byEnvironment[0]).isEqualTo("scalar");
        assertThat(byEnvironment[1]).isEqualTo("scalar: asked for by RNNLAB_KERNEL=scalar");
        String[] propertyWins = probe(true, Map.of("RNNLAB_KERNEL", "scalar"), "-Drnnlab.kernel=vector");
        assertThat(propertyWins[0]).isEqualTo("vector");
    }

    @Test
    void theScalarKernelWithoutTheModule() throws Exception {
        String[] out = probe(false, Map.of());
        assertThat(out[0]).isEqualTo("scalar");
        assertThat(out[1]).startsWith("scalar: jdk.incubator.vector is not available");
        assertThat(out[2]).startsWith("unsupported: no vector kernel: jdk.incubator.vector is not available");
    }
}
