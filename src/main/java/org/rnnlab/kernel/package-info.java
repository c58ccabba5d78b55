/**
 * The numeric kernels every layer routes its arithmetic through: matrix products ({@code sgemm}, {@code sgemv}),
 * bias broadcasts and column sums, the fused gate nonlinearities of the RNN, LSTM and GRU cells, and softmax /
 * log-sum-exp. All work on flat row-major {@code float[]} buffers addressed by an offset and a leading
 * dimension, like BLAS, so that a layer can hand over one time step of a {@code (T, B, .)} buffer without copying.
 *
 * <p>{@link org.rnnlab.kernel.Kernel} is the contract; {@link org.rnnlab.kernel.ScalarKernel} is the plain-Java
 * implementation, the fallback everywhere and the reference a faster twin (SIMD, threads) is tested against.
 *
 * <p>Deliberately not here: anything about layers, shapes of models or gradients. A kernel knows rows, columns
 * and offsets, never what they mean; the chain rule lives in {@code org.rnnlab.nn}. No state, no allocation.
 */
package org.rnnlab.kernel;
