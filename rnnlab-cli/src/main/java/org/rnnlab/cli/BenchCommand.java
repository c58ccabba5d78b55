package org.rnnlab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.rnnlab.model.CellType;
import org.rnnlab.perf.Throughput;
import org.rnnlab.text.Corpus;
import org.rnnlab.train.Batchers;
import org.rnnlab.train.Batching;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code rnnlab bench}: training and generation throughput, measured as the PyTorch peer script measures it. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = {"Training tokens/s and generation chars/s: the training step is rnnlab train's own (TrainStep), timed after",
            "a warm-up; generation as rnnlab complete runs it. tools/bench_vs_torch.py measures PyTorch the same way.", "",
            "With --config, the issue's named configurations (lab-lstm, lab-rnn, medium-lstm, medium-gru, large-lstm);",
            "otherwise one configuration from the same flags as the peer script. Each result is one JSON line with",
            "--json (the peer's keys), else a readable line."},
        footer = {"", "Examples:",
            "  rnnlab bench                                        the lab configurations (LSTM and RNN)",
            "  rnnlab bench --config medium-lstm --corpus pycorpus.txt --json",
            "  rnnlab bench --config large-lstm --corpus pycorpus.txt --quantize int8 --gen-rounds 5",
            "  rnnlab bench --cell gru --hidden 256 --layers 2 --batch 32 --seq 64 --mode stream --corpus big.txt"})
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", split = ",", paramLabel = "NAME",
            description = "Named configurations: lab-lstm, lab-rnn, medium-lstm, medium-gru, large-lstm, lab, medium, large, all.")
    List<String> configs;

    @Option(names = "--cell", defaultValue = "lstm") String cell;
    @Option(names = "--embed", defaultValue = "64") int embed;
    @Option(names = "--hidden", defaultValue = "128") int hidden;
    @Option(names = "--layers", defaultValue = "1") int layers;
    @Option(names = "--batch", defaultValue = "1") int batch;
    @Option(names = "--seq", defaultValue = "40") int seq;
    @Option(names = "--mode", defaultValue = "windows", description = "windows or stream (default: ${DEFAULT-VALUE}).") String mode;
    @Option(names = "--steps", description = "Timed training steps (default: 200; 30 for medium, 10 for large).") Integer steps;
    @Option(names = "--warmup", defaultValue = "10", description = "Untimed training steps first (default: ${DEFAULT-VALUE}).") int warmup;
    @Option(names = "--warmup-seconds", defaultValue = "2", paramLabel = "S",
            description = "Warm up each phase for at least this long too, for the JIT compilers (default: ${DEFAULT-VALUE}).")
    double warmupSeconds;
    @Option(names = "--min-seconds", defaultValue = "2", paramLabel = "S",
            description = "Time each phase over at least this long, past --steps or the character counts if need be (default: ${DEFAULT-VALUE}).")
    double minSeconds;
    @Option(names = "--lr", defaultValue = "0.005") double lr;
    @Option(names = "--clip", defaultValue = "0", paramLabel = "NORM",
            description = "Clip the gradients' global L2 norm, as rnnlab train --clip (default: off; the norm is computed either way, as train does).")
    double clip;
    @Option(names = "--gen-chars", defaultValue = "2000", description = "Characters sampled with carried state (default: ${DEFAULT-VALUE}).") int genChars;
    @Option(names = "--naive-chars", description = "Characters sampled the notebook's way (default: 2000; 200 for large).") Integer naiveChars;
    @Option(names = "--gen-warmup", defaultValue = "50") int genWarmup;
    @Option(names = "--context", defaultValue = "40", description = "Context of the notebook's way (default: ${DEFAULT-VALUE}).") int context;
    @Option(names = "--temperature", defaultValue = "0.8") double temperature;
    @Option(names = "--seed", defaultValue = "1234") long seed;
    @Option(names = "--corpus", paramLabel = "FILE",
            description = "Text to train on (default: the notebook's lines; medium and large need about 1 MB, e.g. "
                    + "the peer's --build-pycorpus output).")
    Path corpus;
    @Option(names = "--quantize", paramLabel = "none|int8", defaultValue = "none",
            description = "int8: also measure carried generation from the model quantized to int8, in rounds alternating "
                    + "with float32 ones (default: ${DEFAULT-VALUE}).")
    String quantize;
    @Option(names = "--gen-rounds", defaultValue = "3", paramLabel = "N",
            description = "With --quantize int8: rounds of each, float32 then int8, each --min-seconds long; the best counts (default: ${DEFAULT-VALUE}).")
    int genRounds;
    @Option(names = "--threads", description = "Kernel threads (default: every processor).") Integer threads;
    @Option(names = "--shards", paramLabel = "P", description = "Train as rnnlab train --shards P does: each batch cut "
            + "into P shards, each one thread's whole forward and backward pass.") Integer shards;
    @Option(names = "--json", description = "One JSON line per configuration, with the peer script's keys.") boolean json;
    @Option(names = "--sgemm", description = "Measure the matrix product's best GFLOP/s on this host instead (square "
            + "A B^T of 256 to 2048, --min-seconds in all): the yardstick of the training figures.") boolean sgemm;

    @Override
    public Integer call() throws IOException {
        if (threads != null) org.rnnlab.kernel.Parallelism.setThreads(threads);
        if (shards != null && shards < 1) throw new IllegalArgumentException("--shards must be at least 1, got " + shards);
        if (sgemm) {
            Map<String, Object> r = Throughput.sgemm(Math.max(0.4, minSeconds));
            PrintWriter out = spec.commandLine().getOut();
            if (json) out.println(new ObjectMapper().writeValueAsString(r));
            else out.printf(Locale.ROOT, "sgemm  %.1f GFLOP/s at n = %d  %s  [%s; %s]%n", r.get("gflops"), r.get("n"),
                    r.get("gflops_by_n"), r.get("kernel"), r.get("host"));
            out.flush();
            return 0;
        }
        Corpus text = corpus == null ? Corpus.lab() : Corpus.fromPath(corpus);
        List<Throughput.Config> runs = new ArrayList<>();
        if (configs == null) {
            runs.add(custom());
        } else {
            for (String name : configs) runs.addAll(named(name.toLowerCase(Locale.ROOT), text));
        }
        PrintWriter out = spec.commandLine().getOut();
        ObjectMapper mapper = new ObjectMapper();
        for (Throughput.Config c : runs) {
            String corpusName = c.name().startsWith("lab") || corpus == null ? "lab10" : corpus.toString();
            String t = c.name().startsWith("lab") ? Corpus.lab().text() : text.text();
            Map<String, Object> r = Throughput.run(c, corpusName, t);
            if (json) {
                out.println(mapper.writeValueAsString(r));
            } else {
                out.printf(Locale.ROOT, "%-12s train %,10.0f tokens/s (%.1f GFLOP/s, step %.2f ms)  generate %,8.0f chars/s carried, %,7.0f chars/s notebook way  [%s kernel, peak RSS %.0f MB]%n",
                        c.name(), r.get("train_tokens_per_s"), r.get("train_gflops"), r.get("step_ms_median"),
                        orZero(r.get("gen_carried_cps")), orZero(r.get("gen_naive_cps")), r.get("kernel"), r.get("peak_rss_mb"));
                if (r.containsKey("gen_int8_cps")) {
                    out.printf(Locale.ROOT, "%-12s int8 generate %,8.0f chars/s against float32 %,8.0f (%.2fx; best of %d alternating rounds; weights %.1f MB for %.1f MB)%n",
                            c.name(), r.get("gen_int8_cps"), r.get("gen_float32_best_cps"), r.get("gen_int8_speedup"),
                            c.genRounds(), r.get("int8_weights_mb"), r.get("float32_weights_mb"));
                }
            }
            out.flush();
        }
        return 0;
    }

    private static double orZero(Object o) {
        return o == null ? 0 : (Double) o;
    }

    private Throughput.Config custom() {
        CellType c = CellType.parse(cell);
        return new Throughput.Config("custom", c, embed, hidden, layers, batch, seq, Batching.parse(mode),
                steps == null ? 200 : steps, warmup, lr, genChars, naiveChars == null ? 2000 : naiveChars,
                genWarmup, context, temperature, seed, warmupSeconds, minSeconds, clip, ModelOptions.int8(quantize), genRounds, shards == null ? 0 : shards);
    }

    private List<Throughput.Config> named(String name, Corpus text) {
        return switch (name) {
            case "lab" -> List.of(preset("lab-lstm", text), preset("lab-rnn", text));
            case "medium" -> List.of(preset("medium-lstm", text), preset("medium-gru", text));
            case "large" -> List.of(preset("large-lstm", text));
            case "all" -> List.of(preset("lab-lstm", text), preset("lab-rnn", text), preset("medium-lstm", text),
                    preset("medium-gru", text), preset("large-lstm", text));
            default -> List.of(preset(name, text));
        };
    }

    /** The table: same model, optimizer Adam 0.005, same data. */
    private Throughput.Config preset(String name, Corpus text) {
        boolean lab = name.startsWith("lab-");
        if (!List.of("lab-lstm", "lab-rnn", "medium-lstm", "medium-gru", "large-lstm").contains(name)) {
            throw new IllegalArgumentException("unknown configuration '" + name
                    + "': use lab-lstm, lab-rnn, medium-lstm, medium-gru, large-lstm, lab, medium, large or all");
        }
        if (!lab && corpus == null) {
            throw new IllegalArgumentException(name + " trains on about 1 MB of text: give --corpus FILE (the peer builds "
                    + "one with /usr/bin/python3 torch_bench.py --build-pycorpus FILE)");
        }
        int defaultSteps = lab ? 200 : name.startsWith("medium") ? 30 : 10;
        int st = steps == null ? defaultSteps : steps;
        int naive = naiveChars == null ? (name.startsWith("large") ? 200 : 2000) : naiveChars;
        return switch (name) {
            case "lab-lstm" -> cfg(name, CellType.LSTM, 64, 128, 1, 1, 40, Batching.WINDOWS, st, naive);
            case "lab-rnn" -> cfg(name, CellType.RNN_TANH, 64, 128, 1, 1, 40, Batching.WINDOWS, st, naive);
            case "medium-lstm" -> cfg(name, CellType.LSTM, 64, 256, 2, 32, 64, Batching.STREAM, st, naive);
            case "medium-gru" -> cfg(name, CellType.GRU, 64, 256, 2, 32, 64, Batching.STREAM, st, naive);
            case "large-lstm" -> cfg(name, CellType.LSTM, 128, 512, 2, 64, 100, Batching.STREAM, st, naive);
            default -> throw new IllegalStateException(name);
        };
    }

    private Throughput.Config cfg(String name, CellType c, int e, int h, int l, int b, int t, Batching m, int st, int naive) {
        return new Throughput.Config(name, c, e, h, l, b, t, m, st, warmup, lr, genChars, naive, genWarmup, context,
                temperature, seed, warmupSeconds, minSeconds, clip, ModelOptions.int8(quantize), genRounds, shards == null ? 0 : shards);
    }
}
