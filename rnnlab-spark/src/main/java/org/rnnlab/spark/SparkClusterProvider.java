package org.rnnlab.spark;

import org.rnnlab.train.Cluster;
import org.rnnlab.train.ClusterProvider;

/** Apache Spark as rnnlab's {@link Cluster}, found by {@link Cluster#connect} through {@code META-INF/services}. */
public final class SparkClusterProvider implements ClusterProvider {
    @Override
    public Cluster connect(String master) {
        return new SparkCluster(master);
    }
}
