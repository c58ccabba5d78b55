package org.rnnlab.io;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.rnnlab.util.Messages;

/**
 * numpy's {@code .npz} archives ({@code np.savez}): a zip of {@code NAME.npy} members, each in the
 * {@code .npy} format version 1.0 (magic, a Python-literal header dict padded to 64 bytes, raw C-order data).
 * Written uncompressed like {@code np.savez}, read compressed or not; always written atomically.
 */
public final class Npz {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npz() {}

    /** Writes the arrays, in map order, to {@code path} (temporary file, then rename). */
    public static void write(Path path, Map<String, NpyArray> arrays) throws IOException {
        AtomicFiles.write(path, out -> write(out, arrays));
    }

    public static void write(OutputStream out, Map<String, NpyArray> arrays) throws IOException {
        ZipOutputStream zip = new ZipOutputStream(out);
        for (Map.Entry<String, NpyArray> e : arrays.entrySet()) {
            byte[] npy = toNpy(e.getValue());
            ZipEntry entry = new ZipEntry(e.getKey() + ".npy");
            entry.setMethod(ZipEntry.STORED);
            entry.setSize(npy.length);
            CRC32 crc = new CRC32();
            crc.update(npy);
            entry.setCrc(crc.getValue());
            zip.putNextEntry(entry);
            zip.write(npy);
            zip.closeEntry();
        }
        zip.finish();
    }

    /** Reads every array of an {@code .npz} file, keyed by name without the {@code .npy} suffix, in file order. */
    public static Map<String, NpyArray> read(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            return read(in, path.toString());
        } catch (ZipException | EOFException e) { // damaged, or cut short (an EOFException says nothing more)
            throw new IOException(path + ": not a readable .npz (zip) file: "
                    + (e.getMessage() != null ? Messages.escapeControls(e.getMessage()) : "it ends inside a member"), e);
        }
    }

    static Map<String, NpyArray> read(InputStream in, String source) throws IOException {
        Map<String, NpyArray> out = new LinkedHashMap<>();
        ZipInputStream zip = new ZipInputStream(in);
        for (ZipEntry e; (e = nextEntry(zip, source)) != null; ) {
            String name = e.getName();
            if (!name.endsWith(".npy")) continue;
            out.put(name.substring(0, name.length() - 4), fromNpy(zip.readAllBytes(), source + ":" + Messages.escapeControls(name)));
        }
        if (out.isEmpty()) throw new IOException(source + ": no .npy arrays found; is it an .npz file?");
        return out;
    }

    /** The next member: the JDK reads a name as UTF-8, and throws a bare IllegalArgumentException for bytes that are not. */
    private static ZipEntry nextEntry(ZipInputStream zip, String source) throws IOException {
        try {
            return zip.getNextEntry();
        } catch (IllegalArgumentException e) {
            throw new IOException(source + ": not a readable .npz (zip) file: a member's name is not UTF-8 (" + e.getMessage() + ")", e);
        }
    }

    /** One array in {@code .npy} format 1.0. */
    public static byte[] toNpy(NpyArray a) {
        int[] dims = a.shape();
        // A Python tuple literal: (), (n,) or (a, b, ...).
        String shape = dims.length == 1 ? "(" + dims[0] + ",)"
                : java.util.Arrays.stream(dims).mapToObj(Integer::toString).collect(Collectors.joining(", ", "(", ")"));
        String dict = "{'descr': '" + a.dtype() + "', 'fortran_order': False, 'shape': " + shape + ", }";
        // numpy pads the header with spaces and a newline so that the data starts on a 64-byte boundary.
        int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
        int padding = (64 - unpadded % 64) % 64;
        String header = dict + " ".repeat(padding) + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream(unpadded + padding + a.data().length);
        out.writeBytes(MAGIC);
        out.write(1);
        out.write(0);
        out.write(header.length() & 0xff);
        out.write(header.length() >>> 8);
        out.writeBytes(header.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(a.data());
        return out.toByteArray();
    }

    /** Parses one {@code .npy} file (format 1.0, 2.0 or 3.0); {@code source} names it in errors. */
    public static NpyArray fromNpy(byte[] bytes, String source) throws IOException {
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes.length <= i || bytes[i] != MAGIC[i]) throw new IOException(source + ": not a .npy array (bad magic)");
        }
        if (bytes.length < 10) throw new IOException(source + ": truncated .npy header");
        int major = bytes[6];
        int headerLength;
        int start;
        if (major == 1) {
            headerLength = (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8;
            start = 10;
        } else if (major == 2 || major == 3) {
            if (bytes.length < 12) throw new IOException(source + ": truncated .npy header");
            headerLength = (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8 | (bytes[10] & 0xff) << 16 | (bytes[11] & 0xff) << 24;
            start = 12;
        } else {
            throw new IOException(source + ": unsupported .npy format version " + major);
        }
        // (compared as a difference: start + a length near 2^31 would wrap around and pass)
        if (headerLength < 0 || headerLength > bytes.length - start) throw new IOException(source + ": truncated .npy header");
        String header = new String(bytes, start, headerLength, StandardCharsets.ISO_8859_1);
        String dtype = group(DESCR, header, "descr", source);
        if (group(FORTRAN, header, "fortran_order", source).equals("True")) {
            throw new IOException(source + ": Fortran-ordered arrays are not supported; save with np.ascontiguousarray");
        }
        int[] shape = shape(group(SHAPE, header, "shape", source).trim(), source);
        byte[] data = java.util.Arrays.copyOfRange(bytes, start + headerLength, bytes.length);
        try {
            return new NpyArray(dtype, shape, data);
        } catch (IllegalArgumentException e) {
            throw new IOException(source + ": " + Messages.escapeControls(e.getMessage()), e); // the dtype is the file's
        }
    }

    /** A Python tuple literal of dimensions, {@code ()}, {@code (3,)} or {@code (2, 3)}, without its parentheses. */
    private static int[] shape(String text, String source) throws IOException {
        java.util.List<Integer> dims = new java.util.ArrayList<>();
        for (String part : text.split(",")) {
            String d = part.trim();
            if (d.isEmpty()) continue;
            try {
                dims.add(Integer.parseInt(d));
            } catch (NumberFormatException e) {
                throw new IOException(source + ": .npy header's shape (" + Messages.escapeControls(text) + ") has '"
                        + Messages.escapeControls(d) + "', which is not a dimension (an int)", e);
            }
        }
        return dims.stream().mapToInt(Integer::intValue).toArray();
    }

    private static String group(Pattern p, String header, String key, String source) throws IOException {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new IOException(source + ": .npy header has no readable '" + key + "': " + Messages.escapeControls(header.trim()));
        }
        return m.group(1);
    }
}
