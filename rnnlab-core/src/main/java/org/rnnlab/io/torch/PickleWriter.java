package org.rnnlab.io.torch;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.rnnlab.io.NpyArray;

/**
 * Writes the {@code data.pkl} of a state_dict exactly as {@code torch.save(OrderedDict(...))} does with pickle
 * protocol 2: the same opcodes, the same memo numbering (every string, non-empty tuple, dict and global is put
 * in the memo; the repeated globals and the constant strings {@code 'storage'} and {@code 'cpu'} are fetched back
 * with BINGET), the items in batches of 1000. Tensor {@code i} is a contiguous view of its own storage, key
 * {@code "i"}, offset 0. No {@code _metadata} attribute is written: it describes modules, which this package
 * knows nothing of, and {@code load_state_dict} does without it.
 *
 * <p>Every opcode used is one torch's {@code weights_only} unpickler accepts (torch 1.13 and 2.x), and the
 * globals are {@code collections.OrderedDict}, {@code torch._utils._rebuild_tensor_v2} and the
 * {@code torch.XxxStorage} types, all on its allowlist.
 */
final class PickleWriter {
    private static final int MARK = '(', STOP = '.', BININT = 'J', BININT1 = 'K', BININT2 = 'M', BINPERSID = 'Q',
            REDUCE = 'R', BINUNICODE = 'X', GLOBAL = 'c', BINGET = 'h', LONG_BINGET = 'j', BINPUT = 'q',
            LONG_BINPUT = 'r', SETITEM = 's', TUPLE = 't', EMPTY_TUPLE = ')', SETITEMS = 'u', PROTO = 0x80,
            TUPLE1 = 0x85, NEWFALSE = 0x89, LONG1 = 0x8a;
    private static final int BATCH = 1000; // pickle's _BATCHSIZE for SETITEMS

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Map<String, Integer> shared = new HashMap<>();
    private int memoSize;

    private PickleWriter() {}

    /** The pickle of an OrderedDict mapping {@code names.get(i)} to tensor {@code arrays.get(i)} in storage "i". */
    static byte[] stateDict(List<String> names, List<NpyArray> arrays) {
        PickleWriter w = new PickleWriter();
        w.op(PROTO);
        w.op(2);
        w.global("collections", "OrderedDict");
        w.op(EMPTY_TUPLE);
        w.op(REDUCE);
        w.put();
        for (int start = 0; start < names.size(); start += BATCH) {
            int end = Math.min(names.size(), start + BATCH);
            if (end - start > 1) w.op(MARK);
            for (int i = start; i < end; i++) {
                w.string(names.get(i));
                w.put();
                w.tensor(i, arrays.get(i));
            }
            w.op(end - start > 1 ? SETITEMS : SETITEM);
        }
        w.op(STOP);
        return w.out.toByteArray();
    }

    /** {@code _rebuild_tensor_v2(storage, 0, size, stride, False, OrderedDict())}. */
    private void tensor(int index, NpyArray a) {
        int[] shape = a.shape();
        StorageType type = StorageType.forWriting(a.dtype());
        global("torch._utils", "_rebuild_tensor_v2");
        op(MARK);
        op(MARK); // the persistent id ('storage', torch.XxxStorage, key, location, numel)
        sharedString("storage");
        global("torch", type.className);
        string(Integer.toString(index));
        put();
        sharedString("cpu");
        integer(a.size());
        op(TUPLE);
        put();
        op(BINPERSID);
        integer(0);
        tuple(shape);
        tuple(contiguousStrides(shape));
        op(NEWFALSE);
        memoGet(shared.get("collections\nOrderedDict")); // backward_hooks: a fresh, empty OrderedDict
        op(EMPTY_TUPLE);
        op(REDUCE);
        put();
        op(TUPLE);
        put();
        op(REDUCE);
        put();
    }

    /** torch's contiguous strides: a size-0 or size-1 dimension still multiplies by 1, not 0. */
    static int[] contiguousStrides(int[] shape) {
        int[] stride = new int[shape.length];
        long s = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            stride[d] = (int) s;
            s *= Math.max(shape[d], 1);
        }
        return stride;
    }

    private void tuple(int[] values) {
        if (values.length == 0) {
            op(EMPTY_TUPLE); // the empty tuple is a singleton pickle never memoizes
            return;
        }
        if (values.length > 3) op(MARK);
        for (int v : values) integer(v);
        op(values.length > 3 ? TUPLE : TUPLE1 + values.length - 1);
        put();
    }

    private void global(String module, String name) {
        String id = module + "\n" + name;
        Integer index = shared.get(id);
        if (index != null) {
            memoGet(index);
            return;
        }
        op(GLOBAL);
        out.writeBytes((id + "\n").getBytes(StandardCharsets.UTF_8));
        shared.put(id, put());
    }

    private void sharedString(String s) {
        Integer index = shared.get("'" + s);
        if (index != null) {
            memoGet(index);
            return;
        }
        string(s);
        shared.put("'" + s, put());
    }

    private void string(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        op(BINUNICODE);
        u32(utf8.length);
        out.writeBytes(utf8);
    }

    /** Python's save_long for protocol 2. */
    private void integer(long v) {
        if (v >= 0 && v <= 0xff) {
            op(BININT1);
            op((int) v);
        } else if (v >= 0 && v <= 0xffff) {
            op(BININT2);
            op((int) v & 0xff);
            op((int) v >>> 8);
        } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            op(BININT);
            u32((int) v);
        } else {
            // encode_long: the shortest little-endian two's complement that keeps the sign
            int n = (64 - Long.numberOfLeadingZeros(v < 0 ? ~v : v)) / 8 + 1;
            op(LONG1);
            op(n);
            for (int i = 0; i < n; i++) op((int) (v >> (8 * i)) & 0xff);
        }
    }

    private int put() {
        int index = memoSize++;
        if (index < 256) {
            op(BINPUT);
            op(index);
        } else {
            op(LONG_BINPUT);
            u32(index);
        }
        return index;
    }

    private void memoGet(int index) {
        if (index < 256) {
            op(BINGET);
            op(index);
        } else {
            op(LONG_BINGET);
            u32(index);
        }
    }

    private void u32(int v) {
        for (int i = 0; i < 4; i++) op(v >>> (8 * i) & 0xff);
    }

    private void op(int b) {
        out.write(b);
    }
}
