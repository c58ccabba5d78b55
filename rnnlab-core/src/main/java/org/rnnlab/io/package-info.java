/**
 * Files in and out: numpy's {@code .npy}/{@code .npz}, and atomic writes. Owns formats, not models: it reads and
 * writes named arrays and leaves their meaning to the caller.
 *
 * <p>Internal: this package is not part of rnnlab's public API (package {@code org.rnnlab}) and may change.
 */
package org.rnnlab.io;
