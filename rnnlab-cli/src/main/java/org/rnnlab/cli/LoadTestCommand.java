package org.rnnlab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.rnnlab.model.ModelFiles;
import org.rnnlab.serve.LoadTest;
import org.rnnlab.serve.ModelServer;
import org.rnnlab.serve.ServeConfig;
import org.rnnlab.serve.ServedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code rnnlab loadtest}: many concurrent clients against the server for a bounded time. */
@Command(
        name = "loadtest",
        mixinStandardHelpOptions = true,
        description = {"A bounded load check of 'rnnlab serve': concurrent clients post completions for a fixed time;",
            "prints one JSON line with throughput, p50/p90/p99 latency, time per character (p50/p99: a request's",
            "latency over its characters) and the count of every error status.",
            "With --model it starts its own server on a free loopback port; --url targets a running one."},
        footer = {"", "Examples:",
            "  rnnlab loadtest --model lstm.pt --vocab-from lab --clients 16 --seconds 10",
            "  rnnlab loadtest --url http://127.0.0.1:8080 --clients 64 --seconds 5"})
final class LoadTestCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--url", description = "A running server on this machine.") URI url;
    @Option(names = "--model", description = "Start a server with this model (as rnnlab serve --model).") Path model;
    @Option(names = "--vocab-from", description = "For a .pt model (as rnnlab serve).") String vocabFrom;
    @Option(names = "--vocab", description = "For a .pt model (as rnnlab serve).") String vocab;
    @Option(names = "--clients", defaultValue = "16", description = "Concurrent clients (default: ${DEFAULT-VALUE}).") int clients;
    @Option(names = "--seconds", defaultValue = "10", description = "How long (default: ${DEFAULT-VALUE}).") int seconds;
    @Option(names = "--length", defaultValue = "50", description = "Characters per completion (default: ${DEFAULT-VALUE}).") int length;
    @Option(names = "--prompt", defaultValue = "the ", description = "The prompt of every request (default: '${DEFAULT-VALUE}').") String prompt;
    @Option(names = "--concurrency", description = "With --model: requests computed at once (default: the processors).") Integer concurrency;
    @Option(names = "--queue", description = "With --model: requests that may wait (default: 4 x concurrency).") Integer queue;
    @Option(names = "--max-batch", defaultValue = "32", description = "With --model: completions generating together (default: ${DEFAULT-VALUE}).") int maxBatch;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if ((url == null) == (model == null)) throw new IllegalArgumentException("give either --url or --model");
        ModelServer server = null;
        URI base = url;
        if (model != null) {
            ModelOptions options = new ModelOptions();
            options.model = model;
            options.vocabFrom = vocabFrom;
            options.vocab = vocab;
            options.nonlinearity = "tanh";
            ModelFiles.Loaded loaded = options.load(spec.commandLine().getErr(), "loadtest");
            int cores = Runtime.getRuntime().availableProcessors();
            int running = concurrency == null ? cores : concurrency;
            ServeConfig defaults = ServeConfig.defaults();
            server = new ModelServer(List.of(new ServedModel("model", loaded.model(), loaded.vocabulary(), Map.of())),
                    new ServeConfig("127.0.0.1", 0, defaults.maxPromptChars(), Math.max(length, defaults.maxLength()),
                            defaults.maxBodyBytes(), defaults.requestTimeout(), running, queue == null ? 4 * running : queue,
                            maxBatch));
            base = URI.create("http://127.0.0.1:" + server.start());
        }
        try {
            Map<String, Object> r = LoadTest.run(new LoadTest.Options(base, clients, Duration.ofSeconds(seconds), length, prompt));
            spec.commandLine().getOut().println(new ObjectMapper().writeValueAsString(r));
        } finally {
            if (server != null) server.close();
        }
        return 0;
    }
}
