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
import org.rnnlab.generate.NextChar;
import org.rnnlab.text.Vocabulary;

/**
 * {@code rnnlab serve}: a JSON API over HTTP with streaming completions, and the playground page.
 * <pre>
 *   GET  /v1/models     the models served, their shapes, vocabularies and facts
 *   POST /v1/next       {"model"?, "prompt"} -> the next-character distribution (every character, index order)
 *   POST /v1/complete   {"model"?, "prompt", "length", "temperature", "top_k", "top_p", "seed", "stream"}
 *   GET  /              the playground page (and only its own assets)
 * </pre>
 * Errors are JSON with the status that fits: 400 names the field, 404 an unknown model, 413 a prompt or body over
 * the limit, 503 when saturated or shutting down. Models are shared read-only; every request has its own state.
 */
public final class ModelServer implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final String HANDLED = "rnnlab.error-handled";
    private static final Map<String, String[]> ASSETS = Map.of(
            "/", new String[] {"index.html", "text/html; charset=utf-8"},
            "/app.js", new String[] {"app.js", "text/javascript; charset=utf-8"},
            "/app.css", new String[] {"app.css", "text/css; charset=utf-8"});

    private final Map<String, ServedModel> models = new LinkedHashMap<>();
    private final ServeConfig config;
    private final Admission admission;
    private final Javalin app;
    private volatile boolean stopping;

    public ModelServer(List<ServedModel> served, ServeConfig config) {
        if (served.isEmpty()) throw new IllegalArgumentException("serve needs at least one model");
        for (ServedModel m : served) {
            if (models.put(m.name(), m) != null) {
                throw new IllegalArgumentException("two models are named '" + m.name() + "'; name them with NAME=FILE");
            }
        }
        this.config = config;
        this.admission = new Admission(config.maxConcurrent(), config.maxQueued());
        this.app = Javalin.create(c -> {
            c.startup.showJavalinBanner = false;
            c.startup.showOldJavalinVersionWarning = false;
            c.jetty.host = config.host();
            c.jetty.port = config.port();
            // Enough Jetty threads for the admitted requests plus quick refusals; compute is bounded by Admission.
            QueuedThreadPool pool = new QueuedThreadPool(config.maxConcurrent() + config.maxQueued() + 8, 4);
            pool.setName("rnnlab-http");
            c.jetty.threadPool = pool;
            c.http.maxRequestSize = config.maxBodyBytes();
            c.routes.get("/v1/models", this::listModels);
            c.routes.post("/v1/next", this::next);
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
                    + ctx.path() + " (see GET /v1/models, POST /v1/next, POST /v1/complete)")));
            c.routes.error(405, "*", ctx -> unlessHandled(ctx, new ApiError(405, null, ctx.method() + " is not allowed on "
                    + ctx.path())));
        });
    }

    private static void unlessHandled(Context ctx, ApiError e) {
        if (ctx.attribute(HANDLED) == null) ctx.json(e.body());
    }

    /** Starts listening; returns the port (useful with port 0). */
    public int start() {
        app.start();
        return app.port();
    }

    public int port() {
        return app.port();
    }

    /**
     * Graceful shutdown: new requests get 503 at once, the ones in flight finish (up to the request time limit),
     * then the server stops.
     */
    @Override
    public void close() {
        stopping = true;
        long deadline = System.nanoTime() + config.requestTimeout().toNanos();
        while (admission.inFlight() > 0 && System.nanoTime() < deadline) {
            try {
                TimeUnit.MILLISECONDS.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        app.stop();
    }

    private void listModels(Context ctx) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (ServedModel m : models.values()) list.add(m.describe());
        ctx.json(Map.of("models", list));
    }

    private void next(Context ctx) {
        JsonNode body = body(ctx);
        ServedModel m = model(body);
        int[] prompt = prompt(body, m, true);
        try (Admission.Ticket t = enter()) {
            double[] logprobs = NextChar.logProbabilities(m.model(), prompt);
            Vocabulary v = m.vocabulary();
            List<String> chars = new ArrayList<>(v.size());
            for (int i = 0; i < v.size(); i++) chars.add(v.charAt(i));
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("model", m.name());
            out.put("chars", chars);
            out.put("logprobs", logprobs);
            ctx.json(out);
        }
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
        if (stopping) throw new ApiError(503, null, "the server is shutting down");
        return admission.enter(System.nanoTime() + config.requestTimeout().toNanos());
    }

    ServeConfig config() {
        return config;
    }

    JsonNode body(Context ctx) {
        // Any content type is read as JSON (curl -d sends application/x-www-form-urlencoded by default).
        long length = ctx.req().getContentLengthLong();
        if (length > config.maxBodyBytes()) {
            throw new ApiError(413, null, "the request body has " + length + " bytes; the limit is " + config.maxBodyBytes());
        }
        JsonNode node;
        try {
            node = JSON.readTree(ctx.bodyAsBytes());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ApiError.badRequest(null, "the body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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
        if (p == null || p.isNull()) {
            if (required) throw ApiError.badRequest("prompt", "prompt is required");
            return new int[0];
        }
        if (!p.isTextual()) throw ApiError.badRequest("prompt", "prompt must be a string");
        String text = p.asText();
        int chars = text.codePointCount(0, text.length());
        if (chars > config.maxPromptChars()) {
            throw new ApiError(413, "prompt", "the prompt has " + chars + " characters; the limit is " + config.maxPromptChars());
        }
        if (chars == 0) throw ApiError.badRequest("prompt", "the prompt is empty: give at least one character");
        List<Integer> unknown = m.vocabulary().unknown(text);
        if (!unknown.isEmpty()) {
            List<String> list = new ArrayList<>();
            for (int cp : unknown) list.add(new String(Character.toChars(cp)));
            throw new ApiError(400, "prompt", new Vocabulary.UnknownCharactersException(unknown, m.vocabulary()).getMessage(),
                    Map.of("unknown", list));
        }
        return m.vocabulary().encode(text);
    }
}
