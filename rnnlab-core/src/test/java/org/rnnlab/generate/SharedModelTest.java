package org.rnnlab.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.rnnlab.model.CharModel;
import org.rnnlab.model.ModelFiles;

/**
 * What a server needs: generation only reads the model, so one model serves concurrent requests, each with its own
 * generator, and a generator's steady state allocates nothing.
 */
class SharedModelTest {
    static final ModelFiles.Loaded LSTM = NotebookModels.load("lstm_L1_notebook");

    static float[] snapshot(CharModel m) {
        float[] v = m.parameters().values().clone();
        float[] g = m.parameters().grads().clone();
        float[] both = new float[v.length + g.length];
        System.arraycopy(v, 0, both, 0, v.length);
        System.arraycopy(g, 0, both, v.length, g.length);
        return both;
    }

    /** One request of each kind: carried-state samples, the notebook's window, beam search, the char iterator. */
    static String request(ModelFiles.Loaded m, int i) {
        Completer c = new Completer(m.model(), m.vocabulary());
        Prompt p = Prompt.encode(i % 2 == 0 ? "the cat" : "while (", m.vocabulary(), UnknownPolicy.ERROR);
        SamplingOptions hot = new SamplingOptions(1.3, 10, 0.95, false);
        StringBuilder sb = new StringBuilder();
        switch (i % 4) {
            case 0 -> c.complete(p, new CompletionOptions(200, hot, 0, 3, 0, "", i), cp -> { })
                    .forEach(x -> sb.append(x.text()).append('|'));
            case 1 -> c.complete(p, new CompletionOptions(60, hot, 0, 2, 12, "", i), cp -> { })
                    .forEach(x -> sb.append(x.text()).append('|'));
            case 2 -> sb.append(c.complete(p, new CompletionOptions(80, SamplingOptions.GREEDY, 3, 1, 0, "\n", 0),
                    cp -> { }).get(0).text());
            default -> new CharGenerator(m.model(), m.vocabulary(), hot, i).prime(p).codePoints().limit(150)
                    .forEach(sb::appendCodePoint);
        }
        return sb.toString();
    }

    @Test
    void concurrentRequestsOnOneModelGiveTheirSequentialResultsAndLeaveItUnchanged() throws Exception {
        CharModel model = LSTM.model();
        float[] before = snapshot(model);
        int n = 16;
        List<String> sequential = new ArrayList<>();
        for (int i = 0; i < n; i++) sequential.add(request(LSTM, i));
        assertThat(snapshot(model)).as("parameters and gradients after sequential generation").isEqualTo(before);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 3; round++) {
                List<Future<String>> futures = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    int k = i;
                    futures.add(pool.submit((Callable<String>) () -> request(LSTM, k)));
                }
                for (int i = 0; i < n; i++) assertThat(futures.get(i).get()).as("request %d", i).isEqualTo(sequential.get(i));
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(snapshot(model)).as("parameters and gradients after concurrent generation").isEqualTo(before);
    }

    /**
     * Measured per character with the thread's allocation counter, in a fresh JVM ({@link AllocationProbe}), from the
     * float32 model and from it quantized to int8. Up to three JVMs: in about one in twenty (measured on the project's
     * machine, 2026-12-03, before and after that day's changes) C2 compiles one of the cell's vector loops into code
     * that boxes a vector at every iteration for the rest of the run, which compile depending on the run's timing
     * (docs/DESIGN.md). Generation that allocates in every compile fails all three.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"float32", "int8"})
    void aGeneratorDoesNotAllocatePerCharacter(String weights) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> runs = new ArrayList<>();
        for (int jvm = 0; jvm < 3; jvm++) {
            Process p = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-cp",
                    System.getProperty("java.class.path"), AllocationProbe.class.getName(), weights)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            assertThat(p.waitFor()).as(out).isZero();
            runs.add(out);
            String[] parts = out.split(" ");
            if (Integer.parseInt(parts[0]) > 190 && Long.parseLong(parts[1]) < 2048) return;
        }
        org.assertj.core.api.Assertions.fail("every JVM allocated while generating (characters clean of 200, worst "
                + "bytes a character): " + runs);
    }
}
