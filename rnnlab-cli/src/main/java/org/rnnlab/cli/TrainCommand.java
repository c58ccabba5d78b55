package org.rnnlab.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.rnnlab.model.CellType;
import org.rnnlab.text.Corpora;
import org.rnnlab.text.Corpus;
import org.rnnlab.train.Batchers;
import org.rnnlab.train.Batching;
import org.rnnlab.train.Checkpoint;
import org.rnnlab.train.MetricsHistory;
import org.rnnlab.Score;
import org.rnnlab.train.TrainConfig;
import org.rnnlab.train.Cluster;
import org.rnnlab.train.LocalShards;
import org.rnnlab.train.StepEngine;
import org.rnnlab.train.TrainData;
import org.rnnlab.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code rnnlab train}: a thin adapter from options to {@link TrainConfig} and {@link Trainer}. Options left out
 * keep the notebook's defaults (or, with {@code --resume}, the checkpoint's settings); evaluation lines and the
 * summary go to stdout, progress and notices to stderr.
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {"Train a character model on any text, with validation, checkpoints and exact resume.", "",
            "Defaults are the lab notebook's: LSTM, embedding 64, hidden 128, one layer, Adam 0.005, windows of 40 "
                    + "characters, batch 1, 5 epochs.", "",
            "After every epoch (and every --eval-every steps) the held-out --val text is scored as one stream, a line "
                    + "of metrics is printed, and DIR/last.safetensors (always), DIR/best.safetensors (when the "
                    + "validation loss improved) and DIR/metrics.csv are written. Ctrl-C saves DIR/last.safetensors "
                    + "before exiting; --resume continues a run exactly where it stopped.", ""},
        footer = {"", "Examples:",
            "  rnnlab train --out runs/lab           the notebook's LSTM on its lab lines",
            "  rnnlab train --corpus book.txt --mode stream --batch 32 --seq 64 \\",
            "               --steps 2000 --eval-every 200 --out runs/book",
            "  rnnlab train --resume runs/book/last.safetensors --steps 4000",
            "                                        continue, to 4000 steps in all",
            "  rnnlab eval --model runs/book/best.safetensors --corpus other.txt",
            "", "Exit codes: 0 done, 1 diverged (NaN loss) or I/O error, 2 bad input,",
            "130 interrupted by Ctrl-C (143 by SIGTERM), the checkpoint saved."})
final class TrainCommand implements Callable<Integer> {
    /** The exit code of a run stopped by Ctrl-C (128 + SIGINT), as shells report it. */
    static final int EXIT_INTERRUPTED = 130;

    @Spec
    CommandSpec spec;

    @Option(names = "--corpus", paramLabel = "FILE|DIR|lab|wikitext",
            description = "The text: a UTF-8 file, a folder of them, 'lab' (the notebook's lines; the default) or "
                    + "'wikitext' (WikiText-2's training text, lowercased as the notebook does).")
    String corpus;

    @Option(names = "--mix", paramLabel = "N",
            description = "The notebook's mixed text: the lab lines, then the first N characters of WikiText-2.")
    Integer mix;

    @Option(names = "--val", paramLabel = "F", description = "Fraction held out at the end for validation (default 0.05; 0: none).")
    Double val;

    @Option(names = "--test", paramLabel = "F", description = "Fraction held out after it, scored once at the end (default 0).")
    Double test;

    @Option(names = "--cell", paramLabel = "rnn|rnn_relu|lstm|gru", description = "The recurrent cell (default lstm).")
    String cell;

    @Option(names = "--embed", paramLabel = "E", description = "Embedding size (default 64).")
    Integer embed;

    @Option(names = "--hidden", paramLabel = "H", description = "Hidden units per layer (default 128).")
    Integer hidden;

    @Option(names = "--layers", paramLabel = "L", description = "Recurrent layers (default 1).")
    Integer layers;

    @Option(names = "--dropout", paramLabel = "P", description = "Dropout between layers in training (default 0).")
    Double dropout;

