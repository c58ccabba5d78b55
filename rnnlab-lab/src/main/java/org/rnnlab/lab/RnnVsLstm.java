package org.rnnlab.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.rnnlab.explore.CellFinder;
import org.rnnlab.explore.Exploration;
import org.rnnlab.generate.Prompt;
import org.rnnlab.kernel.Parallelism;
import org.rnnlab.generate.SamplingOptions;
import org.rnnlab.generate.UnknownPolicy;
import org.rnnlab.generate.WindowGenerator;
import org.rnnlab.model.CellType;
import org.rnnlab.model.CharModel;
import org.rnnlab.model.ModelConfig;
import org.rnnlab.model.State;
import org.rnnlab.model.Trace;
import org.rnnlab.nn.Mode;
import org.rnnlab.text.Vocabulary;
import org.rnnlab.train.Adam;
import org.rnnlab.train.TrainStep;
import org.rnnlab.util.Rng;

/**
 * The lab's second exercise, as the notebook runs it: character models Embedding 64 -> recurrent 128 -> Linear
 * (a vanilla tanh RNN and an LSTM, optionally a GRU), trained side by side on the same shuffled windows of 40
 * characters, batch 1, Adam 0.005, for 5 epochs; then character accuracy and perplexity on the training windows
 * (the notebook's numbers) and on held-out windows (what the notebook only says in a sentence); then the four
 * prompts completed by temperature sampling the notebook's way (the last 40 characters re-run from a zero state
 * for every new character; characters outside the vocabulary dropped from the model's input).
 *
 * <p>Beyond the notebook it measures what the report draws: the gradient flow through time of each trained model
 * and its hidden states over a prompt.
 *
 * <p>The models train on their own threads, one per model, on the same window order: the result does not depend on
 * the number of threads. Random numbers come from one seed (not PyTorch's generator, so the losses are not the
 * notebook's digits; their course is).
 */
public final class RnnVsLstm {
    public enum Lang { EN, ES }

    /** The most characters of the corpus the cells are looked at over (the lab's own text has 339). */
    static final int CELLS_CHARS = 10_000;

    /** Windows of the corpus, evenly spaced, over which the gradient flow is averaged. */
    static final int GRADIENT_WINDOWS = 8;

    /**
     * @param cells             the contenders, in order (the notebook: rnn_tanh, lstm)
     * @param completionLength  characters per completion (the notebook passes vocab_size as max_len)
     */
    /** The most epochs of exercise 2 (ten thousand passes over the lab's lines take hours). */
    public static final int MAX_EPOCHS = 10_000;

    /** Each epoch's shuffled order is drawn up front (both models see the same ones), so the count is bounded. */
    public static void checkEpochs(int epochs) {
        if (epochs < 1 || epochs > MAX_EPOCHS) {
            throw new IllegalArgumentException("--epochs must be between 1 and " + MAX_EPOCHS + ", got " + epochs);
        }
    }

    public record Config(List<CellType> cells, int epochs, long seed, String corpusName, String text, String heldOut,
                         int seq, int embed, int hidden, double lr, int completionLength, double temperature,
                         List<String> prompts, Lang lang) {
        public Config {
            cells = List.copyOf(cells);
            prompts = List.copyOf(prompts);
            if (cells.isEmpty()) throw new IllegalArgumentException("the lab needs at least one cell type");
            if (cells.size() != cells.stream().distinct().count()) throw new IllegalArgumentException("a cell type is listed twice: " + cells);
            checkEpochs(epochs);
            if (text.codePointCount(0, text.length()) < seq + 1) {
                throw new IllegalArgumentException("the corpus has " + text.codePointCount(0, text.length())
                        + " characters; windows of " + seq + " need at least " + (seq + 1));
            }
        }
    }

    /** Accuracy and perplexity over every position of a set of windows. */
    public record Metrics(double accuracy, double perplexity, double meanLoss, long positions) {}

    /** One contender's run. */
    /**
     * One contender's run. {@code cells}: what its cells do on the corpus (its first {@link #CELLS_CHARS} characters);
     * {@code untrainedBest}: per feature of {@code cells}, the largest |r| of the same model before training (NaN for
     * a feature the text lacks), how large a correlation arises by chance.
     */
    public record ModelResult(CellType cell, String label, CharModel model, double[] epochLoss, Metrics train,
                              Metrics heldOut, double[] gradientFlow, float[] hiddenStates, String heatmapPrompt,
                              List<String> completions, double trainSeconds, Exploration cells, double[] untrainedBest) {}

    public record Result(Config config, Vocabulary vocabulary, int windows, List<ModelResult> models,
                         List<List<Integer>> unknownPerPrompt, double seconds) {}

