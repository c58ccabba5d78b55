package org.rnnlab;

import org.rnnlab.text.Vocabulary;

/**
 * What {@link Model#load(java.nio.file.Path, LoadOptions)} needs to know that a file may not record. An rnnlab file
 * records everything; a PyTorch state_dict ({@code torch.save(model.state_dict())}) records neither the vocabulary
 * nor an RNN's nonlinearity.
 *
 * <pre>{@code
 * Model m = Model.load(Path.of("lstm.pt"), LoadOptions.vocabularyOf(Files.readString(Path.of("train.txt"))));
 * }</pre>
 *
 * @param vocabulary the model's characters in index order, or null (required for a .pt file; for an rnnlab file a
 *                   given vocabulary must equal the recorded one)
 * @param relu       for an RNN from a .pt file: ReLU instead of PyTorch's default tanh
 * @param int8       quantize the weights to int8 as the model loads ({@link #withInt8()}); a file written by
 *                   {@code rnnlab convert --quantize int8} is int8 already
 */
public record LoadOptions(String vocabulary, boolean relu, boolean int8) {
    /** Options without quantizing. */
    public LoadOptions(String vocabulary, boolean relu) {
        this(vocabulary, relu, false);
    }

    /** Nothing to add: for rnnlab files, checkpoints and run folders. */
    public static final LoadOptions NONE = new LoadOptions(null, false);

    /** The vocabulary as its characters, literally, in index order. */
    public static LoadOptions vocabulary(String characters) {
        return new LoadOptions(Vocabulary.literal(characters).asString(), false);
    }

    /** The vocabulary of a text as the notebook builds it: {@code sorted(set(text))}. */
    public static LoadOptions vocabularyOf(String text) {
        return new LoadOptions(Vocabulary.fromText(text).asString(), false);
    }

    /** The same options for an RNN whose nonlinearity is ReLU ({@code nn.RNN(..., nonlinearity="relu")}). */
    public LoadOptions withRelu() {
        return new LoadOptions(vocabulary, true, int8);
    }

    /**
     * The same options, the model's matrices (every W_ih, W_hh and the output layer's) quantized to int8 with a
     * scale per row as it loads: generation reads a quarter of the bytes and runs about twice as fast, the
     * predictions within rounding of the float model's (docs/performance.md has the figures).
     */
    public LoadOptions withInt8() {
        return new LoadOptions(vocabulary, relu, true);
    }
}
