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

    static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
