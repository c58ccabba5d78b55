/**
 * Throughput measurement of training steps and generation, for {@code rnnlab bench}.
 *
 * <p>Internal: this package is not part of rnnlab's public API (package {@code org.rnnlab}) and may change.
 */
package org.rnnlab.perf;
