package org.rnnlab.model;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.rnnlab.io.NpyArray;

/** Checks a state_dict against a configuration's tensor names and shapes, with errors naming the tensor. */
final class StateDicts {
    private StateDicts() {}

    static void check(ModelConfig config, Map<String, NpyArray> stateDict) {
        List<ParameterArena.Spec> specs = config.parameterShapes();
        Set<String> expected = new HashSet<>();
        for (ParameterArena.Spec s : specs) {
            expected.add(s.name());
            NpyArray a = stateDict.get(s.name());
            if (a == null) {
                throw new IllegalArgumentException("state_dict has no tensor " + s.name() + " (expected shape "
                        + Arrays.toString(s.shape()) + " for " + describe(config) + ")");
            }
            if (!Arrays.equals(a.shape(), s.shape())) {
                throw new IllegalArgumentException(s.name() + ": expected shape " + Arrays.toString(s.shape())
                        + ", found " + Arrays.toString(a.shape()) + " (" + describe(config) + ")");
            }
            if (!a.dtype().equals("<f4") && !a.dtype().equals("<f8")) {
                throw new IllegalArgumentException(s.name() + ": expected a float tensor, found dtype " + a.dtype());
            }
        }
        for (String name : stateDict.keySet()) {
            if (!expected.contains(name)) {
                throw new IllegalArgumentException("unexpected tensor " + name + " in state_dict for "
                        + describe(config) + " (bidirectional, projected or extra modules are not supported)");
            }
        }
    }

    private static String describe(ModelConfig c) {
        return c.cell().id() + " V=" + c.vocab() + " E=" + c.embed() + " H=" + c.hidden() + " L=" + c.layers();
    }
}
