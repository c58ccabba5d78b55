package org.rnnlab;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.rnnlab.generate.Completer;
import org.rnnlab.generate.NextChar;
import org.rnnlab.generate.Prompt;
import org.rnnlab.generate.UnknownPolicy;
import org.rnnlab.model.CharModel;
import org.rnnlab.model.ModelConfig;
import org.rnnlab.model.ModelFiles;
import org.rnnlab.nn.Nonlinearity;
import org.rnnlab.text.Vocabulary;
import org.rnnlab.train.Evaluator;

/**
 * A trained character model, ready to complete prompts, give the next-character distribution and score texts: the
 * entry point of rnnlab as a library.
 *
 * <pre>{@code
 * Model m = Model.load(Path.of("runs/lab"));                  // a run's folder, a checkpoint or a model file
 * Completion c = m.complete("the cat", CompleteOptions.builder().length(40).seed(1).build());
 * System.out.println(c.prompt() + c.text());
 * System.out.println(m.next("the ca").top(3));              // [t 0.97, p 0.01, ...]
 * System.out.printf("%.3f bits per character%n", m.score("the cat sat on the mat.").bpc());
 * }</pre>
 *
 * <p><b>Thread safety:</b> a model is immutable and may be shared by any number of threads; every call has its own
 * recurrent state and buffers (the server shares one model among all its requests).
 *
 * <p><b>Errors:</b> bad input is an {@link InputException} naming the field ({@code prompt} for a character the
 * vocabulary lacks, {@code temperature}, ...); a file that is not a model, or that does not fit what it claims to
 * be, is an {@link IllegalArgumentException} naming the file; a file that cannot be read is an {@link IOException}.
 */
public final class Model {
    private static final SecureRandom SEEDS = new SecureRandom();

    private final CharModel model;
    private final Vocabulary vocabulary;
    private final Path source;
    private final Completer completer;

    private Model(CharModel model, Vocabulary vocabulary, Path source) {
        this.model = model.freeze();
        this.vocabulary = vocabulary;
        this.source = source;
        this.completer = new Completer(model, vocabulary);
    }

    /**
     * Loads an rnnlab model file, a training checkpoint, or a training run's folder (its {@code best.safetensors},
     * else its {@code last.safetensors}; {@link #source()} says which).
     */
    public static Model load(Path path) throws IOException {
        return load(path, LoadOptions.NONE);
    }

    /** Loads any model file rnnlab reads, a PyTorch {@code .pt} state_dict too (give its vocabulary in options). */
    public static Model load(Path path, LoadOptions options) throws IOException {
        Path file = ModelFiles.resolve(path);
        Vocabulary v = options.vocabulary() == null ? null : Vocabulary.literal(options.vocabulary());
        ModelFiles.Loaded loaded = ModelFiles.load(file, new ModelFiles.Hints(v,
                options.relu() ? Nonlinearity.RELU : Nonlinearity.TANH));
        return new Model(options.int8() ? loaded.model().quantizeInt8() : loaded.model(), loaded.vocabulary(), file);
    }

    /** A model of weights in memory (a training's); {@code source} may be null. */
    static Model of(CharModel model, Vocabulary vocabulary, Path source) {
        return new Model(model, vocabulary, source);
    }

    /** The file the model was read from (for a run's folder, the checkpoint chosen). */
    public Path source() {
        return source;
    }

    /** The vocabulary's characters, in index order. */
    public String vocabulary() {
        return vocabulary.asString();
    }

    /** The recurrent cell: {@code rnn_tanh}, {@code rnn_relu}, {@code lstm} or {@code gru}. */
    public String cell() {
        return config().cell().id();
    }

    /** Embedding size E. */
    public int embed() {
        return config().embed();
    }

    /** Hidden units per layer H. */
    public int hidden() {
        return config().hidden();
    }

    /** Recurrent layers L. */
    public int layers() {
        return config().layers();
    }

    /** The number of weights. */
    public long parameters() {
        return config().parameterCount();
    }

    private ModelConfig config() {
        return model.config();
    }

    /** Continues {@code prompt}; see {@link #complete(String, CompleteOptions, Consumer)}. */
    public Completion complete(String prompt, CompleteOptions options) {
        return complete(prompt, options, text -> { });
    }

    /**
     * Continues {@code prompt}, handing each generated character to {@code onText} as soon as it is decided (for
     * beam search: once every hypothesis that can still win agrees on it). The prompt runs from a zero state and the
     * state is carried from character to character.
     *
     * @param onText receives the generated text one character (one code point) at a time, on the calling thread
     * @throws InputException {@code prompt} when it is empty or holds a character the vocabulary lacks (the message
     *                        lists them), {@code stop} when the stop string could never be generated
     */
    public Completion complete(String prompt, CompleteOptions options, Consumer<String> onText) {
        long seed = options.seed() != null ? options.seed() : SEEDS.nextLong() >>> 1;
        Prompt p = Prompt.encode(prompt, vocabulary, UnknownPolicy.ERROR);
        Completer.Result r = completer.complete(p, options.toEngine(seed),
                cp -> onText.accept(new String(Character.toChars(cp)))).get(0);
        return new Completion(prompt, r.text(), r.stopped() ? "stop" : "length", seed);
    }

    /**
     * The distribution of the character after {@code prompt} (the notebook's {@code predict_next}, with every
     * probability): the prompt runs from a zero state.
     *
     * @throws InputException {@code prompt} when it is empty or holds a character the vocabulary lacks
     */
    public Distribution next(String prompt) {
        int[] tokens = Prompt.encode(prompt, vocabulary, UnknownPolicy.ERROR).tokens();
        double[] logp = NextChar.logProbabilities(model, tokens);
        List<String> chars = new ArrayList<>(vocabulary.size());
        double[] p = new double[logp.length];
        for (int i = 0; i < logp.length; i++) {
            chars.add(vocabulary.charAt(i));
            p[i] = Math.exp(logp[i]);
        }
        return new Distribution(chars, p);
    }

    /**
     * How well the model predicts {@code text}, read as one stream from a zero state: every character but the first
     * predicted from all before it (as {@code rnnlab eval} and training's validation score).
     *
     * @throws InputException {@code text} when it has fewer than 2 characters or one the vocabulary lacks
     */
    public Score score(String text) {
        int[] tokens = vocabulary.encode(text);
        if (tokens.length < 2) {
            throw new InputException("text", "a text of " + tokens.length + " character(s) has nothing to predict; "
                    + "scoring needs at least 2");
        }
        return Evaluator.score(model, tokens);
    }

    @Override
    public String toString() {
        return "Model[" + cell() + " E " + embed() + " H " + hidden() + " L " + layers() + ", " + vocabulary.size()
                + " characters, from " + source + "]";
    }
}
