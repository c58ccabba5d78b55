package org.rnnlab.train;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.rnnlab.text.Corpora;

/**
 * A hyper-parameter sweep: every combination of a grid of settings trained as its own ordinary run, into its own
 * folder, and a table of the results sorted by validation bits per character. A combination is a pure function of
 * its settings ({@link #run}), so it can run anywhere ({@link Cluster#map}), and run again: a retried combination
 * continues its folder's checkpoint (the same run, so the same result) rather than start over.
 */
public final class Sweep {
    private Sweep() {}

    /**
     * A grid as {@code cell=lstm,gru hidden=128,256 lr=0.002,0.005}: settings separated by spaces, each a name (a
     * {@code train} option without its dashes) and its values separated by commas, in the order given.
     */
    public static LinkedHashMap<String, List<String>> parseGrid(String grid) {
        LinkedHashMap<String, List<String>> out = new LinkedHashMap<>();
        for (String part : grid.trim().split("\\s+")) {
            if (part.isEmpty()) continue;
            int eq = part.indexOf('=');
            if (eq <= 0 || eq == part.length() - 1) {
                throw new IllegalArgumentException("--grid: '" + part + "' is not NAME=V1,V2,... (e.g. 'cell=lstm,gru "
                        + "hidden=128,256')");
            }
            String name = part.substring(0, eq).replaceFirst("^--", "");
            List<String> values = new ArrayList<>();
            for (String v : part.substring(eq + 1).split(",", -1)) {
                if (v.isEmpty()) throw new IllegalArgumentException("--grid: " + name + " has an empty value in '" + part + "'");
                if (values.contains(v)) throw new IllegalArgumentException("--grid: " + name + " lists " + v + " twice");
                values.add(v);
            }
            if (out.put(name, values) != null) throw new IllegalArgumentException("--grid names " + name + " twice");
        }
        if (out.isEmpty()) throw new IllegalArgumentException("--grid is empty: give e.g. 'cell=lstm,gru hidden=128,256'");
        return out;
    }

    /** Every combination, the first setting changing slowest; each a map from name to value in the grid's order. */
    public static List<LinkedHashMap<String, String>> combinations(LinkedHashMap<String, List<String>> grid) {
        List<LinkedHashMap<String, String>> out = new ArrayList<>();
        out.add(new LinkedHashMap<>());
        for (Map.Entry<String, List<String>> e : grid.entrySet()) {
            List<LinkedHashMap<String, String>> next = new ArrayList<>();
            for (LinkedHashMap<String, String> partial : out) {
                for (String v : e.getValue()) {
                    LinkedHashMap<String, String> c = new LinkedHashMap<>(partial);
                    c.put(e.getKey(), v);
                    next.add(c);
                }
            }
            out = next;
        }
        return out;
    }

