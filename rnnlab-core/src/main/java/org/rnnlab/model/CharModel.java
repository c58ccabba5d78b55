package org.rnnlab.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.rnnlab.io.NpyArray;
import org.rnnlab.kernel.Int8Matrix;
import org.rnnlab.kernel.Kernel;
import org.rnnlab.nn.Embedding;
import org.rnnlab.nn.Gru;
import org.rnnlab.nn.Linear;
import org.rnnlab.nn.Lstm;
import org.rnnlab.nn.Mode;
import org.rnnlab.nn.Nonlinearity;
import org.rnnlab.nn.Param;
import org.rnnlab.nn.RecurrentLayer;
import org.rnnlab.nn.RecurrentStack;
import org.rnnlab.nn.Rnn;
import org.rnnlab.nn.SoftmaxCrossEntropy;

/**
 * The character language model of the lab notebook, float32, numerically PyTorch's:
 * <pre>
 *   inputs (B, T) -> Embedding (V, E) -> L recurrent layers (H; dropout between) -> Linear (H -> V) -> logits (B, T, V)
 *   loss = CrossEntropyLoss(logits, targets), the mean over all B * T positions
 * </pre>
 * The public layout is PyTorch's batch-first ({@code batch_first=True}); inside, the recurrent layers run
 * time-major (T, B, .), and the two transposes between the layouts cost O(B T H), nothing beside the GEMMs.
 *
 * <p>Training: make a {@link Workspace} for a (B, T) shape once, then per batch {@link #forward} (loss,
 * logits, final state) and {@link #backward} (adds into {@link ParameterArena#grads()}, gives the gradient of
 * the initial state). Generation: a {@link StepWorkspace} and {@link #step}, one token per sequence with a
 * carried {@link State}. Neither allocates after its workspace exists. Inspection: {@link #trace} reads a text and
 * keeps every layer's h, c and gate activations at every step (a separate path: training and generation keep only
 * what they need, as before).
 *
 * <p>Training is not thread-safe: one thread trains a model at a time. {@link #step} and {@link #forward} only
 * read the parameters and write their workspace and output state, so threads generating with a model, each with
 * its own workspaces and states, may share it while nobody trains it ({@code generate.SharedModelTest}).
 *
 * <p>A model that will only generate from now on can be {@link #freeze() frozen}: {@link #step} then takes the
 * first layer's input product {@code embedding[token] W_ih^T} from a table of one row per token, made on first use,
 * instead of reading W_ih at every step (for the large benchmark model a 1 MB matrix of the 13 MB read per
 * character). The rows are the products {@code step} would compute, to the bit.
 *
 * <p>A model can also be {@link #quantizeInt8() quantized}: a frozen model whose products (every layer's W_ih and
 * W_hh, the output layer's W) read int8 weights with a scale per row ({@link Int8Matrix}), a quarter of the bytes,
 * for generation; its parameters hold the dequantized weights, so it is the float model of those weights to float
 * rounding. The embedding and the biases stay float: a step reads one row of the embedding (or none: the table),
 * and the biases are 1/500 of the weights. A quantized model cannot be trained.
 */
public final class CharModel {
    private final ModelConfig config;
    private final Kernel kernel;
    private final ParameterArena params;
    private final Embedding embedding;
    private final RecurrentStack rnn;
    private final Linear fc;
    private final SoftmaxCrossEntropy loss;
    /** The int8 weights the products read, by state_dict name ({@link #quantizable}); empty for a float model. */
    private final Map<String, Int8Matrix> int8;
    /** After {@link #freeze()}: [token] embedding[token] W_ih^T of layer 0 (G*H), each made on first use. */
    private volatile AtomicReferenceArray<float[]> inputProducts;

    private CharModel(ModelConfig config, Kernel kernel) {
        this(config, kernel, Map.of(), null);
    }

    private CharModel(ModelConfig config, Kernel kernel, Map<String, Int8Matrix> int8) {
        this(config, kernel, int8, null);
    }

