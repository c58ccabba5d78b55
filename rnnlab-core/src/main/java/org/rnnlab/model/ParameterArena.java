package org.rnnlab.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rnnlab.nn.Param;

/**
 * All parameters of a model in one flat {@code float[]}, and their gradients in a second one laid out the
 * same way, with a named {@link Param} view per tensor in state_dict order. One array makes global operations
 * (zeroing gradients, clipping by global norm, an optimizer step) a single loop and a checkpoint a single copy.
 */
public final class ParameterArena {
    /** One tensor of the layout: its state_dict name and PyTorch shape. */
    public record Spec(String name, int[] shape) {
        public Spec {
            shape = shape.clone();
            for (int d : shape) {
                if (d < 1) throw new IllegalArgumentException(name + ": dimensions must be positive, got "
                        + Arrays.toString(shape));
            }
        }

        @Override
        public int[] shape() {
            return shape.clone();
        }

        public long size() {
            long n = 1;
            for (int d : shape) n *= d;
            return n;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Spec s && s.name.equals(name) && Arrays.equals(s.shape, shape);
        }

        @Override
        public int hashCode() {
            return 31 * name.hashCode() + Arrays.hashCode(shape);
        }

        @Override
        public String toString() {
            return name + Arrays.toString(shape);
        }
    }

    private final float[] values;
    private final float[] grads;
    private final List<Param> params;
    private final Map<String, Param> byName;

    public ParameterArena(List<Spec> specs) {
        this(specs, null);
    }

    /** The layout over {@code shared} values (another arena's, the same layout) when not null, with its own gradients. */
    ParameterArena(List<Spec> specs, float[] shared) {
        long total = 0;
        for (Spec s : specs) total += s.size();
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("the model has " + total + " parameters; one Java array holds at most "
                    + (Integer.MAX_VALUE - 8));
        }
        if (shared != null && shared.length != total) {
            throw new IllegalArgumentException("shared values have " + shared.length + " entries, the layout " + total);
        }
        values = shared != null ? shared : new float[(int) total];
        grads = new float[(int) total];
        List<Param> list = new ArrayList<>();
        Map<String, Param> map = new LinkedHashMap<>();
        int offset = 0;
        for (Spec s : specs) {
            Param p = new Param(s.name(), s.shape(), values, grads, offset);
            if (map.put(s.name(), p) != null) throw new IllegalArgumentException("duplicate parameter name " + s.name());
            list.add(p);
            offset += p.size();
        }
        params = Collections.unmodifiableList(list);
        byName = Collections.unmodifiableMap(map);
    }

    /** Every parameter value, in state_dict order; the live array. */
    public float[] values() {
        return values;
    }

    /** Every gradient, laid out like {@link #values()}; the live array. */
    public float[] grads() {
        return grads;
    }

    public int size() {
        return values.length;
    }

    /** The named views, in state_dict order. */
    public List<Param> params() {
        return params;
    }

    public Param get(String name) {
        Param p = byName.get(name);
        if (p == null) throw new IllegalArgumentException("no parameter named " + name + "; the model has " + byName.keySet());
        return p;
    }

    public void zeroGrad() {
        Arrays.fill(grads, 0f);
    }
}
