package org.rnnlab.nn;

/** The activation of a vanilla RNN cell, PyTorch's {@code nn.RNN(nonlinearity=...)}. */
public enum Nonlinearity {
    TANH("tanh"),
    RELU("relu");

    private final String pytorchName;

    Nonlinearity(String pytorchName) {
        this.pytorchName = pytorchName;
    }

    /** The value of PyTorch's {@code nonlinearity=} argument. */
    public String pytorchName() {
        return pytorchName;
    }
}
