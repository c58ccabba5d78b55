/**
 * PyTorch's {@code .pt} state_dict files, read and written without Python: {@link org.rnnlab.io.torch.TorchStateDict}.
 *
 * <p>Owns: the zip layout torch.save uses, a pickle reader that builds only plain data and tensor descriptions
 * (it refuses every global but {@code collections.OrderedDict}, {@code torch._utils._rebuild_tensor_v2},
 * {@code torch._utils._rebuild_parameter} and the typed storages, and never runs or instantiates anything), the
 * pickle and zip writers that make a file {@code torch.load(path, weights_only=True)} accepts, and the copying of
 * strided tensor views into C-order arrays.
 *
 * <p>Deliberately does not own model semantics: it maps names to arrays ({@link org.rnnlab.io.NpyArray}) and
 * knows nothing of layers, gate orders, shapes a model expects, optimizer state or training checkpoints; checking
 * that {@code lstm.weight_ih_l0} has the right shape is the model's job. It reads no legacy (pre-1.6, tar-based)
 * files, no TorchScript archives and no pickles of anything but a dict of tensors.
 *
 * <p>Internal: this package is not part of rnnlab's public API (package {@code org.rnnlab}) and may change.
 */
package org.rnnlab.io.torch;
