package org.rnnlab.nn;

import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Training or evaluation, passed to every forward pass that behaves differently in the two (dropout), instead
 * of a mutable flag on the model. Training carries the random source its dropout masks are drawn from, so that
 * a seeded source gives the same masks every run.
 *
 * @param dropoutRandom the source of dropout masks in training; {@code null} in evaluation
 */
public record Mode(RandomGenerator dropoutRandom) {
    /** Evaluation: no dropout, nothing random. */
    public static final Mode EVAL = new Mode(null);

    /** Training, drawing dropout masks from {@code dropoutRandom} (it advances). */
    public static Mode training(RandomGenerator dropoutRandom) {
        return new Mode(Objects.requireNonNull(dropoutRandom, "dropoutRandom"));
    }

    public boolean training() {
        return dropoutRandom != null;
    }
}
