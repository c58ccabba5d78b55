/**
 * rnnlab's public API: what a program that embeds rnnlab uses, and all that rnnlab promises to keep.
 * <ul>
 *   <li>{@link org.rnnlab.Model}: load a model (an rnnlab file, a training checkpoint, a run's folder, a PyTorch
 *       {@code .pt} with {@link org.rnnlab.LoadOptions}); complete a prompt ({@link org.rnnlab.CompleteOptions},
 *       streaming each character), the next-character {@link org.rnnlab.Distribution}, the {@link org.rnnlab.Score}
 *       of a text. Immutable and thread-safe.</li>
 *   <li>{@link org.rnnlab.Training}: train on a text from a {@link org.rnnlab.train.TrainConfig}, with
 *       checkpoints, a progress listener, and exact resume.</li>
 *   <li>{@link org.rnnlab.InputException}: bad input, naming the field at fault.</li>
 * </ul>
 * The other packages are the engine: public so the modules of rnnlab can use them, but not part of the promise
 * (each package's documentation says so), except the few training types {@link org.rnnlab.Training} takes.
 */
package org.rnnlab;
