package org.rnnlab.nn;

import org.rnnlab.kernel.Kernel;

/**
 * {@code nn.CrossEntropyLoss()} with its default mean reduction: logits (N, V), integer targets (N).
 * <pre>
 *   lse_n  = log sum_v exp(logits[n, v])                         (the maximum factored out: never overflows)
 *   loss   = (1 / N) sum_n (lse_n - logits[n, target_n])         (log-softmax fused in, no probabilities formed)
 *   dlogits[n, v] = dloss / N * (exp(logits[n, v] - lse_n) - [v == target_n])
 * </pre>
 * The sum runs in double, so the loss is as exact as its float inputs allow. No ignore_index, no weights,
 * no label smoothing: a character model needs none of them.
 */
public final class SoftmaxCrossEntropy {
    private final Kernel k;
    private final int classes;

    public SoftmaxCrossEntropy(Kernel kernel, int classes) {
        if (classes < 1) throw new IllegalArgumentException("cross-entropy needs at least one class, got " + classes);
        this.k = kernel;
        this.classes = classes;
    }

    /** The mean loss over {@code rows}; saves each row's log-sum-exp in {@code lse} (rows) for backward. */
    public double forward(float[] logits, int[] targets, int rows, double[] lse) {
        double sum = 0;
        for (int n = 0; n < rows; n++) {
            lse[n] = k.logSumExp(logits, n * classes, classes);
            sum += lse[n] - logits[n * classes + target(targets, n)];
        }
        return sum / rows;
    }

    /** Writes {@code dLogits} (rows, V) given the upstream gradient of the mean loss ({@code 1} for the loss itself). */
    public void backward(float[] logits, int[] targets, int rows, double[] lse, double dLoss, float[] dLogits) {
        for (int n = 0; n < rows; n++) target(targets, n);
        k.softmaxCrossEntropyBackward(rows, classes, logits, targets, lse, dLoss / rows, dLogits);
    }

    private int target(int[] targets, int n) {
        int t = targets[n];
        if (t < 0 || t >= classes) {
            throw new IllegalArgumentException("target " + t + " (position " + n + ") is outside the classes [0, "
                    + classes + ")");
        }
        return t;
    }
}
