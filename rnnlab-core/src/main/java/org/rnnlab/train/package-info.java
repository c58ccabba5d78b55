/**
 * Training: the {@link org.rnnlab.train.Trainer} loop and its immutable {@link org.rnnlab.train.TrainConfig}, batchers
 * (the notebook's windows, char-rnn's streams), optimizers with torch.optim's update rules, gradient clipping,
 * learning-rate schedules, one-stream evaluation ({@link org.rnnlab.train.Evaluator}), the metrics history,
 * checkpoints that resume exactly, and progress display. Works on the model's flat parameter and gradient arenas;
 * knows nothing of layers, and nothing of the command line.
 *
 * <p>Public, as what {@link org.rnnlab.Training} takes and returns: {@link org.rnnlab.train.TrainConfig} with its
 * builder and enums, {@link org.rnnlab.train.Batching}, {@link org.rnnlab.train.Trainer.Listener},
 * {@link org.rnnlab.train.Trainer.Result} and {@link org.rnnlab.train.MetricsHistory.Row}. Everything else here is
 * internal and may change.
 */
package org.rnnlab.train;
