package org.rnnlab.model;

import java.util.Locale;

import org.rnnlab.nn.Nonlinearity;

/**
 * The recurrent cell of a model, with what PyTorch records about it: the number of gate blocks G in the
 * weight rows and the name of the module attribute in the lab notebook's classes ({@code self.rnn = nn.RNN},
 * {@code self.lstm = nn.LSTM}, {@code self.gru = nn.GRU}), which prefixes the state_dict names.
 */
public enum CellType {
    RNN_TANH("rnn_tanh", 1, "rnn"),
    RNN_RELU("rnn_relu", 1, "rnn"),
    LSTM("lstm", 4, "lstm"),
    GRU("gru", 3, "gru");

    private final String id;
    private final int gates;
    private final String moduleName;

    CellType(String id, int gates, String moduleName) {
        this.id = id;
        this.gates = gates;
        this.moduleName = moduleName;
    }

    /** The lowercase name used in configs, files and on the command line: rnn_tanh, rnn_relu, lstm, gru. */
    public String id() {
        return id;
    }

    /** G: gate blocks stacked in {@code weight_ih} and {@code weight_hh}, (G*H, .). */
    public int gates() {
        return gates;
    }

    /** The module attribute name, prefix of the state_dict keys: rnn, lstm or gru. */
    public String moduleName() {
        return moduleName;
    }

    /** Whether the state has a cell part c besides h. */
    public boolean hasCell() {
        return this == LSTM;
    }

    /** The activation of a vanilla RNN cell; {@code null} for the gated cells. */
    public Nonlinearity nonlinearity() {
        return switch (this) {
            case RNN_TANH -> Nonlinearity.TANH;
            case RNN_RELU -> Nonlinearity.RELU;
            default -> null;
        };
    }

    /**
     * The cell a name means, wherever a name is read (options, configs, files): its {@link #id()} or {@code rnn}
     * (tanh, PyTorch's default), in any case.
     */
    public static CellType parse(String name) {
        String id = name.toLowerCase(Locale.ROOT);
        if (id.equals("rnn")) return RNN_TANH;
        for (CellType c : values()) {
            if (c.id.equals(id)) return c;
        }
        throw new org.rnnlab.InputException("cell", "unknown cell '" + name + "': use rnn, rnn_relu, lstm or gru");
    }

    /** The vanilla RNN cell with the given activation. */
    public static CellType rnn(Nonlinearity nonlinearity) {
        return nonlinearity == Nonlinearity.RELU ? RNN_RELU : RNN_TANH;
    }

    @Override
    public String toString() {
        return id;
    }
}
