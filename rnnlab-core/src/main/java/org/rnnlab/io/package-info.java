/**
 * Files in and out: numpy's {@code .npy}/{@code .npz}, and atomic writes. Owns formats, not models: it reads and
 * writes named arrays and leaves their meaning to the caller.
 */
package org.rnnlab.io;
