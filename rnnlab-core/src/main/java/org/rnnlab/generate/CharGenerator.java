package org.rnnlab.generate;

import java.util.NoSuchElementException;
import java.util.PrimitiveIterator;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.IntStream;
import java.util.stream.StreamSupport;
import org.rnnlab.model.CharModel;
import org.rnnlab.model.State;
import org.rnnlab.text.Vocabulary;

/**
 * One endless stream of characters from a model, for embedding: prime it with a prompt, then take characters one
 * by one ({@link #nextInt()} gives a Unicode code point) or as a stream.
 * <pre>
 *   CharGenerator g = new CharGenerator(model, vocabulary, SamplingOptions.NOTEBOOK, 42);
 *   g.prime("the cat");
 *   g.codePoints().limit(100).forEach(cp -&gt; out.append(Character.toChars(cp)));
 * </pre>
 * The recurrent state is carried ({@link StepGenerator}, batch 1), so each character costs one model step, and is
 * explicit: {@link #state()} is the state after the prompt and every character taken so far. A server makes one
 * generator per request; the model, vocabulary and options are read-only and may be shared by all of them.
 */
public final class CharGenerator implements PrimitiveIterator.OfInt {
    private final Vocabulary vocabulary;
    private final StepGenerator steps;
    private boolean primed;

    /** @param seed the same seed, prompt and options give the same characters, always */
    public CharGenerator(CharModel model, Vocabulary vocabulary, SamplingOptions sampling, long seed) {
        if (vocabulary.size() != model.config().vocab()) {
            throw new IllegalArgumentException("the vocabulary has " + vocabulary.size() + " characters but the model "
                    + model.config().vocab());
        }
        this.vocabulary = vocabulary;
        this.steps = new StepGenerator(model, sampling, 1, seed);
    }

    /** Feeds a prompt; every character must be in the vocabulary ({@link UnknownPolicy#ERROR}). */
    public CharGenerator prime(String text) {
        return prime(Prompt.encode(text, vocabulary, UnknownPolicy.ERROR));
    }

    /** Feeds an encoded prompt (see {@link Prompt#encode} for the unknown-character policies). */
    public CharGenerator prime(Prompt prompt) {
        steps.prime(prompt.slots());
        primed = true;
        return this;
    }

    /** True once primed: from then on the stream never ends. */
    @Override
    public boolean hasNext() {
        return primed;
    }

    /** The next character, as a code point, chosen and fed to the model. */
    @Override
    public int nextInt() {
        if (!primed) throw new NoSuchElementException("prime the generator with a prompt first");
        return vocabulary.codePoint(steps.next()[0]);
    }

    /** The characters to come, lazily; limit it ({@code codePoints().limit(n)}), as it is endless. */
    public IntStream codePoints() {
        return StreamSupport.intStream(
                Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED | Spliterator.NONNULL), false);
    }

    /** The recurrent state after everything fed so far; live (it advances with each character). */
    public State state() {
        return steps.state();
    }

    public Vocabulary vocabulary() {
        return vocabulary;
    }
}