    private CharModel(ModelConfig config, Kernel kernel, Map<String, Int8Matrix> int8, float[] sharedValues) {
        this.config = config;
        this.int8 = Map.copyOf(int8);
        for (String name : this.int8.keySet()) {
            if (!quantizable(config).contains(name)) {
                throw new IllegalArgumentException(name + " cannot be int8: only " + String.join(", ", quantizable(config))
                        + " are quantized");
            }
        }
        this.kernel = java.util.Objects.requireNonNull(kernel, "kernel");
        this.params = new ParameterArena(config.parameterShapes(), sharedValues);
        this.embedding = new Embedding(kernel, params.get(StateDictNames.EMBEDDING));
        String m = config.cell().moduleName();
        List<RecurrentLayer> layers = new ArrayList<>();
        for (int k = 0; k < config.layers(); k++) {
            Param wIh = params.get(StateDictNames.weightIh(m, k)), wHh = params.get(StateDictNames.weightHh(m, k));
            Param bIh = params.get(StateDictNames.biasIh(m, k)), bHh = params.get(StateDictNames.biasHh(m, k));
            Int8Matrix qIh = this.int8.get(wIh.name()), qHh = this.int8.get(wHh.name());
            layers.add(switch (config.cell()) {
                case RNN_TANH, RNN_RELU -> new Rnn(kernel, config.cell().nonlinearity(), wIh, wHh, bIh, bHh, qIh, qHh);
                case LSTM -> new Lstm(kernel, wIh, wHh, bIh, bHh, qIh, qHh);
                case GRU -> new Gru(kernel, wIh, wHh, bIh, bHh, qIh, qHh);
            });
        }
        this.rnn = new RecurrentStack(layers, config.dropout());
        this.fc = new Linear(kernel, params.get(StateDictNames.FC_WEIGHT), params.get(StateDictNames.FC_BIAS),
                this.int8.get(StateDictNames.FC_WEIGHT));
        this.loss = new SoftmaxCrossEntropy(kernel, config.vocab());
        if (!this.int8.isEmpty()) freeze();
    }

    /**
     * A model that computes with this one's weights (the same array: each sees the other's updates) and has its own
     * gradient buffer, for a data-parallel shard of a batch ({@link org.rnnlab.train.LocalShards}): its forward and
     * backward passes may run on another thread at the same time as this model's. Not frozen; float32 only.
     */
    public CharModel sharingWeights() {
        if (quantized()) throw new IllegalStateException("a quantized model is for generation; shards train float32");
        return new CharModel(config, kernel, Map.of(), params.values());
    }

    /**
     * The state_dict names of the matrices a quantized model holds as int8, in state_dict order: every layer's
     * {@code weight_ih_l{k}} and {@code weight_hh_l{k}}, and {@code fc.weight}.
     */
    public static List<String> quantizable(ModelConfig config) {
        List<String> names = new ArrayList<>();
        String m = config.cell().moduleName();
        for (int k = 0; k < config.layers(); k++) {
            names.add(StateDictNames.weightIh(m, k));
            names.add(StateDictNames.weightHh(m, k));
        }
        names.add(StateDictNames.FC_WEIGHT);
        return List.copyOf(names);
    }

    /**
     * A quantized copy of this model for generation: every matrix of {@link #quantizable} as int8 with a scale per
     * row ({@link Int8Matrix#quantize}), the embedding and biases as they are; its parameters are the dequantized
     * weights. Frozen, computing with this model's kernel. This model is not changed. A quantized model returns
     * itself.
     */
    public CharModel quantizeInt8() {
        if (quantized()) return this;
        Map<String, Int8Matrix> q = new LinkedHashMap<>();
        for (String name : quantizable(config)) {
            Param p = params.get(name);
            q.put(name, Int8Matrix.quantize(p.values(), p.offset(), p.shape()[0], p.shape()[1]));
        }
        return withInt8(config, stateDict(), q, kernel);
    }

