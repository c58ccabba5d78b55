package org.rnnlab.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;
import org.rnnlab.train.MetricsHistory;
import org.rnnlab.train.Trainer;

/**
 * How a run shows its progress on the diagnostics stream (stderr), as a {@link Trainer.Listener}:
 * <ul>
 *   <li>{@link Style#BAR}, on a terminal: me.tongfei's progress bar, redrawn in place, with steps done, ETA, and the
 *       recent loss and characters per second;</li>
 *   <li>{@link Style#LINES}, for logs and pipes: one plain line every {@code every} (step, epoch, loss, lr,
 *       characters per second, ETA), nothing redrawn;</li>
 *   <li>{@link Style#OFF}: nothing.</li>
 * </ul>
 * Results (the evaluation lines) go elsewhere; {@link #printAbove} prints one without tearing the bar.
 */
public abstract class Progress implements Trainer.Listener {
    public enum Style {
        BAR, LINES, OFF;

        public static Style parse(String s) {
            for (Style x : values()) {
                if (x.name().equalsIgnoreCase(s)) return x;
            }
            throw new IllegalArgumentException("unknown progress style '" + s + "': use auto, bar, lines or off");
        }
    }

    /** The loss shown is an exponential moving average over about the last 50 steps. */
    private static final double SMOOTHING = 0.98;

    protected final PrintWriter err;
    private double smoothLoss = Double.NaN;
    private long sessionFirstStep;
    private long sessionStart;
    private long windowStep;
    private long windowStart;
    private double rate = Double.NaN;

    protected Progress(PrintWriter err) {
        this.err = err;
    }

    /** A progress display of the given style writing to {@code err}; {@code width} is the terminal's, for the bar. */
    public static Progress of(Style style, PrintWriter err, int width, Duration every) {
        return switch (style) {
            case BAR -> new Bar(err, width);
            case LINES -> new Lines(err, every);
            case OFF -> new Progress(err) {};
        };
    }

    /** Runs {@code print} (which writes a result line elsewhere) so that the bar is not torn by it. */
    public void printAbove(Runnable print) {
        print.run();
    }

    @Override
    public void started(Trainer trainer) {
        sessionFirstStep = trainer.step();
        sessionStart = System.nanoTime();
        windowStep = trainer.step();
        windowStart = sessionStart;
    }

    @Override
    public void stepped(Trainer trainer, double loss) {
        smoothLoss = Double.isNaN(smoothLoss) ? loss : SMOOTHING * smoothLoss + (1 - SMOOTHING) * loss;
        long now = System.nanoTime();
        if (now - windowStart >= 2_000_000_000L) { // characters per second over the last two seconds or so
            rate = (trainer.step() - windowStep) * (double) trainer.charsPerStep() / ((now - windowStart) / 1e9);
            windowStep = trainer.step();
            windowStart = now;
        } else if (Double.isNaN(rate) && now > windowStart) {
            rate = (trainer.step() - windowStep) * (double) trainer.charsPerStep() / ((now - windowStart) / 1e9);
        }
    }

    /** Restarts the speed window, so that the evaluation's time does not count as training time. */
    @Override
    public void evaluated(Trainer trainer, MetricsHistory.Row row, boolean best) {
        windowStep = trainer.step();
        windowStart = System.nanoTime();
    }

    /** The smoothed loss and recent speed: {@code loss 2.3456 · 14.2k chars/s}. */
    protected String summary() {
        return String.format(Locale.ROOT, "loss %.4f · %s chars/s", smoothLoss, compact(rate));
    }

    /** Seconds until the step budget is reached at this session's pace, or -1 when unknown. */
    protected double etaSeconds(Trainer trainer) {
        long total = trainer.totalSteps();
        long done = trainer.step() - sessionFirstStep;
        if (total < 0 || done <= 0) return -1;
        double perStep = (System.nanoTime() - sessionStart) / 1e9 / done;
        return Math.max(0, total - trainer.step()) * perStep;
    }

