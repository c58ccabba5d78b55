package org.rnnlab.io.torch;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * A zip archive the way PyTorch's {@code PyTorchStreamWriter} lays it out: every record stored (uncompressed),
 * and the data of every record starting on a 64-byte boundary of the file, reached by padding the local header
 * with an extra field of id {@code "FB"} filled with {@code 'Z'} (as torch does; readers skip unknown extra
 * fields). Unlike torch's miniz writer it puts sizes and CRC in the local header instead of a trailing data
 * descriptor, and it writes no zip64 records, so an archive must stay under 4 GiB and 65535 records.
 * Timestamps are fixed (1980-01-01), so the same records give the same bytes.
 */
final class TorchZipWriter {
    static final int ALIGNMENT = 64;
    private static final int LOCAL_HEADER = 30;
    private static final int DOS_DATE_1980_01_01 = (1 << 5) | 1;

    private record Entry(byte[] name, long crc, long size, long offset) {}

    private final OutputStream out;
    private final List<Entry> entries = new ArrayList<>();
    private long offset;

    TorchZipWriter(OutputStream out) {
        this.out = out;
    }

    void add(String name, byte[] data) throws IOException {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        // The extra field's own 4-byte header counts before the data, so align what follows it.
        long unpadded = offset + LOCAL_HEADER + nameBytes.length + 4;
        int padding = (int) ((ALIGNMENT - unpadded % ALIGNMENT) % ALIGNMENT);
        if (entries.size() == 0xffff || unpadded + padding + data.length > 0xffffffffL) {
            throw new IOException("state_dict too large for a .pt without zip64 (over 4 GiB or 65535 records)");
        }
        CRC32 crc = new CRC32();
        crc.update(data);
        entries.add(new Entry(nameBytes, crc.getValue(), data.length, offset));

        int flags = isAscii(nameBytes) ? 0 : 0x0800; // bit 11: the name is UTF-8
        u32(0x04034b50);
        u16(10); // version needed to extract: 1.0, stored
        u16(flags);
        u16(0); // method: stored
        u16(0); // time 00:00:00
        u16(DOS_DATE_1980_01_01);
        u32(crc.getValue());
        u32(data.length);
        u32(data.length);
        u16(nameBytes.length);
        u16(4 + padding);
        write(nameBytes);
        write(new byte[] {'F', 'B', (byte) padding, (byte) (padding >>> 8)});
        byte[] pad = new byte[padding];
        java.util.Arrays.fill(pad, (byte) 'Z');
        write(pad);
        if (offset % ALIGNMENT != 0) throw new IllegalStateException("misaligned record " + name);
        write(data);
    }

    void finish() throws IOException {
        long directoryStart = offset;
        for (Entry e : entries) {
            u32(0x02014b50);
            u16(20); // version made by: 2.0, MS-DOS attributes
            u16(10);
            u16(isAscii(e.name) ? 0 : 0x0800);
            u16(0);
            u16(0);
            u16(DOS_DATE_1980_01_01);
            u32(e.crc);
            u32(e.size);
            u32(e.size);
            u16(e.name.length);
            u16(0); // no extra field here: the padding matters only in the local header
            u16(0); // comment length
            u16(0); // disk number
            u16(0); // internal attributes
            u32(0); // external attributes
            u32(e.offset);
            write(e.name);
        }
        long directorySize = offset - directoryStart;
        if (offset > 0xffffffffL) throw new IOException("state_dict too large for a .pt without zip64 (over 4 GiB)");
        u32(0x06054b50);
        u16(0);
        u16(0);
        u16(entries.size());
        u16(entries.size());
        u32(directorySize);
        u32(directoryStart);
        u16(0);
        out.flush();
    }

    private static boolean isAscii(byte[] s) {
        for (byte b : s) if (b < 0) return false;
        return true;
    }

    private void u16(int v) throws IOException {
        out.write(v & 0xff);
        out.write(v >>> 8 & 0xff);
        offset += 2;
    }

    private void u32(long v) throws IOException {
        u16((int) (v & 0xffff));
        u16((int) (v >>> 16 & 0xffff));
    }

    private void write(byte[] b) throws IOException {
        out.write(b);
        offset += b.length;
    }
}