    /**
     * A quantized model of the given int8 matrices (names from {@link #quantizable}) and float tensors for the rest
     * ({@code floats} may hold the int8 ones too: they are replaced by the dequantized matrices). Names and shapes
     * are checked as {@link #fromStateDict(Map, ModelConfig)} checks them.
     */
    public static CharModel fromInt8(Map<String, NpyArray> floats, Map<String, Int8Matrix> int8, ModelConfig config,
                                     Kernel kernel) {
        if (int8.isEmpty()) throw new IllegalArgumentException("a quantized model needs at least one int8 matrix");
        return withInt8(config, floats, int8, kernel);
    }

    private static CharModel withInt8(ModelConfig config, Map<String, NpyArray> floats, Map<String, Int8Matrix> int8,
                                      Kernel kernel) {
        Map<String, NpyArray> all = new LinkedHashMap<>(floats);
        int8.forEach((name, q) -> all.put(name, NpyArray.ofFloats(q.dequantize(), q.rows(), q.cols())));
        StateDicts.check(config, all);
        CharModel model = new CharModel(config, kernel, int8);
        model.loadStateDict(all);
        return model;
    }

    /** Whether the products read int8 weights ({@link #quantizeInt8()}). */
    public boolean quantized() {
        return !int8.isEmpty();
    }

    /** The int8 matrices by state_dict name, in state_dict order; empty for a float model. */
    public Map<String, Int8Matrix> int8Weights() {
        Map<String, Int8Matrix> out = new LinkedHashMap<>();
        for (String name : quantizable(config)) if (int8.containsKey(name)) out.put(name, int8.get(name));
        return out;
    }

    /**
     * A new model with PyTorch's default initialisation of each module: {@code nn.Embedding} N(0, 1);
     * {@code nn.Linear} weight and bias U(-1/sqrt(H), 1/sqrt(H)) (its fan-in is H); every weight and bias of
     * {@code nn.RNN/LSTM/GRU} U(-1/sqrt(H), 1/sqrt(H)). The numbers come from {@code java.util.Random(seed)},
     * whose algorithm Java specifies, tensor by tensor in state_dict order, row-major: the same seed gives the
     * same weights, byte for byte, on every JVM. (They cannot be PyTorch's numbers; their distribution is.)
     */
    public static CharModel create(ModelConfig config, long seed) {
        return create(config, seed, Kernel.preferred());
    }

    /** {@link #create(ModelConfig, long)} computing with the given kernel (e.g. {@link Kernel#scalar()}). */
    public static CharModel create(ModelConfig config, long seed, Kernel kernel) {
        CharModel model = new CharModel(config, kernel);
        Random random = new Random(seed);
        float[] w = model.params.values();
        for (Param p : model.params.params()) {
            int end = p.offset() + p.size();
            if (p.name().equals(StateDictNames.EMBEDDING)) {
                for (int i = p.offset(); i < end; i++) w[i] = (float) random.nextGaussian();
            } else {
                double bound = 1 / Math.sqrt(config.hidden());
                for (int i = p.offset(); i < end; i++) w[i] = (float) (bound * (2 * random.nextDouble() - 1));
            }
        }
        return model;
    }

    /** A model with the configuration inferred from a PyTorch state_dict (tanh for an RNN) and its weights. */
    public static CharModel fromStateDict(Map<String, NpyArray> stateDict) {
        return fromStateDict(stateDict, Nonlinearity.TANH);
    }

    /**
     * A model with the configuration inferred from a PyTorch state_dict and its weights; {@code nonlinearity}
     * is the activation of an {@code nn.RNN}, which a state_dict does not record (ignored for LSTM and GRU).
     */
    public static CharModel fromStateDict(Map<String, NpyArray> stateDict, Nonlinearity nonlinearity) {
        Map<String, NpyArray> notebook = StateDictLayout.toNotebook(stateDict);
        return fromStateDict(notebook, ModelConfig.inferFromNotebook(notebook, nonlinearity));
    }

    /** A model of the given configuration with the weights of a state_dict (names and shapes must match it). */
    public static CharModel fromStateDict(Map<String, NpyArray> stateDict, ModelConfig config) {
        return fromStateDict(stateDict, config, Kernel.preferred());
    }

