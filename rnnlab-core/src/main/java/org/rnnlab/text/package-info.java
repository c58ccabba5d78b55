/**
 * Text and its vocabulary: where training text comes from ({@link org.rnnlab.text.Corpus}: the embedded lab lines,
 * UTF-8 files and folders, WikiText-2 and the notebook's mix), strict UTF-8 decoding, held-out splits, and
 * code-point vocabularies built as the notebook builds them. Owns characters and indices; knows nothing of models.
 *
 * <p>Internal: this package is not part of rnnlab's public API (package {@code org.rnnlab}) and may change.
 */
package org.rnnlab.text;
