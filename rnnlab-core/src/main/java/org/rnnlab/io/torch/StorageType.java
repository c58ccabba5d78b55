package org.rnnlab.io.torch;

/**
 * The typed storages a state_dict's tensors may live in, as named by the pickle's {@code torch.XxxStorage}
 * globals, with the numpy dtype each one becomes. float16 and bfloat16 have no {@link org.rnnlab.io.NpyArray}
 * dtype, so they are widened to {@code <f4} on reading (exactly: every such value is a float32) and are
 * never written.
 */
enum StorageType {
    FLOAT("FloatStorage", "float32", 4, "<f4"),
    DOUBLE("DoubleStorage", "float64", 8, "<f8"),
    HALF("HalfStorage", "float16", 2, "<f4"),
    BFLOAT16("BFloat16Storage", "bfloat16", 2, "<f4"),
    LONG("LongStorage", "int64", 8, "<i8"),
    INT("IntStorage", "int32", 4, "<i4"),
    BYTE("ByteStorage", "uint8", 1, "|u1"),
    BOOL("BoolStorage", "bool", 1, "|b1");

    /** The class name after {@code torch.} in the pickle. */
    final String className;
    /** torch's name for the dtype, for messages. */
    final String torchDtype;
    /** Bytes per element in the file. */
    final int itemSize;
    /** The numpy dtype of the array read from it. */
    final String npyDtype;

    StorageType(String className, String torchDtype, int itemSize, String npyDtype) {
        this.className = className;
        this.torchDtype = torchDtype;
        this.itemSize = itemSize;
        this.npyDtype = npyDtype;
    }

    /** The storage type named {@code torch.<className>}, or null. */
    static StorageType byClassName(String className) {
        for (StorageType t : values()) {
            if (t.className.equals(className)) return t;
        }
        return null;
    }

    /** The storage type a tensor of this numpy dtype is written to; every {@code NpyArray} dtype has one. */
    static StorageType forWriting(String npyDtype) {
        return switch (npyDtype) {
            case "<f4" -> FLOAT;
            case "<f8" -> DOUBLE;
            case "<i8" -> LONG;
            case "<i4" -> INT;
            case "|u1" -> BYTE;
            case "|b1" -> BOOL;
            default -> throw new IllegalArgumentException("numpy dtype '" + npyDtype + "' has no torch storage type");
        };
    }

    /** The dtypes rnnlab reads, for messages. */
    static String supportedList() {
        StringBuilder b = new StringBuilder();
        for (StorageType t : values()) b.append(b.length() == 0 ? "" : ", ").append(t.torchDtype);
        return b.toString();
    }
}
