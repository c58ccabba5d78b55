package org.rnnlab.io.torch;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rnnlab.util.Messages;

/**
 * A pickle reader for the {@code data.pkl} of a {@code torch.save}d state_dict, and for nothing else.
 *
 * <p>It is a stack machine over plain data: strings, integers, floats, booleans, None, tuples, lists and dicts.
 * The only names it resolves are {@code collections.OrderedDict}, {@code torch._utils._rebuild_tensor_v2},
 * {@code torch._utils._rebuild_parameter} and the typed storages of {@link StorageType}; it refuses every other
 * global the moment it reads it, naming it. No name is ever looked up, loaded, instantiated or called: the three
 * callables are recognised by name and their effect is built here as inert records ({@link TensorRef}), so
 * tensor bytes are only read later, by the caller, from the records the persistent ids name.
 *
 * <p>Opcodes: those of protocol 2 that the pickle module emits for a state_dict (PROTO, GLOBAL, BINPUT,
 * LONG_BINPUT, BINGET, LONG_BINGET, MARK, EMPTY_DICT, EMPTY_TUPLE, TUPLE, TUPLE1-3, EMPTY_LIST, APPEND, APPENDS,
 * SETITEM, SETITEMS, BINUNICODE, BININT, BININT1, BININT2, LONG1, NEWTRUE, NEWFALSE, NONE, BINFLOAT, REDUCE,
 * BUILD, BINPERSID, STOP) plus the four protocol 4 adds for the same data ({@code torch.save(...,
 * pickle_protocol=4)}): FRAME, SHORT_BINUNICODE, MEMOIZE, STACK_GLOBAL. Any other opcode is an error naming it
 * and its byte offset.
 */
final class PickleReader {
    /** A Python tuple. */
    record Tuple(List<Object> items) {
        static final Tuple EMPTY = new Tuple(List.of());

        Tuple {
            items = List.copyOf(items);
        }
    }

    /** A Python dict, or a {@code collections.OrderedDict} when {@code ordered}; both keep insertion order. */
    static final class Dict {
        final boolean ordered;
        final Map<Object, Object> items = new LinkedHashMap<>();

        Dict(boolean ordered) {
            this.ordered = ordered;
        }
    }

    /** An allowed global, by its pickle name ({@code module} and {@code name}). */
    record Global(String module, String name) {
        String quoted() {
            return "'" + module + " " + name + "'";
        }
    }

    /** What a persistent id {@code ('storage', torch.XxxStorage, key, location, numel)} stands for. */
    record StorageRef(StorageType type, String key, String location, long numel) {}

    /** A tensor as {@code _rebuild_tensor_v2} describes it: a view (offset, size, stride in elements) of a storage. */
    record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {}

    /** Python's None. */
    enum None { NONE }

    /**
     * The most values (pushes, MARKs and memo entries) a pickle may build. torch.save writes about 40 per tensor
     * (rnnlab's 3-layer models about 500 in all), so this admits state_dicts of some 25,000 tensors, where rnnlab's
     * models have a few dozen and large language models about a thousand. Every opcode does work proportional to
     * what it builds, so a pickle within the limit is read in milliseconds, while a hostile one (a list pushed from
     * the memo a hundred million times, which a zip deflates to a megabyte) is refused before it fills the memory.
     */
    static final int MAX_VALUES = 1_000_000;

    private static final String ORDERED_DICT = "collections OrderedDict";
    private static final String REBUILD_TENSOR = "torch._utils _rebuild_tensor_v2";
    private static final String REBUILD_PARAMETER = "torch._utils _rebuild_parameter";

    private final byte[] in;
    private final String source;
    private int pos;
    private int opStart;
    private final List<Object> stack = new ArrayList<>();
    private final Deque<Integer> marks = new ArrayDeque<>();
    private final Map<Long, Object> memo = new HashMap<>();
    /** Values pushed, MARKs and memo entries so far; see {@link #MAX_VALUES}. */
    private int values;

    /** @param source names the checkpoint file in errors */
    private PickleReader(byte[] in, String source) {
        this.in = in;
        this.source = source;
    }

