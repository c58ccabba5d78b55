package org.rnnlab.io.torch;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.rnnlab.io.AtomicFiles;
import org.rnnlab.io.NpyArray;
import org.rnnlab.util.Messages;

/**
 * PyTorch's {@code .pt} files holding a state_dict: {@code torch.save(model.state_dict(), path)} in the zip
 * format of torch 1.6 and later.
 *
 * <p>The archive is one folder (its name varies: the file's stem, or {@code archive}) holding {@code data.pkl},
 * a pickle of an OrderedDict from names to tensors, one record {@code data/<key>} of raw little-endian bytes per
 * storage, {@code version}, and from torch 2 on {@code byteorder}, {@code .data/serialization_id} and others,
 * which are ignored. The pickle is read by {@link PickleReader}, which executes nothing; a tensor is then cut out
 * of its storage by offset, size and stride and copied into C order, so views, transposes and tensors sharing a
 * storage come out as separate contiguous arrays.
 *
 * <p>Writing produces what torch would: one contiguous storage per tensor, pickle protocol 2, records stored and
 * aligned to 64 bytes, {@code byteorder = little}, {@code version = 3}; {@code torch.load(path, weights_only=True)}
 * reads it back.
 */
public final class TorchStateDict {
    private static final String ARCHIVE = "archive/";
    private static final String LEGACY = "not a PyTorch zip checkpoint; legacy pre-1.6 torch.save format is not "
            + "supported, re-save with torch>=1.6";

    /**
     * The largest {@code data.pkl} read (and the byteorder record): torch.save's pickle of a state_dict takes about
     * 100 bytes per tensor, so this is some 150,000 tensors, beyond what {@link PickleReader#MAX_VALUES} admits; it
     * stops a pickle that a zip deflates from a megabyte to gigabytes before it is unpacked.
     */
    static final long MAX_PICKLE = 16L << 20;
    /** The largest byteorder record ("little" or "big"). */
    private static final long MAX_BYTEORDER = 64;
    /** The largest storage record: a byte[] of it must fit the JVM's. */
    private static final long MAX_RECORD = Integer.MAX_VALUE - 8;

    private TorchStateDict() {}

    /**
     * Reads every tensor of a state_dict, in the file's order, keeping its dtype ({@code <f4 <f8 <i8 <i4 |u1 |b1});
     * float16 and bfloat16 tensors become {@code <f4}, exactly.
     *
     * @throws IllegalArgumentException naming the file and the problem: not a zip, truncated, no data.pkl, a
     *     refused pickle global or opcode, a pickle that builds too much, a value that is not a tensor, a storage
     *     record missing or too short, more to unpack than memory allows (bad input: the CLI's exit 2)
     * @throws IOException when the file cannot be read at all (missing, permissions, an I/O error)
     */
    public static LinkedHashMap<String, NpyArray> read(Path path) throws IOException {
        return read(path, Runtime.getRuntime().maxMemory() / 4 * 3);
    }

    /**
     * {@link #read(Path)} allocating at most {@code budget} bytes for the storages it unpacks and the tensors it
     * makes: a small file can claim more (a highly compressed record, a view with a 0 stride repeating one element
     * billions of times), and is refused before the allocation rather than ending the JVM.
     */
    static LinkedHashMap<String, NpyArray> read(Path path, long budget) throws IOException {
        String file = path.toString();
        Budget memory = new Budget(file, budget);
        checkZipMagic(path, file);
        ZipFile zip;
        try {
            zip = new ZipFile(path.toFile());
        } catch (ZipException | EOFException e) { // EOFException: an end record whose comment runs past the file
            throw new IllegalArgumentException(file + ": truncated or corrupt zip (" + why(e)
                    + "); the checkpoint is incomplete, copy or save it again", e);
        }
        try (zip) {
            String prefix = findPrefix(zip, file);
            boolean bigEndian = bigEndian(zip, prefix, file);
            Object top = PickleReader.load(record(zip, prefix + "data.pkl", file, "the pickle", MAX_PICKLE), file);
            if (!(top instanceof PickleReader.Dict dict)) {
                throw new IllegalArgumentException(file + ": holds a " + PickleReader.typeName(top)
                        + ", not a state_dict (a dict of names to tensors); save model.state_dict()");
            }
            Map<String, byte[]> storages = new HashMap<>();
            LinkedHashMap<String, NpyArray> out = new LinkedHashMap<>();
            for (Map.Entry<Object, Object> e : dict.items.entrySet()) {
                if (!(e.getKey() instanceof String key)) {
                    throw new IllegalArgumentException(file + ": has a key of type " + PickleReader.typeName(e.getKey())
                            + "; state_dict keys are strings");
                }
                String name = Messages.escapeControls(key); // names come from the file; messages stay one line
                if (!(e.getValue() instanceof PickleReader.TensorRef tensor)) {
                    String hint = e.getValue() instanceof PickleReader.Dict
                            ? " (a training checkpoint? save its state_dict alone, e.g. torch.save(checkpoint['" + name + "'], path))"
                            : "";
                    throw new IllegalArgumentException(file + ": value of '" + name + "' is a " + PickleReader.typeName(e.getValue())
                            + ", not a tensor: rnnlab reads state_dicts (names to tensors)" + hint);
                }
                String recordName = prefix + "data/" + tensor.storage().key();
                String shownRecord = Messages.escapeControls(recordName);
                byte[] storage = storages.get(recordName);
                if (storage == null) {
                    ZipEntry entry = zip.getEntry(recordName);
                    if (entry != null && entry.getSize() > 0) {
                        memory.take(entry.getSize(), "record " + shownRecord + " unpacks to " + human(entry.getSize()));
                    }
                    storage = record(zip, recordName, file, "tensor '" + name + "'", MAX_RECORD);
                    storages.put(recordName, storage);
                }
                out.put(key, materialize(file, name, shownRecord, tensor, storage, bigEndian, memory));
            }
            return out;
        }
    }

