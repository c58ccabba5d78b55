package org.rnnlab.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The lab's first exercise: a one-layer tanh RNN over the alphabet, trained by backpropagation through time
 * written out by hand, exactly as the notebook does it in numpy (double precision, same order of operations).
 *
 * <pre>
 *   h_t = tanh(Wxh x_t + Whh h_{t-1} + bh)      x_t one-hot over a..z, h_{-1} = 0
 *   y_t = Why h_t + by
 *   p_t = softmax(y_t)
 *   loss = - sum_t log p_t[target_t]
 * </pre>
 * Training: the 23 windows "abc"->"bcd", "bcd"->"cde", ..., plain SGD after every window. The weights start as
 * {@code np.random.seed(seed); randn(...) * 0.1} in the notebook's order (Wxh, Whh, Why); biases start at zero.
 *
 * <p>This class is the teaching heart of the lab: the backward pass reads as the chain rule, one step a line,
 * mirroring the notebook. It deliberately uses plain loops over small row-major {@code double[]} matrices and
 * none of the fast kernels of the rest of rnnlab.
 */
public final class BpttToy {
    /** The toy vocabulary: the 26 lowercase letters, index = letter - 'a'. */
    public static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz";
    static final int V = ALPHABET.length();
    /** Window length of the training examples (3 letters in, the next 3 out). */
    static final int WINDOW = 3;

    /** The notebook's hyper-parameters, and what a student may change. */
    public record Config(int hidden, double learningRate, int epochs, long seed, int printEvery) {
        public static final Config NOTEBOOK = new Config(4, 0.1, 160, 0, 100);
        /** The most hidden units: the toy's matrices are dense doubles, (H, 26) and (H, H). */
        public static final int MAX_HIDDEN = 4096;
        /** The most epochs: each keeps its loss for the plot; a million of the 23 examples run for minutes. */
        public static final int MAX_EPOCHS = 1_000_000;

