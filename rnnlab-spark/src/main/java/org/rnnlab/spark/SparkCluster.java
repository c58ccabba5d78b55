package org.rnnlab.spark;

import java.io.Serializable;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.rnnlab.train.Cluster;
import org.rnnlab.train.StepEngine;

/**
 * A Spark application: one {@link JavaSparkContext} for the life of a run. Spark's own settings come from where
 * Spark reads them ({@code spark.*} system properties, which {@code spark-submit} sets, and
 * {@code conf/spark-defaults.conf} under spark-submit); rnnlab adds only what a run needs by default: no web UI,
 * and for a local master a driver on 127.0.0.1, so that nothing listens beyond this machine.
 */
final class SparkCluster implements Cluster {
    /** The master URLs Spark accepts (SparkContext.createTaskScheduler), checked first for a one-line error. */
    private static final java.util.regex.Pattern MASTER = java.util.regex.Pattern.compile(
            "local(\\[(\\*|\\d+)(,\\d+)?\\])?|local-cluster\\[\\d+,\\d+,\\d+\\]|spark://.+|yarn|k8s://.+");

    private final JavaSparkContext sc;
    private final String master;

    SparkCluster(String master) {
        quietLogging();
        SparkConf conf = new SparkConf(true);
        if (master != null) conf.setMaster(master);
        if (!conf.contains("spark.master")) {
            throw new IllegalArgumentException("--spark needs a master (local[2], spark://HOST:7077, ...), or "
                    + "spark-submit --master to give one");
        }
        this.master = conf.get("spark.master");
        if (!MASTER.matcher(this.master).matches()) {
            throw new IllegalArgumentException("--spark " + this.master + " is not a Spark master: give local[N], "
                    + "local[*], spark://HOST:PORT, yarn or k8s://URL");
        }
        reachable(this.master);
        conf.setIfMissing("spark.app.name", "rnnlab");
        shipOwnJar(conf, this.master);
        conf.setIfMissing("spark.ui.enabled", "false");
        if (this.master.startsWith("local") || this.master.contains("://127.0.0.1") || this.master.contains("://localhost")) {
            conf.setIfMissing("spark.driver.host", "127.0.0.1");
            conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
        }
        try {
            this.sc = new JavaSparkContext(conf);
        } catch (Exception e) { // Spark throws the checked SparkException from Scala
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
            throw new IllegalArgumentException("--spark " + this.master + ": Spark could not start: " + why, e);
        }
        sc.setLogLevel("WARN");
    }

    /**
     * When rnnlab starts Spark itself (not under spark-submit, which sets {@code spark.master}, and not with a
     * logging configuration of the user's): Spark's messages at WARN and above, and SLF4J told which of the two
     * providers on the class path to use (Spark's log4j, rather than the command line's slf4j-simple) instead of
     * warning about both. Must run before Spark's first log line.
     */
    private static void quietLogging() {
        if (System.getProperty("spark.master") != null) return;
        if (System.getProperty("log4j2.configurationFile") == null) {
            java.net.URL config = SparkCluster.class.getResource("log4j2-rnnlab.properties");
            if (config != null) System.setProperty("log4j2.configurationFile", config.toString());
        }
        if (System.getProperty("slf4j.provider") == null && present("org.slf4j.simple.SimpleServiceProvider")
                && present("org.apache.logging.slf4j.SLF4JServiceProvider")) {
            System.setProperty("slf4j.provider", "org.apache.logging.slf4j.SLF4JServiceProvider");
        }
    }

    /**
     * A standalone master that does not answer is an error now, in one line, rather than after Spark's minute of
     * retries.
     */
    private static void reachable(String master) {
        if (!master.startsWith("spark://")) return;
        java.io.IOException last = null;
        String tried = null;
        for (String hostPort : master.substring("spark://".length()).split(",")) { // HA masters: any one will do
            int colon = hostPort.lastIndexOf(':');
            String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
            int port = colon < 0 ? 7077 : Integer.parseInt(hostPort.substring(colon + 1).replaceAll("/.*", ""));
            try (java.net.Socket socket = new java.net.Socket()) {
                socket.connect(new java.net.InetSocketAddress(host, port), 5000);
                return;
            } catch (java.io.IOException e) {
                last = e;
                tried = host + ":" + port;
            }
        }
        throw new IllegalArgumentException("--spark " + master + ": no Spark master answers at " + tried + " ("
                + last.getMessage() + "): start it, or check the address");
    }

    /**
     * Outside spark-submit, the executors of a cluster do not have rnnlab's classes: the jar this class came from
     * (rnnlab-spark.jar) goes to them through {@code spark.jars}, as spark-submit sends an application's jar. A
     * local master shares this JVM's classes; classes from a folder (the tests) are the caller's to provide.
     */
    private static void shipOwnJar(SparkConf conf, String master) {
        if (master.startsWith("local") || System.getProperty("spark.master") != null) return;
        try {
            java.nio.file.Path jar = java.nio.file.Path.of(
                    SparkCluster.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!java.nio.file.Files.isRegularFile(jar)) return;
            String jars = conf.get("spark.jars", "");
            conf.set("spark.jars", jars.isEmpty() ? jar.toString() : jars + "," + jar);
        } catch (java.net.URISyntaxException | SecurityException | NullPointerException e) {
            // no code source to name: the cluster must have the classes already (SPARK_HOME/jars, extraClassPath)
        }
    }

    /** A failed Spark job as an I/O failure of one line (exit 1), saying what failed. */
    static java.io.UncheckedIOException failed(String what, Exception e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String why = String.valueOf(root.getMessage()).lines().findFirst().orElse(root.getClass().getSimpleName());
        return new java.io.UncheckedIOException(new java.io.IOException("Spark could not " + what + ": " + why, e));
    }

    private static boolean present(String className) {
        try {
            Class.forName(className, false, SparkCluster.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    @Override
    public <A extends Serializable, R extends Serializable> List<R> map(List<A> items, Task<A, R> task) {
        if (items.isEmpty()) return List.of();
        try {
            return sc.parallelize(items, items.size()).map(task::run).collect();
        } catch (Exception e) { // Spark's SparkException is checked, though Scala does not declare it
            throw failed("run its " + items.size() + " tasks", e);
        }
    }

    @Override
    public StepEngine engine(int shards, long seed, int syncEvery) {
        return new SparkStepEngine(this, sc, shards, seed, syncEvery);
    }

    @Override
    public int parallelism() {
        return sc.defaultParallelism();
    }

    @Override
    public String describe() {
        return "Spark " + sc.version() + " at " + master + " (" + parallelism() + " task slots)";
    }

    @Override
    public void close() {
        sc.close();
    }
}
