package org.rnnlab.lab;

/**
 * numpy's legacy global generator ({@code np.random.seed}, {@code np.random.rand}, {@code np.random.randn}),
 * reproduced bit for bit so that the lab's first exercise starts from the notebook's exact weights.
 *
 * <p>Three pieces, each as numpy's C sources define them:
 * <ul>
 *   <li>MT19937 seeded from a 32-bit integer by Knuth's linear recurrence ({@code mt19937_seed});</li>
 *   <li>doubles with 53 random bits from two 32-bit draws ({@code legacy_double}: {@code (a>>5)*2^26 + (b>>6)}
 *       divided by 2^53);</li>
 *   <li>normals by the polar Box–Muller method, which makes two values per accepted pair, returns the second
 *       ({@code f*x2}) and caches the first ({@code f*x1}) for the next call ({@code legacy_gauss}).</li>
 * </ul>
 * Not thread-safe, like numpy's global state.
 */
public final class NumpyRandom {
    private static final int N = 624;
    private static final int M = 397;
    private static final int MATRIX_A = 0x9908b0df;
    private static final int UPPER_MASK = 0x80000000;
    private static final int LOWER_MASK = 0x7fffffff;

    private final int[] key = new int[N];
    private int pos;
    private boolean hasGauss;
    private double gauss;

    /** Same as {@code np.random.seed(seed)}: {@code seed} must lie in [0, 2^32 - 1], as numpy requires. */
    public NumpyRandom(long seed) {
        if (seed < 0 || seed > 0xffffffffL) {
            throw new IllegalArgumentException("seed must be between 0 and 2**32 - 1 (as numpy requires), got " + seed);
        }
        int s = (int) seed;
        for (int i = 0; i < N; i++) {
            key[i] = s;
            s = 1812433253 * (s ^ (s >>> 30)) + i + 1;
        }
        pos = N;
    }

    /** The next raw 32-bit output, as an unsigned value. */
    public long nextUint32() {
        return next32() & 0xffffffffL;
    }

    private int next32() {
        if (pos == N) {
            regenerate();
        }
        int y = key[pos++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y;
    }

    private void regenerate() {
        int i = 0;
        for (; i < N - M; i++) {
            int y = (key[i] & UPPER_MASK) | (key[i + 1] & LOWER_MASK);
            key[i] = key[i + M] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
        }
        for (; i < N - 1; i++) {
            int y = (key[i] & UPPER_MASK) | (key[i + 1] & LOWER_MASK);
            key[i] = key[i + (M - N)] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
        }
        int y = (key[N - 1] & UPPER_MASK) | (key[0] & LOWER_MASK);
        key[N - 1] = key[M - 1] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
        pos = 0;
    }

    /** {@code np.random.random_sample()}: uniform on [0, 1) with 53 random bits. */
    public double randomSample() {
        long a = (next32() >>> 5) & 0xffffffffL;
        long b = (next32() >>> 6) & 0xffffffffL;
        return (a * 67108864.0 + b) / 9007199254740992.0;
    }

    /** {@code np.random.randn()}: one standard normal value. */
    public double randn() {
        if (hasGauss) {
            hasGauss = false;
            double cached = gauss;
            gauss = 0.0;
            return cached;
        }
        double x1;
        double x2;
        double r2;
        do {
            x1 = 2.0 * randomSample() - 1.0;
            x2 = 2.0 * randomSample() - 1.0;
            r2 = x1 * x1 + x2 * x2;
        } while (r2 >= 1.0 || r2 == 0.0);
        // numpy calls C log, i.e. glibc's; Math.log and StrictMath.log differ from it in the last bit on some inputs.
        double f = Math.sqrt(-2.0 * GlibcLog.log(r2) / r2);
        gauss = f * x1;
        hasGauss = true;
        return f * x2;
    }

    /** {@code np.random.randn(rows, cols)}: a (rows, cols) matrix filled in C (row-major) order. */
    public double[] randn(int rows, int cols) {
        double[] out = new double[Math.multiplyExact(rows, cols)];
        for (int i = 0; i < out.length; i++) {
            out[i] = randn();
        }
        return out;
    }
}
