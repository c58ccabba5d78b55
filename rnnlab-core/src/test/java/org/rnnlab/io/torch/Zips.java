package org.rnnlab.io.torch;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/** Test helpers to take zips apart and craft damaged ones. */
final class Zips {
    private Zips() {}

    /** Every record of a zip, by name, in file order. */
    static LinkedHashMap<String, byte[]> records(Path zip) throws IOException {
        LinkedHashMap<String, byte[]> out = new LinkedHashMap<>();
        try (ZipFile z = new ZipFile(zip.toFile())) {
            for (ZipEntry e : java.util.Collections.list(z.entries())) {
                out.put(e.getName(), z.getInputStream(e).readAllBytes());
            }
        }
        return out;
    }

    /** Writes the records as a (deflated) zip. */
    static Path write(Path target, Map<String, byte[]> records) throws IOException {
        try (OutputStream file = Files.newOutputStream(target); ZipOutputStream zip = new ZipOutputStream(file)) {
            for (Map.Entry<String, byte[]> e : records.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return target;
    }

    /** A checkpoint whose data.pkl is the given pickle. */
    static Path checkpoint(Path target, byte[] pickle) throws IOException {
        Map<String, byte[]> records = new LinkedHashMap<>();
        records.put("x/data.pkl", pickle);
        records.put("x/version", "3\n".getBytes());
        return write(target, records);
    }

    /** A local file header of a zip: where it starts, its extra field, where its data starts, its size. */
    record Local(String name, long headerOffset, byte[] extra, long dataOffset, long size) {}

    /** Walks the local headers of a zip written without data descriptors. */
    static List<Local> localHeaders(byte[] zip) {
        List<Local> out = new ArrayList<>();
        int o = 0;
        while (u32(zip, o) == 0x04034b50L) {
            long size = u32(zip, o + 18);
            int nameLength = u16(zip, o + 26);
            int extraLength = u16(zip, o + 28);
            String name = new String(zip, o + 30, nameLength, java.nio.charset.StandardCharsets.UTF_8);
            byte[] extra = java.util.Arrays.copyOfRange(zip, o + 30 + nameLength, o + 30 + nameLength + extraLength);
            int data = o + 30 + nameLength + extraLength;
            out.add(new Local(name, o, extra, data, size));
            o = data + (int) size;
        }
        return out;
    }

    static int u16(byte[] b, int o) {
        return (b[o] & 0xff) | (b[o + 1] & 0xff) << 8;
    }

    static long u32(byte[] b, int o) {
        return (u16(b, o) | (long) u16(b, o + 2) << 16) & 0xffffffffL;
    }
}
