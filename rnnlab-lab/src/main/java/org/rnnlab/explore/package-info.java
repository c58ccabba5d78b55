/**
 * What a character model's cells do while it reads a text: the text's features ({@link
 * org.rnnlab.explore.TextFeatures}: brackets, quotes, comments, line position, indentation, word starts, newlines),
 * the cells that follow each best ({@link org.rnnlab.explore.CellFinder}, by correlation), how often its gates
 * saturate ({@link org.rnnlab.explore.GateSaturation}), and the self-contained page that shows it all
 * ({@link org.rnnlab.explore.ExplorePage}, with its script and style in this package's resources). After Karpathy,
 * Johnson and Fei-Fei, "Visualizing and Understanding Recurrent Networks" (2015), and LSTMVis (Strobelt et al., 2018).
 *
 * <p>Reads a model only through {@link org.rnnlab.model.CharModel#trace}. Used by {@code rnnlab explore}, the server's
 * explore view and the lab report. Not a library API: rnnlab-lab may change.
 */
package org.rnnlab.explore;
