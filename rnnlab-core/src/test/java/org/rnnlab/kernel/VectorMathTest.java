package org.rnnlab.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.function.DoubleUnaryOperator;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * {@link VectorMath}: its vector loops agree bit for bit with the scalar twins (for every lane position and the
 * scalar tails), and the twins are accurate. Accuracy is checked against {@link Math} in double on every 397th
 * float bit pattern between the limits (millions of inputs) plus the special values, with the bounds Cephes
 * documents for these single-precision approximations: exp and tanh within 2 ulp, sigmoid within 3 (a division
 * after exp); the worst cases measured are 0.98, 1.30 and 2.18 ulp. Results of exp in the subnormal range are
 * judged by absolute error, 2^-149 (one subnormal step).
 */
class VectorMathTest {
    private static final int L = VectorMath.L;

    /** Every 397th float in [lo, hi], plus a few more so that the count is not a multiple of L (a scalar tail). */
    private static float[] sweep(float lo, float hi) {
        int count = 0;
        for (long bits = Integer.MIN_VALUE; bits <= Integer.MAX_VALUE; bits += 397) {
            float x = Float.intBitsToFloat((int) bits);
            if (x >= lo && x <= hi) count++;
        }
        float[] xs = new float[count + L / 2 + 1];
        int i = 0;
        for (long bits = Integer.MIN_VALUE; bits <= Integer.MAX_VALUE; bits += 397) {
            float x = Float.intBitsToFloat((int) bits);
            if (x >= lo && x <= hi) xs[i++] = x;
        }
        for (; i < xs.length; i++) xs[i] = lo + (hi - lo) * i / xs.length;
        return xs;
    }

    private static double worstUlps(float[] xs, float[] ys, DoubleUnaryOperator exact, double absFloor) {
        double worst = 0;
        for (int i = 0; i < xs.length; i++) {
            double want = exact.applyAsDouble(xs[i]);
            double err = Math.abs(ys[i] - want);
            if (err > absFloor) worst = Math.max(worst, err / Math.ulp((float) want));
        }
        return worst;
    }

    private static void sameBitsAsTwin(float[] xs, float[] ys, IntFunction<Float> twin, String what) {
        for (int i = 0; i < xs.length; i++) {
            float want = twin.apply(i);
            if (Float.floatToIntBits(ys[i]) != Float.floatToIntBits(want)) {
                throw new AssertionError(what + "(" + xs[i] + ") at " + i + ": lane " + ys[i] + ", twin " + want);
            }
        }
    }

    private static float[] expLoop(float[] xs) {
        float[] ys = new float[xs.length];
        VectorMath.expShifted(xs, 0, xs.length, 0f, 0f, 1f, ys, 0);
        return ys;
    }

    private static float[] tanhLoop(float[] xs) {
        float[] ys = xs.clone();
        VectorMath.tanhInPlace(ys, 0, ys.length);
        return ys;
    }

    private static float[] sigmoidLoop(float[] xs) {
        float[] ys = xs.clone();
        VectorMath.sigmoidInPlace(ys, 0, ys.length);
        return ys;
    }

    @Test
    void expIsWithinTwoUlpsAndTheLanesAreTheTwin() {
        float[] xs = sweep(-103.97f, 88.72f);
        float[] ys = expLoop(xs);
        sameBitsAsTwin(xs, ys, i -> VectorMath.exp(xs[i]), "exp");
        assertThat(worstUlps(xs, ys, Math::exp, 0x1p-149)).isLessThanOrEqualTo(2.0);
    }