    @Option(names = "--mode", paramLabel = "windows|stream",
            description = "windows: every slice of seq+1 characters, shuffled, fresh state (the notebook's; default). "
                    + "stream: B contiguous streams, state carried between batches (char-rnn's).")
    String mode;

    @Option(names = "--batch", paramLabel = "B", description = "Sequences per batch (default 1).")
    Integer batch;

    @Option(names = "--seq", paramLabel = "T", description = "Characters per sequence (default 40).")
    Integer seq;

    @Option(names = "--optimizer", paramLabel = "NAME", description = "sgd, adam, adamw, adagrad or rmsprop (default adam).")
    String optimizer;

    @Option(names = "--lr", paramLabel = "X", description = "Learning rate (default 0.005).")
    Double lr;

    @Option(names = "--momentum", paramLabel = "X", description = "Momentum for sgd and rmsprop (default 0).")
    Double momentum;

    @Option(names = "--weight-decay", paramLabel = "X", description = "L2 weight decay (default 0; adamw 0.01).")
    Double weightDecay;

    @Option(names = "--clip", paramLabel = "NORM", description = "Clip the gradients' global L2 norm (default: off).")
    Double clip;

    @Option(names = "--clip-value", paramLabel = "V", description = "Clamp each gradient to [-V, V] (default: off).")
    Double clipValue;

    @Option(names = "--schedule", paramLabel = "none|step|plateau",
            description = "Learning-rate decay at each evaluation: step (every --lr-every) or plateau "
                    + "(after --lr-patience without a better validation loss). Default none.")
    String schedule;

    @Option(names = "--lr-decay", paramLabel = "F", description = "The schedule's factor (default 0.5).")
    Double lrDecay;

    @Option(names = "--lr-every", paramLabel = "N", description = "step schedule: decay every N evaluations (default 1).")
    Integer lrEvery;

    @Option(names = "--lr-patience", paramLabel = "N", description = "plateau schedule: evaluations to wait (default 2).")
    Integer lrPatience;

    @Option(names = "--epochs", paramLabel = "N", description = "Stop after N epochs (default 5 when no budget is given).")
    Long epochs;

    @Option(names = "--steps", paramLabel = "N", description = "Stop after N optimizer steps in all.")
    Long steps;

    @Option(names = "--minutes", paramLabel = "M", description = "Stop after M minutes of this session.")
    Double minutes;

    @Option(names = "--eval-every", paramLabel = "N", description = "Also evaluate and save every N steps (default: epoch ends only).")
    Long evalEvery;

    @Option(names = "--patience", paramLabel = "N",
            description = "Early stopping: stop after N evaluations without a better validation loss (default: off).")
    Integer patience;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the weights, shuffling and dropout (default 0).")
    Long seed;

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads for the kernels, 1.." + org.rnnlab.kernel.Parallelism.MAX_THREADS + " (default: every processor; the results do not depend on it).")
    Integer threads;

    @Option(names = "--out", paramLabel = "DIR", description = "Where checkpoints and metrics.csv go (required for a new run).")
    Path outDir;

    @Option(names = "--resume", paramLabel = "CHECKPOINT",
            description = "Continue the run saved in CHECKPOINT exactly; only --epochs, --steps, --minutes, --patience, "
                    + "--threads and --shards may change. --corpus defaults to the run's own (another path must hold the same "
                    + "text), --out to the checkpoint's folder.")
    Path resume;

    @Option(names = "--spark", paramLabel = "MASTER", arity = "0..1", fallbackValue = "",
            description = "Compute each step's forward and backward passes on Apache Spark: local[N], spark://HOST:7077, "
                    + "or, given alone, the master spark-submit was given. Everything else (batches, the optimizer, "
                    + "checkpoints) stays here; the run is the one-machine run of the same --batch, to float rounding.")
    String spark;

    @Option(names = "--tasks", paramLabel = "P",
            description = "With --spark: shards each batch is cut into, one Spark task each (default: the cluster's task slots).")
    Integer tasks;

    @Option(names = "--sync-every", paramLabel = "K",
            description = "With --spark: each shard takes K local steps on its own rows, then the weights (and the "
                    + "optimizer's state) are averaged, instead of the gradients at every step: K times less traffic, "
                    + "a different run (default 1).")
    Integer syncEvery;

