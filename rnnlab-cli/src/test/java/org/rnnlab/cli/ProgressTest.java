package org.rnnlab.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.rnnlab.text.Corpus;
import org.rnnlab.train.Batchers;
import org.rnnlab.train.Batching;
import org.rnnlab.train.MetricsHistory;
import org.rnnlab.train.TrainConfig;
import org.rnnlab.train.TrainData;
import org.rnnlab.train.Trainer;

class ProgressTest {
    static final TrainData LAB = org.rnnlab.testing.LabData.withVal(0.1);

    static Trainer small() throws IOException {
        return Trainer.create(TrainConfig.builder().corpus("lab").embed(4).hidden(8).mode(Batching.STREAM)
                .batch(2).seq(10).epochs(0).steps(12).build(), LAB, null);
    }

    @Test
    void linesModePrintsPlainLinesWithStepEpochLossLrAndEta() throws IOException {
        StringWriter err = new StringWriter();
        Trainer t = small();
        t.run(Progress.of(Progress.Style.LINES, new PrintWriter(err, true), 0, Duration.ZERO));
        List<String> lines = err.toString().lines().toList();
        assertThat(lines).hasSize(12);
        assertThat(lines.get(0)).matches("step 1/12 · epoch 0\\.07 · loss [0-9]\\.[0-9]{4} · [0-9.?]+k? chars/s · lr 0\\.005 · ETA [0-9]+s");
        assertThat(lines.get(11)).matches("step 12/12 · epoch 0\\.80 · loss .* · ETA 0s");
        assertThat(err.toString()).doesNotContain("\r");
    }

    @Test
    void theBarRedrawsOneLineAndResultsArePrintedAboveIt() throws IOException {
        StringWriter err = new StringWriter();
        Progress bar = Progress.of(Progress.Style.BAR, new PrintWriter(err, true), 90, Duration.ZERO);
        Trainer t = small();
        StringBuilder results = new StringBuilder();
        t.run(new Trainer.Listener() {
            @Override
            public void started(Trainer trainer) {
                bar.started(trainer);
            }

            @Override
            public void stepped(Trainer trainer, double loss) {
                bar.stepped(trainer, loss);
            }

            @Override
            public void evaluated(Trainer trainer, MetricsHistory.Row row, boolean best) {
                bar.printAbove(() -> results.append("row ").append(row.step()).append('\n'));
            }

            @Override
            public void finished(Trainer trainer, Trainer.Result result) {
                bar.finished(trainer, result);
            }
        });
        String drawn = err.toString();
        assertThat(drawn).contains("\rtrain", "12/12", "loss ", "\r\033[K").endsWith(System.lineSeparator());
        for (String frame : drawn.split("\r")) {
            assertThat(frame.replace("\033[K", "").strip().length()).isLessThanOrEqualTo(90);
        }
        String[] frames = drawn.strip().split("\r");
        assertThat(frames[frames.length - 1]).as("the last frame shows the finished run").contains("12/12");
        assertThat(results.toString()).isEqualTo("row 12\n");
    }

    @Test
    void formatsAndStyles() {
        assertThat(Progress.compact(950)).isEqualTo("950");
        assertThat(Progress.compact(14_230)).isEqualTo("14.2k");
        assertThat(Progress.compact(3_100_000)).isEqualTo("3.1M");
        assertThat(Progress.compact(Double.NaN)).isEqualTo("?");
        assertThat(Progress.duration(42)).isEqualTo("42s");
        assertThat(Progress.duration(185)).isEqualTo("3m05s");
        assertThat(Progress.duration(7620)).isEqualTo("2h07m");
        assertThat(Progress.duration(-1)).isEqualTo("?");
        assertThat(Progress.Style.parse("Lines")).isEqualTo(Progress.Style.LINES);
        assertThatThrownBy(() -> Progress.Style.parse("auto")).hasMessage(
                "unknown progress style 'auto': use auto, bar, lines or off");
    }
}