        public Config {
            if (hidden < 1 || hidden > MAX_HIDDEN) {
                throw new IllegalArgumentException("--hidden must be between 1 and " + MAX_HIDDEN + ", got " + hidden);
            }
            if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
                throw new IllegalArgumentException("learning rate must be a positive number, got " + learningRate);
            }
            if (epochs < 1 || epochs > MAX_EPOCHS) {
                throw new IllegalArgumentException("--epochs must be between 1 and " + MAX_EPOCHS + ", got " + epochs);
            }
            if (printEvery < 1) throw new IllegalArgumentException("print-every must be at least 1, got " + printEvery);
            if (seed < 0 || seed > 0xffffffffL) {
                throw new IllegalArgumentException("seed must be between 0 and 4294967295 (numpy's range), got " + seed);
            }
        }
    }

    /** The five parameter matrices, row-major. Also used to hold their gradients. */
    public static final class Params {
        public final int hidden;
        public final double[] wxh; // (H, V)
        public final double[] whh; // (H, H)
        public final double[] why; // (V, H)
        public final double[] bh;  // (H)
        public final double[] by;  // (V)

        Params(int hidden) {
            this.hidden = hidden;
            wxh = new double[hidden * V];
            whh = new double[hidden * hidden];
            why = new double[V * hidden];
            bh = new double[hidden];
            by = new double[V];
        }

        /** The arrays in the notebook's order, with their names and numpy shapes. */
        public List<Named> named() {
            return List.of(
                    new Named("Wxh", wxh, new int[] {hidden, V}),
                    new Named("Whh", whh, new int[] {hidden, hidden}),
                    new Named("Why", why, new int[] {V, hidden}),
                    new Named("bh", bh, new int[] {hidden, 1}),
                    new Named("by", by, new int[] {V, 1}));
        }

        void zero() {
            for (Named p : named()) java.util.Arrays.fill(p.values(), 0.0);
        }
    }

    /** A parameter array with its notebook name and shape. */
    public record Named(String name, double[] values, int[] shape) {}

    /** One training example: three letters in, the three that follow them as targets. */
    public record Example(int[] inputs, int[] targets) {}

    private final Config config;
    private final Params params;
    private final Params grads;

    // Forward activations of the current window, kept for the backward pass.
    private final double[][] hs; // (T+1, H); hs[0] is h_{-1} = 0, hs[t+1] is h_t
    private final double[][] ps; // (T, V)    softmax probabilities

    public BpttToy(Config config) {
        this.config = config;
        int h = config.hidden();
        this.params = new Params(h);
        this.grads = new Params(h);
        this.hs = new double[WINDOW + 1][h];
        this.ps = new double[WINDOW][V];
        NumpyRandom rng = new NumpyRandom(config.seed());
        scaleInto(rng.randn(h, V), params.wxh);
        scaleInto(rng.randn(h, h), params.whh);
        scaleInto(rng.randn(V, h), params.why);
    }

    private static void scaleInto(double[] normals, double[] out) {
        for (int i = 0; i < out.length; i++) out[i] = normals[i] * 0.1;
    }

    public Params params() {
        return params;
    }

    public Config config() {
        return config;
    }

    /** The notebook's 23 examples: "abc" -> "bcd", ..., "wxy" -> "xyz". */
    public static List<Example> examples() {
        List<Example> out = new ArrayList<>();
        for (int i = 0; i + WINDOW < V; i++) {
            int[] in = new int[WINDOW];
            int[] target = new int[WINDOW];
            for (int t = 0; t < WINDOW; t++) {
                in[t] = i + t;
                target[t] = i + t + 1;
            }
            out.add(new Example(in, target));
        }
        return out;
    }

    /**
     * Trains for the configured number of epochs, reporting {@code Epoch e, Loss: l} as the notebook prints it
     * (every {@code printEvery} epochs and at the last one).
     *
     * @return the summed loss of each epoch, measured during the epoch as the notebook does
     */
    public double[] train(Consumer<String> out) {
        List<Example> examples = examples();
        double[] history = new double[config.epochs()];
        for (int epoch = 0; epoch < config.epochs(); epoch++) {
            double totalLoss = 0;
            for (Example ex : examples) {
                totalLoss += lossAndGradients(ex);
                sgdStep();
            }
            history[epoch] = totalLoss;
            if (epoch % config.printEvery() == 0 || epoch == config.epochs() - 1) {
                out.accept("Epoch " + epoch + ", Loss: " + PyFormat.fixed(totalLoss, 4));
            }
        }
        return history;
    }

    /** Forward over one window; returns its summed loss. Keeps the activations for {@link #backward}. */
    public double forward(int[] inputs, int[] targets) {
        int h = config.hidden();
        double loss = 0;
        java.util.Arrays.fill(hs[0], 0.0);
        for (int t = 0; t < inputs.length; t++) {
            double[] hPrev = hs[t];
            double[] hNow = hs[t + 1];
            for (int i = 0; i < h; i++) {
                // Wxh x_t with x_t one-hot is the column of the input letter.
                double a = params.wxh[i * V + inputs[t]];
                double r = 0;
                for (int j = 0; j < h; j++) r += params.whh[i * h + j] * hPrev[j];
                hNow[i] = Math.tanh(a + r + params.bh[i]);
            }
            double[] y = new double[V];
            for (int k = 0; k < V; k++) {
                double s = 0;
                for (int j = 0; j < h; j++) s += params.why[k * h + j] * hNow[j];
                y[k] = s + params.by[k];
            }
            softmax(y, ps[t]);
            loss -= Math.log(ps[t][targets[t]]);
        }
        return loss;
    }

    /** Backpropagation through time over the window of the last {@link #forward}; sets {@link #gradients()}. */
    public void backward(int[] inputs, int[] targets) {
        int h = config.hidden();
        grads.zero();
        double[] dhNext = new double[h];
        double[] dy = new double[V];
        double[] dh = new double[h];
        double[] dhRaw = new double[h];
        for (int t = inputs.length - 1; t >= 0; t--) {
            double[] hNow = hs[t + 1];
            double[] hPrev = hs[t];
            // back through softmax and the log loss: dL/dy = p - onehot(target)
            System.arraycopy(ps[t], 0, dy, 0, V);
            dy[targets[t]] -= 1;
            // back through y = Why h + by
            for (int k = 0; k < V; k++) {
                for (int j = 0; j < h; j++) grads.why[k * h + j] += dy[k] * hNow[j];
                grads.by[k] += dy[k];
            }
            // dL/dh_t: from the output at t, plus what flows back from step t+1
            for (int j = 0; j < h; j++) {
                double s = 0;
                for (int k = 0; k < V; k++) s += params.why[k * h + j] * dy[k];
                dh[j] = s + dhNext[j];
            }
            // back through tanh: d tanh(a) = (1 - tanh(a)^2)
            for (int i = 0; i < h; i++) dhRaw[i] = (1 - hNow[i] * hNow[i]) * dh[i];
            // back through a = Wxh x_t + Whh h_{t-1} + bh
            for (int i = 0; i < h; i++) {
                grads.bh[i] += dhRaw[i];
                grads.wxh[i * V + inputs[t]] += dhRaw[i];
                for (int j = 0; j < h; j++) grads.whh[i * h + j] += dhRaw[i] * hPrev[j];
            }
            // dL/dh_{t-1} = Whh^T dhRaw, carried to the previous step
            for (int j = 0; j < h; j++) {
                double s = 0;
                for (int i = 0; i < h; i++) s += params.whh[i * h + j] * dhRaw[i];
                dhNext[j] = s;
            }
        }
    }

    /** Forward and backward over one example; returns its loss. */
    public double lossAndGradients(Example ex) {
        double loss = forward(ex.inputs(), ex.targets());
        backward(ex.inputs(), ex.targets());
        return loss;
    }

    /** The gradients of the last {@link #backward}. */
    public Params gradients() {
        return grads;
    }

    private void sgdStep() {
        List<Named> p = params.named();
        List<Named> g = grads.named();
        for (int n = 0; n < p.size(); n++) {
            double[] w = p.get(n).values();
            double[] dw = g.get(n).values();
            for (int i = 0; i < w.length; i++) w[i] -= config.learningRate() * dw[i];
        }
    }

    /** The notebook's {@code predict_next}: the most likely letter after {@code prompt}, from a zero state. */
    public char predictNext(String prompt) {
        int[] idx = encode(prompt);
        int h = config.hidden();
        double[] hidden = new double[h];
        double[] next = new double[h];
        for (int letter : idx) {
            for (int i = 0; i < h; i++) {
                double r = 0;
                for (int j = 0; j < h; j++) r += params.whh[i * h + j] * hidden[j];
                next[i] = Math.tanh(params.wxh[i * V + letter] + r + params.bh[i]);
            }
            System.arraycopy(next, 0, hidden, 0, h);
        }
        int best = 0;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < V; k++) {
            double s = 0;
            for (int j = 0; j < h; j++) s += params.why[k * h + j] * hidden[j];
            s += params.by[k];
            // argmax of softmax(y) is argmax of y; ties go to the first index, like np.argmax
            if (s > bestScore) {
                bestScore = s;
                best = k;
            }
        }
        return ALPHABET.charAt(best);
    }

    /**
     * Letters to indices. A character outside a..z is an {@link IllegalArgumentException} that names it, its
     * position and the alphabet.
     */
    public static int[] encode(String text) {
        if (text.isEmpty()) throw new IllegalArgumentException("empty prompt: give at least one letter of " + ALPHABET);
        int[] out = new int[text.codePointCount(0, text.length())];
        int i = 0;
        for (int offset = 0; offset < text.length(); ) {
            int cp = text.codePointAt(offset);
            if (cp < 'a' || cp > 'z') {
                throw new IllegalArgumentException(String.format(
                        "'%s' (U+%04X) at position %d of \"%s\" is not in the toy alphabet %s",
                        new String(Character.toChars(cp)), cp, i + 1, text, ALPHABET));
            }
            out[i++] = cp - 'a';
            offset += Character.charCount(cp);
        }
        return out;
    }

    /** numpy's {@code e = exp(x - max(x)); e / e.sum()}. */
    static void softmax(double[] x, double[] out) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : x) max = Math.max(max, v);
        double sum = 0;
        for (int k = 0; k < x.length; k++) {
            out[k] = Math.exp(x[k] - max);
            sum += out[k];
        }
        for (int k = 0; k < x.length; k++) out[k] /= sum;
    }
}
