package org.rnnlab.model;

import java.util.List;

/**
 * The state_dict names of the notebook's models, spelled once: {@code embedding.weight}, then for each layer k of the
 * recurrent module (named by {@link CellType#moduleName()}) {@code weight_ih_l{k}}, {@code weight_hh_l{k}},
 * {@code bias_ih_l{k}}, {@code bias_hh_l{k}}, then {@code fc.weight} and {@code fc.bias}, as
 * {@code model.state_dict()} of the notebook's {@code SimpleRNN} and {@code LSTMModel} names them.
 */
final class StateDictNames {
    static final String EMBEDDING = "embedding.weight";
    static final String FC = "fc";
    static final String FC_WEIGHT = FC + ".weight";
    static final String FC_BIAS = FC + ".bias";
    /** A recurrent layer's four tensors, in PyTorch's order, without the layer's index. */
    static final List<String> RECURRENT = List.of("weight_ih_l", "weight_hh_l", "bias_ih_l", "bias_hh_l");

    private StateDictNames() {}

    static String weightIh(String module, int layer) {
        return module + "." + RECURRENT.get(0) + layer;
    }

    static String weightHh(String module, int layer) {
        return module + "." + RECURRENT.get(1) + layer;
    }

    static String biasIh(String module, int layer) {
        return module + "." + RECURRENT.get(2) + layer;
    }

    static String biasHh(String module, int layer) {
        return module + "." + RECURRENT.get(3) + layer;
    }
}
