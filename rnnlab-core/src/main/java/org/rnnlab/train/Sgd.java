package org.rnnlab.train;

import java.util.Map;

/**
 * {@code torch.optim.SGD}: with weight decay {@code d = g + wd*w}; with momentum the buffer starts as {@code d}
 * on the first step, then {@code buf = momentum*buf + (1-dampening)*d}; Nesterov uses {@code d + momentum*buf};
 * finally {@code w -= lr * d}.
 */
public final class Sgd extends Optimizer {
    /** PyTorch's arguments; the defaults are PyTorch's (lr has none there). */
    public record Options(double momentum, double dampening, double weightDecay, boolean nesterov) {
        public static final Options DEFAULT = new Options(0, 0, 0, false);

        public Options {
            checkNonNegative("momentum", momentum);
            checkNonNegative("dampening", dampening);
            checkNonNegative("weight decay", weightDecay);
            if (nesterov && (momentum <= 0 || dampening != 0)) {
                throw new IllegalArgumentException("Nesterov momentum requires a momentum > 0 and zero dampening");
            }
        }
    }

    private final Options options;
    private final float[] buf; // (P) momentum buffer, null without momentum

    public Sgd(int size, double lr, Options options) {
        super(size, lr);
        this.options = options;
        this.buf = options.momentum() != 0 ? new float[size] : null;
    }

    @Override
    protected void update(float[] w, float[] g) {
        float wd = (float) options.weightDecay();
        float momentum = (float) options.momentum();
        float keep = (float) (1 - options.dampening());
        float negLr = (float) -lr;
        for (int i = 0; i < size; i++) {
            float d = wd != 0 ? g[i] + wd * w[i] : g[i];
            if (buf != null) {
                buf[i] = steps == 1 ? d : buf[i] * momentum + keep * d;
                d = options.nesterov() ? d + momentum * buf[i] : buf[i];
            }
            w[i] = w[i] + negLr * d;
        }
    }

    @Override
    public Options options() {
        return options;
    }

    @Override
    public String name() {
        return "sgd";
    }

    @Override
    public Map<String, float[]> buffers() {
        return named("momentum_buffer", buf);
    }
}