    /** 950, 14.2k, 3.1M. */
    public static String compact(double x) {
        if (Double.isNaN(x)) return "?";
        if (x >= 1e6) return String.format(Locale.ROOT, "%.1fM", x / 1e6);
        if (x >= 1e3) return String.format(Locale.ROOT, "%.1fk", x / 1e3);
        return String.format(Locale.ROOT, "%.0f", x);
    }

    /** 42s, 3m05s, 2h07m. */
    public static String duration(double seconds) {
        if (seconds < 0) return "?";
        long s = Math.round(seconds);
        if (s < 60) return s + "s";
        if (s < 3600) return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60);
    }

    /** Plain lines, one every {@code every}: for logs, CI and pipes. */
    static final class Lines extends Progress {
        private final long everyNanos;
        private long lastLine;

        Lines(PrintWriter err, Duration every) {
            super(err);
            this.everyNanos = every.toNanos();
        }

        @Override
        public void started(Trainer trainer) {
            super.started(trainer);
            lastLine = System.nanoTime();
        }

        @Override
        public void stepped(Trainer trainer, double loss) {
            super.stepped(trainer, loss);
            long now = System.nanoTime();
            if (now - lastLine < everyNanos) return;
            lastLine = now;
            long total = trainer.totalSteps();
            err.println(String.format(Locale.ROOT, "step %d%s · epoch %.2f · %s · lr %s · ETA %s", trainer.step(),
                    total > 0 ? "/" + total : "", trainer.epochProgress(), summary(),
                    trainer.optimizer().learningRate(), duration(etaSeconds(trainer))));
        }
    }

    /** The terminal progress bar (me.tongfei:progressbar), drawn on one line that results are printed above. */
    static final class Bar extends Progress {
        private final int width;
        private final Object lock = new Object();
        private ProgressBar bar;

        Bar(PrintWriter err, int width) {
            super(err);
            this.width = width;
        }

        @Override
        public void started(Trainer trainer) {
            super.started(trainer);
            long total = trainer.totalSteps();
            bar = new ProgressBarBuilder()
                    .setTaskName("train")
                    .setInitialMax(total)
                    .startsFrom(trainer.step(), Duration.ZERO)
                    .setStyle(ProgressBarStyle.UNICODE_BLOCK)
                    .setUpdateIntervalMillis(250)
                    .setConsumer(new Consumer())
                    .build();
        }

        @Override
        public void stepped(Trainer trainer, double loss) {
            super.stepped(trainer, loss);
            bar.stepTo(trainer.step());
            bar.setExtraMessage(summary());
        }

        @Override
        public void evaluating(Trainer trainer) {
            bar.setExtraMessage(summary() + " · validating");
            bar.refresh();
        }

        @Override
        public void finished(Trainer trainer, Trainer.Result result) {
            // close() draws the last frame on the library's single drawing thread and waits for it, so no frame of
            // an earlier step can come after it. (bar.refresh() here raced that thread: a frame rendered at step 6
            // could mark step 12 as drawn.) The library ends the line itself only if it had drawn before; end it
            // here otherwise, once.
            bar.setExtraMessage(summary());
            bar.close();
            synchronized (lock) {
                if (closed) return;
                closed = true;
                err.println();
                err.flush();
            }
        }

        @Override
        public void printAbove(Runnable print) {
            synchronized (lock) {
                err.print("\r\033[K"); // erase the bar; it is redrawn below at its next update
                err.flush();
                print.run();
            }
        }

        /** Set once the bar's line is ended: no frame may follow the newline. Guarded by {@code lock}. */
        private boolean closed;

        /** Draws the bar on stderr, under the same lock as {@link #printAbove}. */
        private final class Consumer implements ProgressBarConsumer {

            @Override
            public int getMaxRenderedLength() {
                return width;
            }

            @Override
            public void accept(String rendered) {
                synchronized (lock) {
                    if (closed) return;
                    err.print("\r" + rendered);
                    err.flush();
                }
            }

            @Override
            public void close() {
                synchronized (lock) {
                    if (closed) return;
                    closed = true;
                    err.println();
                    err.flush();
                }
            }
        }
    }
}
