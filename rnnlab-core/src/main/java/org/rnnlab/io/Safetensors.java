package org.rnnlab.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header naming each tensor's
 * dtype, shape and byte range plus a {@code __metadata__} map of strings, then the raw little-endian bytes. It is
 * self-describing, cannot execute code, and Python reads it with {@code safetensors.numpy.load_file}, which is why
 * rnnlab's checkpoints use it.
 */
public final class Safetensors {
    private static final ObjectMapper JSON = new ObjectMapper();
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

    public static Contents read(Path path) throws IOException {
        byte[] bytes = Files.readAllBytes(path);
        try {
            return parse(bytes);
        } catch (IllegalArgumentException | JsonProcessingException e) {
            throw new IOException(path + ": not a valid safetensors file: " + e.getMessage(), e);
        }
    }

    /**
     * Only the {@code __metadata__} map of a safetensors file, reading its header and not its tensors (a run folder's
     * checkpoints are identified by it without loading their weights).
     */
    public static Map<String, String> readMetadata(Path path) throws IOException {
        try (java.nio.channels.FileChannel in = java.nio.channels.FileChannel.open(path)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            while (len.hasRemaining() && in.read(len) >= 0) { }
            long size = in.size();
            long headerLength = len.hasRemaining() ? -1 : len.flip().getLong();
            if (headerLength < 2 || headerLength > MAX_HEADER || 8 + headerLength > size) {
                throw new IOException(path + ": not a valid safetensors file: header length " + headerLength
                        + " does not fit a file of " + size + " bytes (truncated or not safetensors)");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            while (header.hasRemaining() && in.read(header) >= 0) { }
            Map<String, String> metadata = new LinkedHashMap<>();
            JSON.readTree(header.array()).path("__metadata__").fields()
                    .forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
            return metadata;
        } catch (JsonProcessingException e) {
            throw new IOException(path + ": not a valid safetensors file: " + e.getOriginalMessage(), e);
        }
    }

    static Contents parse(byte[] bytes) throws IOException {
        if (bytes.length < 8) throw new IllegalArgumentException("file too short (" + bytes.length + " bytes) for a header");
        long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (headerLength < 2 || headerLength > MAX_HEADER || 8 + headerLength > bytes.length) {
            throw new IllegalArgumentException("header length " + headerLength + " does not fit a file of "
                    + bytes.length + " bytes (truncated or not safetensors)");
        }
        JsonNode header = JSON.readTree(new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8));
        if (!header.isObject()) throw new IllegalArgumentException("header is not a JSON object");
        int dataStart = 8 + (int) headerLength;
        Map<String, NpyArray> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                e.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            JsonNode t = e.getValue();
            String dtype = npyName(t.path("dtype").asText(), e.getKey());
            JsonNode shapeNode = t.path("shape");
            int[] shape = new int[shapeNode.size()];
            for (int i = 0; i < shape.length; i++) shape[i] = shapeNode.get(i).asInt();
            long begin = t.path("data_offsets").path(0).asLong(-1);
            long end = t.path("data_offsets").path(1).asLong(-1);
            if (begin < 0 || end < begin || dataStart + end > bytes.length) {
                throw new IllegalArgumentException("tensor '" + e.getKey() + "' has byte range [" + begin + ", " + end
                        + ") outside the " + (bytes.length - dataStart) + " data bytes (truncated file?)");
            }
            byte[] data = java.util.Arrays.copyOfRange(bytes, dataStart + (int) begin, dataStart + (int) end);
            try {
                tensors.put(e.getKey(), new NpyArray(dtype, shape, data));
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("tensor '" + e.getKey() + "': " + ex.getMessage(), ex);
            }
        }
        return new Contents(tensors, metadata);
    }

    private static String dtypeName(String npy) {
        return switch (npy) {
            case "<f4" -> "F32";
            case "<f8" -> "F64";
            case "<i8" -> "I64";
            case "<i4" -> "I32";
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
            case "U8" -> "|u1";
            case "BOOL" -> "|b1";
            default -> throw new IllegalArgumentException("tensor '" + tensor + "' has dtype '" + st
                    + "', which rnnlab does not read (F32 F64 I64 I32 U8 BOOL)");
        };
    }
}
