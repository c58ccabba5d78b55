package org.rnnlab.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One array of a {@code .npy} / {@code .npz} file: its numpy dtype, shape (C order) and little-endian bytes.
 * Supported dtypes: {@code <f8 <f4 <i8 <i4 |i1 |u1 |b1}.
 */
public record NpyArray(String dtype, int[] shape, byte[] data) {
    public NpyArray {
        shape = shape.clone();
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            // Capped past what an array holds, so that it never wraps around (four dimensions of 65536 made 2^64,
            // which is 0, and matched an empty array); a 0 dimension still makes it 0.
            n = Math.min(n * d, Integer.MAX_VALUE + 1L);
        }
        int width = itemSize(dtype);
        if (n * width != data.length) {
            throw new IllegalArgumentException("array of dtype " + dtype + " and shape " + Arrays.toString(shape)
                    + " needs " + (n > Integer.MAX_VALUE ? "more than 2^31 elements" : n * width + " bytes")
                    + ", found " + data.length);
        }
    }

    /** Bytes per element of a supported dtype. */
    public static int itemSize(String dtype) {
        return switch (dtype) {
            case "<f8", "<i8" -> 8;
            case "<f4", "<i4" -> 4;
            case "|i1", "|u1", "|b1" -> 1;
            default -> throw new IllegalArgumentException("unsupported numpy dtype '" + dtype
                    + "' (rnnlab reads <f8 <f4 <i8 <i4 |i1 |u1 |b1)");
        };
    }

    public static NpyArray ofDoubles(double[] values, int... shape) {
        ByteBuffer b = buffer(values.length * 8);
        for (double v : values) b.putDouble(v);
        return new NpyArray("<f8", shape, b.array());
    }

    public static NpyArray ofFloats(float[] values, int... shape) {
        ByteBuffer b = buffer(values.length * 4);
        for (float v : values) b.putFloat(v);
        return new NpyArray("<f4", shape, b.array());
    }

    public static NpyArray ofLongs(long[] values, int... shape) {
        ByteBuffer b = buffer(values.length * 8);
        for (long v : values) b.putLong(v);
        return new NpyArray("<i8", shape, b.array());
    }

    public int size() {
        return data.length / itemSize(dtype);
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** The elements as doubles (exact for every supported dtype but large int64 values). */
    public double[] toDoubles() {
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        double[] out = new double[size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = switch (dtype) {
                case "<f8" -> b.getDouble();
                case "<f4" -> b.getFloat();
                case "<i8" -> b.getLong();
                case "<i4" -> b.getInt();
                case "|i1" -> b.get();
                default -> b.get() & 0xff;
            };
        }
        return out;
    }

    /** The elements as floats; float64 values are rounded to the nearest float, as {@code .astype(np.float32)}. */
    public float[] toFloats() {
        double[] d = toDoubles();
        float[] out = new float[d.length];
        for (int i = 0; i < d.length; i++) out[i] = (float) d[i];
        return out;
    }

    /** The elements as longs; only for integer dtypes. */
    public long[] toLongs() {
        if (dtype.startsWith("<f")) {
            throw new IllegalArgumentException("array of dtype " + dtype + " is not an integer array");
        }
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        long[] out = new long[size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = switch (dtype) {
                case "<i8" -> b.getLong();
                case "<i4" -> b.getInt();
                case "|i1" -> b.get();
                default -> b.get() & 0xff;
            };
        }
        return out;
    }

    /** An int8 array ({@code |i1}) of these values (not copied: the array must not change afterwards). */
    public static NpyArray ofBytes(byte[] values, int... shape) {
        return new NpyArray("|i1", shape, values);
    }

    private static ByteBuffer buffer(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NpyArray a && a.dtype.equals(dtype) && Arrays.equals(a.shape, shape)
                && Arrays.equals(a.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * dtype.hashCode() + Arrays.hashCode(shape)) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "NpyArray[" + dtype + " " + Arrays.toString(shape) + "]";
    }
}
