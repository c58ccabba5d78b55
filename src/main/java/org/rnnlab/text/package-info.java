/**
 * Text and its vocabulary: code-point vocabularies built as the notebook builds them, the embedded lab corpus.
 * Owns characters and indices; knows nothing of models.
 */
package org.rnnlab.text;
