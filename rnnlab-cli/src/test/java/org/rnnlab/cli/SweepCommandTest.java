package org.rnnlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnlab.text.Corpus;
import org.rnnlab.train.Checkpoint;
import org.rnnlab.train.Evaluator;
import org.rnnlab.train.TrainData;

class SweepCommandTest {
    @Test
    void everyCombinationTrainsAndTheTableIsSortedRightAndWrittenAndAFailureIsARow(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("sweep");
        TrainCommandTest.Run r = TrainCommandTest.run("sweep", "--grid", "hidden=8,16 lr=0.01,1e3", "--out",
                out.toString(), "--embed", "8", "--mode", "stream", "--batch", "4", "--seq", "10", "--steps", "20",
                "--eval-every", "10", "--val", "0.1");
        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(5);
        assertThat(lines.get(0)).startsWith("hidden  lr    steps  val loss  val bpc");
        // The two that trained first (better bpc first), then the two that diverged, with their errors.
        assertThat(lines.get(1)).contains("0.01").contains("best.safetensors");
        assertThat(lines.get(2)).contains("0.01").contains("best.safetensors");
        assertThat(lines.get(3)).contains("1e3").contains("error: diverged: ");
        assertThat(lines.get(4)).contains("1e3").contains("error: diverged: ");
        assertThat(r.err()).contains("2 of 4 combinations failed");

        JsonNode rows = new ObjectMapper().readTree(out.resolve("sweep.json").toFile());
        assertThat(rows).hasSize(4);
        assertThat(rows.get(0).get("best_val_bpc").asDouble()).isLessThanOrEqualTo(rows.get(1).get("best_val_bpc").asDouble());
        TrainData data = TrainData.of(Corpus.lab(), 0.1, 0);
        for (int i = 0; i < 2; i++) { // each row's checkpoint scores the bpc the row reports
            JsonNode row = rows.get(i);
            double bpc = Evaluator.score(Checkpoint.read(Path.of(row.get("checkpoint").asText())).model(), data.val()).bpc();
            assertThat(bpc).isCloseTo(row.get("best_val_bpc").asDouble(), org.assertj.core.data.Offset.offset(1e-9));
            assertThat(row.get("steps").asLong()).isEqualTo(20);
        }
        assertThat(rows.get(3).get("error").asText()).startsWith("diverged: ");
        assertThat(Files.readAllLines(out.resolve("sweep.csv")).get(0))
                .isEqualTo("hidden,lr,steps,best_val_loss,best_val_bpc,best_step,seconds,chars_per_second,checkpoint,error");
        assertThat(out.resolve("hidden-8_lr-0.01").resolve("last.safetensors")).exists();

        // The same sweep again continues (here: finds done) what is there, with the same table.
        TrainCommandTest.Run again = TrainCommandTest.run("sweep", "--grid", "hidden=8,16 lr=0.01,1e3", "--out",
                out.toString(), "--embed", "8", "--mode", "stream", "--batch", "4", "--seq", "10", "--steps", "20",
                "--eval-every", "10", "--val", "0.1");
        assertThat(again.code()).isZero();
        assertThat(firstColumns(again.out(), 5)).isEqualTo(firstColumns(r.out(), 5)); // settings, steps, loss, bpc
    }

    private static List<List<String>> firstColumns(String table, int n) {
        return table.lines().map(l -> List.of(l.trim().split("\\s+")).subList(0, n)).toList();
    }

    @Test
    void aBadGridOrAnOptionThatIsNotPerRunIsOneLine(@TempDir Path dir) {
        String out = dir.resolve("s").toString();
        TrainCommandTest.Run a = TrainCommandTest.run("sweep", "--grid", "hidden", "--out", out);
        assertThat(a.code()).isEqualTo(2);
        assertThat(a.errLines()).containsExactly("rnnlab sweep: --grid: 'hidden' is not NAME=V1,V2,... (e.g. "
                + "'cell=lstm,gru hidden=128,256')");
        TrainCommandTest.Run b = TrainCommandTest.run("sweep", "--grid", "hiden=8,16", "--out", out);
        assertThat(b.code()).isEqualTo(2);
        assertThat(b.errLines()).containsExactly("rnnlab sweep: --grid: 'hiden' is not one of train's options (the "
                + "grid names them without their dashes: see 'rnnlab train --help')");
        TrainCommandTest.Run c = TrainCommandTest.run("sweep", "--grid", "cell=lstm,gur", "--out", out);
        assertThat(c.code()).isEqualTo(2);
        assertThat(c.errLines().get(0)).startsWith("rnnlab sweep: --grid {cell=gur}: ");
        TrainCommandTest.Run d = TrainCommandTest.run("sweep", "--grid", "hidden=8", "--out", out, "--resume", "x");
        assertThat(d.code()).isEqualTo(2);
        assertThat(d.errLines()).containsExactly("rnnlab sweep: --resume is the sweep's own (or one run's), not a "
                + "setting for each combination: give it before the train options, once");
        // --spark without the Spark module on the class path (the command line alone) says where it is.
        TrainCommandTest.Run e = TrainCommandTest.run("train", "--spark", "local[2]", "--out", dir.resolve("t").toString(),
                "--steps", "1");
        assertThat(e.code()).isEqualTo(2);
        assertThat(e.errLines()).containsExactly("rnnlab train: --spark needs the rnnlab-spark module on the class path: "
                + "bin/rnnlab adds it when --spark is given; with spark-submit, submit rnnlab-spark/target/rnnlab-spark.jar");
    }
}
