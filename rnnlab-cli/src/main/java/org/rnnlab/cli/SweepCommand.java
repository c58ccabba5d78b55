package org.rnnlab.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.rnnlab.train.Cluster;
import org.rnnlab.train.Sweep;
import org.rnnlab.train.TrainConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;
import picocli.CommandLine.Model.CommandSpec;

/** {@code rnnlab sweep}: every combination of a grid of train settings, one ordinary run each, and their table. */
@Command(
        name = "sweep",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {"Train every combination of a grid of settings and rank them by validation bits per character.", "",
            "Each combination is an ordinary training run (the train options after the sweep's own ones apply to every",
            "one) into its own folder under --out; with --spark each is one Spark task, run on an executor, so --out and",
            "the corpus must be on a path every executor reaches. The table goes to stdout and to OUT/sweep.csv and",
            "OUT/sweep.json. A combination that diverges or fails is a row with its error; run the same sweep again to",
            "continue the combinations that did not finish."},
        footer = {"", "Examples:",
            "  rnnlab sweep --grid 'cell=lstm,gru hidden=128,256' --out runs/sweep --corpus book.txt --steps 2000",
            "  rnnlab sweep --spark spark://head:7077 --grid 'lr=0.001,0.002,0.005' --out /shared/sweep \\",
            "               --corpus /shared/book.txt --mode stream --batch 32 --seq 64 --steps 5000"})
final class SweepCommand implements Callable<Integer> {
    /** Train options that belong to a sweep as a whole, or to one run on one machine, not to a combination. */
    private static final Set<String> NOT_PER_RUN = Set.of("--out", "--resume", "--spark", "--tasks", "--progress");

    @Spec
    CommandSpec spec;

    @Option(names = "--grid", required = true, paramLabel = "'NAME=V1,V2 ...'",
            description = "The settings to vary: train options without their dashes, each with its values, e.g. "
                    + "'cell=lstm,gru hidden=128,256 lr=0.002,0.005'.")
    String grid;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "Where each combination's folder and the table go (with --spark: a path every executor reaches).")
    Path out;

    @Option(names = "--spark", paramLabel = "MASTER", arity = "0..1", fallbackValue = "",
            description = "Run each combination as one Spark task: local[N], spark://HOST:7077, or, given alone, "
                    + "spark-submit's master. Without it the combinations run here, one after another.")
    String spark;

    @Unmatched
    List<String> trainOptions = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        for (String o : trainOptions) {
            String name = o.contains("=") ? o.substring(0, o.indexOf('=')) : o;
            if (NOT_PER_RUN.contains(name)) {
                throw new IllegalArgumentException(name + " is the sweep's own (or one run's), not a setting for each "
                        + "combination: give it before the train options, once");
            }
        }
        LinkedHashMap<String, List<String>> settings = Sweep.parseGrid(grid);
        List<Sweep.Job> jobs = new ArrayList<>();
        for (LinkedHashMap<String, String> combination : Sweep.combinations(settings)) {
            jobs.add(new Sweep.Job(jobs.size(), combination, config(combination).toJson(),
                    out.resolve(Sweep.folderName(combination)).toAbsolutePath().toString()));
        }
        Files.createDirectories(out);
        List<Sweep.Row> rows;
        if (spark != null) {
            try (Cluster cluster = Cluster.connect(spark.isEmpty() ? null : spark)) {
                err.println("rnnlab sweep: " + jobs.size() + " combinations, one task each, on " + cluster.describe());
                err.flush();
                rows = cluster.map(jobs, Sweep::run);
            }
        } else {
            rows = new ArrayList<>();
            for (Sweep.Job j : jobs) {
                err.println("rnnlab sweep: " + (j.index() + 1) + "/" + jobs.size() + ": " + j.settings());
                err.flush();
                rows.add(Sweep.run(j));
            }
        }
        List<Sweep.Row> table = Sweep.sorted(rows);
        Sweep.write(out, table);
        stdout.print(Sweep.table(table));
        stdout.flush();
        long failed = table.stream().filter(r -> r.error() != null).count();
        err.println("rnnlab sweep: wrote " + out.resolve("sweep.csv") + " and " + out.resolve("sweep.json")
                + (failed > 0 ? "; " + failed + " of " + table.size() + " combinations failed" : "")
                + (table.get(0).error() == null ? "; best: " + table.get(0).checkpoint() : ""));
        return failed == table.size() ? 1 : 0;
    }

    /** The train options with the combination's settings, read exactly as {@code rnnlab train} reads them. */
    private TrainConfig config(Map<String, String> combination) {
        List<String> args = new ArrayList<>(trainOptions);
        combination.forEach((k, v) -> {
            args.add("--" + k);
            args.add(v);
        });
        TrainCommand train = new TrainCommand();
        try {
            new CommandLine(train).parseArgs(args.toArray(String[]::new));
            return train.config(null);
        } catch (CommandLine.UnmatchedArgumentException e) {
            String unknown = e.getUnmatched().get(0);
            String setting = unknown.replaceFirst("^--", "");
            throw new IllegalArgumentException((combination.containsKey(setting) ? "--grid: '" + setting + "'"
                    : "'" + unknown + "'") + " is not one of train's options (the grid names them without their "
                    + "dashes: see 'rnnlab train --help')", e);
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException("--grid " + combination + ": " + e.getMessage()
                    + " (settings are train's options without their dashes: see 'rnnlab train --help')", e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--grid " + combination + ": " + e.getMessage(), e);
        }
    }
}
