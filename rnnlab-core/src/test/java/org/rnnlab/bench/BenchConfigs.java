package org.rnnlab.bench;

import org.rnnlab.model.CellType;
import org.rnnlab.model.ModelConfig;

/**
 * The model configurations of issue 7, by name, as the peer script {@code torch_bench.py} runs them: lab (the
 * notebook's lines, V = 39, windows: a fresh zero state every batch), medium and large (the ~1 MB stdlib corpus,
 * V = 96, stream: the state carried from batch to batch). Dropout is 0, as in the peer.
 *
 * @param stream whether the state is carried between batches (stream mode) or zero for each (windows mode)
 */
record BenchConfigs(ModelConfig model, int batch, int steps, boolean stream) {
    static BenchConfigs named(String name) {
        return switch (name) {
            case "lab-lstm" -> new BenchConfigs(new ModelConfig(CellType.LSTM, 39, 64, 128, 1, 0), 1, 40, false);
            case "lab-rnn" -> new BenchConfigs(new ModelConfig(CellType.RNN_TANH, 39, 64, 128, 1, 0), 1, 40, false);
            case "medium-lstm" -> new BenchConfigs(new ModelConfig(CellType.LSTM, 96, 64, 256, 2, 0), 32, 64, true);
            case "medium-gru" -> new BenchConfigs(new ModelConfig(CellType.GRU, 96, 64, 256, 2, 0), 32, 64, true);
            case "large-lstm" -> new BenchConfigs(new ModelConfig(CellType.LSTM, 96, 128, 512, 2, 0), 64, 100, true);
            default -> throw new IllegalArgumentException("unknown configuration " + name);
        };
    }
}
