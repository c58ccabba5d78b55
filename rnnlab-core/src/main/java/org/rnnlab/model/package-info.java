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
 * named arrays of a state_dict ({@code io}: checkpoints, {@code .pt}). Nothing here is thread-safe: a model
 * and its workspaces are used by one thread at a time.
 */
package org.rnnlab.model;
