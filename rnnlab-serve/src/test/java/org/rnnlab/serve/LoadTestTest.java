package org.rnnlab.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LoadTestTest {
    @Test
    void onlyTargetsThisMachine() {
        assertThatThrownBy(() -> new LoadTest.Options(URI.create("http://10.0.0.5:8080"), 4, Duration.ofSeconds(1), 10, "a"))
                .hasMessageContaining("only targets this machine");
        assertThatThrownBy(() -> new LoadTest.Options(URI.create("http://127.0.0.1:8080"), 0, Duration.ofSeconds(1), 10, "a"))
                .hasMessageContaining("clients must be in 1..1024");
    }

    @Test
    void percentilesAreNearestRank() {
        long[] ms = new long[100];
        for (int i = 0; i < 100; i++) ms[i] = (i + 1) * 1_000_000L;
        assertThat(LoadTest.percentile(ms, 0.50)).isEqualTo(50.0);
        assertThat(LoadTest.percentile(ms, 0.99)).isEqualTo(99.0);
        assertThat(LoadTest.percentile(new long[0], 0.5)).isNaN();
    }

    @Test
    void aBoundedLoadReportsThroughputErrorsByStatusAndMemory() throws Exception {
        ModelServer server = new ModelServer(java.util.List.of(ServerApiTest.notebookModel("lstm", "lstm_L1_notebook.pt")),
                new ServeConfig("127.0.0.1", 0, 100, 1000, 8192, Duration.ofSeconds(10), 1, 1, 1));
        int port = server.start();
        try {
            java.util.Map<String, Object> r = LoadTest.run(new LoadTest.Options(URI.create("http://127.0.0.1:" + port), 6,
                    Duration.ofMillis(1500), 20, "the "));
            assertThat((Integer) r.get("requests")).isPositive();
            assertThat((Integer) r.get("ok")).isPositive();
            // 6 clients against 1 running + 1 waiting: the rest are refused at once, counted by status
            @SuppressWarnings("unchecked")
            java.util.Map<Integer, Integer> errors = (java.util.Map<Integer, Integer>) r.get("errors");
            assertThat(errors.keySet()).containsOnly(503);
            assertThat((Double) r.get("rss_mb_start")).isPositive();
            assertThat((Double) r.get("rss_mb_end")).isPositive();
            assertThat((Double) r.get("latency_ms_p99")).isGreaterThanOrEqualTo((Double) r.get("latency_ms_p50"));
            // each answer generated its 20 characters, so a request's time per character is its latency / 20
            assertThat((Long) r.get("chars")).isEqualTo(20L * (Integer) r.get("ok"));
            assertThat((Double) r.get("ms_per_char_p99")).isGreaterThanOrEqualTo((Double) r.get("ms_per_char_p50"))
                    .isLessThanOrEqualTo((Double) r.get("latency_ms_max") / 20 + 1e-6).isPositive();
        } finally {
            server.close();
        }
    }
}
