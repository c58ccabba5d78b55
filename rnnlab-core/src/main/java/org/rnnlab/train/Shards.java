package org.rnnlab.train;

/**
 * How a data-parallel step cuts its batch, the same wherever the shards run ({@link LocalShards} on this machine's
 * cores, rnnlab-spark's tasks on a cluster), so that the two give the same bits for the same shard count.
 */
public final class Shards {
    private Shards() {}

    /** The first row of shard s of P over n rows: shards differ by at most one row. */
    public static int rowStart(int n, int parts, int s) {
        return (int) ((long) n * s / parts);
    }

    /** The seed of shard {@code shard}'s dropout masks at optimizer step {@code step} of a run seeded {@code seed}. */
    public static long dropoutSeed(long seed, long step, int shard) {
        long z = seed * 0x9E3779B97F4A7C15L + step * 0xBF58476D1CE4E5B9L + shard;
        z = (z ^ z >>> 30) * 0xBF58476D1CE4E5B9L;
        return z ^ z >>> 27;
    }
}
