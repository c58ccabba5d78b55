package org.rnnlab.lab;

import java.util.List;

/**
 * Finite differences against the hand-written BPTT gradients of {@link BpttToy}, for every entry of every
 * parameter, one training example at a time.
 *
 * <h2>How accurate a finite difference can be here</h2>
 * The numeric derivative is the fourth-order centred difference
 * {@code (8(L(w+h) - L(w-h)) - (L(w+2h) - L(w-2h))) / 12h} with {@code h = 1e-3}: its truncation error
 * ({@code h^4 L^(5) / 30}) and its rounding error ({@code ~1.5 |L| 2^-52 / h}, about 3e-12 for one example's
 * loss of ~10) are both near 1e-12. Per example rather than over the summed epoch loss, because the summed loss
 * is 23 times larger and so is its rounding noise.
 *
 * <p>A relative error means something only where the gradient stands well above that noise, so entries with
 * {@code max(|analytic|, |numeric|) >= 1e-5} are judged by relative error (noise alone stays below 3e-7 there)
 * and the smaller ones, some of them exactly zero, by absolute error.
 */
public final class GradientCheck {
    public static final double STEP = 1e-3;
    /** Gradients at least this large are judged by relative error, smaller ones by absolute error. */
    public static final double RELATIVE_FLOOR = 1e-5;
    public static final double MAX_RELATIVE_ERROR = 1e-6;
    public static final double MAX_ABSOLUTE_ERROR = 1e-10;

    /** The worst disagreements found, and where. */
    public record Result(double worstRelativeError, String worstRelativeAt, int relativeEntries,
                         double worstAbsoluteError, String worstAbsoluteAt, int absoluteEntries) {
        public boolean passed() {
            return worstRelativeError < MAX_RELATIVE_ERROR && worstAbsoluteError < MAX_ABSOLUTE_ERROR;
        }

        public String summary() {
            return String.format("Gradient check (%d entries, 4th-order centred differences, h=%.0e): worst relative "
                            + "error %.2e at %s over the %d entries with |grad| >= %.0e; worst absolute error %.2e at %s "
                            + "over the other %d: %s",
                    relativeEntries + absoluteEntries, STEP, worstRelativeError, worstRelativeAt, relativeEntries,
                    RELATIVE_FLOOR, worstAbsoluteError, worstAbsoluteAt, absoluteEntries,
                    passed() ? "ok" : "FAILED (limits: relative 1e-6, absolute 1e-10)");
        }
    }

    private GradientCheck() {}

    /** Checks every parameter entry on every example at the model's current weights, which it leaves unchanged. */
    public static Result run(BpttToy model) {
        double worstRel = 0;
        double worstAbs = 0;
        String relAt = "-";
        String absAt = "-";
        int relCount = 0;
        int absCount = 0;
        List<BpttToy.Example> examples = BpttToy.examples();
        for (int e = 0; e < examples.size(); e++) {
            BpttToy.Example ex = examples.get(e);
            model.lossAndGradients(ex);
            List<BpttToy.Named> params = model.params().named();
            List<BpttToy.Named> grads = model.gradients().named();
            for (int p = 0; p < params.size(); p++) {
                BpttToy.Named param = params.get(p);
                double[] analytic = grads.get(p).values().clone();
                for (int i = 0; i < analytic.length; i++) {
                    double numeric = centredDifference(model, ex, param.values(), i);
                    double diff = Math.abs(analytic[i] - numeric);
                    double scale = Math.max(Math.abs(analytic[i]), Math.abs(numeric));
                    if (scale >= RELATIVE_FLOOR) {
                        relCount++;
                        if (diff / scale > worstRel) {
                            worstRel = diff / scale;
                            relAt = at(param, i, e);
                        }
                    } else {
                        absCount++;
                        if (diff > worstAbs) {
                            worstAbs = diff;
                            absAt = at(param, i, e);
                        }
                    }
                }
            }
        }
        return new Result(worstRel, relAt, relCount, worstAbs, absAt, absCount);
    }

    private static String at(BpttToy.Named param, int i, int example) {
        int cols = param.shape()[1];
        return String.format("%s[%d,%d] (example %d)", param.name(), i / cols, i % cols, example);
    }

    /** The fourth-order centred difference of the example's loss along entry {@code i} of {@code w}. */
    static double centredDifference(BpttToy model, BpttToy.Example ex, double[] w, int i) {
        double saved = w[i];
        double[] steps = {STEP, -STEP, 2 * STEP, -2 * STEP};
        double[] loss = new double[steps.length];
        for (int k = 0; k < steps.length; k++) {
            w[i] = saved + steps[k];
            loss[k] = model.forward(ex.inputs(), ex.targets());
        }
        w[i] = saved;
        return (8 * (loss[0] - loss[1]) - (loss[2] - loss[3])) / (12 * STEP);
    }
}
