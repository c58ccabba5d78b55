/**
 * Text and its vocabulary: where training text comes from ({@link org.rnnlab.text.Corpus}: the embedded lab lines,
 * UTF-8 files and folders, WikiText-2 and the notebook's mix), strict UTF-8 decoding, held-out splits, and
 * code-point vocabularies built as the notebook builds them. Owns characters and indices; knows nothing of models.
 */
package org.rnnlab.text;
