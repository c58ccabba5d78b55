package org.rnnlab.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.rnnlab.io.NpyArray;
import org.rnnlab.nn.Nonlinearity;

/**
 * The architecture of a {@link CharModel}: Embedding (V, E) -> L recurrent layers of H units (cell type,
 * dropout between layers) -> Linear (H -> V). Immutable, validated on construction.
 *
 * @param cell    the recurrent cell
 * @param vocab   V, the number of distinct tokens
 * @param embed   E, the embedding width
 * @param hidden  H, units per recurrent layer
 * @param layers  L, stacked recurrent layers
 * @param dropout the probability of dropping an output of every recurrent layer but the last, in training
 *                (PyTorch's {@code dropout=}); in [0, 1), and with one layer it has no effect, as in PyTorch
 */
public record ModelConfig(CellType cell, int vocab, int embed, int hidden, int layers, double dropout) {
    public ModelConfig {
        Objects.requireNonNull(cell, "cell type");
        positive("vocabulary size V", vocab);
        positive("embedding size E", embed);
        positive("hidden size H", hidden);
        positive("number of layers L", layers);
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
        long count = count(cell, vocab, embed, hidden, layers);
        if (count > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("V = " + vocab + ", E = " + embed + ", H = " + hidden + ", L = " + layers
                    + " make " + count + " parameters, more than one Java array holds (" + (Integer.MAX_VALUE - 8) + ")");
        }
    }

    private static void positive(String what, int value) {
        if (value < 1) throw new IllegalArgumentException(what + " must be at least 1, got " + value);
    }

    public ModelConfig withDropout(double p) {
        return new ModelConfig(cell, vocab, embed, hidden, layers, p);
    }

    /** The number of parameters (every weight and bias entry). */
    public long parameterCount() {
        return count(cell, vocab, embed, hidden, layers);
    }

    private static long count(CellType cell, long v, long e, long h, long l) {
        long gh = cell.gates() * h;
        long recurrent = gh * e + (l - 1) * gh * h + l * (gh * h + 2 * gh);
        return v * e + recurrent + v * h + v;
    }

    /**
     * The parameter tensors in PyTorch's state_dict order for the notebook's module layout:
     * {@code embedding.weight (V, E)}; per layer k {@code <module>.weight_ih_lk (G*H, in)},
     * {@code weight_hh_lk (G*H, H)}, {@code bias_ih_lk (G*H)}, {@code bias_hh_lk (G*H)} with in = E for k = 0
     * and H above; {@code fc.weight (V, H)}, {@code fc.bias (V)}.
     */
    public List<ParameterArena.Spec> parameterShapes() {
        List<ParameterArena.Spec> specs = new ArrayList<>();
        specs.add(new ParameterArena.Spec(StateDictNames.EMBEDDING, new int[] {vocab, embed}));
        int gh = cell.gates() * hidden;
        String m = cell.moduleName();
        for (int k = 0; k < layers; k++) {
            specs.add(new ParameterArena.Spec(StateDictNames.weightIh(m, k), new int[] {gh, k == 0 ? embed : hidden}));
            specs.add(new ParameterArena.Spec(StateDictNames.weightHh(m, k), new int[] {gh, hidden}));
            specs.add(new ParameterArena.Spec(StateDictNames.biasIh(m, k), new int[] {gh}));
            specs.add(new ParameterArena.Spec(StateDictNames.biasHh(m, k), new int[] {gh}));
        }
        specs.add(new ParameterArena.Spec(StateDictNames.FC_WEIGHT, new int[] {vocab, hidden}));
        specs.add(new ParameterArena.Spec(StateDictNames.FC_BIAS, new int[] {vocab}));
        return specs;
    }

    /** {@link #inferFrom(Map, Nonlinearity)} for tanh, the default of {@code nn.RNN} (and irrelevant otherwise). */
    public static ModelConfig inferFrom(Map<String, NpyArray> stateDict) {
        return inferFrom(stateDict, Nonlinearity.TANH);
    }

    /**
     * The configuration a PyTorch state_dict was saved from, read as the notebook's layout by
     * {@link StateDictLayout} (other module names, wrappers' prefixes, bias=False): V and E from
     * {@code embedding.weight}; the cell from the rows of {@code weight_hh_l0} (H for nn.RNN, 3H for nn.GRU, 4H for
     * nn.LSTM; a module named lstm or gru must agree); L from the layer names. A
     * state_dict does not record an RNN's activation, hence {@code nonlinearity} (ignored for LSTM and GRU), nor
     * dropout, which is 0. Every tensor is then checked against the inferred shapes.
     *
     * @throws IllegalArgumentException naming the tensor when names or shapes are missing, unexpected or
     *                                  inconsistent (between layers, or V between embedding and fc)
     */
    public static ModelConfig inferFrom(Map<String, NpyArray> stateDict, Nonlinearity nonlinearity) {
        return inferFromNotebook(StateDictLayout.toNotebook(stateDict), nonlinearity);
    }

    /**
     * {@link #inferFrom(Map, Nonlinearity)} of a state_dict already in the notebook's layout
     * ({@link StateDictLayout#toNotebook}): one recurrent module, under its cell's name, its gate rows checked.
     */
    static ModelConfig inferFromNotebook(Map<String, NpyArray> sd, Nonlinearity nonlinearity) {
        int[] emb = shapeOf(sd, StateDictNames.EMBEDDING, 2);
        String module = List.of("rnn", "lstm", "gru").stream().filter(m -> sd.containsKey(StateDictNames.weightIh(m, 0)))
                .findFirst().orElseThrow();
        int hidden = shapeOf(sd, StateDictNames.weightHh(module, 0), 2)[1];
        CellType cell = switch (module) {
            case "lstm" -> CellType.LSTM;
            case "gru" -> CellType.GRU;
            default -> CellType.rnn(nonlinearity);
        };
        int layers = 0;
        while (sd.containsKey(StateDictNames.weightIh(module, layers))) layers++;
        int[] fc = shapeOf(sd, StateDictNames.FC_WEIGHT, 2);
        if (fc[0] != emb[0]) {
            throw new IllegalArgumentException("vocabulary mismatch: embedding.weight has " + emb[0]
                    + " rows (V) but fc.weight has " + fc[0]);
        }
        ModelConfig config = new ModelConfig(cell, emb[0], emb[1], hidden, layers, 0);
        StateDicts.check(config, sd);
        return config;
    }

    private static int[] shapeOf(Map<String, NpyArray> stateDict, String name, int rank) {
        NpyArray a = stateDict.get(name);
        if (a == null) throw new IllegalArgumentException("state_dict has no tensor " + name);
        int[] s = a.shape();
        if (s.length != rank) {
            throw new IllegalArgumentException(name + " should have " + rank + " dimensions, found shape "
                    + Arrays.toString(s));
        }
        return s;
    }
}
