package org.rnnlab.train;

import java.util.Map;

/**
 * {@code torch.optim.Adagrad}: {@code clr = lr / (1 + (t-1)*lr_decay)}; {@code sum += g*g};
 * {@code w -= clr * g / (sqrt(sum) + eps)}, with optional L2 weight decay folded into g.
 */
public final class Adagrad extends Optimizer {
    public record Options(double lrDecay, double weightDecay, double initialAccumulatorValue, double eps) {
        /** PyTorch's defaults: no decay, accumulator starts at 0, eps 1e-10. */
        public static final Options DEFAULT = new Options(0, 0, 0, 1e-10);

        public Options {
            checkNonNegative("lr decay", lrDecay);
            checkNonNegative("weight decay", weightDecay);
            checkNonNegative("initial accumulator value", initialAccumulatorValue);
            checkNonNegative("eps", eps);
        }
    }

    private final Options options;
    private final float[] sum; // (P) running sum of squared gradients

    public Adagrad(int size, double lr, Options options) {
        super(size, lr);
        this.options = options;
        sum = new float[size];
        java.util.Arrays.fill(sum, (float) options.initialAccumulatorValue());
    }

    @Override
    protected void update(float[] w, float[] g) {
        float negClr = (float) -(lr / (1 + (steps - 1) * options.lrDecay()));
        float wd = (float) options.weightDecay();
        float eps = (float) options.eps();
        for (int i = 0; i < size; i++) {
            float gi = wd != 0 ? g[i] + wd * w[i] : g[i];
            sum[i] = sum[i] + gi * gi;
            float std = (float) Math.sqrt(sum[i]) + eps;
            w[i] = w[i] + negClr * gi / std;
        }
    }

    @Override
    public Options options() {
        return options;
    }

    @Override
    public String name() {
        return "adagrad";
    }

    @Override
    public Map<String, float[]> buffers() {
        return named("sum", sum);
    }
}