    @Option(names = "--shards", paramLabel = "P",
            description = "Cut each batch into P shards of rows, each one thread's whole forward and backward pass, the "
                    + "gradients summed in shard order: faster than splitting every product when shards keep 8 or more "
                    + "rows, and on a busy machine. The run of the same --batch to float rounding (the bits of --spark "
                    + "with --tasks P); may change on --resume (default: off).")
    Integer shards;

    @Option(names = "--progress", paramLabel = "auto|bar|lines|off", defaultValue = "auto",
            description = "Progress on stderr: a bar on a terminal, a plain line every 10 s otherwise (default auto).")
    String progress;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Progress.Style style = progress.equalsIgnoreCase("auto")
                ? (Terminal.stderrIsTerminal() ? Progress.Style.BAR : Progress.Style.LINES)
                : Progress.Style.parse(progress);

        if (resume != null && !Files.isRegularFile(resume)) {
            throw new IllegalArgumentException("--resume " + resume + ": no such file (a checkpoint is DIR/"
                    + Checkpoint.LAST + " or DIR/" + Checkpoint.BEST + " of an earlier run)");
        }
        Checkpoint checkpoint = resume == null ? null : Checkpoint.read(resume);
        TrainConfig config = config(checkpoint);
        Path dir = outDir != null ? outDir : checkpoint == null ? null
                : resume.getParent() != null ? resume.getParent() : resume.toAbsolutePath().getParent();
        if (dir == null) {
            throw new IllegalArgumentException("--out DIR is required: the folder for checkpoints and metrics.csv");
        }
        if (checkpoint != null && corpus == null && Corpora.isPath(config.corpus())
                && !Files.exists(Path.of(config.corpus()))) {
            throw new IllegalArgumentException("the run's text, " + config.corpus() + ", is gone: give --corpus with "
                    + "the same text");
        }
        // Read the text by the name the user gave (messages show it); the config records it as an absolute path.
        Corpus text = Corpora.load(corpus != null && Corpora.isPath(config.corpus()) ? corpus : config.corpus());
        TrainData data = TrainData.of(text, config.val(), config.test());
        // The kernels' thread pool: all processors unless --threads says otherwise (results do not depend on it).
        if (threads != null) org.rnnlab.kernel.Parallelism.setThreads(threads);
        // The trainer holds the run folder from here (refusing another run's, or one in use) to the end of its run.
        if (tasks != null && spark == null) throw new IllegalArgumentException("--tasks needs --spark");
        if (syncEvery != null && spark == null) throw new IllegalArgumentException("--sync-every needs --spark");
        if (syncEvery != null && syncEvery < 1) {
            throw new IllegalArgumentException("--sync-every must be at least 1, got " + syncEvery);
        }
        if (tasks != null && tasks < 1) throw new IllegalArgumentException("--tasks must be at least 1, got " + tasks);
        if (shards != null && spark != null) {
            throw new IllegalArgumentException("--shards splits a batch over this machine's threads; with --spark, --tasks "
                    + "sets the shards");
        }
        if (shards != null && shards < 1) throw new IllegalArgumentException("--shards must be at least 1, got " + shards);
        try (Trainer trainer = checkpoint == null ? Trainer.create(config, data, dir)
                : Trainer.resume(checkpoint, data, config, dir);
             Cluster cluster = spark == null ? null : Cluster.connect(spark.isEmpty() ? null : spark);
             StepEngine engine = cluster == null ? (shards == null ? null : new LocalShards(shards, config.seed()))
                     : cluster.engine(tasks != null ? tasks : cluster.parallelism(), config.seed(),
                             syncEvery != null ? syncEvery : 1)) {
            trainer.computeWith(engine);
            try {
                return train(trainer, text, data, checkpoint != null, style, dir, out, err);
            } finally {
                if (engine != null && engine.timings() != null) err.println("rnnlab train: " + engine.timings());
            }
        }
    }

    private int train(Trainer trainer, Corpus text, TrainData data, boolean resumed, Progress.Style style, Path dir,
                      PrintWriter out, PrintWriter err) throws IOException {
        for (String w : trainer.warnings()) err.println("rnnlab train: warning: " + w);
        String spent = budgetSpent(trainer);
        if (spent != null) throw new IllegalArgumentException(spent);

        err.println("rnnlab train: " + text.name() + (text.files().size() > 1 ? " (" + text.files().size() + " files)" : "")
                + ": " + text.length() + " characters; " + data.summary());
        err.println("rnnlab train: " + describe(trainer) + (resumed ? "; resumed at step " + trainer.step() : ""));
        if (trainer.engine() != null) err.println("rnnlab train: " + trainer.engine().describe());

        Progress display = Progress.of(style, err, style == Progress.Style.BAR ? Terminal.width() : 0,
                Duration.ofSeconds(10));
        Trainer.Listener listener = new Trainer.Listener() {
            @Override
            public void started(Trainer t) {
                display.started(t);
            }

            @Override
            public void stepped(Trainer t, double loss) {
                display.stepped(t, loss);
            }

            @Override
            public void evaluating(Trainer t) {
                display.evaluating(t);
            }

            @Override
            public void evaluated(Trainer t, MetricsHistory.Row row, boolean best) {
                display.evaluated(t, row, best);
                display.printAbove(() -> {
                    out.println(line(row, best));
                    out.flush();
                });
            }

            @Override
            public void finished(Trainer t, Trainer.Result result) {
                display.finished(t, result);
            }
        };

        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            trainer.requestStop();
            try {
                done.await(5, TimeUnit.MINUTES); // the loop saves at its next step boundary, then counts down
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "rnnlab-save-on-exit");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            Trainer.Result r = trainer.run(listener);
            return report(r, trainer, dir, out, err);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: the JVM exits when it returns, so count down only once all is said
            }
            out.flush();
            err.flush();
            done.countDown();
        }
    }

    /** The run's config: the checkpoint's (or the notebook defaults) with every option given on top. */
    TrainConfig config(Checkpoint checkpoint) {
        TrainConfig.Builder b = checkpoint != null ? checkpoint.config().toBuilder() : TrainConfig.builder();
        if (corpus != null || mix != null || checkpoint == null) b.corpus(Corpora.spec(corpus, mix));
        if (val != null) b.val(val);
        if (test != null) b.test(test);
        if (cell != null) b.cell(CellType.parse(cell));
        if (embed != null) b.embed(embed);
        if (hidden != null) b.hidden(hidden);
        if (layers != null) b.layers(layers);
        if (dropout != null) b.dropout(dropout);
        if (mode != null) b.mode(Batching.parse(mode));
        if (batch != null) b.batch(batch);
        if (seq != null) b.seq(seq);
        if (optimizer != null) {
            TrainConfig.OptimizerName o = TrainConfig.OptimizerName.parse(optimizer);
            b.optimizer(o);
            if (checkpoint == null && o == TrainConfig.OptimizerName.ADAMW && weightDecay == null) b.weightDecay(0.01);
        }
        if (lr != null) b.lr(lr);
        if (momentum != null) b.momentum(momentum);
        if (weightDecay != null) b.weightDecay(weightDecay);
        if (clip != null) b.clipNorm(clip);
        if (clipValue != null) b.clipValue(clipValue);
        if (schedule != null) b.schedule(TrainConfig.Schedule.parse(schedule));
        if (lrDecay != null) b.lrDecay(lrDecay);
        if (lrEvery != null) b.lrEvery(lrEvery);
        if (lrPatience != null) b.lrPatience(lrPatience);
        if (epochs != null || steps != null || minutes != null) { // a budget given replaces the whole budget
            b.epochs(epochs == null ? 0 : epochs).steps(steps == null ? 0 : steps).minutes(minutes == null ? 0 : minutes);
        }
        if (evalEvery != null) b.evalEvery(evalEvery);
        if (patience != null) b.patience(patience);
        if (seed != null) b.seed(seed);
        return b.build();
    }

    /** Why a resumed run has nothing left to do, or null. */
    private static String budgetSpent(Trainer t) {
        TrainConfig c = t.config();
        if (c.steps() > 0 && t.step() >= c.steps()) {
            return "the run is already at step " + t.step() + " of --steps " + c.steps()
                    + ": give a larger --steps (or --epochs) to train further";
        }
        if (c.epochs() > 0 && t.batcher().epoch() >= c.epochs()) {
            return "the run has already done its " + c.epochs() + " epochs (step " + t.step()
                    + "): give a larger --epochs (or --steps) to train further";
        }
        return null;
    }

    private static String describe(Trainer t) {
        TrainConfig c = t.config();
        String clipping = c.clipNorm() > 0 ? ", clip norm " + c.clipNorm() : c.clipValue() > 0 ? ", clip value " + c.clipValue() : "";
        return String.format(Locale.ROOT, "%s E %d H %d L %d (%,d parameters); %s mode, batch %d x %d characters, "
                        + "%d steps per epoch; %s lr %s%s; seed %d; checkpoints in %s",
                c.cell().id(), c.embed(), c.hidden(), c.layers(), t.model().config().parameterCount(), c.mode().id(),
                t.batcher().batchSize(), c.seq(), t.batcher().batchesPerEpoch(), c.optimizer().id(),
                t.optimizer().learningRate(), clipping, c.seed(), t.out());
    }

    /** One evaluation as a line of results. */
    static String line(MetricsHistory.Row r, boolean best) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "step %d  epoch %.2f  train loss %.4f (%.3f bpc, acc %.1f%%)",
                r.step(), r.epoch(), r.trainLoss(), r.trainBpc(), 100 * r.trainAccuracy()));
        if (r.hasVal()) {
            sb.append(String.format(Locale.ROOT, "  val loss %.4f (%.3f bpc, acc %.1f%%, ppl %.2f)", r.valLoss(), r.valBpc(),
                    100 * r.valAccuracy(), r.valPerplexity()));
        }
        sb.append(String.format(Locale.ROOT, "  lr %s  %s chars/s", r.lr(), Progress.compact(r.charsPerSecond())));
        if (best) sb.append("  *best");
        return sb.toString();
    }

    private static int report(Trainer.Result r, Trainer t, Path dir, PrintWriter out, PrintWriter err) {
        Path last = dir.resolve(Checkpoint.LAST);
        switch (r.stop()) {
            case DIVERGED -> {
                err.println("rnnlab train: " + r.message());
                return 1;
            }
            case INTERRUPTED -> {
                err.println("rnnlab train: interrupted at step " + r.step() + "; saved " + last
                        + "; continue with: rnnlab train --resume " + last);
                return EXIT_INTERRUPTED;
            }
            default -> { }
        }
        String why = switch (r.stop()) {
            case EPOCHS -> t.config().epochs() + " epochs done";
            case STEPS -> t.config().steps() + " steps done";
            case TIME -> t.config().minutes() + " minutes spent";
            case EARLY_STOP -> "stopped early: " + r.message();
            default -> r.stop().id();
        };
        out.println(String.format(Locale.ROOT, "%s at step %d (epoch %.2f)", why, r.step(), r.epoch()));
        if (r.bestStep() >= 0) {
            MetricsHistory.Row best = t.history().rows().stream().filter(x -> x.step() == r.bestStep()).findFirst()
                    .orElseThrow();
            out.println(String.format(Locale.ROOT, "best val loss %.4f (%.3f bpc, acc %.1f%%, ppl %.2f) at step %d: %s",
                    best.valLoss(), best.valBpc(), 100 * best.valAccuracy(), best.valPerplexity(), best.step(),
                    dir.resolve(Checkpoint.BEST)));
        }
        Score test = r.test();
        if (test != null) {
            out.println(String.format(Locale.ROOT, "test loss %.4f (%.3f bpc, acc %.1f%%, ppl %.2f) over %d characters",
                    test.loss(), test.bpc(), 100 * test.accuracy(), test.perplexity(), test.chars()));
        }
        out.println("last checkpoint " + last + "; metrics " + dir.resolve(Checkpoint.METRICS_CSV));
        return 0;
    }
}
