package org.rnnlab.train;

/** Makes {@link Cluster}s; listed in {@code META-INF/services} by the module that has one (rnnlab-spark). */
public interface ClusterProvider {
    /**
     * @param master where the cluster is ({@code local[2]}, {@code spark://host:7077}), or null for the one the
     *               launcher configured ({@code spark-submit --master})
     */
    Cluster connect(String master);
}
