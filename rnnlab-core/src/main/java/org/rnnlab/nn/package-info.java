/**
 * The layers, one class each, with PyTorch's equations and parameter layouts: {@link org.rnnlab.nn.Embedding},
 * {@link org.rnnlab.nn.Linear}, {@link org.rnnlab.nn.SoftmaxCrossEntropy}, {@link org.rnnlab.nn.Dropout}, the
 * recurrent layers {@link org.rnnlab.nn.Rnn} (tanh or relu), {@link org.rnnlab.nn.Lstm} and
 * {@link org.rnnlab.nn.Gru}, and {@link org.rnnlab.nn.RecurrentStack} (L layers with dropout between them).
 * Each class states its equations in its Javadoc; its backward pass is the chain rule, one named step a line.
 *
 * <p>Conventions, the same in every layer:
 * <ul>
 *   <li>Buffers are flat row-major {@code float[]}; sequences are time-major {@code (T, B, .)} inside this
 *       package (one time step is one contiguous block). Shapes use the letters B T V E H L.</li>
 *   <li>Parameters are {@link org.rnnlab.nn.Param} views into shared value and gradient arrays.</li>
 *   <li>{@code forward} fills preallocated outputs and the cache backward reads; recurrent layers keep both in
 *       a {@code Pass} made once per batch shape. After that nothing allocates.</li>
 *   <li>{@code backward} <em>adds</em> into parameter gradients (so gradients of several batches can be
 *       accumulated; {@code zeroGrad} is separate) and <em>writes</em> gradients of inputs and initial states,
 *       each of which has exactly one producer here.</li>
 *   <li>Recurrent state is explicit: initial states go in, final states come out, and backward takes the
 *       gradient of the final state and returns the gradient of the initial one, so truncated BPTT can carry
 *       state across batches.</li>
 *   <li>Training versus evaluation is a {@link org.rnnlab.nn.Mode} argument carrying the dropout random
 *       source, never a flag on a layer.</li>
 * </ul>
 *
 * <p>Deliberately not here: parameter names, initialisation, the batch-first public layout and state_dict
 * import/export ({@code org.rnnlab.model}); arithmetic beyond elementwise chain-rule steps
 * ({@code org.rnnlab.kernel}); optimizers and training loops.
 *
 * <p>Internal: this package is not part of rnnlab's public API (package {@code org.rnnlab}) and may change.
 */
package org.rnnlab.nn;
