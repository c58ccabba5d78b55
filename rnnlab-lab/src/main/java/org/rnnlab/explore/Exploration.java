package org.rnnlab.explore;

import java.util.List;
import org.rnnlab.model.CharModel;
import org.rnnlab.model.Trace;
import org.rnnlab.text.Vocabulary;

/**
 * What one model did inside while it read one text: its {@link Trace}, the text's {@link TextFeatures}, the cells
 * that follow each feature best ({@link CellFinder}, with every cell's correlation kept for the page) and its gates'
 * saturation. Everything {@link ExplorePage} and the lab report draw.
 *
 * @param correlations [feature][state][cell] Pearson's r, NaN where the feature or the cell is constant
 */
public record Exploration(String text, int[] codePoints, Vocabulary vocabulary, Trace trace,
                          List<CellFinder.StateRef> states, List<TextFeatures.Feature> features,
                          List<CellFinder.Finding> findings, double[][][] correlations, List<GateSaturation.Gate> saturation) {
    /** The most characters one exploration reads (its trace and page grow with the text). */
    public static final int MAX_CHARS = 100_000;
    /** Cells listed per feature. */
    public static final int TOP = 5;

    /**
     * Runs {@code model} over {@code text} from a zero state and analyses what it computed.
     *
     * @throws Vocabulary.UnknownCharactersException when the text has a character the vocabulary lacks
     * @throws IllegalArgumentException when the text is empty or longer than {@link #MAX_CHARS}
     */
    public static Exploration of(CharModel model, Vocabulary vocabulary, String text) {
        int n = text.codePointCount(0, text.length());
        if (n < 1 || n > MAX_CHARS) {
            throw new IllegalArgumentException("the text to explore has " + n + " characters; it needs 1 to " + MAX_CHARS);
        }
        int[] tokens = vocabulary.encode(text);
        Trace trace = model.trace(tokens);
        int[] cps = text.codePoints().toArray();
        List<TextFeatures.Feature> features = TextFeatures.of(cps);
        List<CellFinder.StateRef> states = CellFinder.states(trace);
        double[][][] r = CellFinder.correlations(states, trace.hidden(), features);
        return new Exploration(text, cps, vocabulary, trace, states, features, CellFinder.best(features, r, TOP), r,
                GateSaturation.of(trace));
    }

    public int length() {
        return codePoints.length;
    }
}
