package org.rnnlab.nn;

import java.util.random.RandomGenerator;

/**
 * Inverted dropout, as {@code F.dropout} in training: each entry is kept with probability {@code 1 - p} and
 * scaled by {@code 1 / (1 - p)}, so that evaluation needs no rescaling.
 * <pre>
 *   mask[i] = (u_i >= p) / (1 - p)      u_i uniform in [0, 1) from the caller's random source
 *   forward:   y = x * mask
 *   backward:  dx = dy * mask
 * </pre>
 * The masks cannot match PyTorch's (different generators); their distribution does.
 */
public final class Dropout {
    private final double p;
    private final float scale;

    public Dropout(double p) {
        if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        this.p = p;
        this.scale = (float) (1 / (1 - p));
    }

    public double probability() {
        return p;
    }

    /** Draws a fresh {@code mask} (n) and writes {@code y = x * mask}; {@code y} may be {@code x}. */
    public void forward(float[] x, int n, float[] mask, float[] y, RandomGenerator random) {
        for (int i = 0; i < n; i++) {
            mask[i] = random.nextDouble() >= p ? scale : 0f;
            y[i] = x[i] * mask[i];
        }
    }

    /** {@code dx = dy * mask} with the mask of the forward pass; {@code dx} may be {@code dy}. */
    public void backward(float[] dy, int n, float[] mask, float[] dx) {
        for (int i = 0; i < n; i++) dx[i] = dy[i] * mask[i];
    }
}
