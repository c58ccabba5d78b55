package org.rnnlab.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rnnlab.text.LabCorpus;

/** {@code POST /v1/explore}: the explorer's page for a posted text, and its limits. */
class ServerExploreTest {
    static ModelServer server;
    static String base;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        server = new ModelServer(List.of(ServerApiTest.notebookModel("lstm", "lstm_L1_notebook.pt"),
                ServerApiTest.notebookModel("gru", "gru_L3_lab.pt")), ServeConfig.defaults().withPort(0));
        base = "http://127.0.0.1:" + server.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static HttpResponse<String> post(String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v1/explore")).POST(HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    static String json(String s) {
        return ServerApiTest.JSON.valueToTree(s).toString();
    }

    @Test
    void answersThePageForTheText() throws Exception {
        HttpResponse<String> r = post("{\"model\": \"gru\", \"text\": " + json(LabCorpus.TEXT) + "}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        String html = r.body();
        assertThat(html).startsWith("<!DOCTYPE html>").contains("<h1>gru</h1>", "Cell finder", "Gate saturation")
                .doesNotContain("src=\"http", "<link", "<script src");
        Matcher m = Pattern.compile("id=\"ex-data\">(.*?)</script>", Pattern.DOTALL).matcher(html);
        assertThat(m.find()).isTrue();
        JsonNode data = ServerApiTest.JSON.readTree(m.group(1));
        assertThat(data.get("text").asText()).isEqualTo(LabCorpus.TEXT);
        assertThat(data.get("layers").asInt()).isEqualTo(3);
        assertThat(data.get("states")).hasSize(3);
        assertThat(html.split("<svg", -1)).as("a saturation chart per layer").hasSize(4);
    }

    @Test
    void refusesWhatItCannotRead() throws Exception {
        HttpResponse<String> tooLong = post("{\"model\": \"lstm\", \"text\": \"" + "a".repeat(ModelServer.MAX_EXPLORE_CHARS + 1) + "\"}");
        assertThat(tooLong.statusCode()).isEqualTo(413);
        assertThat(ServerApiTest.parse(tooLong.body()).at("/error/message").asText())
                .isEqualTo("the text has 10001 characters; the limit is 10000");

        HttpResponse<String> unknown = post("{\"model\": \"lstm\", \"text\": \"x < 10 Z\"}");
        assertThat(unknown.statusCode()).isEqualTo(400);
        JsonNode e = ServerApiTest.parse(unknown.body());
        assertThat(e.at("/error/field").asText()).isEqualTo("text");
        assertThat(e.at("/error/unknown").toString()).isEqualTo("[\"1\",\"Z\"]");

        HttpResponse<String> missing = post("{\"model\": \"lstm\"}");
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(ServerApiTest.parse(missing.body()).at("/error/message").asText()).isEqualTo("text is required");

        HttpResponse<String> misspelt = post("{\"model\": \"lstm\", \"prompt\": \"the cat\"}");
        assertThat(misspelt.statusCode()).isEqualTo(400);
        assertThat(ServerApiTest.parse(misspelt.body()).at("/error/message").asText())
                .isEqualTo("unknown field 'prompt' for POST /v1/explore; its fields are model, text");

        HttpResponse<String> get = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v1/explore")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("Allow")).hasValue("POST");
    }
}
