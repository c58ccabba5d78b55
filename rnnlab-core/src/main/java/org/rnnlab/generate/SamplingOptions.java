package org.rnnlab.generate;

import org.rnnlab.InputException;

/**
 * How the next character is chosen from the model's logits.
 *
 * @param temperature divides the logits before the softmax (the notebook's 0.8 by default); lower is more
 *                    conservative. At least {@link #MIN_TEMPERATURE}; use {@code greedy} for the limit of 0.
 * @param topK        keep only the k most likely characters (0 = all)
 * @param topP        keep the smallest set of most likely characters whose probability reaches p (1 = all)
 * @param greedy      always take the most likely character (argmax; ties go to the lowest index, like torch.argmax)
 */
public record SamplingOptions(double temperature, int topK, double topP, boolean greedy) {
    /** The notebook's {@code sample_next_token} with temperature 0.8. */
    public static final SamplingOptions NOTEBOOK = new SamplingOptions(0.8, 0, 1.0, false);
    public static final SamplingOptions GREEDY = new SamplingOptions(1.0, 0, 1.0, true);
    /** The lowest temperature accepted: logits of a few hundred divided by it stay far from overflow. */
    public static final double MIN_TEMPERATURE = 1e-6;

    public SamplingOptions {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new InputException("temperature", "temperature must be a number > 0, got " + temperature
                    + " (for the most likely character every time, use greedy decoding)");
        }
        if (temperature < MIN_TEMPERATURE) {
            throw new InputException("temperature", "temperature must be at least 1e-6, got "
                    + temperature + " (dividing by less overflows; for the most likely character every time, use "
                    + "greedy decoding)");
        }
        if (topK < 0) throw new InputException("top_k", "top-k must be >= 0 (0 keeps every character), got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new InputException("top_p", "top-p must be in (0, 1], got " + topP);
    }
}
