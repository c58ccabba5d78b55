/**
 * Training: the {@link org.rnnlab.train.Trainer} loop and its immutable {@link org.rnnlab.train.TrainConfig}, batchers
 * (the notebook's windows, char-rnn's streams), optimizers with torch.optim's update rules, gradient clipping,
 * learning-rate schedules, one-stream evaluation ({@link org.rnnlab.train.Evaluator}), the metrics history,
 * checkpoints that resume exactly, and progress display. Works on the model's flat parameter and gradient arenas;
 * knows nothing of layers, and nothing of the command line.
 */
package org.rnnlab.train;
