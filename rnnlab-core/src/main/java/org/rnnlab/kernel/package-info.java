/**
 * The numeric kernels every layer routes its arithmetic through: matrix products ({@code sgemm}, {@code sgemv},
 * with operands packed once for many products), bias broadcasts and column sums, the fused gate nonlinearities of
 * the RNN, LSTM and GRU cells and their backward steps, and softmax / log-sum-exp / the cross-entropy gradient.
 * All work on flat row-major {@code float[]} buffers addressed by an offset and a leading dimension, like BLAS,
 * so that a layer can hand over one time step of a {@code (T, B, .)} buffer without copying.
 *
 * <p>{@link org.rnnlab.kernel.Kernel} is the contract; {@link org.rnnlab.kernel.ScalarKernel} is the plain-Java
 * implementation, the fallback everywhere and the reference its fast twin is tested against; the vector kernel
 * ({@code VectorKernel}, {@code VectorGemm}, {@code VectorMath}, on {@code jdk.incubator.vector}) is what
 * {@link org.rnnlab.kernel.Kernel#preferred()} picks when the JVM has the module.
 * {@link org.rnnlab.kernel.Parallelism} is rnnlab's own thread pool, the only place threads come from.
 *
 * <p>Deliberately not here: anything about layers, shapes of models or the chain rule beyond one cell; a kernel
 * knows rows, columns and offsets, never what they mean. Kernels hold no state but per-thread scratch space, and
 * allocate nothing once warm.
 *
 * <p>Internal: this package is not part of rnnlab's public API (package {@code org.rnnlab}) and may change.
 */
package org.rnnlab.kernel;