    /** {@link #fromStateDict(Map, ModelConfig)} computing with the given kernel. */
    public static CharModel fromStateDict(Map<String, NpyArray> stateDict, ModelConfig config, Kernel kernel) {
        // Checked before the model is made: a config from a file's metadata could ask for gigabytes of parameters
        // that its tensors do not have (a 1 KB file with H = 20000 was an OutOfMemoryError).
        StateDicts.check(config, stateDict);
        CharModel model = new CharModel(config, kernel);
        model.loadStateDict(stateDict);
        return model;
    }

    public ModelConfig config() {
        return config;
    }

    /** The kernel every layer computes with. */
    public Kernel kernel() {
        return kernel;
    }

    /**
     * The model's modules, computing on its own parameters, for analyses that run them directly (the lab's
     * gradient flow). A backward pass through them adds into the parameters' gradients like {@link #backward}.
     */
    public Embedding embedding() {
        return embedding;
    }

    /** The recurrent layers; see {@link #embedding()}. */
    public RecurrentStack recurrent() {
        return rnn;
    }

    /** The output layer; see {@link #embedding()}. */
    public Linear output() {
        return fc;
    }

    public ParameterArena parameters() {
        return params;
    }

    /**
     * Declares that this model's parameters will not change any more: from now on {@link #step} reads the first
     * layer's input product for each token from a table (one row per token, made the first time the token is fed)
     * rather than multiplying the embedding by W_ih at every step, and {@link #backward} refuses to run. Writing
     * into the parameters of a frozen model makes its steps wrong. Idempotent; returns this model.
     */
    public CharModel freeze() {
        if (inputProducts == null) {
            rnn.freezeSteps();
            fc.freezeRows();
            inputProducts = new AtomicReferenceArray<>(config.vocab());
        }
        return this;
    }

    /** Whether {@link #freeze()} was called. */
    public boolean frozen() {
        return inputProducts != null;
    }

    /** Row {@code token} of the frozen table: embedding[token] W_ih^T of layer 0, computed as forward does. */
    private float[] inputProduct(AtomicReferenceArray<float[]> table, int token) {
        float[] row = table.get(token);
        if (row != null) return row;
        int E = config.embed(), G = config.cell().gates() * config.hidden();
        Param emb = params.get(StateDictNames.EMBEDDING);
        Param wIh = params.get(StateDictNames.weightIh(config.cell().moduleName(), 0));
        row = new float[G];
        Int8Matrix q = int8.get(wIh.name());
        if (q != null) kernel.gemmInt8(1, emb.values(), emb.offset() + token * E, E, q, row, 0, G, Kernel.OVERWRITE);
        else rnn.layer(0).stepProjection(emb.values(), emb.offset() + token * E, row);
        // Two threads may both make a row; they make the same one, and the first stored is kept.
        return table.compareAndSet(token, null, row) ? row : table.get(token);
    }

    public void zeroGrad() {
        params.zeroGrad();
    }

    public State zeroState(int batch) {
        return State.zeros(config, batch);
    }

    /** Every parameter as a float32 array under its PyTorch name and shape, in state_dict order (copies). */
    public Map<String, NpyArray> stateDict() {
        Map<String, NpyArray> out = new LinkedHashMap<>();
        for (Param p : params.params()) {
            float[] v = Arrays.copyOfRange(p.values(), p.offset(), p.offset() + p.size());
            out.put(p.name(), NpyArray.ofFloats(v, p.shape()));
        }
        return out;
    }

    /**
     * Replaces every parameter by the tensor of the same name. All names and shapes are checked before anything
     * is copied (float64 tensors are rounded to float32); missing, unexpected or misshapen tensors are errors
     * naming the tensor and the expected and found shapes, as PyTorch's {@code load_state_dict(strict=True)}.
     */
    public void loadStateDict(Map<String, NpyArray> stateDict) {
        StateDicts.check(config, stateDict);
        for (Param p : params.params()) {
            float[] v = stateDict.get(p.name()).toFloats();
            System.arraycopy(v, 0, p.values(), p.offset(), v.length);
        }
    }

