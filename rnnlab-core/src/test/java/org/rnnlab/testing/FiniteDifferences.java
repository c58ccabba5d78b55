package org.rnnlab.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * Finite-difference gradient checks for float32 code: numeric derivatives of a scalar objective (computed in
 * double from the float outputs) along every entry of float tensors, compared tensor by tensor with an
 * analytic gradient by the norm-wise relative error {@code |a - n|_2 / max(|a|_2, |n|_2)}.
 *
 * <h2>The difference quotient</h2>
 * Fourth-order centred differences, {@code (4 D(h) - D(2h)) / 3} with
 * {@code D(s) = (J(w+s) - J(w-s)) / (float(w+s) - float(w-s))}: each quotient divides by the step float32 can
 * actually represent, not by {@code 2s}, which removes the step's own rounding (up to {@code ulp(w) / 2s}).
 *
 * <h2>Why {@link #STEP} = 3e-2, {@link #TOLERANCE} = 2e-4 and {@link #NOISE} = 1e-5</h2>
 * The forward pass runs in float32 (unit roundoff {@code u = 2^-24 = 6e-8}), so J carries a rounding error
 * {@code dJ} that does not cancel between the perturbed evaluations: about {@code u * sqrt(m) * |R y| * c},
 * with m ~ 100 outputs of size ~0.5 weighted by |R| &lt;= 1 and c ~ 3 roundings per output, i.e. dJ between
 * 1e-7 and 1e-6. The quotient turns it into an absolute error of about {@code dJ / h} in every entry
 * (3e-6 to 3e-5 at h = 3e-2), and truncation adds {@code h^4 |J^(5)| / 30}. Second-order differences
 * (truncation {@code h^2 |J'''| / 6}) would force {@code h ~ 1e-2} and leave ~1e-4 relative either way; the
 * fourth-order stencil allows h = 3e-2, where truncation ({@code ~1e-6 |J^(5)|}) falls below rounding.
 * Measured on this project's layers, sweeping h from 3e-4 to 1e-1: the error falls like 1/h down to h ~ 3e-2
 * (rounding), then rises like h^4 (truncation); at 3e-2 it is 1e-6 to 8e-5 per tensor, relative, and at
 * most ~5e-6 per entry, absolute.
 *
 * <p>A tensor passes when {@code |a - n|_2 <= TOLERANCE max(|a|_2, |n|_2) + NOISE sqrt(entries)}. The
 * relative part, 2e-4, leaves a factor of 4 to 20 above the measured relative errors of tensors with
 * gradients of order 0.1 or more. The absolute part allows 1e-5 per entry, within the predicted rounding
 * noise of the quotient and twice the largest measured: it matters only for tensors whose gradient is so
 * small (|g| ~ 0.01 to 0.05, e.g. the initial state of a lower layer) that the quotient's absolute noise is a
 * sizeable fraction of it. Real mistakes (a missing term, a gradient one time step off, gate blocks swapped,
 * even a 1% scaling) fail by large factors: see {@code GradientCheckSelfTest}.
 *
 * <p>Functions with kinks (relu) have no derivative across one, so an optional branch signature (which outputs
 * are zero) is compared with the unperturbed one after each evaluation; entries whose perturbations change it
 * are skipped and counted.
 */
public final class FiniteDifferences {
    public static final double STEP = 3e-2;
    public static final double TOLERANCE = 2e-4;
    public static final double NOISE = 1e-5;

    private FiniteDifferences() {}

    /** The comparison of one tensor: norm-wise relative error and the worst entry. */
    public record TensorCheck(String name, int entries, int skipped, double relativeError, double analyticNorm,
                              double errorNorm, double scale, int worstIndex, double worstAnalytic,
                              double worstNumeric) {
        /** {@code |a - n| <= TOLERANCE max(|a|, |n|) + NOISE sqrt(entries)}, at most a quarter skipped at kinks. */
        public boolean passed() {
            return errorNorm <= TOLERANCE * scale + NOISE * Math.sqrt(entries - skipped) && skipped * 4 <= entries;
        }

        /** The error as a fraction of what {@link #passed()} allows. */
        public double errorOverAllowed() {
            return errorNorm / (TOLERANCE * scale + NOISE * Math.sqrt(entries - skipped));
        }

        public String describe() {
            return String.format("%-22s %4d entries%s |g| %.3e  rel.err %.2e  err/allowed %.2f  worst [%d] analytic "
                            + "%.7e numeric %.7e", name, entries, skipped > 0 ? " (" + skipped + " skipped at kinks)" : "",
                    analyticNorm, relativeError, errorOverAllowed(), worstIndex, worstAnalytic, worstNumeric);
        }
    }

    /** A tensor to check: {@code n} entries of {@code values} and of the analytic gradient, from offsets. */
    public record Target(String name, float[] values, int offset, int n, float[] analytic, int analyticOffset) {
        public static Target whole(String name, float[] values, float[] analytic) {
            return new Target(name, values, 0, values.length, analytic, 0);
        }
    }

    /**
     * Checks every entry of every target against {@code objective} (which must run the whole forward pass and
     * read the perturbed values); the analytic gradients must already be in place. {@code branchSignature} may
     * be {@code null}.
     */
    public static List<TensorCheck> check(List<Target> targets, double step, DoubleSupplier objective,
                                          LongSupplier branchSignature) {
        List<TensorCheck> out = new ArrayList<>();
        for (Target t : targets) out.add(check(t, step, objective, branchSignature));
        // leave the caller's buffers as they were at the unperturbed point
        objective.getAsDouble();
        return out;
    }

    private static TensorCheck check(Target t, double step, DoubleSupplier objective, LongSupplier branchSignature) {
        long base = branchSignature == null ? 0 : branchSignature.getAsLong();
        double[] analytic = new double[t.n()];
        double[] numeric = new double[t.n()];
        boolean[] skip = new boolean[t.n()];
        int skipped = 0;
        for (int i = 0; i < t.n(); i++) {
            int at = t.offset() + i;
            float saved = t.values()[at];
            double[] d = new double[2];
            for (int k = 1; k <= 2; k++) {
                float plus = (float) (saved + k * step);
                float minus = (float) (saved - k * step);
                t.values()[at] = plus;
                double jPlus = objective.getAsDouble();
                skip[i] |= branchSignature != null && branchSignature.getAsLong() != base;
                t.values()[at] = minus;
                double jMinus = objective.getAsDouble();
                skip[i] |= branchSignature != null && branchSignature.getAsLong() != base;
                d[k - 1] = (jPlus - jMinus) / ((double) plus - (double) minus);
            }
            t.values()[at] = saved;
            numeric[i] = (4 * d[0] - d[1]) / 3;
            analytic[i] = t.analytic()[t.analyticOffset() + i];
            if (skip[i]) skipped++;
        }
        return compare(t.name(), analytic, numeric, skip, skipped);
    }

    /** Norm-wise relative error over the entries not skipped. */
    public static TensorCheck compare(String name, double[] analytic, double[] numeric, boolean[] skip, int skipped) {
        double diff2 = 0, a2 = 0, n2 = 0, worst = -1;
        int worstAt = -1;
        for (int i = 0; i < analytic.length; i++) {
            if (skip[i]) continue;
            double d = analytic[i] - numeric[i];
            diff2 += d * d;
            a2 += analytic[i] * analytic[i];
            n2 += numeric[i] * numeric[i];
            if (Math.abs(d) > worst) {
                worst = Math.abs(d);
                worstAt = i;
            }
        }
        double scale = Math.max(Math.sqrt(a2), Math.sqrt(n2));
        double rel = scale == 0 ? 0 : Math.sqrt(diff2) / scale;
        return new TensorCheck(name, analytic.length, skipped, rel, Math.sqrt(a2), Math.sqrt(diff2), scale, worstAt,
                worstAt < 0 ? 0 : analytic[worstAt], worstAt < 0 ? 0 : numeric[worstAt]);
    }

    /** {@code sum_i r[i] y[i]} in double: a fixed random linear objective over a float buffer. */
    public static double dot(float[] r, float[] y) {
        double s = 0;
        for (int i = 0; i < r.length; i++) s += (double) r[i] * y[i];
        return s;
    }
}
