package org.rnnlab;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The model's distribution of the next character after a prompt ({@link Model#next}): every character of the
 * vocabulary, in index order, with its probability (they sum to 1).
 *
 * @param chars         the vocabulary's characters in index order (each one code point, as a String)
 * @param probabilities the probability of each, same order; softmax computed in double
 */
public record Distribution(List<String> chars, double[] probabilities) {
    /** One character and its probability. */
    public record Entry(String character, double probability) {}

    public Distribution {
        chars = List.copyOf(chars);
        probabilities = probabilities.clone();
        if (chars.size() != probabilities.length) {
            throw new IllegalArgumentException(chars.size() + " characters but " + probabilities.length + " probabilities");
        }
    }

    @Override
    public double[] probabilities() {
        return probabilities.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Distribution d && chars.equals(d.chars) && java.util.Arrays.equals(probabilities, d.probabilities);
    }

    @Override
    public int hashCode() {
        return 31 * chars.hashCode() + java.util.Arrays.hashCode(probabilities);
    }

    @Override
    public String toString() {
        return "Distribution" + top(5);
    }

    /** The probability of {@code character}, or 0 when it is not in the vocabulary. */
    public double probability(String character) {
        int i = chars.indexOf(character);
        return i < 0 ? 0 : probabilities[i];
    }

    /** The {@code k} most likely characters, most likely first (ties in index order). */
    public List<Entry> top(int k) {
        List<Entry> all = new ArrayList<>(chars.size());
        for (int i = 0; i < chars.size(); i++) all.add(new Entry(chars.get(i), probabilities[i]));
        all.sort(Comparator.comparingDouble(Entry::probability).reversed());
        return List.copyOf(all.subList(0, Math.min(Math.max(k, 0), all.size())));
    }
}
