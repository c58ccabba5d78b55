package org.rnnlab.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rnnlab.model.ModelFiles;
import org.rnnlab.nn.Nonlinearity;
import org.rnnlab.testing.Resources;
import org.rnnlab.text.LabCorpus;
import org.rnnlab.text.Vocabulary;

/** The HTTP API over real HTTP on loopback, with two notebook-trained models. */
class ServerApiTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static ModelServer server;
    static HttpClient http;
    static String base;

    static ServedModel notebookModel(String name, String file) throws IOException {
        Path pt = Resources.path(ServerApiTest.class, "/org/rnnlab/notebook/" + file);
        Vocabulary v = Vocabulary.fromText(LabCorpus.TEXT);
        ModelFiles.Loaded l = ModelFiles.load(pt, new ModelFiles.Hints(v, Nonlinearity.TANH));
        return new ServedModel(name, l.model(), v, Map.of("file", file));
    }

    @BeforeAll
    static void start() throws IOException {
        ServeConfig config = new ServeConfig("127.0.0.1", 0, 50, 300, 4096, Duration.ofSeconds(10), 2, 2);
        server = new ModelServer(List.of(notebookModel("lstm", "lstm_L1_notebook.pt"), notebookModel("rnn", "rnn_L1_notebook.pt")), config);
        base = "http://127.0.0.1:" + server.start();
        http = HttpClient.newHttpClient();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    record Reply(int status, JsonNode json, String raw, HttpResponse<String> response) {}

    static Reply get(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), parse(r.body()), r.body(), r);
    }

    static Reply post(String path, String body) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), parse(r.body()), r.body(), r);
    }

    static JsonNode parse(String s) {
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            return null;
        }
    }

    @Test
    void modelsListsShapesAndVocabularies() throws Exception {
        Reply r = get("/v1/models");
        assertThat(r.status()).isEqualTo(200);
        JsonNode models = r.json().get("models");
        assertThat(models).hasSize(2);
        assertThat(models.get(0).get("name").asText()).isEqualTo("lstm");
        assertThat(models.get(0).get("cell").asText()).isEqualTo("lstm");
        assertThat(models.get(0).get("hidden").asInt()).isEqualTo(128);
        assertThat(models.get(0).get("parameters").asLong()).isEqualTo(106855);
        assertThat(models.get(0).get("vocabulary").asText()).isEqualTo("\n ()+,-.0:;<=>_abcdefghiklmnoprstuwxy{}");
        assertThat(models.get(1).get("cell").asText()).isEqualTo("rnn_tanh");
    }

    @Test
    void nextGivesTheSameDistributionAsTheLibrary() throws Exception {
        Reply r = post("/v1/next", "{\"model\": \"lstm\", \"prompt\": \"the ca\"}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("chars")).hasSize(39);
        double[] expected = org.rnnlab.generate.NextChar.logProbabilities(notebookModel("x", "lstm_L1_notebook.pt").model(),
                Vocabulary.fromText(LabCorpus.TEXT).encode("the ca"));
        for (int i = 0; i < 39; i++) assertThat(r.json().get("logprobs").get(i).asDouble()).isEqualTo(expected[i]);
    }

    @Test
    void errorsHaveFittingStatusesAndNameTheField() throws Exception {
        Reply noModel = post("/v1/next", "{\"prompt\": \"the\"}");
        assertThat(noModel.status()).isEqualTo(400);
        assertThat(noModel.json().at("/error/field").asText()).isEqualTo("model");
        assertThat(noModel.json().at("/error/message").asText()).contains("several models are served");

        Reply unknownModel = post("/v1/next", "{\"model\": \"gpt\", \"prompt\": \"the\"}");
        assertThat(unknownModel.status()).isEqualTo(404);
        assertThat(unknownModel.json().at("/error/message").asText()).isEqualTo("no model named 'gpt'; served: [lstm, rnn]");

        Reply unknownChars = post("/v1/next", "{\"model\": \"lstm\", \"prompt\": \"x < 10 Z\"}");
        assertThat(unknownChars.status()).isEqualTo(400);
        assertThat(unknownChars.json().at("/error/field").asText()).isEqualTo("prompt");
        assertThat(unknownChars.json().at("/error/unknown").toString()).isEqualTo("[\"1\",\"Z\"]");

        Reply longPrompt = post("/v1/next", "{\"model\": \"lstm\", \"prompt\": \"" + "a".repeat(51) + "\"}");
        assertThat(longPrompt.status()).isEqualTo(413);
        assertThat(longPrompt.json().at("/error/message").asText()).isEqualTo("the prompt has 51 characters; the limit is 50");

        Reply bigBody = post("/v1/next", "{\"model\": \"lstm\", \"prompt\": \"a\", \"pad\": \"" + "x".repeat(5000) + "\"}");
        assertThat(bigBody.status()).isEqualTo(413);

        Reply badJson = post("/v1/next", "{\"prompt\": ");
        assertThat(badJson.status()).isEqualTo(400);
        assertThat(badJson.json().at("/error/message").asText()).startsWith("the body is not valid JSON");

        Reply notObject = post("/v1/next", "[1, 2]");
        assertThat(notObject.status()).isEqualTo(400);

        Reply empty = post("/v1/next", "{\"model\": \"lstm\", \"prompt\": \"\"}");
        assertThat(empty.status()).isEqualTo(400);
        assertThat(empty.json().at("/error/message").asText()).contains("the prompt is empty");

        Reply nowhere = get("/etc/passwd");
        assertThat(nowhere.status()).isEqualTo(404);
        assertThat(nowhere.json().at("/error/status").asInt()).isEqualTo(404);
        Reply traversal = get("/../pom.xml"); // Jetty refuses the ambiguous path itself
        assertThat(traversal.status()).isIn(400, 404);
        assertThat(traversal.raw()).doesNotContain("<project");
    }

    @Test
    void thePageAndOnlyItsAssetsAreServed() throws Exception {
        Reply page = get("/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.response().headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(page.raw()).contains("<title>rnnlab playground</title>", "/app.js");
        assertThat(get("/app.js").raw()).contains("/v1/complete");
        assertThat(get("/app.css").status()).isEqualTo(200);
        assertThat(get("/index.html").status()).isEqualTo(404);
        assertThat(get("/simplelogger.properties").status()).isEqualTo(404);
    }

    @Test
    void anUnknownFieldIsA400NamingItAndTheKnownOnes() throws Exception {
        Reply r = post("/v1/complete", "{\"prompt\": \"the\", \"model\": \"lstm\", \"temprature\": 2}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().at("/error/field").asText()).isEqualTo("temprature");
        assertThat(r.json().at("/error/message").asText()).isEqualTo("unknown field 'temprature' for POST /v1/complete; "
                + "its fields are model, prompt, length, temperature, top_k, top_p, greedy, beam, stop, seed, stream");
        Reply n = post("/v1/next", "{\"prompt\": \"the\", \"model\": \"lstm\", \"length\": 3}");
        assertThat(n.status()).isEqualTo(400);
        assertThat(n.json().at("/error/message").asText()).isEqualTo("unknown field 'length' for POST /v1/next; its "
                + "fields are model, prompt");
    }

    @Test
    void anotherMethodOnAnApiPathIs405WithAllow() throws Exception {
        Reply r = get("/v1/complete");
        assertThat(r.status()).isEqualTo(405);
        assertThat(r.response().headers().firstValue("Allow")).contains("POST");
        assertThat(r.json().at("/error/message").asText()).isEqualTo("GET is not allowed on /v1/complete: use POST");
        assertThat(get("/v1/next").status()).isEqualTo(405);
        Reply m = post("/v1/models", "{}");
        assertThat(m.status()).isEqualTo(405);
        assertThat(m.response().headers().firstValue("Allow")).contains("GET");
        assertThat(get("/v1/nothing").status()).isEqualTo(404);
    }

    @Test
    void aPortInUseAndAHostThatDoesNotResolveAreOneLineEach() throws Exception {
        int port = server.port();
        ModelServer second = new ModelServer(List.of(notebookModel("lstm", "lstm_L1_notebook.pt")),
                new ServeConfig("127.0.0.1", port, 50, 300, 4096, Duration.ofSeconds(10), 1, 1));
        org.assertj.core.api.Assertions.assertThatThrownBy(second::start).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("port " + port + " is in use on 127.0.0.1: stop what uses it, or choose another --port (0 "
                        + "picks a free one)");
        ModelServer nowhere = new ModelServer(List.of(notebookModel("lstm", "lstm_L1_notebook.pt")),
                new ServeConfig("no-such-host.invalid", 0, 50, 300, 4096, Duration.ofSeconds(10), 1, 1));
        org.assertj.core.api.Assertions.assertThatThrownBy(nowhere::start).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--host no-such-host.invalid does not resolve to an address: give an address of this "
                        + "machine (127.0.0.1, the default; 0.0.0.0 for every interface)");
    }
}