    /** Writes the tensors, in map order, as a {@code .pt} state_dict (temporary file, then rename). */
    public static void write(Path path, Map<String, NpyArray> tensors) throws IOException {
        checkWritable(tensors);
        AtomicFiles.write(path, out -> write(out, tensors));
    }

    /** Writes the tensors, in map order, as the bytes of a {@code .pt} state_dict. */
    public static void write(OutputStream out, Map<String, NpyArray> tensors) throws IOException {
        checkWritable(tensors);
        List<String> names = new ArrayList<>(tensors.keySet());
        List<NpyArray> arrays = new ArrayList<>(tensors.values());
        TorchZipWriter zip = new TorchZipWriter(out);
        zip.add(ARCHIVE + "data.pkl", PickleWriter.stateDict(names, arrays));
        zip.add(ARCHIVE + "byteorder", "little".getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < arrays.size(); i++) zip.add(ARCHIVE + "data/" + i, arrays.get(i).data());
        zip.add(ARCHIVE + "version", "3\n".getBytes(StandardCharsets.US_ASCII));
        zip.finish();
    }

    private static void checkWritable(Map<String, NpyArray> tensors) {
        for (Map.Entry<String, NpyArray> e : tensors.entrySet()) {
            if (e.getKey() == null) throw new IllegalArgumentException("state_dict has a null name");
            NpyArray a = e.getValue();
            if (a == null) throw new IllegalArgumentException("state_dict entry '" + e.getKey() + "' has no array");
            if (a.dtype().equals("|b1")) {
                for (byte b : a.data()) {
                    if (b != 0 && b != 1) {
                        throw new IllegalArgumentException("bool array '" + e.getKey() + "' holds byte " + b + "; bools are 0 or 1");
                    }
                }
            }
        }
    }

    // ---- reading

