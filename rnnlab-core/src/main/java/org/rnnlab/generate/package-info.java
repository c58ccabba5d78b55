/**
 * Generation: samplers (greedy, temperature, top-k, top-p), generators with explicit recurrent state
 * ({@link org.rnnlab.generate.StepGenerator}, one step per character; {@link org.rnnlab.generate.CharGenerator}, its
 * character iterator for embedding), the notebook's recomputed window ({@link org.rnnlab.generate.WindowGenerator}),
 * beam search, prompts with an unknown-character policy, and {@link org.rnnlab.generate.Completer}, which puts them
 * together as {@code rnnlab complete} does. Reads models; never trains or changes them.
 *
 * <p>Internal: this package is not part of rnnlab's public API (package {@code org.rnnlab}) and may change.
 */
package org.rnnlab.generate;
