package org.rnnlab.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnlab.cli.Main;
import org.rnnlab.train.Checkpoint;

/** The command line with the Spark module on its class path, as bin/rnnlab runs it when --spark is given. */
class SparkCommandLineTest {
    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void trainWithSparkIsTheRunWithoutAndSaysWhereAStepsTimeWent(@TempDir Path dir) throws Exception {
        String[] common = {"--embed", "8", "--hidden", "16", "--mode", "stream", "--batch", "4", "--seq", "10",
            "--steps", "12", "--eval-every", "6", "--progress", "off"};
        Run one = run(concat(new String[] {"train", "--out", dir.resolve("one").toString()}, common));
        assertThat(one.code()).as(one.err()).isZero();
        Run spark = run(concat(new String[] {"train", "--spark", "local[2]", "--tasks", "2", "--out",
            dir.resolve("spark").toString()}, common));
        assertThat(spark.code()).as(spark.err()).isZero();
        assertThat(spark.err()).contains("rnnlab train: forward and backward on Spark 4.2.0 at local[2] (2 task slots), "
                + "2 shards a step").contains("rnnlab train: per step, over 12 steps: broadcast ");
        // The evaluation lines agree to the printed digits but for the speed.
        assertThat(spark.out().replaceAll("\\s+[0-9.]+k? chars/s", ""))
                .isEqualTo(one.out().replaceAll("\\s+[0-9.]+k? chars/s", "").replace(dir.resolve("one").toString(),
                        dir.resolve("spark").toString()));
        float[] a = Checkpoint.read(dir.resolve("one/last.safetensors")).model().parameters().values();
        float[] b = Checkpoint.read(dir.resolve("spark/last.safetensors")).model().parameters().values();
        assertThat(SparkTrainingTest.maxDiff(a, b)).isLessThan(1e-5);

        Run bad = run("train", "--spark", "local[two]", "--out", dir.resolve("bad").toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err().lines().filter(l -> !l.startsWith("WARNING")).toList()).containsExactly("rnnlab train: "
                + "--spark local[two] is not a Spark master: give local[N], local[*], spark://HOST:PORT, yarn or k8s://URL");
    }

    @Test
    void aSignalStopsASparkRunWithItsCheckpointSavedAndItResumesOnOneMachineExactly(@TempDir Path dir) throws Exception {
        // A real JVM stopped by SIGTERM (Ctrl-C runs the same shutdown): Spark stops its context at once, under the
        // step in flight; the run saves the last step done, and the one-machine run continues it.
        Path out = dir.resolve("run");
        String[] common = {"--embed", "8", "--hidden", "16", "--mode", "stream", "--batch", "4", "--seq", "10",
            "--val", "0.1", "--progress", "off"};
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--add-modules",
                "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"), "org.rnnlab.cli.Main", "train",
                "--spark", "local[2]", "--out", out.toString(), "--steps", "1000000"));
        cmd.addAll(java.util.List.of(common));
        Process p = new ProcessBuilder(cmd).redirectError(dir.resolve("err.txt").toFile()).start();
        try (java.io.BufferedReader stdout = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                java.nio.charset.StandardCharsets.UTF_8))) {
            String first = stdout.readLine(); // the first epoch's end: Spark is computing steps
            assertThat(first).startsWith("step 7 ");
            Thread.sleep(300);
            p.destroy();
            assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        }
        java.util.List<String> err = java.nio.file.Files.readAllLines(dir.resolve("err.txt"));
        assertThat(p.exitValue()).as(String.join("\n", err)).isEqualTo(143);
        String last = err.stream().filter(l -> l.startsWith("rnnlab train: interrupted")).findFirst().orElseThrow();
        long k = Long.parseLong(last.replaceAll(".*interrupted at step ([0-9]+);.*", "$1"));
        assertThat(k).isGreaterThanOrEqualTo(7);
        assertThat(Checkpoint.read(out.resolve("last.safetensors")).state().step()).isEqualTo(k);

        Run resumed = run("train", "--resume", out.resolve("last.safetensors").toString(), "--steps", String.valueOf(k + 10),
                "--progress", "off");
        assertThat(resumed.code()).as(resumed.err()).isZero();
        Run straight = run(concat(new String[] {"train", "--out", dir.resolve("straight").toString(), "--steps",
            String.valueOf(k + 10)}, common));
        assertThat(straight.code()).as(straight.err()).isZero();
        float[] a = Checkpoint.read(out.resolve("last.safetensors")).model().parameters().values();
        float[] b = Checkpoint.read(dir.resolve("straight/last.safetensors")).model().parameters().values();
        assertThat(SparkTrainingTest.maxDiff(a, b)).isLessThan(1e-5);
    }

    static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