    private final Config config;

    public RnnVsLstm(Config config) {
        this.config = config;
    }

    public static String label(CellType cell) {
        return switch (cell) {
            case RNN_TANH -> "RNN";
            case RNN_RELU -> "RNN-relu";
            case LSTM -> "LSTM";
            case GRU -> "GRU";
        };
    }

    /** Runs the exercise, printing the notebook's lines to {@code out} as it goes. */
    public Result run(Consumer<String> out) throws InterruptedException {
        long start = System.nanoTime();
        Config c = config;
        boolean es = c.lang() == Lang.ES;
        Vocabulary vocab = Vocabulary.fromText(c.text());
        int[] tokens = vocab.encode(c.text());
        out.accept(es ? "Cargamos " + tokens.length + " caracteres." : "Loaded " + tokens.length + " characters.");
        int windows = tokens.length - c.seq();

        // One window order per epoch, shared by every model (the notebook feeds both the same x, y).
        Rng rng = new Rng(c.seed());
        int[][] orders = new int[c.epochs()][windows];
        for (int[] order : orders) {
            for (int i = 0; i < windows; i++) order[i] = i;
            rng.shuffle(order);
        }
        List<Trainee> trainees = new ArrayList<>();
        for (int k = 0; k < c.cells().size(); k++) {
            CellType cell = c.cells().get(k);
            ModelConfig mc = new ModelConfig(cell, vocab.size(), c.embed(), c.hidden(), 1, 0);
            trainees.add(new Trainee(cell, CharModel.create(mc, c.seed() * 31 + k + 1), c.seed() * 31 + k + 1, c, tokens));
        }

        out.accept("");
        out.accept("=== Training Models ===");
        int[] heldTokens = c.heldOut().isEmpty() ? new int[0] : vocab.encodeSkippingUnknown(c.heldOut());
        List<Prompt> prompts = new ArrayList<>();
        for (String prompt : c.prompts()) {
            prompts.add(Prompt.encode(prompt.toLowerCase(Locale.ROOT), vocab, UnknownPolicy.SKIP));
        }
        // What the report draws: gradient flow over a few windows, hidden states over the first prompt.
        String heatmapPrompt = c.prompts().isEmpty() ? c.text().substring(0, Math.min(40, c.text().length()))
                : c.prompts().get(0).toLowerCase(Locale.ROOT);
        int[] heat = vocab.encodeSkippingUnknown(heatmapPrompt);
        String cellsText = c.text().codePointCount(0, c.text().length()) <= CELLS_CHARS ? c.text()
                : c.text().substring(0, c.text().offsetByCodePoints(0, CELLS_CHARS));

        // Each model trains, and is then measured, on its own thread, with the kernels on the cores left (measured
        // on 2 cores: one kernel thread per model is faster than both models splitting two). The thread count
        // stays the same to the end: the compiled code is not thrown away for a change of plan half way.
        // Results do not depend on the number of threads.
        int cores = Runtime.getRuntime().availableProcessors();
        int kernelThreads = Parallelism.threads();
        Parallelism.setThreads(Math.max(1, cores / trainees.size()));
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(trainees.size(), cores), r -> {
                    Thread t = new Thread(r, "rnnlab-lab");
                    t.setDaemon(true);
                    return t;
                });
        try {
            for (int e = 0; e < c.epochs(); e++) {
                int epoch = e;
                List<Future<?>> running = new ArrayList<>();
                for (Trainee t : trainees) running.add(pool.submit(() -> t.epoch(epoch, orders[epoch])));
                for (Future<?> f : running) join(f);
                StringBuilder line = new StringBuilder("Epoch " + e);
                for (Trainee t : trainees) {
                    line.append(", ").append(label(t.cell)).append(" Loss: ").append(PyFormat.fixed(t.epochLoss[e], 4));
                }
                out.accept(line.toString());
            }
            List<Future<?>> running = new ArrayList<>();
            for (int k = 0; k < trainees.size(); k++) {
                Trainee t = trainees.get(k);
                long seed = c.seed() * 1000 + k;
                running.add(pool.submit(() -> t.measure(vocab, tokens, heldTokens, prompts, seed, heat, cellsText)));
            }
            for (Future<?> f : running) join(f);
        } finally {
            pool.shutdownNow();
            Parallelism.setThreads(kernelThreads);
        }

