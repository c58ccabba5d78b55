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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rnnlab.generate.Completer;
import org.rnnlab.generate.CompletionOptions;
import org.rnnlab.generate.Prompt;
import org.rnnlab.generate.SamplingOptions;
import org.rnnlab.generate.UnknownPolicy;

/** POST /v1/complete over real HTTP: JSON and Server-Sent Events, seeds, concurrency, limits and saturation. */
class ServerCompleteTest {
    static ModelServer server;
    static String base;
    static ServedModel lstm;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        lstm = ServerApiTest.notebookModel("lstm", "lstm_L1_notebook.pt");
        server = new ModelServer(List.of(lstm), new ServeConfig("127.0.0.1", 0, 100, 500, 8192, Duration.ofSeconds(20), 2, 8));
        base = "http://127.0.0.1:" + server.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static HttpResponse<String> post(String base, String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return ServerApiTest.JSON.readTree(r.body());
    }

    @Test
    void completesLikeTheLibraryWithTheSameSeed() throws Exception {
        HttpResponse<String> r = post(base, "/v1/complete", "{\"prompt\": \"the cat\", \"length\": 60, \"seed\": 7, \"temperature\": 0.8}");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode j = json(r);
        String expected = new Completer(lstm.model(), lstm.vocabulary()).complete(
                Prompt.encode("the cat", lstm.vocabulary(), UnknownPolicy.ERROR),
                new CompletionOptions(60, new SamplingOptions(0.8, 0, 1, false), 0, 1, 0, "", 7), cp -> {}).get(0).text();
        assertThat(j.get("text").asText()).isEqualTo(expected);
        assertThat(j.get("length").asInt()).isEqualTo(60);
        assertThat(j.get("finish_reason").asText()).isEqualTo("length");
        assertThat(j.get("seed").asLong()).isEqualTo(7);
        HttpResponse<String> noSeed = post(base, "/v1/complete", "{\"prompt\": \"the\", \"length\": 5}");
        assertThat(json(noSeed).get("seed").isIntegralNumber()).isTrue();
    }

