package org.rnnlab.nn;

import java.util.Arrays;

/**
 * A named parameter tensor: a view of {@code size()} consecutive floats at {@code offset} in two shared flat
 * arrays, one of values and one of gradients (the same offset in both). Layers read and write through these
 * views; the arrays themselves belong to whoever laid the parameters out (the model's arena).
 *
 * @param name   the PyTorch state_dict name, e.g. {@code lstm.weight_ih_l0}; used in error messages
 * @param shape  PyTorch's shape, row-major
 * @param values all parameter values (this tensor is a slice)
 * @param grads  all parameter gradients, laid out like {@code values}
 * @param offset where this tensor starts in both arrays
 */
public record Param(String name, int[] shape, float[] values, float[] grads, int offset) {
    public Param {
        shape = shape.clone();
        if (values.length != grads.length) {
            throw new IllegalArgumentException(name + ": value and gradient arrays differ in length, "
                    + values.length + " vs " + grads.length);
        }
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException(name + ": negative dimension in shape " + Arrays.toString(shape));
            n *= d;
        }
        if (offset < 0 || offset + n > values.length) {
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " at offset " + offset
                    + " does not fit in " + values.length + " floats");
        }
    }

    /** A parameter with arrays of its own, for using a layer on its own (tests, small tools). */
    public static Param standalone(String name, int... shape) {
        int n = 1;
        for (int d : shape) n = Math.multiplyExact(n, d);
        return new Param(name, shape, new float[n], new float[n], 0);
    }

    public int size() {
        int n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** Fails unless the shape is exactly {@code expected}, naming the tensor and both shapes. */
    public void requireShape(int... expected) {
        if (!Arrays.equals(shape, expected)) {
            throw new IllegalArgumentException(name + ": expected shape " + Arrays.toString(expected)
                    + ", found " + Arrays.toString(shape));
        }
    }

    /** Sets this tensor's gradient to zero (only its own slice). */
    public void zeroGrad() {
        Arrays.fill(grads, offset, offset + size(), 0f);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Param p && p.name.equals(name) && Arrays.equals(p.shape, shape)
                && p.values == values && p.grads == grads && p.offset == offset;
    }

    @Override
    public int hashCode() {
        return 31 * name.hashCode() + offset;
    }

    @Override
    public String toString() {
        return "Param[" + name + " " + Arrays.toString(shape) + " @" + offset + "]";
    }
}
