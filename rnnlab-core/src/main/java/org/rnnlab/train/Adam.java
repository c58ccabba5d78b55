package org.rnnlab.train;

import java.util.Map;

/**
 * {@code torch.optim.Adam} (and AdamW with {@code decoupled}):
 * <pre>
 *   g  = g + wd*w                      (Adam's L2 weight decay; AdamW instead scales w by 1 - lr*wd first)
 *   m  = beta1*m + (1-beta1)*g
 *   v  = beta2*v + (1-beta2)*g*g
 *   w -= lr/(1-beta1^t) * m / (sqrt(v)/sqrt(1-beta2^t) + eps)     (AMSGrad uses max over time of v)
 * </pre>
 * The bias corrections are computed in double as Python does, then rounded to float like PyTorch's scalars.
 */
public final class Adam extends Optimizer {
    public record Options(double beta1, double beta2, double eps, double weightDecay, boolean amsgrad, boolean decoupled) {
        /** PyTorch's Adam defaults: betas (0.9, 0.999), eps 1e-8, no weight decay. */
        public static final Options DEFAULT = new Options(0.9, 0.999, 1e-8, 0, false, false);

        public Options {
            checkUnit("beta1", beta1);
            checkUnit("beta2", beta2);
            checkNonNegative("eps", eps);
            checkNonNegative("weight decay", weightDecay);
        }
    }

    private final Options options;
    private final float[] m; // (P) exp_avg
    private final float[] v; // (P) exp_avg_sq
    private final float[] vMax; // (P) max_exp_avg_sq, AMSGrad only

    public Adam(int size, double lr, Options options) {
        super(size, lr);
        this.options = options;
        m = new float[size];
        v = new float[size];
        vMax = options.amsgrad() ? new float[size] : null;
    }

    @Override
    protected void update(float[] w, float[] g) {
        Options o = options;
        float beta1 = (float) o.beta1();
        float beta2 = (float) o.beta2();
        float oneMinusBeta1 = (float) (1 - o.beta1());
        float oneMinusBeta2 = (float) (1 - o.beta2());
        double biasCorrection1 = 1 - Math.pow(o.beta1(), steps);
        double biasCorrection2 = 1 - Math.pow(o.beta2(), steps);
        float negStepSize = (float) -(lr / biasCorrection1);
        float bc2Sqrt = (float) Math.sqrt(biasCorrection2);
        float eps = (float) o.eps();
        float wd = (float) o.weightDecay();
        float decay = (float) (1 - lr * o.weightDecay());
        for (int i = 0; i < size; i++) {
            float gi = g[i];
            if (wd != 0) {
                if (o.decoupled()) w[i] = w[i] * decay;
                else gi = gi + wd * w[i];
            }
            m[i] = m[i] * beta1;
            m[i] = m[i] + oneMinusBeta1 * gi;
            v[i] = v[i] * beta2;
            v[i] = v[i] + oneMinusBeta2 * gi * gi;
            float second = v[i];
            if (vMax != null) {
                vMax[i] = Math.max(vMax[i], v[i]);
                second = vMax[i];
            }
            float denom = (float) Math.sqrt(second) / bc2Sqrt + eps;
            w[i] = w[i] + negStepSize * m[i] / denom;
        }
    }

    @Override
    public Options options() {
        return options;
    }

    @Override
    public String name() {
        return options.decoupled() ? "adamw" : "adam";
    }

    @Override
    public Map<String, float[]> buffers() {
        return named("exp_avg", m, "exp_avg_sq", v, "max_exp_avg_sq", vMax);
    }
}
