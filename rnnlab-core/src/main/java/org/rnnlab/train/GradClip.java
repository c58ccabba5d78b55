package org.rnnlab.train;

import org.rnnlab.kernel.Kernel;

/**
 * Gradient clipping over the whole flat gradient arena, as PyTorch's utilities do it.
 * <ul>
 *   <li>{@link #byGlobalNorm}: {@code clip_grad_norm_(params, max_norm)}: the L2 norm of all gradients together;
 *       when it exceeds {@code maxNorm}, every gradient is scaled by {@code maxNorm / (norm + 1e-6)}. One norm for
 *       the whole model, never per element or per tensor (min-char-rnn's per-element clipping bends the
 *       gradient's direction; the global norm keeps it).</li>
 *   <li>{@link #byValue}: {@code clip_grad_value_(params, v)}: every element clamped to [-v, v].</li>
 * </ul>
 */
public final class GradClip {
    private GradClip() {}

    /** The L2 norm of {@code g[0..size)}, accumulated in double by the kernel. */
    public static double norm(Kernel k, float[] g, int size) {
        return Math.sqrt(k.sumOfSquares(g, 0, size));
    }

    /**
     * Scales the gradients so that their global L2 norm is at most {@code maxNorm}.
     *
     * @return the norm before clipping (infinite or NaN norms are returned unscaled, for the caller to report)
     */
    public static double byGlobalNorm(Kernel k, float[] g, int size, double maxNorm) {
        if (!(maxNorm > 0)) throw new IllegalArgumentException("clip norm must be > 0, got " + maxNorm);
        double total = norm(k, g, size);
        if (!Double.isFinite(total)) return total;
        double coef = maxNorm / (total + 1e-6);
        if (coef < 1) {
            float c = (float) coef;
            for (int i = 0; i < size; i++) g[i] *= c;
        }
        return total;
    }

    /** Clamps every gradient to [-limit, limit]. */
    public static void byValue(float[] g, int size, double limit) {
        if (!(limit > 0)) throw new IllegalArgumentException("clip value must be > 0, got " + limit);
        float hi = (float) limit;
        for (int i = 0; i < size; i++) g[i] = Math.max(-hi, Math.min(hi, g[i]));
    }
}