        out.accept("");
        for (Trainee t : trainees) {
            out.accept((es ? "Accuracy de caracteres en " + label(t.cell) + ": " : "Character accuracy, " + label(t.cell) + ": ")
                    + PyFormat.percent(t.train.accuracy(), 2));
        }
        for (Trainee t : trainees) {
            // The notebook's own lines: "Perplejidad de RNN" but "Perplejidad LSTM".
            String es1 = t.cell == CellType.LSTM ? "Perplejidad LSTM: " : "Perplejidad de " + label(t.cell) + ": ";
            out.accept((es ? es1 : "Perplexity, " + label(t.cell) + ": ") + PyFormat.fixed(t.train.perplexity(), 2));
        }
        if (heldTokens.length > c.seq()) {
            out.accept("");
            out.accept(es ? "En ventanas que los modelos no vieron al entrenar (" + (heldTokens.length - c.seq()) + " ventanas):"
                    : "On held-out windows the models never trained on (" + (heldTokens.length - c.seq()) + " windows):");
            for (Trainee t : trainees) {
                out.accept(String.format(Locale.ROOT, es ? "  %-5s accuracy %s, perplejidad %s" : "  %-5s accuracy %s, perplexity %s",
                        label(t.cell), PyFormat.percent(t.heldOut.accuracy(), 2), PyFormat.fixed(t.heldOut.perplexity(), 2)));
            }
        }

        // The notebook's completions: lowercased prompt, unknown characters dropped, window of seq, temperature 0.8.
        List<List<Integer>> unknownPerPrompt = new ArrayList<>();
        for (int p = 0; p < c.prompts().size(); p++) {
            Prompt encoded = prompts.get(p);
            unknownPerPrompt.add(encoded.unknown());
            out.accept("");
            out.accept("Prompt: " + c.prompts().get(p));
            if (!encoded.unknown().isEmpty()) {
                StringBuilder u = new StringBuilder();
                for (int cp : encoded.unknown()) u.append(u.length() == 0 ? "" : ", ").append(Vocabulary.describe(cp));
                out.accept(es ? "(nota: " + u + " no está en el vocabulario; el modelo no lo ve, como en el notebook)"
                        : "(note: " + u + " is not in the vocabulary; the models do not see it, as in the notebook)");
            }
            for (Trainee t : trainees) out.accept(String.format(Locale.ROOT, "%-6s%s", label(t.cell) + ":", t.completions.get(p)));
        }

