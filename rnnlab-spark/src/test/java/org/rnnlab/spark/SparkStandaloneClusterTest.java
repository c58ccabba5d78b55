package org.rnnlab.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rnnlab.model.CellType;
import org.rnnlab.text.Corpus;
import org.rnnlab.train.Batching;
import org.rnnlab.train.Checkpoint;
import org.rnnlab.train.Cluster;
import org.rnnlab.train.Evaluator;
import org.rnnlab.train.StepEngine;
import org.rnnlab.train.Sweep;
import org.rnnlab.train.TrainConfig;
import org.rnnlab.train.TrainData;
import org.rnnlab.train.Trainer;

/**
 * A real standalone cluster on this machine: a Spark master and two workers of one core each, started as child
 * JVMs bound to 127.0.0.1, their executors launched by the workers as Spark launches them anywhere. It sweeps, and
 * trains (and survives a worker and its executor killed with SIGKILL mid-run, with the fault-free weights).
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class SparkStandaloneClusterTest {
    @TempDir
    static Path dir;

    static Process master;
    static final List<Process> workers = new ArrayList<>();
    static Cluster cluster;
    static final List<String> properties = List.of("spark.executor.extraClassPath", "spark.executor.extraJavaOptions",
            "spark.executor.memory", "spark.cores.max", "spark.executor.cores", "spark.task.maxFailures");

    @BeforeAll
    static void start() throws Exception {
        // What a worker needs to launch executors: a SPARK_HOME with a RELEASE file and a jars folder (empty: the
        // executors take this JVM's class path, as spark.executor.extraClassPath).
        Path home = Files.createDirectories(dir.resolve("spark-home"));
        Files.createDirectories(home.resolve("jars"));
        Files.writeString(home.resolve("RELEASE"), "Spark from Maven, for rnnlab's tests\n");
        int port = freePort();
        String url = "spark://127.0.0.1:" + port;
        master = child(home, "master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
                Integer.toString(port), "--webui-port", Integer.toString(freePort()));
        waitForPort(port);
        for (int i = 0; i < 2; i++) {
            workers.add(child(home, "worker" + i, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                    "--webui-port", Integer.toString(freePort()), "--cores", "1", "--memory", "1g", "--work-dir",
                    Files.createDirectories(dir.resolve("work" + i)).toString(), url));
        }
        for (int i = 0; i < 2; i++) waitForLog(dir.resolve("worker" + i + ".log"), "Successfully registered with master");
        System.setProperty("spark.executor.extraClassPath", System.getProperty("java.class.path"));
        System.setProperty("spark.executor.extraJavaOptions", "--add-modules jdk.incubator.vector -Dlog4j2.configurationFile="
                + SparkCluster.class.getResource("log4j2-rnnlab.properties"));
        System.setProperty("spark.executor.memory", "512m");
        System.setProperty("spark.executor.cores", "1");
        System.setProperty("spark.cores.max", "2");
        System.setProperty("spark.task.maxFailures", "4");
        cluster = Cluster.connect(url);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (cluster != null) cluster.close();
        properties.forEach(System::clearProperty);
        for (Process w : workers) stopTree(w);
        if (master != null) stopTree(master);
    }

    static void stopTree(Process p) throws InterruptedException {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(30, TimeUnit.SECONDS);
    }

    static Process child(Path home, String name, String main, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), main));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile());
        Map<String, String> env = pb.environment();
        env.put("SPARK_HOME", home.toString());
        env.put("SPARK_LOCAL_IP", "127.0.0.1"); // every socket and web UI of the cluster on loopback
        env.put("SPARK_SCALA_VERSION", "2.13");
        env.put("SPARK_CONF_DIR", Files.createDirectories(home.resolve("conf")).toString());
        return pb.start();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static void waitForPort(int port) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < end) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return;
            } catch (IOException e) {
                Thread.sleep(200);
            }
        }
        throw new AssertionError("the Spark master did not listen on " + port + " within 60 s");
    }

    static void waitForLog(Path log, String line) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < end) {
            if (Files.exists(log) && Files.readString(log).contains(line)) return;
            Thread.sleep(250);
        }
        throw new AssertionError(log + " never said '" + line + "':\n" + Files.readString(log));
    }

    static TrainConfig config() {
        return TrainConfig.builder().corpus("lab").val(0.1).cell(CellType.LSTM).embed(16).hidden(32).layers(1)
                .mode(Batching.STREAM).batch(6).seq(8).lr(0.01).clipNorm(5).epochs(0).steps(30).evalEvery(10).build();
    }

    /**
     * A run on the cluster; when {@code killAt} > 0, one worker and the executor it launched are killed with SIGKILL
     * after that step (no shutdown hook, no goodbye to the master or the driver).
     */
    static float[] train(TrainConfig config, Path out, int killAt, List<Long> killed) throws IOException {
        try (Trainer t = Trainer.create(config, TrainData.of(Corpus.lab(), config.val(), config.test()), out);
             StepEngine engine = cluster.engine(2, config.seed())) {
            t.computeWith(engine);
            t.run(new Trainer.Listener() {
                @Override
                public void stepped(Trainer trainer, double loss) {
                    if (trainer.step() != killAt) return;
                    Process worker = workers.stream().filter(w -> w.descendants().anyMatch(SparkStandaloneClusterTest::isExecutor))
                            .findFirst().orElseThrow(() -> new AssertionError("no worker has an executor"));
                    worker.descendants().filter(SparkStandaloneClusterTest::isExecutor).forEach(p -> {
                        killed.add(p.pid());
                        p.destroyForcibly();
                    });
                    killed.add(worker.pid());
                    worker.destroyForcibly();
                }
            });
            return t.model().parameters().values().clone();
        }
    }

    /** An executor JVM, read from /proc (ProcessHandle.Info leaves out command lines as long as an executor's). */
    static boolean isExecutor(ProcessHandle p) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline")),
                    java.nio.charset.StandardCharsets.UTF_8).contains("CoarseGrainedExecutorBackend");
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    @org.junit.jupiter.api.Order(2) // last: it leaves the cluster one worker
    void trainsAsOneMachineDoesAndAKilledWorkerChangesNothing() throws IOException {
        TrainConfig config = config();
        float[] one;
        try (Trainer t = Trainer.create(config, TrainData.of(Corpus.lab(), config.val(), config.test()), dir.resolve("one"))) {
            t.run(new Trainer.Listener() {});
            one = t.model().parameters().values().clone();
        }
        float[] clean = train(config, dir.resolve("clean"), 0, new ArrayList<>());
        List<Long> killed = new ArrayList<>();
        float[] faulty = train(config, dir.resolve("faulty"), 12, killed);
        assertThat(killed).as("a worker and its executor were killed").hasSize(2);
        assertThat(SparkTrainingTest.maxDiff(clean, one)).isLessThan(1e-4);
        // The shards are pure functions of what they are sent and are summed in shard order: the retried step
        // gives the same bits, so the faulty run ends with exactly the clean run's weights.
        assertThat(faulty).isEqualTo(clean);
        System.out.printf("standalone cluster: 30 steps in 2 shards, weights within %.2e of one machine; a worker "
                + "(pid %d) and its executor (pid %d) killed at step 12, the final weights equal to the fault-free "
                + "run's%n", SparkTrainingTest.maxDiff(clean, one), killed.get(1), killed.get(0));
    }

    @Test
    @org.junit.jupiter.api.Order(1)
    void sweepsOneCombinationATaskAndEachRowsCheckpointScoresItsBpc() throws Exception {
        List<Sweep.Job> jobs = new ArrayList<>();
        for (LinkedHashMap<String, String> c : Sweep.combinations(Sweep.parseGrid("cell=gru,lstm lr=0.01,1e3"))) {
            TrainConfig tc = config().toBuilder().cell(CellType.parse(c.get("cell"))).lr(Double.parseDouble(c.get("lr")))
                    .clipNorm(0).build();
            jobs.add(new Sweep.Job(jobs.size(), c, tc.toJson(), dir.resolve("sweep").resolve(Sweep.folderName(c)).toString()));
        }
        List<Sweep.Row> rows = Sweep.sorted(cluster.map(jobs, Sweep::run));
        assertThat(rows).hasSize(4);
        TrainData data = TrainData.of(Corpus.lab(), 0.1, 0);
        for (Sweep.Row r : rows.subList(0, 2)) {
            assertThat(r.error()).isNull();
            assertThat(r.settings().get("lr")).isEqualTo("0.01");
            double bpc = Evaluator.score(Checkpoint.read(Path.of(r.checkpoint())).model(), data.val()).bpc();
            assertThat(bpc).as(r.settings().toString()).isCloseTo(r.bestValBpc(), org.assertj.core.data.Offset.offset(1e-9));
        }
        assertThat(rows.get(0).bestValBpc()).isLessThanOrEqualTo(rows.get(1).bestValBpc());
        for (Sweep.Row r : rows.subList(2, 4)) assertThat(r.error()).as(r.settings().toString()).startsWith("diverged: ");
    }
}
