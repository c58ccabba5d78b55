package org.rnnlab.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.rnnlab.generate.Completer;
import org.rnnlab.generate.CompletionOptions;
import org.rnnlab.generate.Prompt;
import org.rnnlab.generate.SamplingOptions;
import org.rnnlab.generate.UnknownPolicy;
import org.rnnlab.text.LabCorpus;
import org.rnnlab.model.CellType;
import org.rnnlab.model.CharModel;
import org.rnnlab.model.ModelConfig;
import org.rnnlab.text.Vocabulary;

/**
 * Continuous batching over real HTTP: concurrent completions of one model advance together (the server's counts show
 * steps of several sequences), and each request, streamed or not, gets the text it gets alone and the text the
 * library's {@link Completer} gives for its seed: different prompts, seeds, lengths, samplers and stop strings, on a
 * notebook LSTM (not frozen) and a two-layer GRU (frozen, as {@code rnnlab serve} loads models).
 */
class BatchServingTest {
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    record Ask(String model, String prompt, int length, double temperature, int topK, double topP, boolean greedy,
               String stop, long seed, boolean stream) {
        String body() {
            return "{\"model\": \"" + model + "\", \"prompt\": " + quote(prompt) + ", \"length\": " + length
                    + (greedy ? ", \"greedy\": true" : ", \"temperature\": " + temperature + ", \"top_k\": " + topK
                    + ", \"top_p\": " + topP + ", \"seed\": " + seed)
                    + (stop.isEmpty() ? "" : ", \"stop\": " + quote(stop)) + ", \"stream\": " + stream + "}";
        }
    }

    static String quote(String s) {
        try {
            return ModelServer.JSON.writeValueAsString(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The text of an answer: the JSON's, or the streamed tokens' (checked to add up to the done event's). */
    static String text(String base, Ask a) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v1/complete"))
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(a.body())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(a.body()).isEqualTo(200);
        if (!a.stream()) return ServerApiTest.JSON.readTree(r.body()).get("text").asText();
        StringBuilder tokens = new StringBuilder();
        JsonNode done = null;
        for (String block : r.body().split("\n\n")) {
            String[] lines = block.split("\n");
            JsonNode data = ServerApiTest.JSON.readTree(lines[1].substring("data: ".length()));
            if (lines[0].equals("event: token")) tokens.append(data.get("text").asText());
            if (lines[0].equals("event: done")) done = data;
        }
        assertThat(done).as("the done event of " + a.body()).isNotNull();
        assertThat(done.get("text").asText()).isEqualTo(tokens.toString());
        return tokens.toString();
    }

    static String library(ServedModel m, Ask a) {
        SamplingOptions s = a.greedy() ? SamplingOptions.GREEDY : new SamplingOptions(a.temperature(), a.topK(), a.topP(), false);
        return new Completer(m.model(), m.vocabulary()).complete(Prompt.encode(a.prompt(), m.vocabulary(), UnknownPolicy.ERROR),
                new CompletionOptions(a.length(), s, 0, 1, 0, a.stop(), a.greedy() ? 0 : a.seed()), cp -> { }).get(0).text();
    }

    @Test
    void concurrentRequestsAdvanceTogetherAndEachGetsItsOwnTextAsAlone() throws Exception {
        ServedModel lstm = ServerApiTest.notebookModel("lstm", "lstm_L1_notebook.pt");
        Vocabulary v = Vocabulary.fromText(LabCorpus.TEXT);
        CharModel gruModel = CharModel.create(new ModelConfig(CellType.GRU, v.size(), 24, 48, 2, 0), 3).freeze();
        ServedModel gru = new ServedModel("gru", gruModel, v, Map.of());
        List<Ask> asks = new ArrayList<>();
        String[] prompts = {"the cat", "t", "while (x > 0) {", "the dog barked at the moon.\nthe ", "abc"};
        for (int i = 0; i < 14; i++) {
            asks.add(new Ask(i % 3 == 2 ? "gru" : "lstm", prompts[i % prompts.length], 40 + 23 * i % 120,
                    0.5 + 0.15 * (i % 6), i % 4 == 1 ? 6 : 0, i % 5 == 3 ? 0.9 : 1.0, i % 7 == 6, i % 4 == 0 ? "." : "",
                    100 + i, i % 2 == 1));
        }
        ModelServer server = new ModelServer(List.of(lstm, gru), new ServeConfig("127.0.0.1", 0, 200, 500, 8192,
                Duration.ofSeconds(30), 2, 16, 6));
        String base = "http://127.0.0.1:" + server.start();
        ExecutorService pool = Executors.newFixedThreadPool(asks.size());
        try {
            List<String> alone = new ArrayList<>();
            for (Ask a : asks) alone.add(text(base, a));
            long[] before = server.batchCounts("lstm");
            List<Future<String>> together = new ArrayList<>();
            for (Ask a : asks) together.add(pool.submit(() -> text(base, a)));
            for (int i = 0; i < asks.size(); i++) {
                Ask a = asks.get(i);
                String got = together.get(i).get(60, TimeUnit.SECONDS);
                assertThat(got).as("request %d together, %s", i, a.body()).isEqualTo(alone.get(i));
                assertThat(got).as("request %d and the library", i).isEqualTo(library(a.model().equals("gru") ? gru : lstm, a));
            }
            long[] after = server.batchCounts("lstm");
            long steps = after[0] - before[0], rows = after[1] - before[1];
            assertThat(rows).as("sequence-steps in %d batched steps: several sequences per step", steps)
                    .isGreaterThan(steps + steps / 4);
            assertThat(new java.util.HashSet<>(alone)).hasSizeGreaterThan(asks.size() / 2);
        } finally {
            pool.shutdownNow();
            server.close();
        }
    }
}
