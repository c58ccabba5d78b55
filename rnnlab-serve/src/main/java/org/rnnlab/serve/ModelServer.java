package org.rnnlab.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.rnnlab.InputException;
import org.rnnlab.explore.ExplorePage;
import org.rnnlab.explore.Exploration;
import org.rnnlab.generate.Completer;
import org.rnnlab.generate.CompletionOptions;
import org.rnnlab.generate.NextChar;
import org.rnnlab.generate.Prompt;
import org.rnnlab.generate.SamplingOptions;
import org.rnnlab.generate.SequenceBatch;
import org.rnnlab.generate.UnknownPolicy;
import org.rnnlab.text.Vocabulary;

/**
 * {@code rnnlab serve}: a JSON API over HTTP with streaming completions, and the playground page.
 * <pre>
 *   GET  /v1/models     the models served, their shapes, vocabularies and facts
 *   POST /v1/next       {"model"?, "prompt"} -> the next-character distribution (every character, index order)
 *   POST /v1/complete   {"model"?, "prompt", "length", "temperature", "top_k", "top_p", "seed", "stream"}
 *   POST /v1/explore    {"model"?, "text"} -> the explorer's page for the text (HTML, self-contained)
 *   GET  /              the playground page (and only its own assets)
 * </pre>
 * Errors are JSON with the status that fits: 400 names the field, 404 an unknown model, 413 a prompt or body over
 * the limit, 503 when saturated or shutting down. Models are shared read-only; every request has its own state.
 *
 * <p>Every API answer is written and flushed by its handler, inside the count of requests in flight, so a shutdown
 * that waits for that count to reach zero never cuts an answer. A non-streaming completion that runs longer than
 * {@link #HEARTBEAT_AFTER_NANOS} sends a space (JSON's own whitespace, before the object) every
 * {@link #HEARTBEAT_NANOS} while it
 * generates: a client that has gone away makes that write fail, and its generation stops.
 */
