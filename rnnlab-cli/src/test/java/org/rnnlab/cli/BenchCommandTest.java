package org.rnnlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class BenchCommandTest {
    @Test
    void printsThePeerScriptsKeysWithConsistentFigures() throws IOException {
        BpttCommandTest.Run r = BpttCommandTest.run("bench", "--cell", "gru", "--embed", "8", "--hidden", "12", "--layers",
                "2", "--batch", "3", "--seq", "5", "--mode", "stream", "--steps", "4", "--warmup", "1",
                "--gen-chars", "20", "--naive-chars", "5", "--gen-warmup", "2", "--context", "7", "--warmup-seconds", "0",
                "--min-seconds", "0", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("cell").asText()).isEqualTo("gru");
        assertThat(j.get("vocab").asInt()).isEqualTo(39);
        assertThat(j.get("tokens_per_step").asInt()).isEqualTo(15);
        // The peer's FLOP count: 2 * gates * H * (in + H) per layer, plus 2 * H * V.
        assertThat(j.get("fwd_flops_per_token").asLong()).isEqualTo(2L * 3 * 12 * (8 + 12) + 2L * 3 * 12 * 24 + 2L * 12 * 39);
        assertThat(j.get("params").asLong()).isEqualTo(39 * 8 + (36 * 8 + 36 * 12 + 72) + (36 * 12 + 36 * 12 + 72) + 39 * 12 + 39);
        double tps = j.get("train_tokens_per_s").asDouble();
        assertThat(tps).isPositive();
        assertThat(j.get("train_gflops").asDouble()).isCloseTo(3.0 * j.get("fwd_flops_per_token").asLong() * tps / 1e9,
                org.assertj.core.data.Percentage.withPercentage(1e-6));
        assertThat(j.get("gen_carried_cps").asDouble()).isPositive();
        assertThat(j.get("gen_naive_cps").asDouble()).isPositive();
        assertThat(j.get("loss_first").asDouble()).isBetween(0.0, 10.0);
        // Without time minima, exactly the counts asked for are run and timed.
        assertThat(j.get("steps").asInt()).isEqualTo(4);
        assertThat(j.get("warmup").asInt()).isEqualTo(1);
        assertThat(j.get("gen_chars").asInt()).isEqualTo(20);
        assertThat(j.get("naive_chars").asInt()).isEqualTo(5);
    }

    @Test
    void sgemmReportsTheBestRateOfItsSizesAndTheHost() throws IOException {
        BpttCommandTest.Run r = BpttCommandTest.run("bench", "--sgemm", "--min-seconds", "0.4", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("kind").asText()).isEqualTo("sgemm");
        double best = 0;
        for (String n : new String[] {"256", "512", "1024", "2048"}) {
            assertThat(j.get("gflops_by_n").get(n).asDouble()).as(n).isPositive();
            best = Math.max(best, j.get("gflops_by_n").get(n).asDouble());
        }
        assertThat(j.get("gflops").asDouble()).isCloseTo(best, org.assertj.core.data.Offset.offset(0.051));
        assertThat(j.get("gflops_by_n").get(String.valueOf(j.get("n").asInt())).asDouble()).isEqualTo(best);
        assertThat(j.get("host").asText()).contains(org.rnnlab.kernel.Host.cpu());
    }

    @Test
    void timedPhasesLastAtLeastTheMinimumTime() throws IOException {
        BpttCommandTest.Run r = BpttCommandTest.run("bench", "--embed", "4", "--hidden", "6", "--seq", "5", "--steps", "1",
                "--warmup", "0", "--gen-chars", "3", "--naive-chars", "2", "--gen-warmup", "1", "--warmup-seconds", "0.05",
                "--min-seconds", "0.2", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("train_wall_s").asDouble()).isGreaterThanOrEqualTo(0.2);
        assertThat(j.get("steps").asInt()).isGreaterThan(1);
        assertThat(j.get("warmup").asInt()).isPositive();
        assertThat(j.get("train_tokens_per_s").asDouble())
                .isCloseTo(5.0 * j.get("steps").asInt() / j.get("train_wall_s").asDouble(),
                        org.assertj.core.data.Percentage.withPercentage(1e-6));
        assertThat(j.get("gen_carried_s").asDouble()).isGreaterThanOrEqualTo(0.2);
        assertThat(j.get("gen_chars").asInt() % 3).isZero();
        assertThat(j.get("gen_chars").asInt()).isGreaterThan(3);
        assertThat(j.get("gen_naive_s").asDouble()).isGreaterThanOrEqualTo(0.2);
        assertThat(j.get("gen_carried_cps").asDouble())
                .isCloseTo(j.get("gen_chars").asInt() / j.get("gen_carried_s").asDouble(),
                        org.assertj.core.data.Percentage.withPercentage(1e-6));
    }

    @Test
    void namedConfigurationsNeedTheirCorpusAndUnknownNamesAreErrors() {
        BpttCommandTest.Run medium = BpttCommandTest.run("bench", "--config", "medium-lstm");
        assertThat(medium.code()).isEqualTo(2);
        assertThat(medium.err()).contains("medium-lstm trains on about 1 MB of text: give --corpus FILE");
        BpttCommandTest.Run unknown = BpttCommandTest.run("bench", "--config", "huge");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("unknown configuration 'huge'");
    }
}