        List<ModelResult> results = new ArrayList<>();
        for (Trainee t : trainees) {
            results.add(new ModelResult(t.cell, label(t.cell), t.model, t.epochLoss, t.train, t.heldOut, t.gradientFlow,
                    t.hiddenStates, vocab.decode(heat), t.completions, t.seconds, t.cells, t.untrainedBest));
        }
        return new Result(c, vocab, windows, results, unknownPerPrompt, (System.nanoTime() - start) / 1e9);
    }

    private static void join(Future<?> f) throws InterruptedException {
        try {
            f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        }
    }

    /** One contender: its model, optimizer and buffers, trained one epoch at a time. */
    private static final class Trainee {
        final CellType cell;
        final CharModel model;
        final long initSeed; // the model's initial weights, to look at its cells before training
        final TrainStep step; // Adam, no clipping: the notebook's loop
        final CharModel.Workspace ws;
        final State zero;
        final int[] tokens;
        final int seq;
        final int[] in;
        final int[] target;
        final double[] epochLoss;
        final Config config;
        double seconds;
        Metrics train;
        Metrics heldOut;
        final List<String> completions = new ArrayList<>();
        double[] gradientFlow;
        float[] hiddenStates;
        Exploration cells;
        double[] untrainedBest;

        Trainee(CellType cell, CharModel model, long initSeed, Config c, int[] tokens) {
            this.cell = cell;
            this.model = model;
            this.initSeed = initSeed;
            this.step = TrainStep.notebook(model, new Adam(model.parameters().size(), c.lr(), Adam.Options.DEFAULT));
            this.ws = model.workspace(1, c.seq());
            this.zero = model.zeroState(1);
            this.tokens = tokens;
            this.seq = c.seq();
            this.in = new int[seq];
            this.target = new int[seq];
            this.epochLoss = new double[c.epochs()];
            this.config = c;
        }

        /**
         * Everything measured on the trained model: accuracy and perplexity on the training and held-out windows,
         * the prompts' completions (sampling seeded by {@code seed} and the prompt's index), the gradient flow and
         * the hidden states over {@code heat}, and what the cells follow in {@code cellsText}, trained and untrained.
         */
        void measure(Vocabulary vocab, int[] tokens, int[] heldTokens, List<Prompt> prompts, long seed, int[] heat,
                     String cellsText) {
            train = metrics(model, tokens, seq);
            heldOut = heldTokens.length > seq ? metrics(model, heldTokens, seq) : null;
            SamplingOptions sampling = new SamplingOptions(config.temperature(), 0, 1.0, false);
            for (int p = 0; p < prompts.size(); p++) {
                WindowGenerator gen = new WindowGenerator(model, sampling, 1, seed + p * 10L, seq);
                gen.prime(prompts.get(p).slots());
                StringBuilder text = new StringBuilder(config.prompts().get(p).toLowerCase(Locale.ROOT));
                for (int i = 0; i < config.completionLength(); i++) text.append(vocab.charAt(gen.next()[0]));
                completions.add(text.toString());
            }
            gradientFlow = RnnVsLstm.gradientFlow(model, tokens, seq);
            hiddenStates = RnnVsLstm.hiddenStates(model, heat);
            cells = Exploration.of(model, vocab, cellsText);
            // the same search on the same model before training: how large an |r| chance alone gives
            Trace before = CharModel.create(model.config(), initSeed).trace(vocab.encode(cellsText));
            List<CellFinder.Finding> chance = CellFinder.best(cells.features(),
                    CellFinder.correlations(CellFinder.states(before), before.hidden(), cells.features()), 1);
            untrainedBest = new double[chance.size()];
            for (int f = 0; f < untrainedBest.length; f++) {
                CellFinder.Match m = chance.get(f).best();
                untrainedBest[f] = m == null ? Double.NaN : Math.abs(m.r());
            }
        }

        void epoch(int e, int[] order) {
            long t0 = System.nanoTime();
            double sum = 0;
            for (int start : order) {
                System.arraycopy(tokens, start, in, 0, seq);
                System.arraycopy(tokens, start + 1, target, 0, seq);
                sum += step.run(ws, in, target, zero, Mode.EVAL); // no dropout in the notebook's models
            }
            epochLoss[e] = sum;
            seconds += (System.nanoTime() - t0) / 1e9;
        }
    }

    /** The notebook's accuracy() and perplexity() over every window of {@code tokens}, each from a zero state. */
    static Metrics metrics(CharModel model, int[] tokens, int seq) {
        CharModel.Workspace ws = model.workspace(1, seq);
        State zero = model.zeroState(1);
        int[] in = new int[seq];
        int[] target = new int[seq];
        int v = model.config().vocab();
        long correct = 0;
        long positions = 0;
        double lossSum = 0;
        for (int start = 0; start + seq < tokens.length; start++) {
            System.arraycopy(tokens, start, in, 0, seq);
            System.arraycopy(tokens, start + 1, target, 0, seq);
            lossSum += model.forward(ws, in, target, zero, Mode.EVAL) * seq;
            float[] logits = ws.logits();
            for (int t = 0; t < seq; t++) {
                int best = 0;
                for (int k = 1; k < v; k++) if (logits[t * v + k] > logits[t * v + best]) best = k;
                if (best == target[t]) correct++;
            }
            positions += seq;
        }
        return new Metrics((double) correct / positions, Math.exp(lossSum / positions), lossSum / positions, positions);
    }

    /**
     * ||dL/dh_t|| (T) for the last prediction of {@link #GRADIENT_WINDOWS} evenly spaced windows, combined by the
     * geometric mean (the norms span orders of magnitude, so their logarithms are averaged).
     */
    static double[] gradientFlow(CharModel model, int[] tokens, int seq) {
        int windows = tokens.length - seq;
        int n = Math.min(GRADIENT_WINDOWS, windows);
        double[] logSum = new double[seq];
        for (int w = 0; w < n; w++) {
            int start = (int) ((long) w * windows / n);
            double[] norms = GradientFlow.norms(model, java.util.Arrays.copyOfRange(tokens, start, start + seq),
                    tokens[start + seq]);
            for (int t = 0; t < seq; t++) logSum[t] += Math.log(norms[t]);
        }
        double[] out = new double[seq];
        for (int t = 0; t < seq; t++) out[t] = Math.exp(logSum[t] / n);
        return out;
    }

    /** The hidden state h_t (H) after each character of {@code prompt}, stacked (T, H). */
    static float[] hiddenStates(CharModel model, int[] prompt) {
        int h = model.config().hidden();
        float[] out = new float[prompt.length * h];
        CharModel.StepWorkspace ws = model.stepWorkspace(1);
        State s = model.zeroState(1);
        int[] token = new int[1];
        for (int t = 0; t < prompt.length; t++) {
            token[0] = prompt[t];
            model.step(ws, token, s, s);
            System.arraycopy(s.h(0), 0, out, t * h, h);
        }
        return out;
    }
}