    /** A combination's folder name: {@code cell-lstm_hidden-128_lr-0.002}, characters unsafe in a path as '-'. */
    public static String folderName(Map<String, String> settings) {
        StringBuilder sb = new StringBuilder();
        settings.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : "_").append(k).append('-').append(v));
        return sb.toString().replaceAll("[^A-Za-z0-9._-]", "-");
    }

    /** One combination to train: its place in the grid, its settings, the whole config and its folder. */
    public record Job(int index, LinkedHashMap<String, String> settings, String config, String out)
            implements Serializable {}

    /**
     * One combination's result. {@code error} is null for a run that trained, else one line saying why not (a
     * diverged run, a failure); then the figures are NaN or 0.
     */
    public record Row(int index, LinkedHashMap<String, String> settings, long steps, double bestValLoss,
                      double bestValBpc, long bestStep, double seconds, double charsPerSecond, String checkpoint,
                      String error) implements Serializable {}

    /**
     * Trains one combination, or continues it from its folder's {@code last.safetensors} when an earlier attempt
     * got that far. Never throws: a failure is a row with its error.
     */
    public static Row run(Job job) {
        Path out = Path.of(job.out());
        try {
            TrainConfig config = TrainConfig.fromJson(job.config());
            TrainData data = TrainData.of(Corpora.load(config.corpus()), config.val(), config.test());
            Path last = out.resolve(Checkpoint.LAST);
            try (Trainer t = Files.isRegularFile(last)
                    ? Trainer.resume(Checkpoint.read(last), data, config, out) : Trainer.create(config, data, out)) {
                Trainer.Result r = t.run(new Trainer.Listener() {});
                TrainState s = t.state();
                Path best = out.resolve(Checkpoint.BEST);
                String checkpoint = (Files.isRegularFile(best) ? best : last).toString();
                double seconds = s.seconds();
                String error = r.stop() == Trainer.Stop.DIVERGED ? "diverged: " + r.message() : null;
                double bpc = r.bestValLoss() / Math.log(2);
                return new Row(job.index(), job.settings(), r.step(), r.bestValLoss(), bpc, r.bestStep(), seconds,
                        seconds > 0 ? s.chars() / seconds : 0, checkpoint, error);
            }
        } catch (Exception | OutOfMemoryError e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
            return new Row(job.index(), job.settings(), 0, Double.NaN, Double.NaN, -1, 0, 0, null, why);
        }
    }

    /** Best validation bpc first; rows without one (errors, no validation text) after, in grid order. */
    public static List<Row> sorted(List<Row> rows) {
        List<Row> out = new ArrayList<>(rows);
        out.sort(Comparator.comparing((Row r) -> r.error() != null || !Double.isFinite(r.bestValBpc()))
                .thenComparingDouble(r -> Double.isFinite(r.bestValBpc()) ? r.bestValBpc() : 0)
                .thenComparingInt(Row::index));
        return out;
    }

    /** The table as the terminal shows it: one line a combination, aligned. */
    public static String table(List<Row> rows) {
        List<String> names = rows.isEmpty() ? List.of() : new ArrayList<>(rows.get(0).settings().keySet());
        List<String[]> cells = new ArrayList<>();
        List<String> header = new ArrayList<>(names);
        header.addAll(List.of("steps", "val loss", "val bpc", "time s", "chars/s", "checkpoint or error"));
        cells.add(header.toArray(String[]::new));
        for (Row r : rows) {
            List<String> c = new ArrayList<>();
            for (String n : names) c.add(r.settings().get(n));
            c.add(Long.toString(r.steps()));
            c.add(Double.isFinite(r.bestValLoss()) ? String.format(Locale.ROOT, "%.4f", r.bestValLoss()) : "-");
            c.add(Double.isFinite(r.bestValBpc()) ? String.format(Locale.ROOT, "%.3f", r.bestValBpc()) : "-");
            c.add(String.format(Locale.ROOT, "%.1f", r.seconds()));
            c.add(String.format(Locale.ROOT, "%.0f", r.charsPerSecond()));
            c.add(r.error() != null ? "error: " + r.error() : r.checkpoint());
            cells.add(c.toArray(String[]::new));
        }
        int[] width = new int[header.size()];
        for (String[] row : cells) for (int i = 0; i < row.length; i++) width[i] = Math.max(width[i], row[i].length());
        StringBuilder sb = new StringBuilder();
        for (String[] row : cells) {
            for (int i = 0; i < row.length; i++) {
                boolean last = i == row.length - 1;
                sb.append(last ? row[i] : String.format("%-" + width[i] + "s  ", row[i]));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** {@code OUT/sweep.csv} and {@code OUT/sweep.json}, each written whole or not at all. */
    public static void write(Path out, List<Row> rows) throws IOException {
        List<Map<String, Object>> records = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> m = new LinkedHashMap<>(r.settings());
            m.put("steps", r.steps());
            m.put("best_val_loss", finite(r.bestValLoss()));
            m.put("best_val_bpc", finite(r.bestValBpc()));
            m.put("best_step", r.bestStep());
            m.put("seconds", r.seconds());
            m.put("chars_per_second", r.charsPerSecond());
            m.put("checkpoint", r.checkpoint());
            m.put("error", r.error());
            records.add(m);
        }
        org.rnnlab.io.AtomicFiles.write(out.resolve("sweep.json"),
                o -> TrainJson.MAPPER.writerWithDefaultPrettyPrinter().writeValue(o, records));
        StringBuilder csv = new StringBuilder();
        if (!records.isEmpty()) {
            csv.append(String.join(",", records.get(0).keySet())).append('\n');
            for (Map<String, Object> m : records) {
                List<String> fields = new ArrayList<>();
                for (Object v : m.values()) fields.add(csvField(v == null ? "" : v.toString()));
                csv.append(String.join(",", fields)).append('\n');
            }
        }
        org.rnnlab.io.AtomicFiles.write(out.resolve("sweep.csv"),
                o -> o.write(csv.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    private static Object finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static String csvField(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }
}
