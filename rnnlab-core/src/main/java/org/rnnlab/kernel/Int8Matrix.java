package org.rnnlab.kernel;

import java.util.Arrays;

/**
 * A weight matrix W (rows, cols), PyTorch's (out, in), quantized per row for generation: {@code W[j, p] ~ scale[j] *
 * q[j, p]} with q an int8 and scale a positive float per row. Symmetric: {@code scale[j] = max_p |W[j, p]| / 127}
 * and {@code q[j, p] = rint(W[j, p] / scale[j])}, rounded half to even ({@link Math#rint}, as {@code torch.round}
 * and {@code numpy.rint}), so q is in [-127, 127]; a row of zeros gets scale 1 and zeros. The error of each weight is
 * at most half a step, {@code scale[j] / 2}, that is 1/254 of its row's largest magnitude.
 *
 * <p>Immutable (the arrays are never written after construction and never handed out). The operand of
 * {@link Kernel#gemmInt8}: q is row-major, so a product reads each row's bytes in order, a quarter of the float
 * matrix's memory.
 */
public final class Int8Matrix {
    private final int rows;
    private final int cols;
    final byte[] q;      // (rows, cols) row-major
    final float[] scale; // (rows)
    /** The vector kernel's layout of the same values ({@link #panels}), made on first use. */
    private volatile Panels panels;

    /**
     * W in panels of {@code width} rows (columns of C): panel P holds rows {@code P*width ..} as {@code cols} steps of
     * {@code width} bytes, {@code q[P][p][c] = W[P*width + c, p]}, so a product reads a panel's bytes in order, step
     * after step of its sum; the last panel's missing rows are zeros, and so are their scales.
     */
    record Panels(int width, byte[] q, float[] scale) {}

    /** {@link Panels} of this width, made once (two threads that race make the same bytes; either is kept). */
    Panels panels(int width) {
        Panels p = panels;
        if (p != null && p.width() == width) return p;
        int count = (rows + width - 1) / width;
        byte[] out = new byte[Math.multiplyExact(Math.multiplyExact(count, width), cols)];
        for (int j = 0; j < rows; j++) {
            int base = (j / width) * width * cols + j % width;
            for (int k = 0; k < cols; k++) out[base + k * width] = q[j * cols + k];
        }
        p = new Panels(width, out, Arrays.copyOf(scale, count * width));
        panels = p;
        return p;
    }

    private Int8Matrix(int rows, int cols, byte[] q, float[] scale) {
        this.rows = rows;
        this.cols = cols;
        this.q = q;
        this.scale = scale;
    }

    /** W (rows, cols) at {@code off} of {@code w}, row-major, quantized as the class comment says. */
    public static Int8Matrix quantize(float[] w, int off, int rows, int cols) {
        if (rows < 0 || cols < 0) throw new IllegalArgumentException("negative shape (" + rows + ", " + cols + ")");
        byte[] q = new byte[Math.multiplyExact(rows, cols)];
        float[] scale = new float[rows];
        for (int j = 0; j < rows; j++) {
            int r = off + j * cols;
            float max = 0f;
            for (int p = 0; p < cols; p++) {
                float v = w[r + p];
                if (!Float.isFinite(v)) {
                    throw new IllegalArgumentException("cannot quantize " + v + " at [" + j + ", " + p + "]");
                }
                max = Math.max(max, Math.abs(v));
            }
            float s = max / 127f;
            if (!(s > 0f)) { // a row of zeros (or of values so small that max / 127 underflows): zeros, scale 1
                scale[j] = 1f;
                continue;
            }
            scale[j] = s;
            for (int p = 0; p < cols; p++) {
                double v = Math.rint(w[r + p] / s);
                q[j * cols + p] = (byte) Math.max(-127, Math.min(127, v)); // |v| <= 127 but for a last-bit excess
            }
        }
        return new Int8Matrix(rows, cols, q, scale);
    }

    /**
     * A quantized matrix from its values (rows * cols, row-major; copied) and row scales (copied), as a file holds
     * them. Every scale must be finite and positive; errors say which row.
     */
    public static Int8Matrix of(int rows, int cols, byte[] values, float[] scales) {
        if (rows < 0 || cols < 0) throw new IllegalArgumentException("negative shape (" + rows + ", " + cols + ")");
        if (values.length != (long) rows * cols) {
            throw new IllegalArgumentException("(" + rows + ", " + cols + ") needs " + (long) rows * cols
                    + " int8 values, got " + values.length);
        }
        if (scales.length != rows) {
            throw new IllegalArgumentException("(" + rows + ", " + cols + ") needs " + rows + " row scales, got "
                    + scales.length);
        }
        for (int j = 0; j < rows; j++) {
            float s = scales[j];
            if (!(s > 0f) || !Float.isFinite(s)) {
                throw new IllegalArgumentException("row " + j + " has scale " + s + "; a scale is a finite float > 0");
            }
        }
        return new Int8Matrix(rows, cols, values.clone(), scales.clone());
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** The int8 values, row-major (a copy). */
    public byte[] values() {
        return q.clone();
    }

    /** The row scales (a copy). */
    public float[] scales() {
        return scale.clone();
    }

    /** {@code scale[j] * q[j, p]} for every entry, row-major: the float matrix this one stands for. */
    public float[] dequantize() {
        float[] w = new float[q.length];
        for (int j = 0; j < rows; j++) {
            for (int p = 0; p < cols; p++) w[j * cols + p] = scale[j] * q[j * cols + p];
        }
        return w;
    }

    /** Bytes of memory a product reads: the values and the scales. */
    public long bytes() {
        return q.length + 4L * rows;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Int8Matrix m && m.rows == rows && m.cols == cols && Arrays.equals(m.q, q)
                && Arrays.equals(m.scale, scale);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(q) + Arrays.hashCode(scale);
    }

    @Override
    public String toString() {
        return "Int8Matrix[" + rows + " x " + cols + "]";
    }
}
