package org.rnnlab.serve;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A bounded load check: {@code clients} concurrent clients post completions to a server for {@code seconds}, each
 * waiting for its answer before sending the next; reports throughput (the characters the answers say they
 * generated), latency percentiles, time per character (each answered request's latency divided by its characters,
 * {@code ms_per_char_p50} and {@code ms_per_char_p99}) and every non-200 status. Loopback only by design: it is for measuring rnnlab's own server on this machine.
 */
public final class LoadTest {
    public record Options(URI base, int clients, Duration duration, int length, String prompt) {
        public Options {
            String host = base.getHost();
            if (!(host.equals("127.0.0.1") || host.equals("localhost") || host.equals("[::1]") || host.equals("::1"))) {
                throw new IllegalArgumentException("the load check only targets this machine (127.0.0.1, localhost, ::1), not " + host);
            }
            if (clients < 1 || clients > 1024) throw new IllegalArgumentException("clients must be in 1..1024, got " + clients);
            if (duration.isNegative() || duration.isZero() || duration.toSeconds() > 600) {
                throw new IllegalArgumentException("the duration must be between 1 ms and 10 minutes, got " + duration);
            }
        }
    }

    private LoadTest() {}

    public static Map<String, Object> run(Options o) throws InterruptedException {
        double rssStart = residentMegabytes();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        long end = System.nanoTime() + o.duration().toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(o.clients());
        List<Future<List<long[]>>> futures = new ArrayList<>();
        long start = System.nanoTime();
        for (int c = 0; c < o.clients(); c++) {
            int client = c;
            futures.add(pool.submit(() -> {
                List<long[]> samples = new ArrayList<>(); // {status, nanos, characters generated}
                for (int i = 0; System.nanoTime() < end; i++) {
                    String body = "{\"prompt\": " + json(o.prompt()) + ", \"length\": " + o.length() + ", \"seed\": "
                            + (client * 1_000_000L + i) + "}";
                    HttpRequest req = HttpRequest.newBuilder(o.base().resolve("/v1/complete"))
                            .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build();
                    long t0 = System.nanoTime();
                    int status;
                    long chars = 0;
                    try {
                        HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
                        status = res.statusCode();
                        if (status == 200) chars = generated(res.body());
                    } catch (java.io.IOException e) {
                        status = -1;
                    }
                    samples.add(new long[] {status, System.nanoTime() - t0, chars});
                }
                return samples;
            }));
        }
        List<long[]> all = new ArrayList<>();
        try {
            for (Future<List<long[]>> f : futures) all.addAll(f.get());
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long[] ok = all.stream().filter(s -> s[0] == 200).mapToLong(s -> s[1]).sorted().toArray();
        long chars = all.stream().filter(s -> s[0] == 200).mapToLong(s -> s[2]).sum();
        // a request's time per character: its latency over the characters it generated (nanoseconds, sorted)
        long[] perChar = all.stream().filter(s -> s[0] == 200 && s[2] > 0).mapToLong(s -> s[1] / s[2]).sorted().toArray();
        Map<Integer, Integer> errors = new TreeMap<>();
        for (long[] s : all) if (s[0] != 200) errors.merge((int) s[0], 1, Integer::sum);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("kind", "serve_load");
        r.put("clients", o.clients());
        r.put("seconds", seconds);
        r.put("requests", all.size());
        r.put("ok", ok.length);
        r.put("errors", errors);
        r.put("requests_per_s", ok.length / seconds);
        r.put("chars", chars);
        r.put("chars_per_s", chars / seconds);
        r.put("latency_ms_p50", percentile(ok, 0.50));
        r.put("latency_ms_p90", percentile(ok, 0.90));
        r.put("latency_ms_p99", percentile(ok, 0.99));
        r.put("latency_ms_max", ok.length == 0 ? Double.NaN : ok[ok.length - 1] / 1e6);
        r.put("ms_per_char_p50", percentile(perChar, 0.50));
        r.put("ms_per_char_p99", percentile(perChar, 0.99));
        // this process's resident memory before and after (with loadtest --model it holds the server too): a soak
        // shows whether the server's memory grows under load
        r.put("rss_mb_start", rssStart);
        r.put("rss_mb_end", residentMegabytes());
        return r;
    }

    private static final java.util.regex.Pattern LENGTH = java.util.regex.Pattern.compile("\"length\":(\\d+),\"finish_reason\"");

    /** The characters an answer says it generated (its {@code length}; 0 when it does not say). */
    static long generated(String json) {
        java.util.regex.Matcher m = LENGTH.matcher(json);
        long n = 0;
        while (m.find()) n = Long.parseLong(m.group(1)); // the last: the answer's own field, after its text
        return n;
    }

    /** This process's resident set (VmRSS) in MB, or NaN where /proc does not say. */
    static double residentMegabytes() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        } catch (java.io.IOException | NumberFormatException e) {
            // not Linux: no figure
        }
        return Double.NaN;
    }

    static double percentile(long[] sortedNanos, double q) {
        if (sortedNanos.length == 0) return Double.NaN;
        int i = (int) Math.ceil(q * sortedNanos.length) - 1;
        return sortedNanos[Math.max(0, Math.min(sortedNanos.length - 1, i))] / 1e6;
    }

    private static String json(String s) {
        try {
            return ModelServer.JSON.writeValueAsString(s);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
