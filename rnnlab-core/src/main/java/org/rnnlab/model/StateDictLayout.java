package org.rnnlab.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rnnlab.io.NpyArray;

/**
 * Reads a PyTorch state_dict of any character model of the form Embedding -> nn.RNN/LSTM/GRU -> Linear as the
 * notebook's layout ({@code embedding}, {@code rnn}/{@code lstm}/{@code gru}, {@code fc}), by structure rather than
 * by attribute names:
 * <ul>
 *   <li>the wrappers' prefixes {@code module.} (nn.DataParallel, DistributedDataParallel) and {@code _orig_mod.}
 *       (torch.compile) are dropped;</li>
 *   <li>the recurrent module is the one prefix P with {@code P.weight_ih_l0}, whatever its name; its cell follows
 *       from the rows of {@code weight_hh_l0}: H for nn.RNN, 3H for nn.GRU, 4H for nn.LSTM (so
 *       word_language_model's {@code rnn}, an nn.LSTM there, reads as one). A module named {@code lstm} or
 *       {@code gru} must have its cell's rows;</li>
 *   <li>the embedding is {@code embedding.weight}, else the one bias-free (V, E) matrix, E being the columns of
 *       {@code weight_ih_l0} ({@code encoder.weight}, {@code embed.weight}, ...);</li>
 *   <li>the output layer is {@code fc}, else the one (V, H) matrix with V the embedding's rows ({@code decoder},
 *       {@code out}, ...; with weight tying it equals the embedding);</li>
 *   <li>biases left out by {@code bias=False} (in the recurrent module or the output layer) are zeros, which is
 *       what PyTorch computes.</li>
 * </ul>
 * Anything else is kept under its own name, so {@link StateDicts#check} reports it as unexpected.
 */
final class StateDictLayout {
    private static final List<String> WRAPPERS = List.of("module.", "_orig_mod.");

    private StateDictLayout() {}

    /** The state_dict under the notebook's names (the same map when it already uses them). */
    static Map<String, NpyArray> toNotebook(Map<String, NpyArray> stateDict) {
        Map<String, NpyArray> sd = unwrap(stateDict);
        String module = recurrentModule(sd);
        int[] hh = shape(sd, StateDictNames.weightHh(module, 0));
        int[] ih = shape(sd, StateDictNames.weightIh(module, 0));
        String last = module.substring(module.lastIndexOf('.') + 1);
        String canonical = cellModule(module, last, hh);
        String embedding = embedding(sd, module, ih[1]);
        String fc = output(sd, module, embedding, hh[1]);

        if (sd == stateDict && module.equals(canonical) && StateDictNames.EMBEDDING.equals(embedding) && StateDictNames.FC.equals(fc)
                && hasBias(sd, module) && sd.containsKey(StateDictNames.FC_BIAS)) {
            return stateDict;
        }
        LinkedHashMap<String, NpyArray> out = new LinkedHashMap<>();
        if (embedding != null) out.put(StateDictNames.EMBEDDING, sd.get(embedding));
        boolean zeroBias = !hasBias(sd, module);
        for (int k = 0; sd.containsKey(StateDictNames.weightIh(module, k)); k++) {
            for (String t : StateDictNames.RECURRENT) {
                NpyArray a = sd.get(module + "." + t + k);
                if (a == null && zeroBias && t.startsWith("bias")) a = zeros(shape(sd, StateDictNames.weightHh(module, k))[0]);
                if (a != null) out.put(canonical + "." + t + k, a);
            }
        }
        if (fc != null) {
            NpyArray w = sd.get(fc + ".weight");
            out.put(StateDictNames.FC_WEIGHT, w);
            NpyArray b = sd.get(fc + ".bias");
            out.put(StateDictNames.FC_BIAS, b != null ? b : zeros(w.shape()[0]));
        }
        // Whatever is left keeps its name, for the check to report.
        for (Map.Entry<String, NpyArray> e : sd.entrySet()) {
            String k = e.getKey();
            boolean used = k.startsWith(module + ".") && isRecurrentTensor(k.substring(module.length() + 1))
                    || k.equals(embedding) || fc != null && (k.equals(fc + ".weight") || k.equals(fc + ".bias"));
            if (!used) out.putIfAbsent(k, e.getValue());
        }
        return out;
    }

    private static boolean isRecurrentTensor(String suffix) {
        return suffix.matches("(weight|bias)_(ih|hh)_l[0-9]+");
    }

    private static Map<String, NpyArray> unwrap(Map<String, NpyArray> sd) {
        for (String w : WRAPPERS) {
            if (!sd.isEmpty() && sd.keySet().stream().allMatch(k -> k.startsWith(w))) {
                LinkedHashMap<String, NpyArray> out = new LinkedHashMap<>();
                sd.forEach((k, v) -> out.put(k.substring(w.length()), v));
                return unwrap(out);
            }
        }
        return sd;
    }