    public Workspace workspace(int batch, int steps) {
        return new Workspace(batch, steps);
    }

    public StepWorkspace stepWorkspace(int batch) {
        return new StepWorkspace(batch);
    }

    /**
     * The forward pass over a batch: returns the mean cross-entropy over all B * T positions and leaves the
     * logits (B, T, V), the top layer's outputs and the final state in the workspace.
     *
     * @param inputs  token ids (B, T), batch-first as in PyTorch
     * @param targets the next token at every position (B, T)
     * @param initial the state before the first step, (L, B, H); read, never modified (it may be the
     *                workspace's own {@link Workspace#finalState()}, to carry state into the next batch)
     * @param mode    {@link Mode#EVAL}, or {@link Mode#training} to apply dropout
     */
    public double forward(Workspace ws, int[] inputs, int[] targets, State initial, Mode mode) {
        requireOwn(ws.owner());
        ws.forwardDone = false; // until this pass completes, its buffers do not describe one forward pass
        int B = ws.batch, T = ws.steps, n = B * T;
        requireLength("inputs", inputs, n, B, T);
        requireLength("targets", targets, n, B, T);
        initial.requireShape(config, B, "initial state");
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T; t++) {
                ws.ids[t * B + b] = token("input", inputs[b * T + t], b, t);   // to time-major (T, B)
                ws.targets[b * T + t] = token("target", targets[b * T + t], b, t);
            }
        }
        embedding.forward(ws.ids, n, ws.embedded);
        ws.pass.forward(ws.embedded, initial.hArrays(), initial.cArrays(), mode);
        transpose(ws.pass.output(), T, B, config.hidden(), ws.output);
        fc.forward(ws.output, n, ws.logits);
        ws.loss = loss.forward(ws.logits, ws.targets, n, ws.logSumExp);
        ws.forwardDone = true;
        return ws.loss;
    }

    /** {@link #backward(Workspace, State)} when the final state does not reach the loss (zero upstream gradient). */
    public void backward(Workspace ws) {
        backward(ws, ws.zeroFinalGradient);
    }

    /**
     * Backpropagates the last forward's loss plus {@code sum(h_T * dh_T) [+ sum(c_T * dc_T)]}, where
     * {@code finalStateGradient} holds dh_T (and dc_T): adds every parameter's gradient into
     * {@link ParameterArena#grads()} and leaves the gradient of the initial state in
     * {@link Workspace#initialStateGradient()}.
     */
    public void backward(Workspace ws, State finalStateGradient) {
        requireOwn(ws.owner());
        if (quantized()) {
            throw new IllegalStateException("this model computes with int8 weights (quantized for generation): it "
                    + "cannot be trained; training is float32 (train the float model)");
        }
        if (frozen()) throw new IllegalStateException("this model is frozen (freeze()): it only generates, it cannot be trained");
        if (!ws.forwardDone) throw new IllegalStateException("backward needs a forward pass on this workspace first");
        finalStateGradient.requireShape(config, ws.batch, "final state gradient");
        int B = ws.batch, T = ws.steps, n = B * T;
        loss.backward(ws.logits, ws.targets, n, ws.logSumExp, 1.0, ws.dLogits);   // (B, T, V)
        fc.backward(ws.output, ws.dLogits, n, ws.dOutput);                      // (B, T, H)
        transpose(ws.dOutput, B, T, config.hidden(), ws.dTop);                   // to (T, B, H)
        ws.pass.backward(ws.embedded, ws.dTop, finalStateGradient.hArrays(), finalStateGradient.cArrays(),
                ws.dEmbedded);                                                   // (T, B, E)
        embedding.backward(ws.ids, n, ws.dEmbedded);
    }

    /**
     * One step of B sequences: feeds {@code tokens[b]} to sequence b from state {@code from} and writes the next
     * state into {@code to} ({@code to} may be {@code from}: the state then advances in place). Evaluation mode.
     * Each sequence's row is computed on its own ({@link Kernel#newRowPanels}): its logits and next state have the same
     * bits whatever B is and whatever the other rows hold, so sequences can be batched together (and regrouped
     * from step to step) without changing what any of them generates.
     *
     * <p>A model that is not {@link #freeze() frozen} packs its weights into those panels again at every step, since
     * they may have changed: at batch 1 that costs several steps' work (large LSTM, two threads: 2.7 ms a step against
     * 0.4 ms frozen, {@code bin/jmh GenerationStepBench -p frozen=true,false}). Freeze a model that is done training; every
     * loaded model ({@code rnnlab complete}, {@code serve}, {@link org.rnnlab.Model}) is.
     *
     * @return the logits (B, V) of the next token, the workspace's array (overwritten by the next step)
     */
    public float[] step(StepWorkspace ws, int[] tokens, State from, State to) {
        requireOwn(ws.owner());
        if (tokens.length != ws.batch) {
            throw new IllegalArgumentException("step needs one token per sequence: B = " + ws.batch + ", got " + tokens.length);
        }
        return step(ws, ws.batch, tokens, from, to);
    }

    /**
     * {@link #step(StepWorkspace, int[], State, State)} for the first {@code rows} of the workspace's B sequences
     * only: {@code tokens} has (at least) {@code rows} entries, the states keep their (L, B, H) shape and only their
     * first {@code rows} rows are read and written, and the logits' first {@code rows} rows (rows, V) are the
     * result. Each row gets the bits it gets in any other batch. For a scheduler that keeps sequences in the
     * slots of one workspace and steps however many are live.
     */
    public float[] step(StepWorkspace ws, int rows, int[] tokens, State from, State to) {
        requireOwn(ws.owner());
        int B = ws.batch;
        if (rows < 1 || rows > B) throw new IllegalArgumentException("rows must be in 1.." + B + ", got " + rows);
        if (tokens.length < rows) {
            throw new IllegalArgumentException("step needs one token per sequence: " + rows + " rows, got " + tokens.length);
        }
        from.requireShape(config, B, "step state");
        to.requireShape(config, B, "step output state");
        for (int b = 0; b < rows; b++) token("input", tokens[b], b, 0);
        ws.pass.useRows(rows);
        AtomicReferenceArray<float[]> table = inputProducts;
        if (table == null) {
            embedding.forward(tokens, rows, ws.embedded);                 // (1, rows, E)
            ws.pass.forward(ws.embedded, from.hArrays(), from.cArrays(), Mode.EVAL);
        } else {
            int G = ws.projected.length / B;
            for (int b = 0; b < rows; b++) System.arraycopy(inputProduct(table, tokens[b]), 0, ws.projected, b * G, G);
            ws.pass.forwardProjected(ws.projected, from.hArrays(), from.cArrays(), Mode.EVAL);
        }
        for (int l = 0; l < config.layers(); l++) {
            System.arraycopy(ws.pass.finalH(l), 0, to.h(l), 0, rows * config.hidden());
            if (to.hasCell()) System.arraycopy(ws.pass.finalC(l), 0, to.c(l), 0, rows * config.hidden());
        }
        fc.forwardRows(ws.pass.output(), rows, ws.logits, ws.fcPanels);  // (rows, V)
        return ws.logits;
    }

    /** Characters per forward pass of {@link #trace}: the buffers of one pass stay small whatever the text's length. */
    static final int TRACE_CHUNK = 256;

    /**
     * Reads {@code tokens} as one sequence from a zero state, in evaluation mode, and keeps what every layer computed
     * at every step ({@link Trace}): the forward pass of training (the same layers, kernels and buffers), run over
     * chunks of {@link #TRACE_CHUNK} characters with the state carried, each chunk's per-step buffers copied out.
     * Reads the parameters only, so threads may trace with a shared model. Allocates the whole trace:
     * {@code 4 T (L H (2 + G) + V)} bytes or so.
     */
    public Trace trace(int[] tokens) {
        int T = tokens.length, H = config.hidden(), L = config.layers(), V = config.vocab(), E = config.embed();
        if (T == 0) throw new IllegalArgumentException("a trace needs at least one token");
        for (int t = 0; t < T; t++) token("input", tokens[t], 0, t);
        int G = config.cell().gates() > 1 ? config.cell().gates() : 0;
        if ((long) T * Math.max(Math.max(G, 1) * H, V) > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a trace of " + T + " steps needs arrays larger than Java's: trace a "
                    + "shorter text");
        }
        boolean cell = config.cell().hasCell();
        float[][] h = new float[L][T * H], c = cell ? new float[L][T * H] : null, gates = G > 0 ? new float[L][T * G * H] : null;
        float[] logits = new float[T * V];

        int chunk = Math.min(T, TRACE_CHUNK);
        RecurrentStack.Pass pass = rnn.newPass(1, chunk);
        int[] ids = new int[chunk];
        float[] embedded = new float[chunk * E];
        State state = zeroState(1);
        for (int start = 0; start < T; start += chunk) {
            int n = Math.min(chunk, T - start);
            if (n < pass.steps()) { // the last, shorter chunk
                pass = rnn.newPass(1, n);
                ids = new int[n];
            }
            System.arraycopy(tokens, start, ids, 0, n);
            embedding.forward(ids, n, embedded);
            pass.forward(embedded, state.hArrays(), state.cArrays(), Mode.EVAL); // B = 1: time-major is batch-first
            for (int l = 0; l < L; l++) {
                RecurrentLayer.Pass p = pass.layer(l);
                System.arraycopy(p.output(), 0, h[l], start * H, n * H);
                if (cell) System.arraycopy(p.cells(), 0, c[l], start * H, n * H);
                if (G > 0) System.arraycopy(p.gateActivations(), 0, gates[l], start * G * H, n * G * H);
                // the next chunk starts where this one ended (the pass copies its initial state in)
                System.arraycopy(p.finalH(), 0, state.h(l), 0, H);
                if (cell) System.arraycopy(p.finalC(), 0, state.c(l), 0, H);
            }
            fc.forward(pass.output(), n, logits, start * V);
        }
        return new Trace(config, T, h, c, gates, logits);
    }

    /** A workspace's recurrent pass is wired to its own model's layers: another model must not use it. */
    private void requireOwn(CharModel owner) {
        if (owner != this) throw new IllegalArgumentException("this workspace was made by another model");
    }

    private int token(String what, int id, int b, int t) {
        if (id < 0 || id >= config.vocab()) {
            throw new IllegalArgumentException(what + " token " + id + " at [b=" + b + ", t=" + t
                    + "] is outside the vocabulary [0, " + config.vocab() + ")");
        }
        return id;
    }

    private static void requireLength(String what, int[] ids, int n, int B, int T) {
        if (ids.length != n) {
            throw new IllegalArgumentException(what + " must hold B * T = " + B + " * " + T + " = " + n
                    + " token ids (batch-first), got " + ids.length);
        }
    }

    /** {@code out (cols, rows, d) = in (rows, cols, d)} with the last axis kept: (T, B, H) <-> (B, T, H). */
    private static void transpose(float[] in, int rows, int cols, int d, float[] out) {
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) System.arraycopy(in, (r * cols + c) * d, out, (c * rows + r) * d, d);
        }
    }

    /** The buffers of a training or evaluation pass over (B, T) batches; reusable, never reallocated. */
    public final class Workspace {
        private final int batch;
        private final int steps;
        private final int[] ids;             // (T, B) inputs, time-major
        private final int[] targets;         // (B, T)
        private final float[] embedded;      // (T, B, E)
        private final RecurrentStack.Pass pass;
        private final float[] output;        // (B, T, H) top layer outputs, batch-first
        private final float[] logits;        // (B, T, V)
        private final double[] logSumExp;    // (B * T)
        private final float[] dLogits;       // (B, T, V)
        private final float[] dOutput;       // (B, T, H)
        private final float[] dTop;          // (T, B, H)
        private final float[] dEmbedded;     // (T, B, E)
        private final State finalState;      // views of the stack's final-state arrays
        private final State initialGradient; // views of the stack's initial-state gradients
        private final State zeroFinalGradient;
        private double loss = Double.NaN;
        private boolean forwardDone;

        private Workspace(int batch, int steps) {
            if (batch < 1 || steps < 1) {
                throw new IllegalArgumentException("a workspace needs B, T >= 1, got B = " + batch + ", T = " + steps);
            }
            long n = (long) batch * steps;
            long biggest = n * Math.max(Math.max(config.vocab(), config.embed()), config.cell().gates() * config.hidden());
            if (biggest > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("B = " + batch + ", T = " + steps + " needs buffers of " + biggest
                        + " floats, more than one Java array holds");
            }
            this.batch = batch;
            this.steps = steps;
            int H = config.hidden(), E = config.embed(), V = config.vocab(), L = config.layers();
            ids = new int[(int) n];
            targets = new int[(int) n];
            embedded = new float[(int) n * E];
            pass = rnn.newPass(batch, steps);
            output = new float[(int) n * H];
            logits = new float[(int) n * V];
            logSumExp = new double[(int) n];
            dLogits = new float[(int) n * V];
            dOutput = new float[(int) n * H];
            dTop = new float[(int) n * H];
            dEmbedded = new float[(int) n * E];
            boolean cell = config.cell().hasCell();
            float[][] hT = new float[L][], cT = cell ? new float[L][] : null;
            float[][] dh0 = new float[L][], dc0 = cell ? new float[L][] : null;
            for (int l = 0; l < L; l++) {
                hT[l] = pass.finalH(l);
                dh0[l] = pass.dInitialH(l);
                if (cell) {
                    cT[l] = pass.finalC(l);
                    dc0[l] = pass.dInitialC(l);
                }
            }
            finalState = new State(hT, cT, batch, H);
            initialGradient = new State(dh0, dc0, batch, H);
            zeroFinalGradient = State.zeros(config, batch);
        }

        public int batch() {
            return batch;
        }

        public int steps() {
            return steps;
        }

        /** The mean loss of the last forward ({@code NaN} before the first). */
        public double loss() {
            return loss;
        }

        /** The logits (B, T, V) of the last forward; the live array. */
        public float[] logits() {
            return logits;
        }

        /** The top recurrent layer's outputs (B, T, H) of the last forward (PyTorch's {@code output}); live. */
        public float[] output() {
            return output;
        }

        /** The final state (h_n, c_n) of the last forward; live, overwritten by the next forward. */
        public State finalState() {
            return finalState;
        }

        /** The gradient of the last backward's objective with respect to the initial state; live. */
        public State initialStateGradient() {
            return initialGradient;
        }

        private CharModel owner() {
            return CharModel.this;
        }
    }

    /** The buffers of {@link #step} for B sequences; reusable, never reallocated. */
    public final class StepWorkspace {
        private final int batch;
        private final float[] embedded;     // (1, B, E)
        private final float[] projected;    // (1, B, G*H) layer 0's input product, for a frozen model
        private final RecurrentStack.Pass pass;
        private final float[] logits;       // (B, V)
        private final org.rnnlab.kernel.PackedB fcPanels; // room for fc's W^T while the model is not frozen

        private StepWorkspace(int batch) {
            if (batch < 1) throw new IllegalArgumentException("a step workspace needs B >= 1, got " + batch);
            this.batch = batch;
            embedded = new float[batch * config.embed()];
            projected = new float[batch * config.cell().gates() * config.hidden()];
            pass = rnn.newStepPass(batch);
            logits = new float[batch * config.vocab()];
            fcPanels = frozen() ? null : fc.newRowScratch();
        }

        public int batch() {
            return batch;
        }

        /** The logits (B, V) of the last step; the live array. */
        public float[] logits() {
            return logits;
        }

        private CharModel owner() {
            return CharModel.this;
        }
    }
}
