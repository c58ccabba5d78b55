package org.rnnlab.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.rnnlab.model.ModelFiles;
import org.rnnlab.serve.ModelServer;
import org.rnnlab.serve.ServeConfig;
import org.rnnlab.serve.ServedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code rnnlab serve}: the HTTP API and the playground page. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = {"Serves models over HTTP: a JSON API with streaming completions, and a playground page at /.",
            "POST /v1/explore answers the 'rnnlab explore' page for a posted text.", "",
            "Binds to 127.0.0.1 unless told otherwise. Ctrl-C stops it after the requests in flight finish."},
        footer = {"", "Examples:",
            "  rnnlab serve --model out/best.safetensors",
            "  rnnlab serve --model out/best.safetensors --quantize int8",
            "  rnnlab serve --model lstm=lstm.safetensors --model rnn=rnn.pt --vocab-from lab --port 9000",
            "  curl -s localhost:8080/v1/complete -d '{\"prompt\": \"the cat\", \"length\": 40, \"seed\": 1}'"})
final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "[NAME=]FILE",
            description = "A model to serve (repeatable); NAME defaults to the file name without extension.")
    List<String> models;

    @Option(names = "--vocab-from", paramLabel = "CORPUS", description = "For .pt models: their vocabulary is sorted(set(text)) of this text ('lab': the notebook's).")
    String vocabFrom;

    @Option(names = "--vocab", paramLabel = "CHARS", description = "For .pt models: their vocabulary, literally.")
    String vocab;

    @Option(names = "--nonlinearity", paramLabel = "tanh|relu", defaultValue = "tanh", description = "For .pt RNNs (default: ${DEFAULT-VALUE}).")
    String nonlinearity;

    @Option(names = "--quantize", paramLabel = "none|int8", defaultValue = "none",
            description = "int8: quantize every model's float weights to int8 (a scale per row) as it loads, for "
                    + "generation about twice as fast (default: ${DEFAULT-VALUE}).")
    String quantize;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (default: ${DEFAULT-VALUE}; 0.0.0.0 exposes it to the network).")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "TCP port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--max-prompt", defaultValue = "4096", description = "Longest prompt in characters (default: ${DEFAULT-VALUE}).")
    int maxPrompt;

    @Option(names = "--max-length", defaultValue = "2000", description = "Most characters per completion (default: ${DEFAULT-VALUE}).")
    int maxLength;

    @Option(names = "--timeout", defaultValue = "30", description = "Seconds one request may take (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--concurrency", description = "Requests computed at once (default: the processors).")
    Integer concurrency;

    @Option(names = "--queue", description = "Requests that may wait for a turn before 503 (default: 4 x concurrency).")
    Integer queue;

    @Option(names = "--max-batch", defaultValue = "32", description = "Sampled completions of one model generating "
            + "together, one batched step for all (continuous batching; default: ${DEFAULT-VALUE}); more wait in the queue.")
    int maxBatch;

    @Override
    public Integer call() throws IOException, InterruptedException {
        List<ServedModel> served = new ArrayList<>();
        for (String spec : models) {
            int eq = spec.indexOf('=');
            String file = eq < 0 ? spec : spec.substring(eq + 1);
            String name = eq < 0 ? Path.of(file).getFileName().toString().replaceFirst("\\.[^.]*$", "") : spec.substring(0, eq);
            ModelOptions options = new ModelOptions();
            options.model = Path.of(file);
            options.vocabFrom = vocabFrom;
            options.vocab = vocab;
            options.nonlinearity = nonlinearity;
            options.quantize = quantize;
            ModelFiles.Loaded loaded = options.load(this.spec.commandLine().getErr(), "serve");
            served.add(new ServedModel(name, loaded.model(), loaded.vocabulary(), facts(loaded)));
        }
        int cores = Runtime.getRuntime().availableProcessors();
        int running = concurrency == null ? cores : concurrency;
        ServeConfig config = new ServeConfig(host, port, maxPrompt, maxLength, 64 * 1024, Duration.ofSeconds(timeoutSeconds),
                running, queue == null ? 4 * running : queue, maxBatch);
        ModelServer server = new ModelServer(served, config);
        int bound = server.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            spec.commandLine().getErr().println("rnnlab serve: stopping after the requests in flight");
            spec.commandLine().getErr().flush();
            server.close();
            stopped.countDown();
        }, "rnnlab-serve-shutdown"));
        spec.commandLine().getErr().println("rnnlab serve: " + served.size() + " model(s) on http://" + host + ":" + bound
                + "/ (API under /v1; Ctrl-C stops)");
        spec.commandLine().getErr().flush();
        stopped.await();
        return 0;
    }

    /** What the models endpoint tells about a model beyond its shape: its file and, for checkpoints, training facts. */
    private static Map<String, Object> facts(ModelFiles.Loaded loaded) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("file", loaded.source().getFileName().toString());
        f.put("format", loaded.format().name().toLowerCase());
        if (loaded.model().quantized()) f.put("quantization", "int8");
        return f;
    }
}
