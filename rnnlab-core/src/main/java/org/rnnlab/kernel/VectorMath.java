package org.rnnlab.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * exp, tanh and sigmoid for the vector kernel, built only from operations IEEE 754 defines exactly (add, multiply,
 * fused multiply-add, divide, compare, select, bit reinterpretation): Cephes' single-precision polynomials.
 *
 * <p>Three rules shape this file:
 * <ul>
 *   <li>No {@code lanewise(EXP)} / {@code lanewise(TANH)}: HotSpot computes those with Intel's SVML in C2 code but
 *       with {@link Math} in the interpreter and C1, which differ in the last bit, so a training run would depend on
 *       when the JIT compiled what ("same seed, same bytes" would break). These give the same bits in every tier
 *       and on every CPU, at about SVML's speed.</li>
 *   <li>Each function has a scalar twin ({@link #exp(float)}, ...) doing the same operations in the same order, so
 *       the lanes and the twin agree bit for bit ({@code VectorMathTest} checks it). Loops run whole vectors, then
 *       the twin on the last {@code n mod L} entries: every entry gets the same arithmetic.</li>
 *   <li>The vector code sits inside the loops ({@link #expShifted}, {@link #sigmoidInPlace}, {@link #tanhInPlace}),
 *       not in helpers taking and returning vectors: C2 inlines a method of this size only at hot call sites, and
 *       a vector crossing a call that is not inlined is boxed on the heap (measured: kilobytes per call). Hence the
 *       polynomial written out three times; the bit-for-bit test against the one twin keeps the copies equal.</li>
 * </ul>
 * Accuracy against {@link Math} in double: see {@code VectorMathTest}.
 */
final class VectorMath {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();

    /*
     * Vector constants the loops use directly: static finals, not locals made before the loop. A loop compiled on
     * stack replacement (C2's OSR, entered from the interpreter in mid-loop) sees such a local only as a FloatVector of
     * unknown class, so an operation on it stays a call that boxes its result at every iteration.
     */
    private static final FloatVector ZERO = FloatVector.zero(S);
    private static final FloatVector ONE = FloatVector.broadcast(S, 1f);
    private static final FloatVector TWO = FloatVector.broadcast(S, 2f);
    private static final FloatVector INF = FloatVector.broadcast(S, Float.POSITIVE_INFINITY);
    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;   // ln 2 split so that n * LN2_HI is exact for |n| <= 2^15
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float ROUNDER = 12582912f;     // 1.5 * 2^23: adding it rounds to an integer, kept in the bits
    private static final int ROUNDER_BITS = 0x4B400000;
    private static final float EXP_HI = 88.7228391f;    // above: +inf
    private static final float EXP_LO = -103.972084f;   // below: 0 (e^x is under half the smallest subnormal)
    // e^r = 1 + r + r^2 P(r) on [-ln2/2, ln2/2]
    private static final float P0 = 1.9875691500e-4f;
    private static final float P1 = 1.3981999507e-3f;
    private static final float P2 = 8.3334519073e-3f;
    private static final float P3 = 4.1665795894e-2f;
    private static final float P4 = 1.6666665459e-1f;
    private static final float P5 = 5.0000001201e-1f;
    // tanh x = x + x^3 Q(x^2) for |x| < 0.625
    private static final float Q0 = -5.70498872745e-3f;
    private static final float Q1 = 2.06390887954e-2f;
    private static final float Q2 = -5.37397155531e-2f;
    private static final float Q3 = 1.33314422036e-1f;
    private static final float Q4 = -3.33332819422e-1f;
    private static final float TANH_SMALL = 0.625f;

    /*
     * Summing the lanes of a vector: not reduceLanes(ADD), whose order is the JIT's choice (JDK 24+ on x86 adds in
     * a different order in C2 code than in the interpreter), but a fixed tree: add the vector to itself with lane i
     * swapped for lane i ^ 32, then i ^ 16, ... i ^ 1; lane 0 then holds the sum. Written out where it is needed
     * (a helper taking a vector would box it whenever C2 does not inline it):
     *     if (L > 32) v = v.add(v.rearrange(H32)); ... if (L > 1) v = v.add(v.rearrange(H1)); sum = v.lane(0);
     * {@link #treeSum} is the same order on an array: the tests hold the vector sums to it bit for bit.
     */
    static final VectorShuffle<Float> H32 = swap(32);
    static final VectorShuffle<Float> H16 = swap(16);
    static final VectorShuffle<Float> H8 = swap(8);
    static final VectorShuffle<Float> H4 = swap(4);
    static final VectorShuffle<Float> H2 = swap(2);
    static final VectorShuffle<Float> H1 = swap(1);

    private VectorMath() {}

    private static VectorShuffle<Float> swap(int bit) {
        return L > bit ? VectorShuffle.fromOp(S, i -> i ^ bit) : null;
    }

    /** The tree sum's order, on an array of L lane values (for tests and as its definition). */
    static float treeSum(float[] lanes) {
        float[] v = lanes.clone();
        for (int bit = L / 2; bit >= 1; bit /= 2) {
            float[] w = new float[L];
            for (int i = 0; i < L; i++) w[i] = v[i] + v[i ^ bit];
            v = w;
        }
        return v[0];
    }

    // ---------------------------------------------------------------------------------------------- scalar twins

    /** e^x, the scalar twin of every vector exp here. */
    static float exp(float x) {
        float xc = Math.min(Math.max(x, EXP_LO), EXP_HI);
        float t = Math.fma(xc, LOG2E, ROUNDER);                  // n = round(x / ln 2), in t's low bits
        float n = t - ROUNDER;
        float r = Math.fma(n, -LN2_HI, xc);
        r = Math.fma(n, -LN2_LO, r);                             // r = x - n ln 2, in two steps for accuracy
        float p = Math.fma(r, P0, P1);
        p = Math.fma(p, r, P2);
        p = Math.fma(p, r, P3);
        p = Math.fma(p, r, P4);
        p = Math.fma(p, r, P5);
        p = Math.fma(p, r * r, r) + 1f;
        // 2^n as 2^n1 2^n2 (n1 = floor(n / 2)), each a normal float for n in [-150, 128]: no early overflow at the
        // top, one rounding into the subnormals at the bottom
        int ni = Float.floatToRawIntBits(t) - ROUNDER_BITS;
        int n1 = ni >> 1;
        int n2 = ni - n1;
        float y = p * Float.intBitsToFloat((n1 + 127) << 23) * Float.intBitsToFloat((n2 + 127) << 23);
        if (x < EXP_LO) y = 0f;
        if (x > EXP_HI) y = Float.POSITIVE_INFINITY;
        return Float.isNaN(x) ? x : y;
    }

    /** tanh x, the scalar twin: the odd polynomial below 0.625 in magnitude, {@code 1 - 2 / (e^{2|x|} + 1)} above. */
    static float tanh(float x) {
        float ax = Math.abs(x);
        float z = x * x;
        float p = Math.fma(z, Q0, Q1);
        p = Math.fma(p, z, Q2);
        p = Math.fma(p, z, Q3);
        p = Math.fma(p, z, Q4);
        float small = Math.fma(p * z, x, x);
        float e = exp(ax + ax);
        float big = 1f - 2f / (e + 1f);
        if (x < 0f) big = -big;
        float y = ax < TANH_SMALL ? small : big;
        return Float.isNaN(x) || ax == 0f ? x : y; // x itself for NaN and for zeros (whose sign p would lose)
    }

    /** 1 / (1 + e^-x), the scalar twin. */
    static float sigmoid(float x) {
        return 1f / (1f + exp(-x));
    }

    // ---------------------------------------------------------------------------------------------- loops

    /**
     * {@code out[i] = exp(x[i] - hi - lo) * scale} when {@code out} is not null ({@code out} may be {@code x}), and
     * returns the sum of {@code exp(x[i] - hi - lo)} over the n entries: each lane sums its share in order, then
     * the lanes in the fixed tree, then the tail in order.
     */
    static float expShifted(float[] x, int off, int n, float hi, float lo, float scale, float[] out, int outOff) {
        FloatVector acc = ZERO;
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, off + i).sub(hi).sub(lo);
            // ---- exp(v): the twin exp(float), lane by lane
            FloatVector xc = v.max(EXP_LO).min(EXP_HI);
            FloatVector t = xc.fma(LOG2E, ROUNDER);
            FloatVector nf = t.sub(ROUNDER);
            FloatVector r = nf.fma(FloatVector.broadcast(S, -LN2_HI), xc);
            r = nf.fma(FloatVector.broadcast(S, -LN2_LO), r);
            FloatVector p = r.fma(P0, P1);
            p = p.fma(r, FloatVector.broadcast(S, P2));
            p = p.fma(r, FloatVector.broadcast(S, P3));
            p = p.fma(r, FloatVector.broadcast(S, P4));
            p = p.fma(r, FloatVector.broadcast(S, P5));
            p = p.fma(r.mul(r), r).add(1f);
            IntVector ni = t.reinterpretAsInts().sub(ROUNDER_BITS);
            IntVector n1 = ni.lanewise(VectorOperators.ASHR, 1);
            IntVector n2 = ni.sub(n1);
            FloatVector e = p.mul(n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                    .mul(n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
            e = e.blend(ZERO, v.compare(VectorOperators.LT, EXP_LO));
            e = e.blend(INF, v.compare(VectorOperators.GT, EXP_HI));
            e = e.blend(v, v.compare(VectorOperators.NE, v));      // NaN
            // ----
            acc = acc.add(e);
            if (out != null) e.mul(scale).intoArray(out, outOff + i);
        }
        if (L > 32) acc = acc.add(acc.rearrange(H32));
        if (L > 16) acc = acc.add(acc.rearrange(H16));
        if (L > 8) acc = acc.add(acc.rearrange(H8));
        if (L > 4) acc = acc.add(acc.rearrange(H4));
        if (L > 2) acc = acc.add(acc.rearrange(H2));
        if (L > 1) acc = acc.add(acc.rearrange(H1));
        float sum = acc.lane(0);
        for (; i < n; i++) {
            float e = exp(x[off + i] - hi - lo);
            sum += e;
            if (out != null) out[outOff + i] = e * scale;
        }
        return sum;
    }

    /** {@code x = 1 / (1 + e^-x)} over n entries, in place. */
    static void sigmoidInPlace(float[] x, int off, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, off + i).neg();
            // ---- exp(v): the twin exp(float), lane by lane
            FloatVector xc = v.max(EXP_LO).min(EXP_HI);
            FloatVector t = xc.fma(LOG2E, ROUNDER);
            FloatVector nf = t.sub(ROUNDER);
            FloatVector r = nf.fma(FloatVector.broadcast(S, -LN2_HI), xc);
            r = nf.fma(FloatVector.broadcast(S, -LN2_LO), r);
            FloatVector p = r.fma(P0, P1);
            p = p.fma(r, FloatVector.broadcast(S, P2));
            p = p.fma(r, FloatVector.broadcast(S, P3));
            p = p.fma(r, FloatVector.broadcast(S, P4));
            p = p.fma(r, FloatVector.broadcast(S, P5));
            p = p.fma(r.mul(r), r).add(1f);
            IntVector ni = t.reinterpretAsInts().sub(ROUNDER_BITS);
            IntVector n1 = ni.lanewise(VectorOperators.ASHR, 1);
            IntVector n2 = ni.sub(n1);
            FloatVector e = p.mul(n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                    .mul(n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
            e = e.blend(ZERO, v.compare(VectorOperators.LT, EXP_LO));
            e = e.blend(INF, v.compare(VectorOperators.GT, EXP_HI));
            e = e.blend(v, v.compare(VectorOperators.NE, v));      // NaN
            // ----
            ONE.div(ONE.add(e)).intoArray(x, off + i);
        }
        for (; i < n; i++) x[off + i] = sigmoid(x[off + i]);
    }

    /** {@code x = tanh x} over n entries, in place. */
    static void tanhInPlace(float[] x, int off, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector xv = FloatVector.fromArray(S, x, off + i);
            FloatVector ax = xv.abs();
            FloatVector z = xv.mul(xv);
            FloatVector q = z.fma(Q0, Q1);
            q = q.fma(z, FloatVector.broadcast(S, Q2));
            q = q.fma(z, FloatVector.broadcast(S, Q3));
            q = q.fma(z, FloatVector.broadcast(S, Q4));
            FloatVector small = q.mul(z).fma(xv, xv);
            FloatVector v = ax.add(ax);
            // ---- exp(v): the twin exp(float), lane by lane
            FloatVector xc = v.max(EXP_LO).min(EXP_HI);
            FloatVector t = xc.fma(LOG2E, ROUNDER);
            FloatVector nf = t.sub(ROUNDER);
            FloatVector r = nf.fma(FloatVector.broadcast(S, -LN2_HI), xc);
            r = nf.fma(FloatVector.broadcast(S, -LN2_LO), r);
            FloatVector p = r.fma(P0, P1);
            p = p.fma(r, FloatVector.broadcast(S, P2));
            p = p.fma(r, FloatVector.broadcast(S, P3));
            p = p.fma(r, FloatVector.broadcast(S, P4));
            p = p.fma(r, FloatVector.broadcast(S, P5));
            p = p.fma(r.mul(r), r).add(1f);
            IntVector ni = t.reinterpretAsInts().sub(ROUNDER_BITS);
            IntVector n1 = ni.lanewise(VectorOperators.ASHR, 1);
            IntVector n2 = ni.sub(n1);
            FloatVector e = p.mul(n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                    .mul(n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
            e = e.blend(ZERO, v.compare(VectorOperators.LT, EXP_LO));
            e = e.blend(INF, v.compare(VectorOperators.GT, EXP_HI));
            e = e.blend(v, v.compare(VectorOperators.NE, v));      // NaN
            // ----
            FloatVector big = ONE.sub(TWO.div(e.add(ONE)));
            big = big.blend(big.neg(), xv.compare(VectorOperators.LT, ZERO));
            FloatVector y = big.blend(small, ax.compare(VectorOperators.LT, TANH_SMALL));
            y = y.blend(xv, ax.compare(VectorOperators.EQ, ZERO));   // zeros keep their sign
            y.blend(xv, xv.compare(VectorOperators.NE, xv)).intoArray(x, off + i);   // NaN
        }
        for (; i < n; i++) x[off + i] = tanh(x[off + i]);
    }
}
