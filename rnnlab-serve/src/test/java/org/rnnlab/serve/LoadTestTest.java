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
}