    @Test
    void streamsServerSentEventsThatAddUpToTheWholeText() throws Exception {
        HttpResponse<String> r = post(base, "/v1/complete",
                "{\"prompt\": \"while (\", \"length\": 40, \"seed\": 3, \"stream\": true, \"stop\": \"}\"}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        StringBuilder tokens = new StringBuilder();
        JsonNode done = null;
        for (String block : r.body().split("\n\n")) {
            String[] lines = block.split("\n");
            String event = lines[0].substring("event: ".length());
            JsonNode data = ServerApiTest.JSON.readTree(lines[1].substring("data: ".length()));
            if (event.equals("token")) tokens.append(data.get("text").asText());
            if (event.equals("done")) done = data;
        }
        assertThat(done).isNotNull();
        assertThat(done.get("text").asText()).isEqualTo(tokens.toString());
        JsonNode plain = json(post(base, "/v1/complete", "{\"prompt\": \"while (\", \"length\": 40, \"seed\": 3, \"stop\": \"}\"}"));
        assertThat(plain.get("text").asText()).isEqualTo(tokens.toString());
        if (plain.get("finish_reason").asText().equals("stop")) assertThat(tokens.toString()).endsWith("}");
    }

    @Test
    void concurrentRequestsGiveTheSameAnswersAsSequentialOnes() throws Exception {
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 8; i++) bodies.add("{\"prompt\": \"the \", \"length\": 50, \"seed\": " + i + ", \"top_k\": 5}");
        List<String> sequential = new ArrayList<>();
        for (String b : bodies) sequential.add(json(post(base, "/v1/complete", b)).get("text").asText());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> parallel = new ArrayList<>();
            for (String b : bodies) parallel.add(pool.submit(() -> json(post(base, "/v1/complete", b)).get("text").asText()));
            for (int i = 0; i < bodies.size(); i++) assertThat(parallel.get(i).get()).isEqualTo(sequential.get(i));
        } finally {
            pool.shutdownNow();
        }
        assertThat(new java.util.HashSet<>(sequential)).hasSizeGreaterThan(1);
    }

    @Test
    void badValuesAreNamed() throws Exception {
        String[][] cases = {
            {"{\"prompt\": \"a\", \"temperature\": 0}", "temperature"},
            {"{\"prompt\": \"a\", \"top_p\": 1.5}", "top_p"},
            {"{\"prompt\": \"a\", \"top_k\": -1}", "top_k"},
            {"{\"prompt\": \"a\", \"length\": 0}", "length"},
            {"{\"prompt\": \"a\", \"length\": 501}", "length"},
            {"{\"prompt\": \"a\", \"length\": \"ten\"}", "length"},
            {"{\"prompt\": \"a\", \"stream\": \"yes\"}", "stream"},
            {"{\"prompt\": \"a\", \"stop\": \"Z\"}", "stop"},
            {"{\"prompt\": 5}", "prompt"},
            {"{\"length\": 5}", "prompt"}};
        for (String[] c : cases) {
            HttpResponse<String> r = post(base, "/v1/complete", c[0]);
            assertThat(r.statusCode()).as(c[0]).isEqualTo(400);
            assertThat(json(r).at("/error/field").asText()).as(c[0]).isEqualTo(c[1]);
        }
        HttpResponse<String> tooLong = post(base, "/v1/complete", "{\"prompt\": \"" + "a".repeat(101) + "\"}");
        assertThat(tooLong.statusCode()).isEqualTo(413);
    }

    @Test
    void aFullServerAnswers503AndATimeLimitEndsGeneration() throws Exception {
        ModelServer small = new ModelServer(List.of(lstm), new ServeConfig("127.0.0.1", 0, 100, 1_000_000, 8192,
                Duration.ofMillis(1500), 1, 0, 1));
        String url = "http://127.0.0.1:" + small.start();
        try {
            // One long streamed request holds the batch's only place (its headers arrive once it is admitted and
            // generating); the next completion is refused at once.
            HttpResponse<java.io.InputStream> slow = HTTP.sendAsync(HttpRequest.newBuilder(URI.create(url + "/v1/complete"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"the\", \"length\": 1000000, \"seed\": 1, \"stream\": true}"))
                    .build(), HttpResponse.BodyHandlers.ofInputStream()).get();
            assertThat(slow.statusCode()).isEqualTo(200);
            HttpResponse<String> refused = post(url, "/v1/complete", "{\"prompt\": \"the\", \"length\": 5}");
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(json(refused).at("/error/message").asText()).contains("busy");
            String events = new String(slow.body().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            String last = events.substring(events.lastIndexOf("event: done"));
            JsonNode timed = ServerApiTest.JSON.readTree(last.substring(last.indexOf("data: ") + 6).trim());
            assertThat(timed.get("finish_reason").asText()).isEqualTo("time_limit");
            assertThat(timed.get("length").asInt()).isBetween(1, 999_999);
            // The place is free again.
            assertThat(post(url, "/v1/complete", "{\"prompt\": \"the\", \"length\": 5}").statusCode()).isEqualTo(200);
        } finally {
            small.close();
        }
    }

    @Test
    void shutdownLetsTheRequestInFlightFinishAndRefusesNewOnes() throws Exception {
        ModelServer server = new ModelServer(List.of(lstm), new ServeConfig("127.0.0.1", 0, 100, 1_000_000, 8192,
                Duration.ofMillis(1500), 2, 2));
        String url = "http://127.0.0.1:" + server.start();
        HttpResponse<java.io.InputStream> inFlight = HTTP.sendAsync(HttpRequest.newBuilder(URI.create(url + "/v1/complete"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"the\", \"length\": 1000000, \"stream\": true}"))
                .build(), HttpResponse.BodyHandlers.ofInputStream()).get();
        Thread closer = new Thread(server::close);
        closer.start();
        long deadline = System.nanoTime() + 10_000_000_000L; // a loaded machine may start the closer late
        while (!server.isStopping() && System.nanoTime() < deadline) Thread.sleep(5);
        assertThat(server.isStopping()).isTrue();
        HttpResponse<String> during = post(url, "/v1/next", "{\"prompt\": \"the\"}");
        assertThat(during.statusCode()).isEqualTo(503);
        assertThat(json(during).at("/error/message").asText()).isEqualTo("the server is shutting down");
        String events = new String(inFlight.body().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(events).contains("event: done");
        closer.join(10_000);
        assertThat(closer.isAlive()).isFalse();
    }

    @Test
    void shutdownLetsEveryLongNonStreamingRequestInFlightGetItsWholeAnswer() throws Exception {
        ModelServer server = new ModelServer(List.of(lstm), new ServeConfig("127.0.0.1", 0, 100, 1_000_000, 8192,
                Duration.ofMillis(1500), 2, 6, 2));
        String url = "http://127.0.0.1:" + server.start();
        ExecutorService pool = Executors.newFixedThreadPool(7);
        try {
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                String body = "{\"prompt\": \"the\", \"length\": 1000000, \"seed\": " + i + "}";
                answers.add(pool.submit(() -> post(url, "/v1/complete", body)));
            }
            Thread.sleep(400); // all seven sent: two generate, five wait for a turn
            Thread closer = new Thread(server::close);
            closer.start();
            for (Future<HttpResponse<String>> f : answers) {
                HttpResponse<String> r = f.get(30, java.util.concurrent.TimeUnit.SECONDS);
                JsonNode j = json(r); // the whole JSON, never cut
                if (r.statusCode() == 200) {
                    assertThat(j.get("finish_reason").asText()).isEqualTo("time_limit");
                    assertThat(j.get("text").asText().length()).isEqualTo(j.get("length").asInt());
                } else {
                    assertThat(r.statusCode()).isEqualTo(503);
                    assertThat(j.at("/error/message").asText()).isNotEmpty();
                }
            }
            closer.join(30_000);
            assertThat(closer.isAlive()).isFalse();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aClientThatHangsUpDuringANonStreamingCompletionStopsItsGeneration() throws Exception {
        // One turn, no queue, 20 s per request: while the gone client's generation ran, every request would get 503.
        ModelServer small = new ModelServer(List.of(lstm), new ServeConfig("127.0.0.1", 0, 100, 1_000_000, 8192,
                Duration.ofSeconds(20), 1, 0, 1));
        int port = small.start();
        String url = "http://127.0.0.1:" + port;
        try {
            byte[] body = "{\"prompt\": \"the\", \"length\": 1000000}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            try (java.net.Socket client = new java.net.Socket("127.0.0.1", port)) {
                java.io.OutputStream out = client.getOutputStream();
                out.write(("POST /v1/complete HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + body.length + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                Thread.sleep(300);
                assertThat(post(url, "/v1/complete", "{\"prompt\": \"the\", \"length\": 5}").statusCode())
                        .as("generating").isEqualTo(503);
            } // hung up
            long start = System.nanoTime();
            int status = 0;
            while (System.nanoTime() - start < 5_000_000_000L) {
                status = post(url, "/v1/complete", "{\"prompt\": \"the\", \"length\": 5}").statusCode();
                if (status == 200) break;
                Thread.sleep(50);
            }
            assertThat(status).as("the turn came back within 5 s, not after the 20 s limit").isEqualTo(200);
        } finally {
            small.close();
        }
    }

    @Test
    void clientsThatSendTheirBodiesAByteAtATimeDoNotStopTheServerAnswering() throws Exception {
        // A small server: 2 turns, 2 waiting, 12 Jetty threads; 20 slow clients would hold every thread.
        ModelServer small = new ModelServer(List.of(lstm), new ServeConfig("127.0.0.1", 0, 100, 1000, 8192,
                Duration.ofSeconds(20), 2, 2));
        int port = small.start();
        String url = "http://127.0.0.1:" + port;
        List<java.net.Socket> slow = new ArrayList<>();
        long end = System.nanoTime() + 8_000_000_000L; // the slow clients trickle for at most 8 s
        Thread trickle = new Thread(() -> {
            try {
                while (System.nanoTime() < end) {
                    for (java.net.Socket s : slow) {
                        try {
                            s.getOutputStream().write('{');
                            s.getOutputStream().flush();
                        } catch (java.io.IOException closed) {
                            // the server cut it: what it should do
                        }
                    }
                    Thread.sleep(500);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            for (int i = 0; i < 20; i++) {
                java.net.Socket s = new java.net.Socket("127.0.0.1", port);
                s.getOutputStream().write(("POST /v1/next HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 1000\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                slow.add(s);
            }
            trickle.start();
            Thread.sleep(1000);
            // A normal client is answered while the slow ones trickle (the first slow reads are cut within a few s).
            long t0 = System.nanoTime();
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/v1/next"))
                    .timeout(Duration.ofSeconds(6))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"the\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(System.nanoTime() - t0).isLessThan(6_000_000_000L);
        } finally {
            trickle.interrupt();
            trickle.join(10_000);
            for (java.net.Socket s : slow) s.close();
            small.close();
        }
    }
}
