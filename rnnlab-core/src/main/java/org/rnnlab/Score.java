package org.rnnlab;

/**
 * How well a model predicts a text: the mean cross-entropy per predicted character (natural log) and the share
 * of characters whose most likely prediction was right, over {@code chars} predictions.
 *
 * @param loss     mean negative log-likelihood per character, in nats ({@code NaN} when nothing was scored)
 * @param accuracy the fraction of predictions whose argmax was the true next character
 * @param chars    how many characters were predicted (a text of N characters gives N - 1)
 */
public record Score(double loss, double accuracy, long chars) {
    private static final double LN2 = Math.log(2);

    /** {@code exp(loss)}: the number of equally likely characters the model is as unsure as. */
    public double perplexity() {
        return Math.exp(loss);
    }

    /** Bits per character, {@code loss / ln 2}: what an ideal coder driven by the model would spend. */
    public double bpc() {
        return loss / LN2;
    }
}
