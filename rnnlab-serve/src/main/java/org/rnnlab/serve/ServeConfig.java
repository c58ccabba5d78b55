package org.rnnlab.serve;

import java.time.Duration;

/**
 * The server's address and its limits. The defaults are safe for a laptop: loopback only, bounded work per request
 * and a bounded number of requests in the building at once, so overload turns into quick 503s, never into memory
 * exhaustion.
 *
 * @param host            address to bind; loopback unless told otherwise
 * @param port            TCP port (0 picks a free one)
 * @param maxPromptChars  longest accepted prompt, in characters (longer: 413)
 * @param maxLength       most characters one request may generate (more: 400)
 * @param maxBodyBytes    largest accepted request body (larger: 413)
 * @param requestTimeout  wall-clock budget of one request; generation stops there (finish_reason "time_limit")
 * @param maxConcurrent   requests computing at once (default: the processors)
 * @param maxQueued       requests allowed to wait for a turn; beyond running + waiting, 503 at once
 * @param maxBatch        sampled completions of one model generating together, in one batched step (continuous
 *                        batching); more wait (up to {@code maxQueued}), then 503
 */
public record ServeConfig(String host, int port, int maxPromptChars, int maxLength, int maxBodyBytes,
                          Duration requestTimeout, int maxConcurrent, int maxQueued, int maxBatch) {
    /** The default {@link #maxBatch}. */
    public static final int DEFAULT_MAX_BATCH = 32;
    /** The largest {@link #maxBatch}: the batch's buffers and the handler threads waiting on it stay bounded. */
    public static final int MAX_BATCH = 1024;

    public ServeConfig {
        if (host == null || host.isBlank()) throw new IllegalArgumentException("host must not be empty");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be in 0..65535, got " + port);
        if (maxPromptChars < 1) throw new IllegalArgumentException("max prompt must be at least 1 character, got " + maxPromptChars);
        if (maxLength < 1) throw new IllegalArgumentException("max length must be at least 1 character, got " + maxLength);
        if (maxBodyBytes < 1024) throw new IllegalArgumentException("max body must be at least 1024 bytes, got " + maxBodyBytes);
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("request timeout must be positive, got " + requestTimeout);
        }
        if (maxConcurrent < 1) throw new IllegalArgumentException("max concurrent requests must be at least 1, got " + maxConcurrent);
        if (maxQueued < 0) throw new IllegalArgumentException("max queued requests must be >= 0, got " + maxQueued);
        if (maxBatch < 1 || maxBatch > MAX_BATCH) {
            throw new IllegalArgumentException("max batch must be in 1.." + MAX_BATCH + ", got " + maxBatch);
        }
    }

    /** With the default {@link #maxBatch}. */
    public ServeConfig(String host, int port, int maxPromptChars, int maxLength, int maxBodyBytes,
                       Duration requestTimeout, int maxConcurrent, int maxQueued) {
        this(host, port, maxPromptChars, maxLength, maxBodyBytes, requestTimeout, maxConcurrent, maxQueued,
                DEFAULT_MAX_BATCH);
    }

    public static ServeConfig defaults() {
        int cores = Runtime.getRuntime().availableProcessors();
        return new ServeConfig("127.0.0.1", 8080, 4096, 2000, 64 * 1024, Duration.ofSeconds(30), cores, 4 * cores,
                DEFAULT_MAX_BATCH);
    }

    public ServeConfig withPort(int p) {
        return new ServeConfig(host, p, maxPromptChars, maxLength, maxBodyBytes, requestTimeout, maxConcurrent, maxQueued,
                maxBatch);
    }

    public ServeConfig withMaxBatch(int b) {
        return new ServeConfig(host, port, maxPromptChars, maxLength, maxBodyBytes, requestTimeout, maxConcurrent,
                maxQueued, b);
    }
}