    private static void checkZipMagic(Path path, String file) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(path)) {
            head = in.readNBytes(4);
        }
        boolean zip = head.length == 4 && head[0] == 'P' && head[1] == 'K'
                && ((head[2] == 3 && head[3] == 4) || (head[2] == 5 && head[3] == 6));
        if (!zip) throw new IllegalArgumentException(file + ": " + (head.length == 0 ? "the file is empty; " : "") + LEGACY);
    }

    /** The folder holding data.pkl, with its slash; torch names it after the file or "archive". */
    private static String findPrefix(ZipFile zip, String file) throws IOException {
        String prefix = null;
        List<String> names = new ArrayList<>();
        try {
            // Every entry is made here, once, before any record is looked up: the JDK decodes names and comments as
            // UTF-8 as it makes an entry, and throws a bare IllegalArgumentException for bytes that are not.
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
                String name = en.nextElement().getName();
                int slash = name.indexOf('/');
                if (prefix == null && slash > 0 && name.substring(slash + 1).equals("data.pkl")) prefix = name.substring(0, slash + 1);
                if (names.size() < 5) names.add(Messages.escapeControls(name));
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": the zip names or describes a record in bytes that are not UTF-8 (" + e.getMessage()
                    + "); the checkpoint is corrupt", e);
        }
        if (prefix != null) return prefix;
        throw new IllegalArgumentException(file + ": no <folder>/data.pkl record, so not a torch.save checkpoint (the zip holds "
                + (names.isEmpty() ? "nothing" : String.join(", ", names) + (zip.size() > 5 ? ", ..." : "")) + ")");
    }

    private static boolean bigEndian(ZipFile zip, String prefix, String file) throws IOException {
        if (zip.getEntry(prefix + "byteorder") == null) return false; // torch < 2 wrote no marker: little-endian
        String order = new String(record(zip, prefix + "byteorder", file, "the byte order", MAX_BYTEORDER),
                StandardCharsets.US_ASCII);
        return switch (order) {
            case "little" -> false;
            case "big" -> true;
            default -> throw new IllegalArgumentException(file + ": unknown byteorder record '" + Messages.escapeControls(order)
                    + "' (torch writes little or big)");
        };
    }

    /** Reads a record of at most {@code max} bytes, checking its size and CRC; every problem is bad input. */
    private static byte[] record(ZipFile zip, String recordName, String file, String purpose, long max) throws IOException {
        ZipEntry entry = zip.getEntry(recordName);
        String name = Messages.escapeControls(recordName); // for messages
        if (entry == null) {
            throw new IllegalArgumentException(file + ": record " + name + " (" + purpose + ") is missing; the checkpoint is incomplete or corrupt");
        }
        if (entry.getSize() > max) throw tooLarge(file, name, entry.getSize(), max);
        byte[] data;
        try (InputStream in = zip.getInputStream(entry)) {
            // Never more than the size the zip declares (which the caller's budget was checked against).
            if (entry.getSize() < 0) {
                data = in.readNBytes((int) max + 1);
                if (data.length > max) throw tooLarge(file, name, -1, max);
            } else {
                data = in.readNBytes((int) entry.getSize());
                if (in.read() != -1) {
                    throw new IllegalArgumentException(file + ": record " + name + " holds more than the " + entry.getSize()
                            + " bytes its zip entry declares; the checkpoint is corrupt");
                }
            }
        } catch (ZipException | EOFException e) { // a record cut short or damaged inside a zip whose index is whole
            throw new IllegalArgumentException(file + ": record " + name + " is unreadable (" + why(e) + "); the checkpoint is corrupt", e);
        }
        CRC32 crc = new CRC32();
        crc.update(data);
        if (entry.getCrc() != -1 && entry.getCrc() != crc.getValue()) {
            throw new IllegalArgumentException(file + ": record " + name + " fails its CRC check; the checkpoint is corrupt");
        }
        return data;
    }

    /** What the JDK says of a damaged zip; an EOFException often says nothing. */
    private static String why(IOException e) {
        return e.getMessage() != null ? e.getMessage() : "it ends before a part its index points to";
    }

    /** A record larger than {@code max} (its size, or -1 when the zip does not say and it unpacked past max). */
    private static IllegalArgumentException tooLarge(String file, String name, long size, long max) {
        String what = file + ": record " + name;
        if (max == MAX_RECORD) {
            return new IllegalArgumentException(what + " is " + (size < 0 ? "over " + max : size) + " bytes; rnnlab reads "
                    + "tensors under 2 GiB");
        }
        String unpacks = size < 0 ? " unpacks to more than " + human(max) : " unpacks to " + human(size);
        return new IllegalArgumentException(what + unpacks + (max == MAX_PICKLE
                ? "; a state_dict's pickle takes about 100 bytes per tensor and rnnlab reads pickles up to "
                        + human(MAX_PICKLE) + ": the file is corrupt or hostile"
                : "; it holds 'little' or 'big': the checkpoint is corrupt"));
    }

    private static NpyArray materialize(String file, String name, String recordName, PickleReader.TensorRef t,
            byte[] storage, boolean bigEndian, Budget memory) throws IOException {
        StorageType type = t.storage().type();
        int item = type.itemSize;
        long numel = t.storage().numel();
        if (numel > storage.length / item) {
            throw new IllegalArgumentException(file + ": storage record " + recordName + " holds " + storage.length + " bytes, but tensor '"
                    + name + "' needs " + numel + " " + type.torchDtype + " elements (" + numel * item
                    + " bytes); the checkpoint is truncated or corrupt");
        }
        long[] size = t.size();
        long[] stride = t.stride();
        int[] shape = new int[size.length];
        long count = 1;
        long last = t.offset();
        int outBytes;
        try {
            for (int d = 0; d < size.length; d++) {
                shape[d] = Math.toIntExact(size[d]);
                count = Math.multiplyExact(count, size[d]);
                if (size[d] > 0) last = Math.addExact(last, Math.multiplyExact(size[d] - 1, stride[d]));
            }
            int outItem = type == StorageType.HALF || type == StorageType.BFLOAT16 ? 4 : item; // widened to float32
            outBytes = Math.toIntExact(Math.multiplyExact(count, (long) outItem));
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(file + ": tensor '" + name + "' of size " + Arrays.toString(size)
                    + " is too large; rnnlab reads tensors under 2 GiB", e);
        }
        if (count > 0 && last >= numel) {
            throw new IllegalArgumentException(file + ": tensor '" + name + "' (offset " + t.offset() + ", size " + Arrays.toString(size)
                    + ", stride " + Arrays.toString(stride) + ") reaches element " + last + " of storage " + recordName
                    + ", which has " + numel + "; the checkpoint is corrupt");
        }
        String repeats = "(size " + Arrays.toString(size) + ", stride " + Arrays.toString(stride) + ") repeats "
                + numel + (numel == 1 ? " stored element" : " stored elements") + " as " + count;
        memory.take(outBytes, "tensor '" + name + "' " + (count > numel ? repeats + " (" + human(outBytes) + ")"
                : "takes " + human(outBytes)));
        byte[] raw = gather(storage, item, t.offset(), size, stride, (int) count);
        if (bigEndian) swapBytes(raw, item);
        byte[] data = switch (type) {
            case HALF -> widen(raw, TorchStateDict::halfToFloatBits);
            case BFLOAT16 -> widen(raw, bits -> bits << 16);
            default -> raw;
        };
        return new NpyArray(type.npyDtype, shape, data);
    }

    /** The bytes a read may still allocate, taken before each allocation. */
    private static final class Budget {
        private final String file;
        private final long limit;
        private long used;

        Budget(String file, long limit) {
            this.file = file;
            this.limit = limit;
        }

        void take(long bytes, String what) throws IOException {
            if (bytes > limit - used) {
                throw new IllegalArgumentException(file + ": " + what + ", and the file would unpack to more than the " + human(limit)
                        + " this JVM may use for it; the checkpoint is corrupt or hostile, or Java needs more memory"
                        + " (RNNLAB_JAVA_OPTS=-Xmx" + ((used + bytes) * 2 / (1L << 30) + 2) + "g)");
            }
            used += bytes;
        }
    }

    static String human(long bytes) {
        if (bytes >= 1L << 30) return String.format(Locale.ROOT, "%.1f GB", bytes / (double) (1L << 30));
        if (bytes >= 1L << 20) return String.format(Locale.ROOT, "%.1f MB", bytes / (double) (1L << 20));
        return bytes + " bytes";
    }

    /** The elements of a strided view, in C order. */
    static byte[] gather(byte[] storage, int item, long offset, long[] size, long[] stride, int count) {
        byte[] out = new byte[count * item];
        if (count == 0) return out;
        if (isContiguous(size, stride)) {
            System.arraycopy(storage, (int) (offset * item), out, 0, out.length);
            return out;
        }
        int nd = size.length;
        int inner = (int) size[nd - 1];
        long innerStride = stride[nd - 1];
        long[] index = new long[nd];
        long base = offset;
        int o = 0;
        for (int done = 0; done < count; done += inner) {
            for (int j = 0; j < inner; j++) {
                System.arraycopy(storage, (int) ((base + j * innerStride) * item), out, o, item);
                o += item;
            }
            for (int d = nd - 2; d >= 0; d--) { // odometer over the outer dimensions
                index[d]++;
                base += stride[d];
                if (index[d] < size[d]) break;
                base -= stride[d] * size[d];
                index[d] = 0;
            }
        }
        return out;
    }

    private static boolean isContiguous(long[] size, long[] stride) {
        long expected = 1;
        for (int d = size.length - 1; d >= 0; d--) {
            if (size[d] != 1 && stride[d] != expected) return false;
            expected *= size[d];
        }
        return true;
    }

    private static void swapBytes(byte[] data, int item) {
        for (int i = 0; i < data.length; i += item) {
            for (int a = i, b = i + item - 1; a < b; a++, b--) {
                byte tmp = data[a];
                data[a] = data[b];
                data[b] = tmp;
            }
        }
    }

    private static byte[] widen(byte[] halves, java.util.function.IntUnaryOperator toFloatBits) {
        ByteBuffer in = ByteBuffer.wrap(halves).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer out = ByteBuffer.allocate(halves.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        while (in.hasRemaining()) out.putInt(toFloatBits.applyAsInt(in.getShort() & 0xffff));
        return out.array();
    }

    /** IEEE binary16 to the bits of the equal binary32 (NaN payloads kept, as numpy and torch's .float() do). */
    static int halfToFloatBits(int h) {
        int sign = (h & 0x8000) << 16;
        int exponent = h >>> 10 & 0x1f;
        int mantissa = h & 0x3ff;
        if (exponent == 0x1f) return sign | 0x7f800000 | mantissa << 13;
        if (exponent != 0) return sign | (exponent + 112) << 23 | mantissa << 13;
        return sign | Float.floatToRawIntBits(mantissa * 0x1p-24f); // zero or subnormal: exact in float32
    }
}
