package org.rnnlab.train;

import java.io.Serializable;
import java.util.List;
import java.util.ServiceLoader;

/**
 * A cluster rnnlab can spread work over: a training step's shards ({@link #engine}) or whole runs
 * ({@link #map}, for sweeps). The scheduling, data movement, retries and cluster management are the cluster
 * engine's; rnnlab supplies the mathematics. The one engine is Apache Spark, in the {@code rnnlab-spark} module,
 * found through {@link ClusterProvider} so that the core and the command line need no Spark to run.
 */
public interface Cluster extends AutoCloseable {
    /** Work for one cluster task: a pure function of its input, since a failed task is run again elsewhere. */
    @FunctionalInterface
    interface Task<A extends Serializable, R extends Serializable> extends Serializable {
        R run(A input) throws Exception;
    }

    /** Runs {@code task} on every item, one cluster task each; the results come back in the items' order. */
    <A extends Serializable, R extends Serializable> List<R> map(List<A> items, Task<A, R> task);

    /**
     * A step engine that splits every batch into {@code shards} parts, one cluster task each; dropout masks come from
     * {@code seed} (the run's), the step and the shard.
     */
    default StepEngine engine(int shards, long seed) {
        return engine(shards, seed, 1);
    }

    /**
     * As {@link #engine(int, long)}, with {@code syncEvery} > 1 for rounds of local steps whose weights are averaged
     * every {@code syncEvery} steps ({@link StepEngine#round}) instead of gradients at every step.
     */
    StepEngine engine(int shards, long seed, int syncEvery);

    /** How many tasks the cluster runs at once: the default number of shards. */
    int parallelism();

    /** One line: the engine, its master and its parallelism. */
    String describe();

    @Override
    void close();

    /** Connects to {@code master} through the provider on the class path, or says how to get one. */
    static Cluster connect(String master) {
        for (ClusterProvider p : ServiceLoader.load(ClusterProvider.class)) return p.connect(master);
        throw new IllegalArgumentException("--spark needs the rnnlab-spark module on the class path: bin/rnnlab adds "
                + "it when --spark is given; with spark-submit, submit rnnlab-spark/target/rnnlab-spark.jar");
    }
}
