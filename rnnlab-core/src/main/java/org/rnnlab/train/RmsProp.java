package org.rnnlab.train;

import java.util.Map;

/**
 * {@code torch.optim.RMSprop}: {@code sq = alpha*sq + (1-alpha)*g*g}; centred: {@code ga = alpha*ga + (1-alpha)*g},
 * {@code avg = sqrt(sq - ga*ga)}, otherwise {@code avg = sqrt(sq)}; {@code avg += eps}; with momentum
 * {@code buf = momentum*buf + g/avg, w -= lr*buf}, otherwise {@code w -= lr * g/avg}.
 */
public final class RmsProp extends Optimizer {
    public record Options(double alpha, double eps, double weightDecay, double momentum, boolean centered) {
        /** PyTorch's defaults: alpha 0.99, eps 1e-8. */
        public static final Options DEFAULT = new Options(0.99, 1e-8, 0, 0, false);

        public Options {
            checkNonNegative("alpha", alpha);
            checkNonNegative("eps", eps);
            checkNonNegative("weight decay", weightDecay);
            checkNonNegative("momentum", momentum);
        }
    }

    private final Options options;
    private final float[] squareAvg; // (P)
    private final float[] gradAvg; // (P) centred only
    private final float[] buf; // (P) momentum only

    public RmsProp(int size, double lr, Options options) {
        super(size, lr);
        this.options = options;
        squareAvg = new float[size];
        gradAvg = options.centered() ? new float[size] : null;
        buf = options.momentum() > 0 ? new float[size] : null;
    }

    @Override
    protected void update(float[] w, float[] g) {
        float alpha = (float) options.alpha();
        float oneMinusAlpha = (float) (1 - options.alpha());
        float eps = (float) options.eps();
        float wd = (float) options.weightDecay();
        float momentum = (float) options.momentum();
        float negLr = (float) -lr;
        for (int i = 0; i < size; i++) {
            float gi = wd != 0 ? g[i] + wd * w[i] : g[i];
            squareAvg[i] = squareAvg[i] * alpha;
            squareAvg[i] = squareAvg[i] + oneMinusAlpha * gi * gi;
            float avg;
            if (gradAvg != null) {
                gradAvg[i] = gradAvg[i] * alpha;
                gradAvg[i] = gradAvg[i] + oneMinusAlpha * gi;
                avg = (float) Math.sqrt(squareAvg[i] + -1f * gradAvg[i] * gradAvg[i]);
            } else {
                avg = (float) Math.sqrt(squareAvg[i]);
            }
            avg = avg + eps;
            if (buf != null) {
                buf[i] = buf[i] * momentum;
                buf[i] = buf[i] + gi / avg;
                w[i] = w[i] + negLr * buf[i];
            } else {
                w[i] = w[i] + negLr * gi / avg;
            }
        }
    }

    @Override
    public Options options() {
        return options;
    }

    @Override
    public String name() {
        return "rmsprop";
    }

    @Override
    public Map<String, float[]> buffers() {
        return named("square_avg", squareAvg, "grad_avg", gradAvg, "momentum_buffer", buf);
    }
}