    private static String recurrentModule(Map<String, NpyArray> sd) {
        List<String> found = new ArrayList<>();
        String first = StateDictNames.weightIh("", 0); // ".weight_ih_l0"
        for (String k : sd.keySet()) {
            if (k.endsWith(first)) found.add(k.substring(0, k.length() - first.length()));
        }
        if (found.isEmpty()) {
            throw new IllegalArgumentException("state_dict has no recurrent module: expected rnn.weight_ih_l0, "
                    + "lstm.weight_ih_l0 or gru.weight_ih_l0 (any module name) among " + sd.keySet());
        }
        if (found.size() > 1) {
            throw new IllegalArgumentException("state_dict has two recurrent modules, " + found.get(0) + " and "
                    + found.get(1) + "; rnnlab reads one recurrent module (stacked layers are one nn.RNN/LSTM/GRU)");
        }
        String m = found.get(0);
        String hh = StateDictNames.weightHh(m, 0);
        if (!sd.containsKey(hh)) throw new IllegalArgumentException("state_dict has no tensor " + hh);
        for (String k : sd.keySet()) {
            if (k.startsWith(m + ".") && k.endsWith("_reverse")) {
                throw new IllegalArgumentException(k + ": a bidirectional module, which reads the text backwards too;"
                        + " a character model generating left to right has one direction (bidirectional=False)");
            }
            if (k.startsWith(m + ".weight_hr_l")) {
                throw new IllegalArgumentException(k + ": an LSTM with proj_size, which rnnlab does not support"
                        + " (proj_size=0)");
            }
        }
        return m;
    }

    /** The notebook's module name for the recurrent module, from its gate rows (and its name when it is lstm or gru). */
    private static String cellModule(String module, String name, int[] hh) {
        int hidden = hh[1];
        int gates = hidden >= 1 && hh[0] % hidden == 0 ? hh[0] / hidden : -1;
        CellType named = switch (name) {
            case "lstm" -> CellType.LSTM;
            case "gru" -> CellType.GRU;
            default -> null;
        };
        if (named != null && gates != named.gates()) {
            String found = gates > 0 ? gates + "H" : hh[0] + " rows";
            throw new IllegalArgumentException(module + ".weight_hh_l0 has shape " + Arrays.toString(hh) + ", i.e. "
                    + found + " for H = " + hidden + ", but the gates of " + name + " need " + named.gates()
                    + "H rows (nn.RNN H, nn.GRU 3H, nn.LSTM 4H)");
        }
        return switch (gates) {
            case 1 -> "rnn";
            case 3 -> "gru";
            case 4 -> "lstm";
            default -> throw new IllegalArgumentException(module + ".weight_hh_l0 has shape " + Arrays.toString(hh)
                    + ": " + hh[0] + " rows for H = " + hidden + " is no cell's gates (nn.RNN H, nn.GRU 3H, nn.LSTM 4H)");
        };
    }

    /** The embedding's name: embedding.weight, else the one bias-free (V, E) matrix outside the recurrent module. */
    private static String embedding(Map<String, NpyArray> sd, String module, int embed) {
        if (sd.containsKey(StateDictNames.EMBEDDING)) return StateDictNames.EMBEDDING;
        List<String> found = new ArrayList<>();
        for (Map.Entry<String, NpyArray> e : sd.entrySet()) {
            String k = e.getKey();
            if (!k.endsWith("weight") || k.startsWith(module + ".")) continue;
            String owner = k.substring(0, k.length() - "weight".length());
            int[] s = e.getValue().shape();
            if (s.length == 2 && s[1] == embed && !sd.containsKey(owner + "bias")) found.add(k);
        }
        if (found.size() > 1) {
            throw new IllegalArgumentException("state_dict has no embedding.weight and several bias-free (V, " + embed
                    + ") matrices that could be the embedding: " + String.join(", ", found)
                    + "; rename the embedding's tensor to embedding.weight");
        }
        return found.isEmpty() ? null : found.get(0); // none: the check names embedding.weight
    }

    /** The output layer's module name: fc, else the one (V, H) matrix outside the recurrent module. */
    private static String output(Map<String, NpyArray> sd, String module, String embedding, int hidden) {
        if (sd.containsKey(StateDictNames.FC_WEIGHT)) return StateDictNames.FC;
        if (embedding == null) return null;
        int vocab = sd.get(embedding).shape()[0];
        List<String> found = new ArrayList<>();
        for (Map.Entry<String, NpyArray> e : sd.entrySet()) {
            String k = e.getKey();
            if (!k.endsWith(".weight") || k.startsWith(module + ".")) continue;
            int[] s = e.getValue().shape();
            if (s.length != 2 || s[0] != vocab || s[1] != hidden) continue;
            if (k.equals(embedding) && !sd.containsKey(k.substring(0, k.length() - "weight".length()) + "bias")) continue;
            found.add(k.substring(0, k.length() - ".weight".length()));
        }
        if (found.size() > 1) {
            throw new IllegalArgumentException("state_dict has no fc.weight and several (" + vocab + ", " + hidden
                    + ") matrices that could be the output layer: " + String.join(", ", found)
                    + "; rename the output layer's tensors to fc.weight and fc.bias");
        }
        return found.isEmpty() ? null : found.get(0); // none: the check names fc.weight
    }

    private static boolean hasBias(Map<String, NpyArray> sd, String module) {
        return sd.containsKey(module + ".bias_ih_l0") || sd.containsKey(module + ".bias_hh_l0");
    }

    private static int[] shape(Map<String, NpyArray> sd, String name) {
        NpyArray a = sd.get(name);
        if (a == null) throw new IllegalArgumentException("state_dict has no tensor " + name); // a layer's weight_hh
        int[] s = a.shape();
        if (s.length != 2) {
            throw new IllegalArgumentException(name + " should have 2 dimensions, found shape " + Arrays.toString(s));
        }
        return s;
    }

    private static NpyArray zeros(int n) {
        return NpyArray.ofFloats(new float[n], n);
    }
}