    /** Runs the pickle to its STOP and returns the value it built. */
    static Object load(byte[] pickle, String source) {
        return new PickleReader(pickle, source).run();
    }

    private Object run() {
        while (true) {
            opStart = pos;
            if (pos >= in.length) throw fail("the pickle ends without STOP (data.pkl is truncated)");
            int op = in[pos++] & 0xff;
            switch (op) {
                case 0x80 -> { // PROTO
                    int protocol = u8();
                    if (protocol < 2 || protocol > 5) throw fail("pickle protocol " + protocol + " is not supported (torch.save writes 2)");
                }
                case 0x95 -> skip(8); // FRAME: a length hint for buffered readers
                case 'c' -> push(global(line(), line()));
                case 0x93 -> { // STACK_GLOBAL
                    Object name = pop();
                    Object module = pop();
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw fail("STACK_GLOBAL needs two strings, found " + typeName(module) + " and " + typeName(name));
                    }
                    push(global(m, n));
                }
                case 'q' -> memoPut(u8()); // BINPUT
                case 'r' -> memoPut(u32()); // LONG_BINPUT
                case 0x94 -> memoPut(memo.size()); // MEMOIZE
                case 'h' -> push(memoGet(u8())); // BINGET
                case 'j' -> push(memoGet(u32())); // LONG_BINGET
                case '(' -> { // MARK
                    count();
                    marks.push(stack.size());
                }
                case '}' -> push(new Dict(false)); // EMPTY_DICT
                case ')' -> push(Tuple.EMPTY); // EMPTY_TUPLE
                case ']' -> push(new ArrayList<>()); // EMPTY_LIST
                case 't' -> push(new Tuple(popMark())); // TUPLE
                case 0x85, 0x86, 0x87 -> { // TUPLE1, TUPLE2, TUPLE3
                    Object[] items = new Object[op - 0x84];
                    for (int i = items.length - 1; i >= 0; i--) items[i] = pop();
                    push(new Tuple(Arrays.asList(items)));
                }
                case 'a' -> { // APPEND
                    Object item = pop();
                    list(peek(), "APPEND").add(item);
                }
                case 'e' -> { // APPENDS
                    List<Object> items = popMark();
                    list(peek(), "APPENDS").addAll(items);
                }
                case 's' -> { // SETITEM
                    Object value = pop();
                    Object key = pop();
                    dict(peek(), "SETITEM").items.put(key(key), value);
                }
                case 'u' -> { // SETITEMS
                    List<Object> items = popMark();
                    if (items.size() % 2 != 0) throw fail("SETITEMS with an odd number (" + items.size() + ") of keys and values");
                    Dict d = dict(peek(), "SETITEMS");
                    for (int i = 0; i < items.size(); i += 2) d.items.put(key(items.get(i)), items.get(i + 1));
                }
                case 'X' -> push(utf8(u32())); // BINUNICODE
                case 0x8c -> push(utf8(u8())); // SHORT_BINUNICODE
                case 'J' -> push((long) buffer(4).getInt()); // BININT
                case 'K' -> push((long) u8()); // BININT1
                case 'M' -> push((long) (buffer(2).getShort() & 0xffff)); // BININT2
                case 0x8a -> push(long1()); // LONG1
                case 0x88 -> push(Boolean.TRUE); // NEWTRUE
                case 0x89 -> push(Boolean.FALSE); // NEWFALSE
                case 'N' -> push(None.NONE); // NONE
                case 'G' -> push(buffer(8).order(ByteOrder.BIG_ENDIAN).getDouble()); // BINFLOAT
                case 'R' -> { // REDUCE
                    Object args = pop();
                    Object callable = pop();
                    push(reduce(callable, args));
                }
                case 'b' -> { // BUILD
                    Object state = pop();
                    build(peek(), state);
                }
                case 'Q' -> push(persistentLoad(pop())); // BINPERSID
                case '.' -> { // STOP
                    return pop();
                }
                default -> throw fail("unsupported pickle opcode " + opcodeName(op)
                        + "; rnnlab reads only the opcodes torch.save uses for a state_dict");
            }
        }
    }

    private Global global(String module, String name) {
        String qualified = module + " " + name;
        String shown = Messages.escapeControls(qualified); // names come from the file; messages stay one line
        if (qualified.equals(ORDERED_DICT) || qualified.equals(REBUILD_TENSOR) || qualified.equals(REBUILD_PARAMETER)) {
            return new Global(module, name);
        }
        if (module.equals("torch") && name.endsWith("Storage")) {
            if (StorageType.byClassName(name) != null) return new Global(module, name);
            throw new IllegalArgumentException(source + ": tensor storage type '" + shown + "' (data.pkl byte " + opStart
                    + ") is not supported: rnnlab reads "
                    + StorageType.supportedList() + " tensors; convert the tensor (e.g. .float()) before saving");
        }
        throw new IllegalArgumentException(source + ": refuses pickle global '" + shown + "' (data.pkl byte " + opStart
                + "): rnnlab loads only tensors (state_dict), never code or other objects");
    }

    private Object reduce(Object callable, Object argsValue) {
        if (!(callable instanceof Global g)) throw fail("REDUCE calls a " + typeName(callable) + ", not a known function");
        if (!(argsValue instanceof Tuple t)) throw fail("REDUCE of " + g.quoted() + " with a " + typeName(argsValue) + " as arguments");
        List<Object> args = t.items();
        String qualified = g.module() + " " + g.name();
        switch (qualified) {
            case ORDERED_DICT -> {
                if (!args.isEmpty()) throw fail("collections.OrderedDict is called with " + args.size() + " arguments; a state_dict pickle passes none");
                return new Dict(true);
            }
            case REBUILD_TENSOR -> {
                // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
                if (args.size() != 6 && args.size() != 7) throw fail("_rebuild_tensor_v2 takes 6 or 7 arguments, found " + args.size());
                if (!(args.get(0) instanceof StorageRef storage)) throw fail("_rebuild_tensor_v2's storage is a " + typeName(args.get(0)));
                long offset = nonNegative(args.get(1), "storage offset");
                long[] size = longs(args.get(2), "size");
                long[] stride = longs(args.get(3), "stride");
                if (size.length != stride.length) {
                    throw fail("tensor size " + Arrays.toString(size) + " and stride " + Arrays.toString(stride) + " differ in length");
                }
                if (!(args.get(4) instanceof Boolean)) throw fail("_rebuild_tensor_v2's requires_grad is a " + typeName(args.get(4)));
                if (!(args.get(5) instanceof Dict)) throw fail("_rebuild_tensor_v2's backward_hooks is a " + typeName(args.get(5)));
                // The optional metadata dict holds tensor flags (conj, neg bits) that have no meaning for real weights.
                return new TensorRef(storage, offset, size, stride);
            }
            case REBUILD_PARAMETER -> {
                // (data, requires_grad, backward_hooks): an nn.Parameter, e.g. from state_dict(keep_vars=True).
                if (args.size() != 3 || !(args.get(0) instanceof TensorRef tensor)) {
                    throw fail("_rebuild_parameter takes (tensor, requires_grad, backward_hooks), found " + describe(args));
                }
                return tensor;
            }
            default -> throw fail(g.quoted() + " is a storage type, not a function; it may only appear in a persistent id");
        }
    }

    private void build(Object instance, Object state) {
        // OrderedDict.__reduce__ hands its instance attributes to BUILD: for a state_dict that is {'_metadata': ...},
        // the modules' versions, which say nothing about the arrays.
        if (instance instanceof Dict d && d.ordered && (state instanceof Dict || state == None.NONE)) return;
        throw fail("BUILD sets state on a " + typeName(instance) + "; only an OrderedDict's attributes (such as _metadata) are accepted");
    }

    private StorageRef persistentLoad(Object pid) {
        if (pid instanceof Tuple t && t.items().size() == 5 && "storage".equals(t.items().get(0))
                && t.items().get(1) instanceof Global g && g.module().equals("torch")
                && t.items().get(2) instanceof String key && t.items().get(3) instanceof String location) {
            StorageType type = StorageType.byClassName(g.name());
            if (type == null) throw fail("persistent id names " + g.quoted() + ", not a storage type");
            return new StorageRef(type, key, location, nonNegative(t.items().get(4), "storage numel"));
        }
        throw fail("persistent id " + describe(pid) + " is not a tensor storage ('storage', torch.XxxStorage, key, location, numel)");
    }

    // ---- stack and memo

    private void push(Object value) {
        count();
        stack.add(value);
    }

    private void memoPut(long index) {
        Object value = peek();
        count();
        memo.put(index, value);
    }

    private void count() {
        if (++values > MAX_VALUES) {
            throw fail("the pickle builds more than " + MAX_VALUES + " values (a state_dict's builds about 40 per tensor),"
                    + " so it is not a state_dict rnnlab reads: the file is corrupt or hostile");
        }
    }

    /**
     * A dict key: a str, int, float, bool or None. Python hashes a tuple key through everything it holds, so a tuple
     * of tuples sharing their items through the memo costs 2^depth steps to hash; a state_dict's keys are strings.
     */
    private Object key(Object key) {
        if (key instanceof String || key instanceof Long || key instanceof Double || key instanceof Boolean
                || key == None.NONE) {
            return key;
        }
        throw fail("a dict key is a " + typeName(key) + "; rnnlab reads dicts keyed by strings and numbers (a state_dict)");
    }

    private int floor() {
        return marks.isEmpty() ? 0 : marks.peek();
    }

    private Object pop() {
        if (stack.size() <= floor()) throw fail("stack underflow (malformed pickle)");
        return stack.remove(stack.size() - 1);
    }

    private Object peek() {
        if (stack.size() <= floor()) throw fail("stack underflow (malformed pickle)");
        return stack.get(stack.size() - 1);
    }

    private List<Object> popMark() {
        if (marks.isEmpty()) throw fail("no MARK to pop to (malformed pickle)");
        int start = marks.pop();
        List<Object> top = stack.subList(start, stack.size());
        List<Object> items = new ArrayList<>(top);
        top.clear();
        return items;
    }

    private Object memoGet(long index) {
        Object value = memo.get(index);
        if (value == null) throw fail("memo entry " + index + " is read before it is written (malformed pickle)");
        return value;
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object target, String opcode) {
        if (target instanceof ArrayList<?> l) return (List<Object>) l;
        throw fail(opcode + " on a " + typeName(target) + ", not a list");
    }

    private Dict dict(Object target, String opcode) {
        if (target instanceof Dict d) return d;
        throw fail(opcode + " on a " + typeName(target) + ", not a dict");
    }

    // ---- operands

    private void need(long n) {
        if (n > in.length - pos) throw fail("the pickle ends inside an operand (data.pkl is truncated)");
    }

    private void skip(int n) {
        need(n);
        pos += n;
    }

    private int u8() {
        need(1);
        return in[pos++] & 0xff;
    }

    private long u32() {
        return buffer(4).getInt() & 0xffffffffL;
    }

    private ByteBuffer buffer(int n) {
        need(n);
        ByteBuffer b = ByteBuffer.wrap(in, pos, n).slice().order(ByteOrder.LITTLE_ENDIAN);
        pos += n;
        return b;
    }

    private long long1() {
        int n = u8();
        if (n > 8) throw fail("LONG1 integer of " + n + " bytes is too large for a tensor size or offset");
        need(n);
        long value = 0;
        for (int i = n - 1; i >= 0; i--) value = value << 8 | (in[pos + i] & 0xff);
        if (n > 0 && n < 8 && (in[pos + n - 1] & 0x80) != 0) value -= 1L << (8 * n); // two's complement sign
        pos += n;
        return value;
    }

    private String utf8(long length) {
        need(length);
        try {
            String s = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(in, pos, (int) length)).toString();
            pos += (int) length;
            return s;
        } catch (CharacterCodingException e) {
            throw fail("a string is not valid UTF-8");
        }
    }

    private String line() {
        int start = pos;
        while (pos < in.length && in[pos] != '\n') pos++;
        if (pos >= in.length) throw fail("the pickle ends inside a GLOBAL name (data.pkl is truncated)");
        String s = new String(in, start, pos - start, StandardCharsets.UTF_8);
        pos++;
        return s;
    }

    // ---- checks and messages

    private long nonNegative(Object value, String what) {
        if (value instanceof Long l && l >= 0) return l;
        throw fail(what + " must be a non-negative int, found " + describe(value));
    }

    private long[] longs(Object value, String what) {
        if (!(value instanceof Tuple t)) throw fail("tensor " + what + " must be a tuple, found " + describe(value));
        long[] out = new long[t.items().size()];
        for (int i = 0; i < out.length; i++) out[i] = nonNegative(t.items().get(i), "tensor " + what + " entry");
        return out;
    }

    /**
     * A malformed or refused pickle is bad input: one line naming the file, the record and the byte (the message may
     * quote the pickle's strings, whose control characters are escaped).
     */
    private IllegalArgumentException fail(String message) {
        return new IllegalArgumentException(source + ": data.pkl byte " + opStart + ": " + Messages.escapeControls(message));
    }

    /** Python's name for the type of a value the reader built. */
    static String typeName(Object v) {
        if (v instanceof String) return "str";
        if (v instanceof Long) return "int";
        if (v instanceof Double) return "float";
        if (v instanceof Boolean) return "bool";
        if (v == None.NONE) return "NoneType";
        if (v instanceof Tuple) return "tuple";
        if (v instanceof List) return "list";
        if (v instanceof Dict d) return d.ordered ? "collections.OrderedDict" : "dict";
        if (v instanceof Global g) return "global " + g.quoted();
        if (v instanceof StorageRef) return "storage";
        if (v instanceof TensorRef) return "tensor";
        return "unknown value";
    }

    private static String describe(Object v) {
        if (v instanceof String s) return "str '" + s + "'";
        if (v instanceof Long || v instanceof Double || v instanceof Boolean) return typeName(v) + " " + v;
        if (v instanceof Tuple t) return "tuple of " + t.items().size();
        return typeName(v);
    }

    private static final String[] NAMES = new String[256];

    static {
        String table = "(MARK .STOP 0POP 1POP_MARK 2DUP FFLOAT IINT JBININT KBININT1 LLONG MBININT2 NNONE PPERSID "
                + "QBINPERSID RREDUCE SSTRING TBINSTRING USHORT_BINSTRING VUNICODE XBINUNICODE aAPPEND bBUILD cGLOBAL "
                + "dDICT }EMPTY_DICT eAPPENDS gGET hBINGET iINST jLONG_BINGET lLIST ]EMPTY_LIST oOBJ pPUT qBINPUT "
                + "rLONG_BINPUT sSETITEM tTUPLE )EMPTY_TUPLE uSETITEMS GBINFLOAT BBINBYTES CSHORT_BINBYTES";
        for (String entry : table.split(" ")) NAMES[entry.charAt(0)] = entry.substring(1);
        String[] high = {"PROTO", "NEWOBJ", "EXT1", "EXT2", "EXT4", "TUPLE1", "TUPLE2", "TUPLE3", "NEWTRUE", "NEWFALSE",
            "LONG1", "LONG4", "SHORT_BINUNICODE", "BINUNICODE8", "BINBYTES8", "EMPTY_SET", "ADDITEMS", "FROZENSET",
            "NEWOBJ_EX", "STACK_GLOBAL", "MEMOIZE", "FRAME", "BYTEARRAY8", "NEXT_BUFFER", "READONLY_BUFFER"};
        for (int i = 0; i < high.length; i++) NAMES[0x80 + i] = high[i];
    }

    /** {@code 0x69 (INST)}, or {@code 0xff (not a pickle opcode)}. */
    static String opcodeName(int op) {
        return String.format("0x%02x (%s)", op, NAMES[op] == null ? "not a pickle opcode" : NAMES[op]);
    }
}
