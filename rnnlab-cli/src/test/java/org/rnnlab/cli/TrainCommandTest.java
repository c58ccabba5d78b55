package org.rnnlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnlab.model.ModelFiles;
import org.rnnlab.train.Checkpoint;

class TrainCommandTest {
    record Run(int code, String out, String err) {
        List<String> errLines() {
            return err.lines().filter(l -> !l.startsWith("WARNING: Using incubator")).toList();
        }
    }

    static Run run(String... args) {
        BpttCommandTest.Run r = BpttCommandTest.run(args);
        return new Run(r.code(), r.out().replace(System.lineSeparator(), "\n"), r.err().replace(System.lineSeparator(), "\n"));
    }

    /** A small model, so that a run takes a fraction of a second. */
    static final String[] SMALL = {"--embed", "8", "--hidden", "16", "--progress", "off"};

    static String[] args(Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("train", "--out", out.toString()));
        a.addAll(List.of(SMALL));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    @Test
    void trainPrintsAMetricsLinePerEpochAndASummaryAndWritesTheFiles(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("lab");
        Run r = run(args(out, "--epochs", "2", "--test", "0.05"));
        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(6);
        String num = "[0-9]+\\.[0-9]+";
        assertThat(lines.get(0)).matches("step 265  epoch 1\\.00  train loss " + num + " \\(" + num + " bpc, acc " + num
                + "%\\)  val loss " + num + " \\(" + num + " bpc, acc " + num + "%, ppl " + num + "\\)  lr 0\\.005  "
                + "[0-9.]+k? chars/s  \\*best");
        assertThat(lines.get(1)).startsWith("step 530  epoch 2.00  train loss ");
        assertThat(lines.get(2)).isEqualTo("2 epochs done at step 530 (epoch 2.00)");
        assertThat(lines.get(3)).matches("best val loss " + num + " \\(" + num + " bpc, acc " + num + "%, ppl " + num
                + "\\) at step (265|530): " + out.resolve("best.safetensors").toString().replace(".", "\\."));
        assertThat(lines.get(4)).matches("test loss " + num + " \\(" + num + " bpc, acc " + num + "%, ppl " + num
                + "\\) over 16 characters");
        assertThat(lines.get(5)).isEqualTo("last checkpoint " + out.resolve("last.safetensors") + "; metrics "
                + out.resolve("metrics.csv"));
        assertThat(r.errLines()).containsExactly(
                "rnnlab train: lab: 339 characters; 39 distinct characters; train 305, val 17, test 17 characters",
                "rnnlab train: lstm E 8 H 16 L 1 (2,639 parameters); windows mode, batch 1 x 40 characters, "
                        + "265 steps per epoch; adam lr 0.005; seed 0; checkpoints in " + out);
        assertThat(Files.list(out).map(p -> p.getFileName().toString()).sorted())
                .containsExactly(".rnnlab.lock", "best.safetensors", "last.safetensors", "metrics.csv");
        assertThat(Files.readAllLines(out.resolve("metrics.csv"))).hasSize(3);

        // eval on the held-out text gives the numbers train printed for its validation.
        Run e = run("eval", "--model", out.resolve("last.safetensors").toString(), "--corpus", "lab", "--json");
        assertThat(e.code()).as(e.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(e.out());
        List<String> keys = new ArrayList<>();
        j.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactly("loss", "accuracy", "perplexity", "bpc", "chars");
        assertThat(j.get("chars").asLong()).isEqualTo(338);
        assertThat(j.get("perplexity").asDouble()).isCloseTo(Math.exp(j.get("loss").asDouble()), org.assertj.core.data.Offset.offset(1e-9));
        assertThat(j.get("bpc").asDouble()).isCloseTo(j.get("loss").asDouble() / Math.log(2), org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void evalPrintsItsFiguresAndScoresATextFileAsOneStream(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("run");
        assertThat(run(args(out, "--steps", "30", "--val", "0")).code()).isZero();
        Path text = dir.resolve("t.txt");
        Files.writeString(text, "the cat sat on the mat.\n");
        Run e = run("eval", "--model", out.resolve("last.safetensors").toString(), "--corpus", text.toString());
        assertThat(e.code()).as(e.err()).isZero();
        assertThat(e.out()).matches("loss        [0-9.]+\naccuracy    0\\.[0-9]{4}\nperplexity  [0-9.]+\nbpc         "
                + "[0-9.]+\nchars       23\n");
    }

    @Test
    void resumeContinuesToTheSameWeightsAsARunThatNeverStopped(@TempDir Path dir) throws IOException {
        String[] common = {"--mode", "stream", "--batch", "4", "--seq", "10", "--layers", "2", "--dropout", "0.2",
            "--eval-every", "7", "--val", "0.1"};
        Path straight = dir.resolve("straight");
        assertThat(run(concat(args(straight, "--steps", "40"), common)).code()).isZero();
        Path split = dir.resolve("split");
        assertThat(run(concat(args(split, "--steps", "17"), common)).code()).isZero();
        Run r = run("train", "--resume", split.resolve("last.safetensors").toString(), "--steps", "40", "--progress", "off");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.errLines().get(1)).endsWith("; resumed at step 17");
        assertThat(weights(split.resolve("last.safetensors"))).isEqualTo(weights(straight.resolve("last.safetensors")));
    }

    @Test
    void aSignalSavesTheCheckpointAndTheRunResumesExactly(@TempDir Path dir) throws Exception {
        // A real JVM stopped by SIGTERM: the shutdown hook that Ctrl-C (SIGINT) also runs.
        Path out = dir.resolve("run");
        String[] common = {"--mode", "stream", "--batch", "4", "--seq", "10", "--val", "0.1"};
        Process p = childTrain(dir, concat(args(out, "--steps", "1000000"), common));
        try (BufferedReader stdout = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String first = stdout.readLine(); // the first evaluation (the first epoch's end): the run is under way
            assertThat(first).startsWith("step 7 ");
            p.destroy();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(p.exitValue()).isEqualTo(143);
        List<String> err = Files.readAllLines(dir.resolve("err.txt"));
        String last = err.get(err.size() - 1);
        assertThat(last).matches("rnnlab train: interrupted at step [0-9]+; saved " + out.resolve("last.safetensors")
                + "; continue with: rnnlab train --resume " + out.resolve("last.safetensors"));
        long k = Long.parseLong(last.replaceAll(".*interrupted at step ([0-9]+);.*", "$1"));
        assertThat(k).isGreaterThanOrEqualTo(7);

        Run resumed = run("train", "--resume", out.resolve("last.safetensors").toString(), "--steps", String.valueOf(k + 10),
                "--progress", "off");
        assertThat(resumed.code()).as(resumed.err()).isZero();
        Path straight = dir.resolve("straight");
        assertThat(run(concat(args(straight, "--steps", String.valueOf(k + 10)), common)).code()).isZero();
        assertThat(weights(out.resolve("last.safetensors"))).isEqualTo(weights(straight.resolve("last.safetensors")));
    }

    @Test
    void aDivergingRunExitsWith1AndSaysWhatToChange(@TempDir Path dir) {
        Path out = dir.resolve("run");
        Run r = run(args(out, "--cell", "rnn_relu", "--optimizer", "sgd", "--lr", "50", "--mode", "stream", "--batch", "4",
                "--seq", "10", "--eval-every", "1"));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isNotEmpty();
        String last = r.errLines().get(r.errLines().size() - 1);
        assertThat(last).matches("rnnlab train: the (training|validation) loss became (NaN|Infinity) at step [0-9]+ \\(epoch [0-9.]+\\): "
                + "the weights diverged\\. Lower --lr \\(now 50\\.0\\) or clip the gradients \\(e\\.g\\. --clip 1\\); "
                + "the last good checkpoint, .*last\\.safetensors \\(step [0-9]+\\), is intact");
    }

    @Test
    void aRunOnShardsSaysSoAndResumesToTheSameWeights(@TempDir Path dir) throws IOException {
        String[] common = {"--mode", "stream", "--batch", "8", "--seq", "10", "--dropout", "0.2", "--layers", "2",
            "--eval-every", "7", "--val", "0.1", "--shards", "3"};
        Path straight = dir.resolve("straight");
        Run s = run(concat(args(straight, "--steps", "20"), common));
        assertThat(s.code()).as(s.err()).isZero();
        assertThat(s.err()).contains("rnnlab train: forward and backward on 3 shards a step, on this machine's ");
        Path split = dir.resolve("split");
        assertThat(run(concat(args(split, "--steps", "9"), common)).code()).isZero();
        Run r = run("train", "--resume", split.resolve("last.safetensors").toString(), "--steps", "20", "--shards", "3",
                "--threads", "1", "--progress", "off");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(weights(split.resolve("last.safetensors"))).isEqualTo(weights(straight.resolve("last.safetensors")));
    }

    @Test
    void everyBadInputIsOneLineAndExit2(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("o");
        Path bad = Files.write(dir.resolve("bad.txt"), new byte[] {'a', 'b', (byte) 0xff, 'c'});
        Path empty = Files.write(dir.resolve("empty.txt"), new byte[0]);
        Path one = Files.writeString(dir.resolve("one.txt"), "x");
        Path emptyDir = Files.createDirectories(dir.resolve("nothing"));
        String o = out.toString();
        bad2(new String[] {"train", "--out", o, "--corpus", bad.toString()},
                "rnnlab train: " + bad + ": invalid UTF-8 at byte 2 (line 1): byte 0xFF cannot start a character; "
                        + "re-encode the file as UTF-8");
        bad2(new String[] {"train", "--out", o, "--corpus", empty.toString()},
                "rnnlab train: corpus " + empty + " has 0 characters; a language model needs at least 2");
        bad2(new String[] {"train", "--out", o, "--corpus", one.toString()},
                "rnnlab train: corpus " + one + " has 1 character; a language model needs at least 2");
        bad2(new String[] {"train", "--out", o, "--corpus", dir.resolve("nope.txt").toString()},
                "rnnlab train: " + dir.resolve("nope.txt") + ": no such file or folder (--corpus takes a UTF-8 file, a "
                        + "folder of them, lab or wikitext)");
        bad2(new String[] {"train", "--out", o, "--corpus", emptyDir.toString()},
                "rnnlab train: folder " + emptyDir + " has no files to read (files and folders whose names start with "
                        + "'.' are skipped)");
        bad2(new String[] {"train", "--out", o, "--shards", "0"}, "rnnlab train: --shards must be at least 1, got 0");
        bad2(new String[] {"train", "--out", o, "--shards", "2", "--spark", "local[2]"},
                "rnnlab train: --shards splits a batch over this machine's threads; with --spark, --tasks sets the shards");
        bad2(new String[] {"train", "--out", o, "--seq", "400"},
                "rnnlab train: windows of 400 steps need at least 401 characters; the text has 322 (lower --seq)");
        bad2(new String[] {"train", "--out", o, "--mix", "100", "--corpus", "lab"},
                "rnnlab train: give --corpus or --mix, not both (--mix N is the notebook's lab lines plus the first N "
                        + "characters of WikiText-2)");
        bad2(new String[] {"train", "--out", o, "--mix", "0"}, "rnnlab train: --mix must be at least 1 character, got 0");
        bad2(new String[] {"train", "--out", o, "--cell", "transformer"},
                "rnnlab train: unknown cell 'transformer': use rnn, rnn_relu, lstm or gru");
        bad2(new String[] {"train", "--out", o, "--mode", "random"},
                "rnnlab train: unknown batching mode 'random': use windows or stream");
        bad2(new String[] {"train", "--out", o, "--optimizer", "lbfgs"},
                "rnnlab train: unknown optimizer 'lbfgs': use sgd, adam, adamw, adagrad, rmsprop");
        bad2(new String[] {"train", "--out", o, "--schedule", "cosine"},
                "rnnlab train: unknown learning-rate schedule 'cosine': use none, step, plateau");
        bad2(new String[] {"train", "--out", o, "--progress", "fancy"},
                "rnnlab train: unknown progress style 'fancy': use auto, bar, lines or off");
        bad2(new String[] {"train", "--out", o, "--lr", "-1"}, "rnnlab train: --lr must be a finite number > 0, got -1.0");
        bad2(new String[] {"train", "--out", o, "--lr", "fast"},
                "rnnlab train: Invalid value for option '--lr': 'fast' is not a double (see 'rnnlab train --help')");
        bad2(new String[] {"train", "--out", o, "--hidden", "0"}, "rnnlab train: --hidden must be at least 1, got 0");
        bad2(new String[] {"train", "--out", o, "--layers", "0"}, "rnnlab train: --layers must be at least 1, got 0");
        bad2(new String[] {"train", "--out", o, "--batch", "0"}, "rnnlab train: --batch must be at least 1, got 0");
        bad2(new String[] {"train", "--out", o, "--seq", "0"}, "rnnlab train: --seq must be at least 1, got 0");
        bad2(new String[] {"train", "--out", o, "--dropout", "1"},
                "rnnlab train: --dropout must be at least 0 and less than 1, got 1.0");
        bad2(new String[] {"train", "--out", o, "--epochs", "-1"}, "rnnlab train: --epochs must be at least 0, got -1");
        bad2(new String[] {"train", "--out", o, "--epochs", "0"},
                "rnnlab train: no budget: give --epochs, --steps or --minutes a value above 0");
        bad2(new String[] {"train", "--out", o, "--val", "1.5"},
                "rnnlab train: --val must be at least 0 and less than 1, got 1.5");
        bad2(new String[] {"train", "--out", o, "--val", "0.5", "--test", "0.5"},
                "rnnlab train: --val 0.5 and --test 0.5 leave no text to train on; together they must be less than 1");
        bad2(new String[] {"train", "--out", o, "--val", "0.001"},
                "rnnlab train: --val 0.001 and --test 0.0 would split the 339 characters of lab into train 339, val 0 "
                        + "and test 0; each part needs at least 2 (a character and the next): change the fractions or "
                        + "use a longer corpus");
        bad2(new String[] {"train", "--out", o, "--clip", "-1"}, "rnnlab train: --clip must be a finite number >= 0, got -1.0");
        bad2(new String[] {"train", "--out", o, "--clip", "1", "--clip-value", "1"},
                "rnnlab train: give --clip (global norm) or --clip-value (per gradient), not both");
        bad2(new String[] {"train", "--out", o, "--momentum", "0.9"},
                "rnnlab train: --momentum applies to sgd and rmsprop, not adam (Adam's betas play its part)");
        bad2(new String[] {"train", "--out", o, "--threads", "0"}, "rnnlab train: --threads must be between 1 and 1024, got 0");
        bad2(new String[] {"train", "--out", o, "--val", "0", "--patience", "3"},
                "rnnlab train: --patience (early stopping) watches the validation loss: give --val a fraction above 0");
        bad2(new String[] {"train"}, "rnnlab train: --out DIR is required: the folder for checkpoints and metrics.csv");
        bad2(new String[] {"train", "--out", o, "--resume", dir.resolve("nope.safetensors").toString()},
                "rnnlab train: --resume " + dir.resolve("nope.safetensors") + ": no such file (a checkpoint is "
                        + "DIR/last.safetensors or DIR/best.safetensors of an earlier run)");
        assertThat(Files.exists(out)).as("no bad input creates the output folder").isFalse();

        // Inputs about an earlier run.
        assertThat(run(args(out, "--steps", "3")).code()).isZero();
        Path last = out.resolve("last.safetensors");
        bad2(args(out, "--steps", "3"), "rnnlab train: " + out + " already holds a run (last.safetensors, "
                + "best.safetensors, metrics.csv): continue it with --resume " + last + ", or choose another --out");
        bad2(new String[] {"train", "--resume", last.toString(), "--hidden", "32"},
                "rnnlab train: cannot resume " + last + " with different settings (hidden 16 -> 32): only --epochs, "
                        + "--steps, --minutes, --patience and --threads may change (and --corpus, to the same text)");
        bad2(new String[] {"train", "--resume", last.toString(), "--val", "0.2"},
                "rnnlab train: cannot resume " + last + " with different settings (val 0.05 -> 0.2): only --epochs, "
                        + "--steps, --minutes, --patience and --threads may change (and --corpus, to the same text)");
        Path other = Files.writeString(dir.resolve("other.txt"), "a different text altogether, long enough to train on.");
        bad2(new String[] {"train", "--resume", last.toString(), "--corpus", other.toString()},
                "rnnlab train: the text differs from the one " + last + " was trained on (17 distinct characters; "
                        + "train 50, val 3, test 0 characters): resume with the same --corpus, --val and --test");
        bad2(new String[] {"train", "--resume", last.toString()},
                "rnnlab train: the run is already at step 3 of --steps 3: give a larger --steps (or --epochs) to train further");
        Path plain = dir.resolve("plain.safetensors");
        ModelFiles.save(plain, Checkpoint.read(last).model(), Checkpoint.read(last).vocabulary());
        bad2(new String[] {"train", "--resume", plain.toString()},
                "rnnlab train: " + plain + " is a model without training state; resuming needs a checkpoint written "
                        + "by rnnlab train (last.safetensors or best.safetensors in its --out folder)");

        // eval's inputs.
        Path foreign = Files.writeString(dir.resolve("foreign.txt"), "señor ünïcode");
        bad2(new String[] {"eval", "--model", last.toString(), "--corpus", foreign.toString()},
                "rnnlab eval: " + foreign + ": characters 'ñ', 'ü', 'ï' not in the model's vocabulary of 39: "
                        + "\"\\n ()+,-.0:;<=>_abcdefghiklmnoprstuwxy{}\"");
        bad2(new String[] {"eval", "--model", last.toString(), "--corpus", one.toString()},
                "rnnlab eval: corpus " + one + " has 1 character; a language model needs at least 2");
        bad2(new String[] {"eval", "--model", dir.resolve("none.safetensors").toString(), "--corpus", "lab"},
                "rnnlab eval: --model " + dir.resolve("none.safetensors") + ": no such file");
        bad2(new String[] {"eval", "--model", last.toString()},
                "rnnlab eval: Missing required option: '--corpus=FILE|DIR|lab|wikitext' (see 'rnnlab eval --help')");
    }

    @Test
    void aLearningRateFarTooHighIsDivergenceEvenWithoutNaN(@TempDir Path dir) {
        Path out = dir.resolve("run");
        Run r = run(args(out, "--lr", "1e9", "--steps", "30", "--eval-every", "10"));
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        String last = r.errLines().get(r.errLines().size() - 1);
        assertThat(last).matches("rnnlab train: the (mean training loss since the last evaluation, far above a uniform "
                + "guess's ln 39 = 3\\.66, became [0-9.E]+|training loss became (NaN|Infinity)) at step [0-9]+ \\(epoch "
                + "[0-9.]+\\): the weights diverged\\. Lower --lr \\(now 1\\.0E9\\) or clip the gradients \\(e\\.g\\. --clip "
                + "1\\); no checkpoint had been written yet");
        assertThat(out.resolve("best.safetensors")).as("no best checkpoint of diverged weights").doesNotExist();
    }

    @Test
    void aRunFolderBelongsToOneRunAndIsCheckedBeforeAnyTraining(@TempDir Path dir) throws IOException {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        assertThat(run(args(a, "--steps", "3")).code()).isZero();
        assertThat(run(args(b, "--steps", "5")).code()).isZero();
        Map<String, byte[]> before = files(b);

        // A resume into another run's folder is refused, and that run is left as it was.
        bad2(new String[] {"train", "--resume", a.resolve("last.safetensors").toString(), "--out", b.toString(),
            "--steps", "6", "--progress", "off"},
                "rnnlab train: " + b + " holds another run (last.safetensors, best.safetensors, metrics.csv): resuming "
                        + a.resolve("last.safetensors") + " writes into its own run's folder or an empty one; choose "
                        + "another --out");
        assertThat(files(b)).containsOnlyKeys(before.keySet());
        before.forEach((name, bytes) -> assertThat(files(b).get(name)).as(name).isEqualTo(bytes));

        // Any file of a run makes a folder a run's, not only last.safetensors.
        Files.delete(b.resolve("last.safetensors"));
        bad2(args(b, "--steps", "3"), "rnnlab train: " + b + " already holds a run (best.safetensors, metrics.csv): "
                + "continue it with --resume " + b.resolve("best.safetensors") + ", or choose another --out");
        Files.delete(b.resolve("best.safetensors"));
        bad2(args(b, "--steps", "3"), "rnnlab train: " + b + " already holds a run (metrics.csv): remove it, or "
                + "choose another --out");
        bad2(new String[] {"train", "--resume", a.resolve("last.safetensors").toString(), "--out", b.toString(),
            "--steps", "6"},
                "rnnlab train: " + b + " holds another run's metrics.csv: resuming " + a.resolve("last.safetensors")
                        + " writes into its own run's folder or an empty one; choose another --out");

        // A resume into an empty folder, or into a copy of its own run, goes on.
        Path c = dir.resolve("c");
        Run r = run("train", "--resume", a.resolve("last.safetensors").toString(), "--out", c.toString(), "--steps", "6",
                "--progress", "off");
        assertThat(r.code()).as(r.err()).isZero();
        Path copy = dir.resolve("copy");
        Files.createDirectories(copy);
        for (String name : List.of("last.safetensors", "best.safetensors", "metrics.csv")) {
            Files.copy(c.resolve(name), copy.resolve(name));
        }
        r = run("train", "--resume", c.resolve("last.safetensors").toString(), "--out", copy.toString(), "--steps", "8",
                "--progress", "off");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Checkpoint.read(copy.resolve("last.safetensors")).state().step()).isEqualTo(8);

        // --out that cannot hold a run: refused with the reason, before any training, exit 2.
        Path file = Files.writeString(dir.resolve("file.txt"), "x");
        bad2(args(file, "--steps", "3"), "rnnlab train: " + file + " is a file, not a folder: a run needs a folder for "
                + "its checkpoints (choose another)");
        bad2(args(Path.of("/dev/null"), "--steps", "3"), "rnnlab train: /dev/null is a file, not a folder: a run needs "
                + "a folder for its checkpoints (choose another)");
        Path proc = Path.of("/proc/rnnlab-test");
        Run p = run(args(proc, "--steps", "3"));
        assertThat(p.code()).isEqualTo(2);
        assertThat(p.errLines()).hasSize(1);
        assertThat(p.errLines().get(0)).startsWith("rnnlab train: cannot create the run folder " + proc + ": ")
                .endsWith(" (choose a folder you can write)");
    }

    @Test
    void everyModelOptionTakesARunsFolderItsBestCheckpointElseItsLast(@TempDir Path dir) throws IOException {
        Path run = dir.resolve("run");
        assertThat(run(args(run, "--steps", "20")).code()).isZero();
        Run e = run("eval", "--model", run.toString(), "--corpus", "lab");
        assertThat(e.code()).as(e.err()).isZero();
        assertThat(e.errLines()).containsExactly("rnnlab eval: --model " + run + ": reading " + run.resolve("best.safetensors"));
        assertThat(e.out()).isEqualTo(run("eval", "--model", run.resolve("best.safetensors").toString(), "--corpus",
                "lab").out());
        Files.delete(run.resolve("best.safetensors"));
        Run n = run("next", "--model", run.toString(), "--prompt", "the ca");
        assertThat(n.code()).as(n.err()).isZero();
        assertThat(n.errLines()).containsExactly("rnnlab next: --model " + run + ": reading " + run.resolve("last.safetensors"));
        Files.delete(run.resolve("last.safetensors"));
        bad2(new String[] {"complete", "--model", run.toString(), "--prompt", "the"}, "rnnlab complete: --model " + run
                + " is a folder without best.safetensors or last.safetensors: give a model file or a training run's folder");
    }

    @Test
    void aSecondProcessIsKeptOutOfAFolderInUseAndAKilledRunsLeftoversAreCleanedUp(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        String[] common = {"--mode", "stream", "--batch", "4", "--seq", "10", "--val", "0.1"};
        Process p = childTrain(dir, concat(args(out, "--steps", "1000000"), common));
        try (BufferedReader stdout = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(stdout.readLine()).startsWith("step 7 "); // under way, with a checkpoint written
            Run second = run(args(out, "--steps", "3"));
            assertThat(second.code()).isEqualTo(2);
            assertThat(second.errLines()).containsExactly("rnnlab train: " + out + " is in use by another training run "
                    + "(pid " + p.pid() + ", since " + second.err().replaceAll("(?s).*, since ([^)]+)\\).*", "$1")
                    + "): wait for it to end, or choose another folder");
            Run resume = run("train", "--resume", out.resolve("last.safetensors").toString(), "--steps", "2000000");
            assertThat(resume.code()).isEqualTo(2);
            assertThat(resume.err()).contains("is in use by another training run (pid " + p.pid());
            p.destroyForcibly(); // SIGKILL: no shutdown hook, the lock file stays behind
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(out.resolve(".rnnlab.lock")).exists();
        // A temporary file as a write killed before its rename leaves one.
        Files.write(out.resolve(".last.safetensors.k1ll3d.tmp"), new byte[123_456]);

        Run resumed = run("train", "--resume", out.resolve("last.safetensors").toString(), "--steps", "1000000",
                "--minutes", "0.001", "--progress", "off");
        assertThat(resumed.code()).as(resumed.err()).isZero();
        assertThat(resumed.errLines()).contains(
                "rnnlab train: warning: removed 1 temporary file (0.1 MB) that an interrupted write left in " + out);
        assertThat(resumed.err()).contains("rnnlab train: warning: took over " + out.resolve(".rnnlab.lock")
                + ", left by a run that ended without releasing it (pid " + p.pid() + ", since ");
        try (var files = Files.list(out)) {
            assertThat(files.map(f -> f.getFileName().toString()).sorted())
                    .as("no temporary file is left").containsExactly(".rnnlab.lock", "best.safetensors",
                            "last.safetensors", "metrics.csv");
        }
        assertThat(out.resolve(".rnnlab.lock")).as("released").isEmptyFile();
    }

    @Test
    void aDiskThatFillsUpMidRunLosesNoTraining(@TempDir Path dir) throws Exception {
        // A real full disk: a 300 KB tmpfs (root can mount one; elsewhere the test is skipped). Each checkpoint of
        // this model is 122 KB, so the first evaluation's best and last fit and the second's best does not.
        Path disk = Files.createDirectories(dir.resolve("disk"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", disk.toString())
                .redirectErrorStream(true).start();
        org.junit.jupiter.api.Assumptions.assumeTrue(mount.waitFor(30, TimeUnit.SECONDS) && mount.exitValue() == 0,
                "cannot mount a tmpfs here");
        Path out = disk.resolve("run");
        String[] model = {"--embed", "8", "--hidden", "40", "--steps", "30", "--eval-every", "10", "--progress", "off"};
        try {
            Run r = run(concat(new String[] {"train", "--out", out.toString()}, model));
            assertThat(r.code()).as(r.err()).isEqualTo(1);
            String last = r.errLines().get(r.errLines().size() - 1);
            assertThat(last).matches("rnnlab train: could not write " + out.resolve("best.safetensors") + " at step 20 "
                    + "\\(No space left on device\\); the training state was saved to (.+)/last\\.safetensors instead: "
                    + "make room, then continue with --resume \\1/last\\.safetensors --out " + out);
            assertThat(Checkpoint.read(out.resolve("last.safetensors")).state().step()).as("intact").isEqualTo(10);
            Path rescued = Path.of(last.replaceAll(".*--resume (\\S+) --out.*", "$1"));
            assertThat(Checkpoint.read(rescued).state().step()).isEqualTo(20);
            // The room made (here: the run moved to a bigger disk), the run goes on from the rescued state.
            Path moved = dir.resolve("moved");
            Files.createDirectories(moved);
            for (String name : List.of("last.safetensors", "best.safetensors", "metrics.csv")) {
                Files.copy(out.resolve(name), moved.resolve(name));
            }
            Run resumed = run("train", "--resume", rescued.toString(), "--out", moved.toString(), "--progress", "off");
            assertThat(resumed.code()).as(resumed.err()).isZero();
            assertThat(Checkpoint.read(moved.resolve("last.safetensors")).state().step()).isEqualTo(30);
            Path straight = dir.resolve("straight");
            assertThat(run(concat(new String[] {"train", "--out", straight.toString()}, model)).code()).isZero();
            assertThat(weights(moved.resolve("last.safetensors"))).isEqualTo(weights(straight.resolve("last.safetensors")));
            try (var rescue = Files.list(rescued.getParent())) {
                for (Path f : rescue.toList()) Files.delete(f);
            }
            Files.delete(rescued.getParent());
        } finally {
            new ProcessBuilder("umount", disk.toString()).start().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void killedAtRandomMomentsOfCheckpointWritingTheRunStaysLoadableAndResumesExactly(@TempDir Path dir) throws Exception {
        // Checkpoints at every step of a model whose checkpoint takes a while to write (about 1 MB), and kill -9 at
        // seeded random moments: whatever the moment, last.safetensors loads, the next start removes what a killed
        // write left, and the run ends with the weights of a run that never stopped. A longer campaign is the same
        // test with -Drnnlab.kill.rounds=N (docs/reliability.md): the run is made long enough for N rounds.
        int rounds = Integer.getInteger("rnnlab.kill.rounds", 6);
        int steps = rounds <= 6 ? 40 : 8 * rounds;
        String[] model = {"--embed", "16", "--hidden", "160", "--mode", "stream", "--batch", "4", "--seq", "10",
            "--val", "0.1", "--eval-every", "1", "--progress", "off", "--steps", Integer.toString(steps)};
        Path straight = dir.resolve("straight");
        assertThat(run(concat(new String[] {"train", "--out", straight.toString()}, model)).code()).isZero();
        Path out = dir.resolve("run");
        Path last = out.resolve("last.safetensors");
        java.util.Random moments = new java.util.Random(Long.getLong("rnnlab.kill.seed", 7));
        int kills = 0;
        int tmpSeen = 0; // rounds after which a killed write had left a temporary file, for the next start to remove
        long started = System.nanoTime();
        for (int round = 0; round < rounds; round++) {
            String[] start = Files.exists(last) ? new String[] {"train", "--resume", last.toString()}
                    : new String[] {"train", "--out", out.toString()};
            if (Files.exists(last) && Checkpoint.read(last).state().step() >= steps) break;
            Process p = childTrain(dir, concat(start, model));
            try (BufferedReader stdout = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String first = stdout.readLine(); // a checkpoint has been written: the run is saving at every step
                if (first != null && first.startsWith("step ")) {
                    Thread.sleep(moments.nextInt(400));
                    p.destroyForcibly();
                    kills++;
                }
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(Checkpoint.read(last).state().step()).as("round %d: last loads", round).isPositive();
            try (var files = Files.list(out)) {
                if (files.anyMatch(f -> f.getFileName().toString().endsWith(".tmp"))) tmpSeen++;
            }
        }
        assertThat(kills).isGreaterThanOrEqualTo(Math.min(3, rounds));
        long stepBefore = Checkpoint.read(last).state().step();
        if (stepBefore < steps) {
            Run r = run("train", "--resume", last.toString(), "--progress", "off");
            assertThat(r.code()).as(r.err()).isZero();
        }
        try (var files = Files.list(out)) {
            assertThat(files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".tmp")))
                    .as("no temporary file left after the next start").isEmpty();
        }
        assertThat(weights(last)).isEqualTo(weights(straight.resolve("last.safetensors")));
        System.out.printf("kill campaign: %d kills in %d rounds (%d left a temporary file), %d steps, %.0f s; every "
                + "checkpoint loaded, the final weights equal the run that never stopped%n", kills, rounds, tmpSeen,
                steps, (System.nanoTime() - started) / 1e9);
    }

    /** A real JVM running {@code rnnlab} with these arguments, its stderr to dir/err.txt. */
    static Process childTrain(Path dir, String[] args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                "org.rnnlab.cli.Main"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectError(dir.resolve("err.txt").toFile()).start();
    }

    private static Map<String, byte[]> files(Path dir) {
        Map<String, byte[]> m = new java.util.TreeMap<>();
        try (var list = Files.list(dir)) {
            for (Path p : list.toList()) m.put(p.getFileName().toString(), Files.readAllBytes(p));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return m;
    }

    @Test
    void aTextTooSmallForTheBatchShrinksItWithAWarning(@TempDir Path dir) {
        Run r = run(args(dir.resolve("run"), "--mode", "stream", "--batch", "500", "--seq", "20", "--steps", "2",
                "--cell", "rnn", "--dropout", "0.5"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.errLines()).startsWith(
                "rnnlab train: warning: the text has 322 characters, enough for 16 streams of 20 steps; batch shrinks "
                        + "from 500 to 16",
                "rnnlab train: warning: --dropout 0.5 has no effect with one layer: as in PyTorch, dropout applies "
                        + "between recurrent layers");
        assertThat(r.errLines().get(3)).startsWith("rnnlab train: rnn_tanh E 8 H 16 L 1 (");
        assertThat(r.errLines().get(3)).contains("stream mode, batch 16 x 20 characters, 1 steps per epoch");
    }

    @Test
    void helpShowsTheOptionsAndExamples() {
        Run r = run("train", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("--corpus", "--mix", "--cell", "--embed", "--hidden", "--layers", "--dropout",
                "--batch", "--seq", "--mode", "--optimizer", "--lr", "--clip", "--clip-value", "--epochs", "--steps",
                "--minutes", "--val", "--test", "--seed", "--out", "--resume", "--threads", "Examples:");
        assertThat(run("eval", "--help").out()).contains("--model", "--corpus", "--json", "Examples:");
    }

    private static void bad2(String[] args, String line) {
        Run r = run(args);
        assertThat(r.code()).as("%s: %s", String.join(" ", args), r.err()).isEqualTo(2);
        assertThat(r.errLines()).as(String.join(" ", args)).containsExactly(line);
        assertThat(r.out()).isEmpty();
    }

    private static float[] weights(Path checkpoint) throws IOException {
        return ModelFiles.load(checkpoint, ModelFiles.Hints.NONE).model().parameters().values();
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
