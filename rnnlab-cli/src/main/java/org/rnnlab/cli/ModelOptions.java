package org.rnnlab.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.rnnlab.model.ModelFiles;
import org.rnnlab.nn.Nonlinearity;
import org.rnnlab.text.Corpus;
import org.rnnlab.text.Vocabulary;
import picocli.CommandLine.Option;

/** The options that name a model file, shared by every command that reads one (a picocli mixin). */
final class ModelOptions {
    @Option(names = "--model", required = true, paramLabel = "FILE|DIR",
            description = "An rnnlab model or checkpoint, a training run's folder (its best.safetensors, else "
                    + "last.safetensors), or a PyTorch state_dict saved with torch.save (needs --vocab-from or --vocab).")
    Path model;

    @Option(names = "--vocab-from", paramLabel = "CORPUS",
            description = "For a .pt model: the vocabulary is sorted(set(text)) of this text file or folder, as the "
                    + "notebook builds it; 'lab' is the notebook's own lowercased lines.")
    String vocabFrom;

    @Option(names = "--vocab", paramLabel = "CHARS",
            description = "For a .pt model: the vocabulary's characters, literally, in index order.")
    String vocab;

    @Option(names = "--nonlinearity", paramLabel = "tanh|relu", defaultValue = "tanh",
            description = "For a .pt RNN: its nonlinearity, which a state_dict does not record (default: ${DEFAULT-VALUE}).")
    String nonlinearity;

    @Option(names = "--quantize", paramLabel = "none|int8", defaultValue = "none",
            description = "int8: quantize the float weights (every W_ih, W_hh and the output layer's) to int8 with a "
                    + "scale per row as the model loads, for generation about twice as fast; a file written by "
                    + "'rnnlab convert --quantize int8' is int8 already (default: ${DEFAULT-VALUE}).")
    String quantize = "none";

    /** Whether --quantize asks for int8 (an error for anything but none and int8). */
    static boolean int8(String quantize) {
        return switch (quantize.toLowerCase(Locale.ROOT)) {
            case "none" -> false;
            case "int8" -> true;
            default -> throw new IllegalArgumentException("--quantize must be none or int8, got '" + quantize + "'");
        };
    }

    /** Loads the model, saying on {@code err} which checkpoint of a run's folder it read. */
    ModelFiles.Loaded load(java.io.PrintWriter err, String command) throws IOException {
        Path file;
        try {
            file = ModelFiles.resolve(model);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--model " + e.getMessage(), e);
        }
        if (!file.equals(model)) err.println("rnnlab " + command + ": --model " + model + ": reading " + file);
        if (vocabFrom != null && vocab != null) {
            throw new IllegalArgumentException("give either --vocab-from or --vocab, not both");
        }
        Vocabulary v = null;
        if (vocab != null) v = Vocabulary.literal(vocab);
        if (vocabFrom != null) {
            Corpus corpus = vocabFrom.equals("lab") ? Corpus.lab() : Corpus.fromPath(Path.of(vocabFrom));
            v = corpus.vocabulary();
        }
        Nonlinearity nl = switch (nonlinearity.toLowerCase(Locale.ROOT)) {
            case "tanh" -> Nonlinearity.TANH;
            case "relu" -> Nonlinearity.RELU;
            default -> throw new IllegalArgumentException("--nonlinearity must be tanh or relu, got '" + nonlinearity + "'");
        };
        boolean int8 = int8(quantize);
        ModelFiles.Loaded loaded = ModelFiles.load(file, new ModelFiles.Hints(v, nl));
        loaded.model().freeze(); // the commands that load a model read it, never train it
        if (!int8 || loaded.model().quantized()) return loaded;
        return new ModelFiles.Loaded(loaded.model().quantizeInt8(), loaded.vocabulary(), loaded.source(), loaded.format(),
                loaded.otherTensors(), loaded.metadata());
    }
}
