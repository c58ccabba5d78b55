package org.rnnlab.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.rnnlab.nn.Nonlinearity;

/** Configuration validation, cell types, and the PyTorch parameter layout a configuration implies. */
class ModelConfigTest {
    @Test
    void invalidValuesAreNamed() {
        assertThatThrownBy(() -> new ModelConfig(CellType.LSTM, 0, 4, 8, 1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("vocabulary size V must be at least 1, got 0");
        assertThatThrownBy(() -> new ModelConfig(CellType.LSTM, 5, -2, 8, 1, 0))
                .hasMessage("embedding size E must be at least 1, got -2");
        assertThatThrownBy(() -> new ModelConfig(CellType.LSTM, 5, 4, 0, 1, 0))
                .hasMessage("hidden size H must be at least 1, got 0");
        assertThatThrownBy(() -> new ModelConfig(CellType.LSTM, 5, 4, 8, 0, 0))
                .hasMessage("number of layers L must be at least 1, got 0");
        assertThatThrownBy(() -> new ModelConfig(CellType.LSTM, 5, 4, 8, 2, 1.0))
                .hasMessage("dropout must be in [0, 1), got 1.0");
        assertThatThrownBy(() -> new ModelConfig(CellType.LSTM, 5, 4, 8, 2, Double.NaN))
                .hasMessage("dropout must be in [0, 1), got NaN");
        assertThatThrownBy(() -> new ModelConfig(CellType.LSTM, 5, 4, 8, 2, -0.1))
                .hasMessage("dropout must be in [0, 1), got -0.1");
        assertThatThrownBy(() -> new ModelConfig(null, 5, 4, 8, 2, 0)).hasMessageContaining("cell type");
        assertThatThrownBy(() -> new ModelConfig(CellType.LSTM, 100, 4, 30000, 2, 0))
                .hasMessageContaining("H = 30000").hasMessageContaining("parameters");
    }

    @Test
    void cellTypes() {
        assertThat(CellType.parse("rnn_relu")).isEqualTo(CellType.RNN_RELU);
        assertThat(CellType.parse("RNN")).isEqualTo(CellType.RNN_TANH);
        assertThat(CellType.parse("LSTM")).isEqualTo(CellType.LSTM);
        assertThat(CellType.LSTM.gates()).isEqualTo(4);
        assertThat(CellType.GRU.gates()).isEqualTo(3);
        assertThat(CellType.RNN_TANH.gates()).isEqualTo(1);
        assertThat(CellType.RNN_TANH.moduleName()).isEqualTo("rnn");
        assertThat(CellType.RNN_RELU.moduleName()).isEqualTo("rnn");
        assertThat(CellType.LSTM.moduleName()).isEqualTo("lstm");
        assertThat(CellType.GRU.moduleName()).isEqualTo("gru");
        assertThat(CellType.RNN_RELU.nonlinearity()).isEqualTo(Nonlinearity.RELU);
        assertThat(CellType.LSTM.hasCell()).isTrue();
        assertThat(CellType.GRU.hasCell()).isFalse();
        assertThatThrownBy(() -> CellType.parse("transformer"))
                .hasMessage("unknown cell 'transformer': use rnn, rnn_relu, lstm or gru");
    }

    @Test
    void parameterShapesFollowPyTorch() {
        ModelConfig c = new ModelConfig(CellType.GRU, 65, 16, 32, 2, 0.2);
        assertThat(c.parameterShapes().stream().map(Object::toString).toList()).containsExactly(
                "embedding.weight[65, 16]",
                "gru.weight_ih_l0[96, 16]", "gru.weight_hh_l0[96, 32]", "gru.bias_ih_l0[96]", "gru.bias_hh_l0[96]",
                "gru.weight_ih_l1[96, 32]", "gru.weight_hh_l1[96, 32]", "gru.bias_ih_l1[96]", "gru.bias_hh_l1[96]",
                "fc.weight[65, 32]", "fc.bias[65]");
        long sum = c.parameterShapes().stream().mapToLong(ParameterArena.Spec::size).sum();
        assertThat(c.parameterCount()).isEqualTo(sum);
        assertThat(new ModelConfig(CellType.RNN_RELU, 5, 3, 4, 1, 0).parameterShapes().get(1).name())
                .isEqualTo("rnn.weight_ih_l0");
        assertThat(c.withDropout(0.5).dropout()).isEqualTo(0.5);
    }

    @Test
    void stateShapes() {
        State s = State.fromTensors(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, null, 2, 2, 2);
        assertThat(s.h(1)).containsExactly(5, 6, 7, 8);
        assertThat(s.hTensor()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
        State copy = s.copy();
        copy.h(0)[0] = 42;
        assertThat(s.h(0)[0]).isEqualTo(1);
        s.reset();
        assertThat(s.hTensor()).containsOnly(0f);
        assertThatThrownBy(() -> s.c(0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> s.copyFrom(State.zeros(2, 2, 2, true))).hasMessageContaining("state shapes differ");
        assertThatThrownBy(() -> State.fromTensors(new float[7], null, 2, 2, 2)).hasMessageContaining("8 entries");
        assertThatThrownBy(() -> State.zeros(0, 1, 1, false)).hasMessageContaining("L = 0");
        List<Integer> dims = List.of(s.layers(), s.batch(), s.hidden());
        assertThat(dims).containsExactly(2, 2, 2);
    }
}
