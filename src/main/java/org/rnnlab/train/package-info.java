/**
 * Training: optimizers with torch.optim's update rules, gradient clipping, learning-rate schedules (and, as they
 * land, batchers, the trainer loop, metrics and progress). Works on the model's flat parameter and gradient arenas;
 * knows nothing of layers.
 */
package org.rnnlab.train;
