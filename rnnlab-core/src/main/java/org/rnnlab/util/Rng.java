package org.rnnlab.util;

import java.util.random.RandomGenerator;

/**
 * The one random source of rnnlab: xoshiro256** (Blackman and Vigna), seeded through SplitMix64. Every use of
 * randomness (initialisation, dropout masks, shuffling, sampling) takes an {@code Rng} explicitly, so the same seed
 * gives the same run, and {@link #state()} / {@link #restore} let a checkpoint resume mid-run bit for bit.
 * Not thread-safe: give each thread its own ({@link #split}).
 */
public final class Rng implements RandomGenerator {
    private long s0;
    private long s1;
    private long s2;
    private long s3;

    public Rng(long seed) {
        long x = seed;
        s0 = splitMix(x += 0x9E3779B97F4A7C15L);
        s1 = splitMix(x += 0x9E3779B97F4A7C15L);
        s2 = splitMix(x += 0x9E3779B97F4A7C15L);
        s3 = splitMix(x + 0x9E3779B97F4A7C15L);
    }

    private Rng(long[] state) {
        restore(state);
    }

    private static long splitMix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public long nextLong() {
        long result = Long.rotateLeft(s1 * 5, 7) * 9;
        long t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = Long.rotateLeft(s3, 45);
        return result;
    }

    /** Uniform on [0, 1) with 53 random bits. */
    @Override
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform on [0, 1) with 24 random bits. */
    @Override
    public float nextFloat() {
        return (nextLong() >>> 40) * 0x1.0p-24f;
    }

    /** Uniform on [0, bound), without modulo bias (Lemire's multiply-and-reject). */
    @Override
    public int nextInt(int bound) {
        if (bound <= 0) throw new IllegalArgumentException("bound must be positive, got " + bound);
        long m = (nextLong() >>> 32) * bound;
        long low = m & 0xffffffffL;
        if (low < bound) {
            long threshold = (0x100000000L - bound) % bound;
            while (low < threshold) {
                m = (nextLong() >>> 32) * bound;
                low = m & 0xffffffffL;
            }
        }
        return (int) (m >>> 32);
    }

    /** A standard normal value (Marsaglia's polar method; the second value of each pair is discarded for simplicity). */
    @Override
    public double nextGaussian() {
        double x;
        double y;
        double r;
        do {
            x = 2 * nextDouble() - 1;
            y = 2 * nextDouble() - 1;
            r = x * x + y * y;
        } while (r >= 1 || r == 0);
        return x * Math.sqrt(-2 * Math.log(r) / r);
    }

    /** Fisher–Yates shuffle of {@code a} in place. */
    public void shuffle(int[] a) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** An independent generator derived from this one (advances this one by one draw). */
    public Rng split() {
        return new Rng(nextLong());
    }

    /** The full state, for checkpoints. */
    public long[] state() {
        return new long[] {s0, s1, s2, s3};
    }

    public void restore(long[] state) {
        if (state.length != 4) throw new IllegalArgumentException("an Rng state has 4 words, got " + state.length);
        if ((state[0] | state[1] | state[2] | state[3]) == 0) throw new IllegalArgumentException("an all-zero Rng state is invalid");
        s0 = state[0];
        s1 = state[1];
        s2 = state[2];
        s3 = state[3];
    }

    public static Rng fromState(long[] state) {
        return new Rng(state);
    }
}
