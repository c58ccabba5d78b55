/**
 * The character model as a whole: {@link org.rnnlab.model.CharModel} (Embedding -> recurrent stack -> Linear,
 * with cross-entropy), its immutable {@link org.rnnlab.model.ModelConfig} and {@link org.rnnlab.model.CellType},
 * the {@link org.rnnlab.model.ParameterArena} (one flat array of values and one of gradients, with views named
 * exactly like PyTorch's state_dict), and the explicit recurrent {@link org.rnnlab.model.State}.
 *
 * <p>Owns: PyTorch's names, shapes and default initialisation; state_dict export, import and configuration
 * inference; the batch-first public layout ({@code inputs (B, T)}, {@code logits (B, T, V)}) over the
 * time-major layers; workspaces that make training and generation passes allocation-free.
 *
 * <p>Deliberately not here: the layer arithmetic ({@code org.rnnlab.nn}), optimizers, clipping and training
 * loops ({@code train}), sampling ({@code generate}), vocabularies ({@code text}) and file formats beyond the
 * named arrays of a state_dict ({@code io}: checkpoints, {@code .pt}).
 *
 * <p>Threads: a model whose weights no longer change (a {@link org.rnnlab.model.CharModel#freeze() frozen} one) may
 * be shared by any number of threads running forward passes and steps, each with its own workspace and
 * {@link org.rnnlab.model.State} (the server shares one among all its requests); a model being trained, and every
 * workspace, belongs to one thread at a time.
 *
 * <p>Internal: this package is not part of rnnlab's public API (package {@code org.rnnlab}) and may change.
 */
package org.rnnlab.model;