public final class ModelServer implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final String HANDLED = "rnnlab.error-handled";
    private static final Map<String, String[]> ASSETS = Map.of(
            "/", new String[] {"index.html", "text/html; charset=utf-8"},
            "/app.js", new String[] {"app.js", "text/javascript; charset=utf-8"},
            "/app.css", new String[] {"app.css", "text/css; charset=utf-8"});

    private final Map<String, ServedModel> models = new LinkedHashMap<>();
    /** Each model's stepping loop: its sampled completions advance together (continuous batching). */
    private final Map<String, BatchScheduler> schedulers = new LinkedHashMap<>();
    private final ServeConfig config;
    private final Admission admission;
    private final Javalin app;
    private final java.util.concurrent.atomic.AtomicInteger handling = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean stopping;
    /** The slowest a request body may arrive; a client on any real network sends a 64 KiB body far faster. */
    static final long MIN_BODY_BYTES_PER_SECOND = 1024;
    /** How long a connection may send nothing before it is closed. */
    static final long IDLE_TIMEOUT_MILLIS = 10_000;
    /** How often a long non-streaming completion checks that its client is still there (by sending a space). */
    static final long HEARTBEAT_NANOS = 250_000_000L;
    /** When the heartbeat starts: a quicker answer is plain JSON with a Content-Length. */
    static final long HEARTBEAT_AFTER_NANOS = 1_000_000_000L;

    public ModelServer(List<ServedModel> served, ServeConfig config) {
        if (served.isEmpty()) throw new IllegalArgumentException("serve needs at least one model");
        for (ServedModel m : served) {
            if (models.put(m.name(), m) != null) {
                throw new IllegalArgumentException("two models are named '" + m.name() + "'; name them with NAME=FILE");
            }
        }
        this.config = config;
        this.admission = new Admission(config.maxConcurrent(), config.maxQueued());
        for (ServedModel m : served) schedulers.put(m.name(), new BatchScheduler(m, config.maxBatch(), config.maxQueued()));
        this.app = Javalin.create(c -> {
            c.startup.showJavalinBanner = false;
            c.startup.showOldJavalinVersionWarning = false;
            c.jetty.host = config.host();
            c.jetty.port = config.port();
            // Enough Jetty threads for the admitted requests plus quick refusals; compute is bounded by Admission. A
            // batched completion's handler waits on its sequence and writes its answer: one thread each, per model
            // at most max-batch generating plus the queue.
            int batched = served.size() * (config.maxBatch() + config.maxQueued());
            QueuedThreadPool pool = new QueuedThreadPool(config.maxConcurrent() + config.maxQueued() + batched + 8, 4);
            pool.setName("rnnlab-http");
            c.jetty.threadPool = pool;
            // A body is read before its request is admitted, on a Jetty thread: a client that sends it a byte at a
            // time would hold that thread for as long as it likes, and twenty of them the whole pool. Below
            // MIN_BODY_BYTES_PER_SECOND the read fails (408) and the thread is free again; an idle connection is
            // closed after IDLE_TIMEOUT.
            c.jetty.modifyServer(server -> server.insertHandler(
                    new org.eclipse.jetty.server.handler.MinimumDataRateHandler(MIN_BODY_BYTES_PER_SECOND, 0)));
            c.jetty.modifyHttpConfiguration(http -> http.setIdleTimeout(IDLE_TIMEOUT_MILLIS));
            c.http.maxRequestSize = config.maxBodyBytes();
            c.routes.get("/v1/models", api(this::listModels));
            c.routes.post("/v1/next", api(this::next));
            c.routes.post("/v1/complete", api(this::complete));
            c.routes.post("/v1/explore", api(this::explore));
            // The other methods on the API's paths: 405 with the method to use, not 404 (the path exists)
            for (String path : List.of("/v1/next", "/v1/complete", "/v1/explore")) {
                c.routes.get(path, api(onlyWith("POST")));
                c.routes.put(path, api(onlyWith("POST")));
                c.routes.delete(path, api(onlyWith("POST")));
            }
            c.routes.post("/v1/models", api(onlyWith("GET")));
            for (String path : ASSETS.keySet()) c.routes.get(path, this::asset);
            c.routes.exception(ApiError.class, (e, ctx) -> {
                ctx.attribute(HANDLED, true);
                ctx.status(e.status).json(e.body());
            });
            c.routes.exception(Exception.class, (e, ctx) -> {
                System.err.println("rnnlab serve: internal error on " + ctx.path() + ": " + e);
                ctx.status(500).json(new ApiError(500, null, "internal error: " + e.getClass().getSimpleName()).body());
            });
            // Status handlers run for every 404/405, including our own ApiErrors: those keep their body.
            c.routes.error(404, "*", ctx -> unlessHandled(ctx, new ApiError(404, null, "no such endpoint: " + ctx.method() + " "
                    + ctx.path() + " (see GET /v1/models, POST /v1/next, POST /v1/complete, POST /v1/explore)")));
            c.routes.error(405, "*", ctx -> unlessHandled(ctx, new ApiError(405, null, ctx.method() + " is not allowed on "
                    + ctx.path())));
        });
    }

    private static void unlessHandled(Context ctx, ApiError e) {
        if (ctx.attribute(HANDLED) == null) ctx.json(e.body());
    }

    /** A handler for a method the path does not take: 405 with {@code Allow}. */
    private static io.javalin.http.Handler onlyWith(String method) {
        return ctx -> {
            ctx.header("Allow", method);
            throw new ApiError(405, null, ctx.method() + " is not allowed on " + ctx.path() + ": use " + method);
        };
    }

    /** The fields each endpoint reads; any other is refused, so a misspelt one is not silently ignored. */
    static final List<String> NEXT_FIELDS = List.of("model", "prompt");
    private static final List<String> EXPLORE_FIELDS = List.of("model", "text");
    /**
     * The longest text {@code /v1/explore} reads: its page holds one byte per cell and character (about 7 MB for
     * 10,000 characters of a 256-cell LSTM), and the trace behind it four times that while it is made.
     */
    static final int MAX_EXPLORE_CHARS = 10_000;
    static final List<String> COMPLETE_FIELDS = List.of("model", "prompt", "length", "temperature", "top_k",
            "top_p", "greedy", "beam", "stop", "seed", "stream");

    private static void onlyFields(JsonNode body, List<String> known, String endpoint) {
        for (java.util.Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                throw ApiError.badRequest(f, "unknown field '" + f + "' for " + endpoint + "; its fields are "
                        + String.join(", ", known));
            }
        }
    }

    /** An API handler counted in flight from its start until its answer, written by it, has been flushed. */
    private io.javalin.http.Handler api(io.javalin.http.Handler handler) {
        return ctx -> {
            handling.incrementAndGet();
            try {
                if (stopping) throw new ApiError(503, null, "the server is shutting down");
                handler.handle(ctx);
            } catch (ApiError e) {
                ctx.attribute(HANDLED, true);
                send(ctx, e.status, e.body());
            } finally {
                handling.decrementAndGet();
            }
        };
    }

    /** Writes a JSON answer now (not after the handler returns, as {@code ctx.json} does) and flushes it. */
    private static void send(Context ctx, int status, Object body) throws IOException {
        byte[] json = JSON.writeValueAsBytes(body);
        jakarta.servlet.http.HttpServletResponse res = ctx.res();
        if (!res.isCommitted()) { // a heartbeat may have committed a 200 already
            res.setStatus(status);
            res.setContentType("application/json");
            res.setContentLength(json.length);
        }
        java.io.OutputStream out = res.getOutputStream();
        out.write(json);
        out.flush();
    }

    /**
     * Starts listening; returns the port (useful with port 0).
     *
     * @throws IllegalArgumentException when the host does not resolve or is not this machine's, or the port is in use
     */
    public int start() {
        String host = config.host();
        try {
            java.net.InetAddress.getByName(host);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("--host " + host + " does not resolve to an address: give an address of "
                    + "this machine (127.0.0.1, the default; 0.0.0.0 for every interface)", e);
        }
        try {
            app.start();
        } catch (RuntimeException e) {
            for (Throwable c = e; c != null; c = c.getCause()) {
                String m = String.valueOf(c.getMessage());
                if (c instanceof java.net.BindException && m.contains("assign")) {
                    throw new IllegalArgumentException("--host " + host + " is not an address of this machine: give "
                            + "one of its own (127.0.0.1, the default; 0.0.0.0 for every interface)", e);
                }
                if (c instanceof java.net.BindException || m.contains("already in use")) {
                    throw new IllegalArgumentException("port " + config.port() + " is in use on " + host + ": stop what "
                            + "uses it, or choose another --port (0 picks a free one)", e);
                }
            }
            throw e;
        }
        return app.port();
    }

    public int port() {
        return app.port();
    }

    /** True once {@link #close()} has begun: from then on new requests are refused with 503. */
    public boolean isStopping() {
        return stopping;
    }

    /**
     * Graceful shutdown: new requests get 503 at once, the ones in flight finish (up to the request time limit),
     * then the server stops.
     */
    @Override
    public void close() {
        stopping = true;
        long deadline = System.nanoTime() + config.requestTimeout().toNanos() + 5_000_000_000L; // + writing the answer
        while (handling.get() > 0 && System.nanoTime() < deadline) {
            try {
                TimeUnit.MILLISECONDS.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        app.stop();
        for (BatchScheduler b : schedulers.values()) b.close();
    }

    private void listModels(Context ctx) throws IOException {
        List<Map<String, Object>> list = new ArrayList<>();
        for (ServedModel m : models.values()) list.add(m.describe());
        send(ctx, 200, Map.of("models", list));
    }

    /** A {@code POST /v1/next} body, parsed and checked. */
    record NextRequest(ServedModel model, int[] prompt) {}

    /** Parses a {@code POST /v1/next} body; every refusal is an {@link ApiError}. */
    NextRequest nextRequest(JsonNode body) {
        onlyFields(body, NEXT_FIELDS, "POST /v1/next");
        ServedModel m = model(body);
        return new NextRequest(m, prompt(body, m, true));
    }

    private void next(Context ctx) throws IOException {
        NextRequest r = nextRequest(body(ctx));
        ServedModel m = r.model();
        try (Admission.Ticket t = enter()) {
            double[] logprobs = NextChar.logProbabilities(m.model(), r.prompt());
            Vocabulary v = m.vocabulary();
            List<String> chars = new ArrayList<>(v.size());
            for (int i = 0; i < v.size(); i++) chars.add(v.charAt(i));
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("model", m.name());
            out.put("chars", chars);
            out.put("logprobs", logprobs);
            send(ctx, 200, out);
        }
    }

    /** The explorer's page for a posted text: the text coloured by any cell, the cell finder, gate saturation. */
    private void explore(Context ctx) throws IOException {
        JsonNode body = body(ctx);
        onlyFields(body, EXPLORE_FIELDS, "POST /v1/explore");
        ServedModel m = model(body);
        String text = text(body, "text", m, MAX_EXPLORE_CHARS);
        try (Admission.Ticket t = enter()) {
            Exploration e = Exploration.of(m.model(), m.vocabulary(), text);
            org.rnnlab.model.ModelConfig c = m.model().config();
            String subtitle = String.format(java.util.Locale.ROOT, "%s, %d layer%s of %d cells; %,d characters posted to "
                    + "rnnlab serve", c.cell().id(), c.layers(), c.layers() == 1 ? "" : "s", c.hidden(), e.length());
            byte[] html = ExplorePage.render(e, m.name(), subtitle).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            jakarta.servlet.http.HttpServletResponse res = ctx.res();
            res.setStatus(200);
            res.setContentType("text/html; charset=utf-8");
            res.setContentLength(html.length);
            java.io.OutputStream out = res.getOutputStream();
            out.write(html);
            out.flush();
        }
    }

    /** Thrown inside generation to end it early: the time limit passed, or the client went away. */
    private static final class Halt extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String reason;

        Halt(String reason, Throwable cause) {
            super(reason, cause, false, false);
            this.reason = reason;
        }
    }

    /** A {@code POST /v1/complete} body, parsed and checked: everything its generation needs. */
    record CompleteRequest(ServedModel model, String promptText, Prompt prompt, Completer completer,
                           CompletionOptions options, boolean stream) {}

    /** Parses a {@code POST /v1/complete} body; every refusal is an {@link ApiError}. */
    CompleteRequest completeRequest(JsonNode body) {
        onlyFields(body, COMPLETE_FIELDS, "POST /v1/complete");
        ServedModel m = model(body);
        int[] tokens = prompt(body, m, true);
        String promptText = body.get("prompt").asText();
        int length = intField(body, "length", 200, 1, config.maxLength());
        double temperature = doubleField(body, "temperature", 0.8);
        int topK = intField(body, "top_k", 0, 0, Integer.MAX_VALUE);
        double topP = doubleField(body, "top_p", 1.0);
        boolean greedy = boolField(body, "greedy", false);
        int beam = intField(body, "beam", 0, 0, 64);
        boolean stream = boolField(body, "stream", false);
        long seed = body.hasNonNull("seed") ? longField(body, "seed") : new java.security.SecureRandom().nextLong() >>> 1;
        String stop = body.hasNonNull("stop") ? textField(body, "stop") : "";
        Completer completer = new Completer(m.model(), m.vocabulary());
        CompletionOptions options;
        try {
            SamplingOptions sampling = new SamplingOptions(temperature, topK, topP, greedy);
            completer.stopTokens(stop);
            options = new CompletionOptions(length, sampling, beam, 1, 0, stop, seed);
        } catch (InputException e) {
            throw ApiError.badRequest(e.field(), e.getMessage()); // the API's field names are the JSON body's
        }
        Prompt prompt = new Prompt(promptText, tokens, List.of(), UnknownPolicy.ERROR);
        return new CompleteRequest(m, promptText, prompt, completer, options, stream);
    }

    private void complete(Context ctx) throws IOException {
        CompleteRequest r = completeRequest(body(ctx));
        long deadline = System.nanoTime() + config.requestTimeout().toNanos();
        if (r.options().beam() == 0 && r.options().samples() == 1 && r.options().window() == 0) {
            batched(ctx, r, deadline);
            return;
        }
        // beam search keeps the per-request path: its hypotheses are a batch of their own
        try (Admission.Ticket t = enter()) {
            if (r.stream()) {
                streamCompletion(ctx, r.model(), r.completer(), r.prompt(), r.options(), deadline);
            } else {
                StringBuilder text = new StringBuilder();
                String reason = generate(r.completer(), r.prompt(), r.options(), deadline, text, heartbeat(ctx));
                if (!reason.equals("client_gone")) {
                    send(ctx, 200, result(r.model(), r.promptText(), text.toString(), reason, r.options().seed()));
                }
            }
        }
    }

    /** How long past its deadline a handler waits for its sequence before giving up on the loop (never, normally). */
    static final long LOOP_GRACE_NANOS = 5_000_000_000L;

    /**
     * A sampled completion through its model's stepping loop: a place in the batch (or 503), the sequence handed over,
     * then this thread waits on it and writes: each character as an event when streaming, otherwise the answer at the
     * end with the heartbeat meanwhile. A client found gone cancels the sequence, which leaves the batch at its next
     * step.
     */
    private void batched(Context ctx, CompleteRequest r, long deadline) throws IOException {
        BatchScheduler scheduler = schedulers.get(r.model().name());
        CompletionOptions o = r.options();
        Vocabulary v = r.model().vocabulary();
        try (Admission.Ticket t = scheduler.enter(deadline)) {
            SequenceBatch.Sequence s = new SequenceBatch.Sequence(r.prompt().slots(), o.sampling(), v.size(), o.seed(),
                    r.completer().stopTokens(o.stop()), o.length(), deadline, r.stream());
            scheduler.submit(s);
            if (r.stream()) {
                ctx.status(200);
                ctx.res().setContentType("text/event-stream; charset=utf-8");
                ctx.res().setHeader("Cache-Control", "no-cache");
                ctx.res().setHeader("X-Accel-Buffering", "no");
                java.io.OutputStream out = ctx.res().getOutputStream();
                int sent = 0;
                while (true) {
                    int n = await(s, sent, HEARTBEAT_NANOS, deadline);
                    if (n < 0) break;
                    try {
                        for (; sent < n; sent++) {
                            sse(out, "token", Map.of("text", new String(Character.toChars(v.codePoint(s.token(sent))))));
                        }
                    } catch (IOException gone) {
                        s.cancel();
                        return;
                    }
                    if (s.finish() != null && sent == s.produced()) break;
                }
                String reason = reason(s);
                if (reason.equals("client_gone")) return;
                if (reason.equals("error")) {
                    sse(out, "error", new ApiError(500, null, "internal error: " + s.failure().getClass().getSimpleName()).body());
                    return;
                }
                sse(out, "done", result(r.model(), r.promptText(), v.decode(s.tokens()), reason, o.seed()));
            } else {
                Sink heartbeat = heartbeat(ctx);
                while (s.finish() == null) {
                    if (await(s, Integer.MAX_VALUE, HEARTBEAT_NANOS, deadline) < 0 || s.finish() != null) break;
                    try {
                        heartbeat.accept(0);
                    } catch (IOException gone) {
                        s.cancel();
                        return;
                    }
                }
                String reason = reason(s);
                if (reason.equals("client_gone")) return;
                if (reason.equals("error")) {
                    throw new IllegalStateException("generation failed: " + s.failure(), s.failure());
                }
                send(ctx, 200, result(r.model(), r.promptText(), v.decode(s.tokens()), reason, o.seed()));
            }
        }
    }

    /**
     * Waits up to {@code nanos} for more than {@code seen} characters or the end; -1 when the loop has not ended the
     * sequence long after its deadline (a loop that died: the sequence is cancelled and its text so far is the answer).
     */
    private static int await(SequenceBatch.Sequence s, int seen, long nanos, long deadline) {
        try {
            int n = s.await(seen, nanos);
            if (s.finish() == null && System.nanoTime() - deadline > LOOP_GRACE_NANOS) {
                s.cancel();
                return -1;
            }
            return n;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            s.cancel();
            return -1;
        }
    }

    /** The API's finish_reason for an ended sequence ("client_gone" and "error" are not answered as such). */
    private static String reason(SequenceBatch.Sequence s) {
        SequenceBatch.Finish f = s.finish();
        if (f == null) return "time_limit"; // given up on, after its deadline
        return switch (f) {
            case LENGTH -> "length";
            case STOP -> "stop";
            case TIME_LIMIT -> "time_limit";
            case CANCELLED -> "client_gone";
            case FAILED -> "error";
        };
    }

    /** Something that receives each generated character and may fail (a client connection). */
    private interface Sink {
        void accept(int codePoint) throws IOException;
    }

    /** A sink that, from {@link #HEARTBEAT_AFTER_NANOS} on, writes a space every {@link #HEARTBEAT_NANOS}. */
    private static Sink heartbeat(Context ctx) {
        long[] next = {System.nanoTime() + HEARTBEAT_AFTER_NANOS};
        return cp -> {
            long now = System.nanoTime();
            if (now < next[0]) return;
            next[0] = now + HEARTBEAT_NANOS;
            jakarta.servlet.http.HttpServletResponse res = ctx.res();
            if (!res.isCommitted()) {
                res.setStatus(200);
                res.setContentType("application/json");
            }
            java.io.OutputStream out = res.getOutputStream();
            out.write(' ');
            out.flush();
        };
    }

    /**
     * Generates into {@code text}, handing each character to {@code sink} as it is decided, until the length, the
     * stop string or the deadline; returns the finish reason ("length", "stop", "time_limit" or "client_gone").
     */
    private static String generate(Completer completer, Prompt prompt, CompletionOptions options, long deadline,
                                   StringBuilder text, Sink sink) {
        try {
            Completer.Result done = completer.complete(prompt, options, cp -> {
                if (System.nanoTime() > deadline) throw new Halt("time_limit", null);
                text.appendCodePoint(cp);
                try {
                    sink.accept(cp);
                } catch (IOException e) {
                    throw new Halt("client_gone", e);
                }
            }).get(0);
            return done.stopped() ? "stop" : "length";
        } catch (Halt h) {
            return h.reason;
        }
    }

    private static Map<String, Object> result(ServedModel m, String prompt, String text, String reason, long seed) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", m.name());
        out.put("prompt", prompt);
        out.put("text", text);
        out.put("length", text.codePointCount(0, text.length()));
        out.put("finish_reason", reason);
        out.put("seed", seed);
        return out;
    }

    /**
     * Server-Sent Events: {@code event: token} with {@code {"text": c}} for every character as it is decided, then
     * {@code event: done} with the whole result. A client that goes away ends the generation.
     */
    private void streamCompletion(Context ctx, ServedModel m, Completer completer, Prompt prompt,
                                  CompletionOptions options, long deadline) throws IOException {
        ctx.status(200);
        ctx.res().setContentType("text/event-stream; charset=utf-8");
        ctx.res().setHeader("Cache-Control", "no-cache");
        ctx.res().setHeader("X-Accel-Buffering", "no");
        java.io.OutputStream out = ctx.res().getOutputStream();
        StringBuilder text = new StringBuilder();
        String reason = generate(completer, prompt, options, deadline, text,
                cp -> sse(out, "token", Map.of("text", new String(Character.toChars(cp)))));
        if (reason.equals("client_gone")) return;
        sse(out, "done", result(m, prompt.text(), text.toString(), reason, options.seed()));
    }

    private static void sse(java.io.OutputStream out, String event, Object data) throws IOException {
        byte[] json = JSON.writeValueAsBytes(data);
        out.write(("event: " + event + "\ndata: ").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        out.write(json);
        out.write("\n\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        out.flush();
    }

    private static int intField(JsonNode body, String name, int otherwise, int min, int max) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) return otherwise;
        if (!v.isIntegralNumber() || !v.canConvertToInt()) throw ApiError.badRequest(name, name + " must be an integer, got " + v);
        int i = v.asInt();
        if (i < min || i > max) {
            throw ApiError.badRequest(name, name + " must be between " + min + " and " + max + ", got " + i);
        }
        return i;
    }

    private static long longField(JsonNode body, String name) {
        JsonNode v = body.get(name);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) throw ApiError.badRequest(name, name + " must be an integer, got " + v);
        return v.asLong();
    }

    private static double doubleField(JsonNode body, String name, double otherwise) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) return otherwise;
        if (!v.isNumber()) throw ApiError.badRequest(name, name + " must be a number, got " + v);
        return v.asDouble();
    }

    private static boolean boolField(JsonNode body, String name, boolean otherwise) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) return otherwise;
        if (!v.isBoolean()) throw ApiError.badRequest(name, name + " must be true or false, got " + v);
        return v.asBoolean();
    }

    private static String textField(JsonNode body, String name) {
        JsonNode v = body.get(name);
        if (!v.isTextual()) throw ApiError.badRequest(name, name + " must be a string, got " + v);
        return v.asText();
    }

    private void asset(Context ctx) {
        String[] a = ASSETS.get(ctx.path());
        try (InputStream in = ModelServer.class.getResourceAsStream("web/" + a[0])) {
            if (in == null) throw new IllegalStateException("missing page asset " + a[0]);
            ctx.contentType(a[1]).header("Cache-Control", "no-cache").result(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Admission.Ticket enter() {
        return admission.enter(System.nanoTime() + config.requestTimeout().toNanos());
    }

    ServeConfig config() {
        return config;
    }

    /** Model {@code name}'s batched steps so far and the sequence-steps they made ({@code rows / steps}: the mean batch). */
    long[] batchCounts(String name) {
        BatchScheduler b = schedulers.get(name);
        return new long[] {b.steps(), b.rows()};
    }

    JsonNode body(Context ctx) {
        // Any content type is read as JSON (curl -d sends application/x-www-form-urlencoded by default).
        long length = ctx.req().getContentLengthLong();
        if (length > config.maxBodyBytes()) {
            throw new ApiError(413, null, "the request body has " + length + " bytes; the limit is " + config.maxBodyBytes());
        }
        return json(ctx::bodyAsBytes);
    }

    /** Where a body's bytes come from: the request (whose read may fail or time out), or a test's bytes. */
    interface BodySource {
        byte[] read() throws IOException;
    }

    /** A body as the JSON object every endpoint takes; anything else is a 400 (408 for a body that came too slowly). */
    static JsonNode json(BodySource body) {
        JsonNode node;
        try {
            node = JSON.readTree(body.read());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ApiError.badRequest(null, "the body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            // MinimumDataRateHandler fails a read that comes too slowly with a TimeoutException as its cause
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof java.util.concurrent.TimeoutException) {
                    throw new ApiError(408, null, "the request body came too slowly: send it at "
                            + MIN_BODY_BYTES_PER_SECOND + " bytes a second at least");
                }
            }
            throw ApiError.badRequest(null, "the request body could not be read: " + e.getMessage());
        }
        if (node == null || !node.isObject()) throw ApiError.badRequest(null, "the body must be a JSON object");
        return node;
    }

    ServedModel model(JsonNode body) {
        JsonNode name = body.get("model");
        if (name == null || name.isNull()) {
            if (models.size() == 1) return models.values().iterator().next();
            throw ApiError.badRequest("model", "several models are served; name one of " + models.keySet());
        }
        if (!name.isTextual()) throw ApiError.badRequest("model", "model must be a string");
        ServedModel m = models.get(name.asText());
        if (m == null) throw new ApiError(404, "model", "no model named '" + name.asText() + "'; served: " + models.keySet());
        return m;
    }

    int[] prompt(JsonNode body, ServedModel m, boolean required) {
        JsonNode p = body.get("prompt");
        if ((p == null || p.isNull()) && !required) return new int[0];
        return m.vocabulary().encode(text(body, "prompt", m, config.maxPromptChars()));
    }

    /**
     * The text in {@code field}: required, a string of 1 to {@code max} characters (more: 413), all in the model's
     * vocabulary (else 400 listing the others in {@code unknown}).
     */
    private static String text(JsonNode body, String field, ServedModel m, int max) {
        JsonNode p = body.get(field);
        if (p == null || p.isNull()) throw ApiError.badRequest(field, field + " is required");
        if (!p.isTextual()) throw ApiError.badRequest(field, field + " must be a string");
        String text = p.asText();
        int chars = text.codePointCount(0, text.length());
        String what = field.equals("prompt") ? "the prompt" : "the " + field;
        if (chars > max) throw new ApiError(413, field, what + " has " + chars + " characters; the limit is " + max);
        if (chars == 0) throw ApiError.badRequest(field, what + " is empty: give at least one character");
        List<Integer> unknown = m.vocabulary().unknown(text);
        if (!unknown.isEmpty()) {
            List<String> list = new ArrayList<>();
            for (int cp : unknown) list.add(new String(Character.toChars(cp)));
            throw new ApiError(400, field, new Vocabulary.UnknownCharactersException(unknown, m.vocabulary()).getMessage(),
                    Map.of("unknown", list));
        }
        return text;
    }
}