    @Test
    void expHandlesTheEdges() {
        float[] xs = {0f, -0f, 1f, 88.72283f, 88.7229f, 1000f, -104f, -1000f, Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY, Float.NaN, -87.5f, -100f, 0.5f, 2f, -3f, 10f};
        float[] y = expLoop(xs);
        sameBitsAsTwin(xs, y, i -> VectorMath.exp(xs[i]), "exp");
        assertThat(y[0]).isEqualTo(1f);
        assertThat(y[1]).isEqualTo(1f);
        assertThat(y[2]).isEqualTo((float) Math.E);
        assertThat(y[3]).as("just below overflow").isEqualTo((float) Math.exp(88.72283f));
        assertThat(y[4]).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(y[5]).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(y[6]).isEqualTo(0f);
        assertThat(y[7]).isEqualTo(0f);
        assertThat(y[8]).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(y[9]).isEqualTo(0f);
        assertThat(y[10]).isNaN();
        assertThat((double) y[11]).as("subnormal").isCloseTo(Math.exp(-87.5), within(0x1p-149));
        assertThat((double) y[12]).as("subnormal").isCloseTo(Math.exp(-100), within(0x1p-149));
    }

    @Test
    void tanhIsWithinTwoUlpsAndTheLanesAreTheTwin() {
        float[] xs = sweep(-20f, 20f);
        float[] ys = tanhLoop(xs);
        sameBitsAsTwin(xs, ys, i -> VectorMath.tanh(xs[i]), "tanh");
        assertThat(worstUlps(xs, ys, Math::tanh, 0)).isLessThanOrEqualTo(2.0);
        float[] edge = {0f, -0f, 1e-30f, 50f, -50f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
            0.625f, -0.625f, 0.6249999f, 3f, -1e-3f, 7f, 1e-3f, -2f, 0.3f};
        float[] y = tanhLoop(edge);
        sameBitsAsTwin(edge, y, i -> VectorMath.tanh(edge[i]), "tanh");
        assertThat(y[0]).isEqualTo(0f);
        assertThat(Float.floatToIntBits(y[1])).as("-0 keeps its sign").isEqualTo(Float.floatToIntBits(-0f));
        assertThat(y[2]).isEqualTo(1e-30f);
        assertThat(y[3]).isEqualTo(1f);
        assertThat(y[4]).isEqualTo(-1f);
        assertThat(y[5]).isEqualTo(1f);
        assertThat(y[6]).isEqualTo(-1f);
        assertThat(y[7]).isNaN();
        assertThat(y[9]).isEqualTo(-y[8]);
    }

    @Test
    void sigmoidIsWithinThreeUlpsAndTheLanesAreTheTwin() {
        float[] xs = sweep(-87f, 40f);
        float[] ys = sigmoidLoop(xs);
        sameBitsAsTwin(xs, ys, i -> VectorMath.sigmoid(xs[i]), "sigmoid");
        assertThat(worstUlps(xs, ys, x -> 1 / (1 + Math.exp(-x)), 0)).isLessThanOrEqualTo(3.0);
        float[] edge = {0f, 200f, -200f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN};
        float[] y = sigmoidLoop(edge);
        assertThat(y[0]).isEqualTo(0.5f);
        assertThat(y[1]).isEqualTo(1f);
        assertThat(y[2]).isEqualTo(0f);
        assertThat(y[3]).isEqualTo(1f);
        assertThat(y[4]).isEqualTo(0f);
        assertThat(y[5]).isNaN();
    }

    /** The sum expShifted returns: lane sums in order, the lanes in the fixed tree, then the tail. */
    @Test
    void sumsAddInTheFixedOrder() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        for (int n : new int[] {1, L - 1, L, 3 * L + 2, 100}) {
            float[] x = new float[n];
            for (int i = 0; i < n; i++) x[i] = (float) r.nextDouble(-5, 5);
            float[] lanes = new float[L];
            int bound = n / L * L;
            for (int i = 0; i < bound; i++) lanes[i % L] += VectorMath.exp(x[i] - 1.5f - 0f);
            float want = VectorMath.treeSum(lanes);
            for (int i = bound; i < n; i++) want += VectorMath.exp(x[i] - 1.5f - 0f);
            assertThat(Float.floatToIntBits(VectorMath.expShifted(x, 0, n, 1.5f, 0f, 1f, null, 0)))
                    .as("n=%d", n).isEqualTo(Float.floatToIntBits(want));
        }
    }
}
