package org.rnnlab.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rnnlab.util.Messages;

/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header naming each tensor's
 * dtype, shape and byte range plus a {@code __metadata__} map of strings, then the raw little-endian bytes. It is
 * self-describing, cannot execute code, and Python reads it with {@code safetensors.numpy.load_file}, which is why
 * rnnlab's checkpoints use it.
 */
public final class Safetensors {
    /** Refuses a JSON object with a key twice (by default Jackson keeps the last one, silently). */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    /** Headers larger than this are refused (the format's own readers use 100 MB). */
    private static final long MAX_HEADER = 100L << 20;

    private Safetensors() {}

    /** Tensors by name plus string metadata. */
    public record Contents(Map<String, NpyArray> tensors, Map<String, String> metadata) {}

    public static void write(Path path, Map<String, NpyArray> tensors, Map<String, String> metadata) throws IOException {
        AtomicFiles.write(path, out -> write(out, tensors, metadata));
    }

    public static void write(OutputStream out, Map<String, NpyArray> tensors, Map<String, String> metadata)
            throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, NpyArray> e : tensors.entrySet()) {
            if (e.getKey().equals("__metadata__")) throw new IllegalArgumentException("'__metadata__' cannot name a tensor");
            NpyArray a = e.getValue();
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", dtypeName(a.dtype()));
            ArrayNode shape = t.putArray("shape");
            for (int d : a.shape()) shape.add(d);
            ArrayNode range = t.putArray("data_offsets");
            range.add(offset);
            range.add(offset + a.data().length);
            offset += a.data().length;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8; // the data starts 8-byte aligned; the format pads with spaces
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
        out.write(len.array());
        out.write(json);
        for (int i = json.length; i < padded; i++) out.write(' ');
        for (NpyArray a : tensors.values()) out.write(a.data());
    }

    /**
     * Reads a safetensors file.
     *
     * @throws IllegalArgumentException when the file is not a valid safetensors file (truncated, a malformed or
     *     inconsistent header, a dtype rnnlab does not read), naming the file, the tensor and the problem
     * @throws IOException when the file cannot be read at all
     */
    public static Contents read(Path path) throws IOException {
        checkSize(path, Files.size(path), Runtime.getRuntime().maxMemory() / 4 * 3);
        byte[] bytes = Files.readAllBytes(path);
        try {
            return parse(bytes);
        } catch (IllegalArgumentException e) {
            throw invalid(path, e);
        }
    }

    /**
     * A header's problem, naming the file. The message quotes the file's names and Jackson's reading of its bytes,
     * whose control characters are escaped so that it stays one line.
     */
    private static IllegalArgumentException invalid(Path path, IllegalArgumentException e) {
        return new IllegalArgumentException(path + ": not a valid safetensors file: " + Messages.escapeControls(e.getMessage()), e);
    }

    /** The largest file {@link #read} takes: it reads the file into one array. */
    static final long MAX_FILE = Integer.MAX_VALUE - 8;

    /**
     * Refuses, before reading, a file that one array cannot hold or that would not fit in {@code budget} bytes of
     * memory: reading takes the file and then a copy of its tensors, about twice its size.
     */
    static void checkSize(Path path, long size, long budget) {
        if (size > MAX_FILE) {
            throw new IllegalArgumentException(path + ": the file is " + gb(size) + "; rnnlab reads safetensors model "
                    + "files up to 2 GB (a character model of 500 million parameters)");
        }
        if (2 * size > budget) {
            throw new IllegalArgumentException(path + ": the file is " + gb(size) + " and reading it takes about twice "
                    + "that, more than the " + gb(budget) + " this JVM may use for it: give Java more memory "
                    + "(RNNLAB_JAVA_OPTS=-Xmx" + (4 * size / (1L << 30) + 1) + "g)");
        }
    }

    private static String gb(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.2f GB", bytes / (double) (1L << 30));
    }

    /**
     * Only the {@code __metadata__} map of a safetensors file, reading its header and not its tensors (a run folder's
     * checkpoints are identified by it without loading their weights). The header is checked as {@link #read} checks
     * it, against the file's size.
     *
     * @throws IllegalArgumentException when the header is not a valid safetensors header, naming the file
     * @throws IOException when the file cannot be read at all
     */
    public static Map<String, String> readMetadata(Path path) throws IOException {
        try (java.nio.channels.FileChannel in = java.nio.channels.FileChannel.open(path)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            while (len.hasRemaining() && in.read(len) >= 0) { }
            long size = in.size();
            long headerLength = len.hasRemaining() ? -1 : len.flip().getLong();
            if (headerLength < 2 || headerLength > MAX_HEADER || 8 + headerLength > size) {
                throw new IllegalArgumentException(path + ": not a valid safetensors file: header length " + headerLength
                        + " does not fit a file of " + size + " bytes (truncated or not safetensors)");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            while (header.hasRemaining() && in.read(header) >= 0) { }
            try {
                return header(header.array(), size - 8 - headerLength).metadata();
            } catch (IllegalArgumentException e) {
                throw invalid(path, e);
            }
        }
    }

    /** The contents of a whole file in memory; errors name the tensor, not the file. */
    static Contents parse(byte[] bytes) {
        if (bytes.length < 8) throw new IllegalArgumentException("file too short (" + bytes.length + " bytes) for a header");
        long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (headerLength < 2 || headerLength > MAX_HEADER || 8 + headerLength > bytes.length) {
            throw new IllegalArgumentException("header length " + headerLength + " does not fit a file of "
                    + bytes.length + " bytes (truncated or not safetensors)");
        }
        int dataStart = 8 + (int) headerLength;
        Header header = header(Arrays.copyOfRange(bytes, 8, dataStart), bytes.length - dataStart);
        Map<String, NpyArray> tensors = new LinkedHashMap<>();
        for (Entry t : header.tensors()) {
            byte[] data = Arrays.copyOfRange(bytes, dataStart + (int) t.begin(), dataStart + (int) t.end());
            try {
                tensors.put(t.name(), new NpyArray(t.dtype(), t.shape(), data));
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("tensor '" + t.name() + "': " + ex.getMessage(), ex);
            }
        }
        return new Contents(tensors, header.metadata());
    }

    /** One tensor of a header: its numpy dtype, shape and byte range in the data area. */
    private record Entry(String name, String dtype, int[] shape, long begin, long end) {}

    private record Header(List<Entry> tensors, Map<String, String> metadata) {}

    /**
     * Parses and checks a header for a data area of {@code dataLength} bytes: valid JSON without duplicate keys, each
     * tensor's dtype, shape (ints, not negative) and byte range (inside the data, as long as the shape needs) and no
     * two ranges overlapping; metadata values strings.
     */
    private static Header header(byte[] json, long dataLength) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (StreamReadException e) {
            throw new IllegalArgumentException(jsonProblem(e), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("the JSON header is unreadable: " + oneLine(e.getMessage()), e);
        }
        if (root == null || !root.isObject()) throw new IllegalArgumentException("header is not a JSON object");
        List<Entry> tensors = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            String name = e.getKey();
            if (name.equals("__metadata__")) {
                if (!e.getValue().isObject()) {
                    throw new IllegalArgumentException("__metadata__ is a JSON " + kind(e.getValue())
                            + ", not an object of strings");
                }
                for (Map.Entry<String, JsonNode> m : e.getValue().properties()) {
                    if (!m.getValue().isTextual()) {
                        throw new IllegalArgumentException("__metadata__ entry '" + m.getKey() + "' is a JSON "
                                + kind(m.getValue()) + ", not a string");
                    }
                    metadata.put(m.getKey(), m.getValue().asText());
                }
                continue;
            }
            tensors.add(entry(name, e.getValue(), dataLength));
        }
        checkNoOverlap(tensors);
        return new Header(tensors, metadata);
    }

    private static Entry entry(String name, JsonNode t, long dataLength) {
        if (!t.isObject()) throw new IllegalArgumentException("tensor '" + name + "' is a JSON " + kind(t) + ", not an object");
        String dtype = npyName(t.path("dtype").asText(), name);
        JsonNode shapeNode = t.path("shape");
        if (!shapeNode.isArray()) {
            throw new IllegalArgumentException("tensor '" + name + "' has no shape array (found " + kind(shapeNode) + ")");
        }
        int[] shape = new int[shapeNode.size()];
        boolean empty = false;
        boolean huge = false;
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0 || d.asLong() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("tensor '" + name + "' has shape " + shapeNode + ", whose dimension "
                        + i + " (" + d + ") is not an int from 0 to " + Integer.MAX_VALUE);
            }
            shape[i] = d.intValue();
            empty |= shape[i] == 0;
            if (!huge && !empty) {
                try {
                    elements = Math.multiplyExact(elements, (long) shape[i]);
                } catch (ArithmeticException overflow) {
                    huge = true;
                }
            }
        }
        if (empty) elements = 0;
        JsonNode range = t.path("data_offsets");
        long begin = offset(range.path(0));
        long end = offset(range.path(1));
        if (!range.isArray() || range.size() != 2 || begin < 0 || end < 0) {
            throw new IllegalArgumentException("tensor '" + name + "' has data_offsets "
                    + (range.isMissingNode() ? "missing" : range.toString()) + "; expected [begin, end], two byte offsets");
        }
        if (end < begin || end > dataLength) {
            throw new IllegalArgumentException("tensor '" + name + "' has byte range [" + begin + ", " + end
                    + ") outside the " + dataLength + " data bytes (truncated file?)");
        }
        int width = NpyArray.itemSize(dtype);
        boolean tooMany = huge && !empty || elements > Long.MAX_VALUE / width;
        if (tooMany || elements * width != end - begin) {
            throw new IllegalArgumentException("tensor '" + name + "' of dtype " + t.path("dtype").asText() + " and shape "
                    + Arrays.toString(shape) + " needs " + (tooMany ? "more than 2^63" : String.valueOf(elements * width))
                    + " bytes, but its byte range [" + begin + ", " + end + ") holds " + (end - begin));
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    /** A data offset: a non-negative integral JSON number, else -1. */
    private static long offset(JsonNode n) {
        return n.isIntegralNumber() && n.canConvertToLong() && n.asLong() >= 0 ? n.asLong() : -1;
    }

    /** The format: tensors tile the data area; refuses two whose byte ranges share a byte, naming both. */
    private static void checkNoOverlap(List<Entry> tensors) {
        List<Entry> sorted = new ArrayList<>();
        for (Entry t : tensors) if (t.end() > t.begin()) sorted.add(t); // an empty range holds no byte of another
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        for (int i = 1; i < sorted.size(); i++) {
            Entry a = sorted.get(i - 1);
            Entry b = sorted.get(i);
            if (b.begin() < a.end()) {
                throw new IllegalArgumentException("tensors '" + a.name() + "' (bytes [" + a.begin() + ", " + a.end()
                        + ")) and '" + b.name() + "' (bytes [" + b.begin() + ", " + b.end() + ")) overlap; each tensor"
                        + " has bytes of its own in a safetensors file (the file is corrupt)");
            }
        }
    }

    private static String jsonProblem(StreamReadException e) {
        String message = e.getOriginalMessage();
        if (message != null && message.startsWith("Duplicate field ")) { // STRICT_DUPLICATE_DETECTION's words
            String key = message.substring("Duplicate field ".length());
            JsonParser parser = e.getProcessor();
            JsonStreamContext where = parser == null ? null : parser.getParsingContext();
            String parent = where != null && where.getParent() != null ? where.getParent().getCurrentName() : null;
            return "the JSON header has the key " + key + " twice" + (parent == null ? "" : " in '" + parent + "'")
                    + "; a safetensors header names each tensor, field and metadata entry once (the file is corrupt)";
        }
        long at = e.getLocation() == null ? -1 : e.getLocation().getByteOffset();
        return "the JSON header is malformed" + (at >= 0 ? " at its byte " + at : "") + ": " + oneLine(message);
    }

    /** Jackson's message on one line, without its "[Source: REDACTED (...); " location prefix. */
    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").replaceAll("\\[Source: [^\\]]*?; line:", "[line:");
    }

    private static String kind(JsonNode n) {
        if (n.isMissingNode()) return "nothing";
        return n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }

    private static String dtypeName(String npy) {
        return switch (npy) {
            case "<f4" -> "F32";
            case "<f8" -> "F64";
            case "<i8" -> "I64";
            case "<i4" -> "I32";
            case "|i1" -> "I8";
            case "|u1" -> "U8";
            case "|b1" -> "BOOL";
            default -> throw new IllegalArgumentException("no safetensors dtype for numpy dtype " + npy);
        };
    }

    private static String npyName(String st, String tensor) {
        return switch (st) {
            case "F32" -> "<f4";
            case "F64" -> "<f8";
            case "I64" -> "<i8";
            case "I32" -> "<i4";
            case "I8" -> "|i1";
            case "U8" -> "|u1";
            case "BOOL" -> "|b1";
            default -> throw new IllegalArgumentException("tensor '" + tensor + "' has dtype '" + st
                    + "', which rnnlab does not read (F32 F64 I64 I32 I8 U8 BOOL)");
        };
    }
}
