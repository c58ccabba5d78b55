package org.rnnlab.io.torch;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.rnnlab.io.NpyArray;
import org.rnnlab.testing.Fuzzing;

/**
 * Fuzzes the {@code .pt} reader. The only outcomes allowed: the tensors, or an IllegalArgumentException whose one
 * line starts with the file's name (bad input; an IOException is for a file that cannot be read, and these can).
 * Reading goes through {@link TorchStateDict#read(Path, long)}, the method {@code read(Path)} calls with 3/4 of the
 * heap, here with a budget of {@link #BUDGET}, so that what it may allocate is small and stated: the budget, plus
 * what the pickle's limits allow.
 *
 * <ul>
 *   <li>{@link #readFile}: the input is the whole file, so the zip container is fuzzed (seeds: torch-made files);</li>
 *   <li>{@link #readPickle}: the input is {@code data.pkl}, placed in a well-formed archive beside sixteen storage
 *       records, so that mutations reach the pickle machine and the tensor views instead of failing a CRC.</li>
 * </ul>
 * A tensor read is checked against its description: its bytes are its shape's elements, in its dtype.
 */
class TorchStateDictFuzzTest {
    /** What a read may unpack: storages and tensors (a 0-stride view may repeat an element this far). */
    static final long BUDGET = 8L << 20;
    /** Storage records {@code data/0} to {@code data/15} of {@link #readPickle}'s archive; torch names them so. */
    private static final int RECORDS = 16;
    private static final int RECORD_BYTES = 1024;
    private static final byte[] RECORD = record();

    @FuzzTest(maxDuration = "30s")
    void readFile(byte[] file) {
        // A zip may deflate a record a thousandfold, so past the budget the bound is the pickle's own limits:
        // 16 MB of pickle read into memory, a million values built from it.
        check(Fuzzing.file("fuzz.pt", file), BUDGET + 4 * TorchStateDict.MAX_PICKLE + 64L * PickleReader.MAX_VALUES);
    }

    @FuzzTest(maxDuration = "30s")
    void readPickle(byte[] pickle) {
        // The last byte's low bit picks the byte order, so that big-endian storages are read too.
        boolean big = pickle.length > 0 && (pickle[pickle.length - 1] & 1) == 1;
        Map<String, byte[]> records = new LinkedHashMap<>();
        records.put("archive/data.pkl", pickle);
        records.put("archive/byteorder", (big ? "big" : "little").getBytes());
        for (int i = 0; i < RECORDS; i++) records.put("archive/data/" + i, RECORD);
        records.put("archive/version", "3\n".getBytes());
        // Every opcode is a byte and builds a value or two: a few hundred bytes a pickle byte, at most.
        check(Fuzzing.file("fuzz-pickle.pt", zip(records)), BUDGET + 2L * RECORDS * RECORD_BYTES + 512L * pickle.length);
    }

    /** Reads the file: its tensors, each as its shape says, or the one-line error; {@code allowed} bytes at most. */
    private static void check(Path path, long allowed) {
        Fuzzing.Outcome<LinkedHashMap<String, NpyArray>> read = Fuzzing.run(allowed, "reading " + path,
                () -> TorchStateDict.read(path, BUDGET));
        if (read.error() != null) {
            Fuzzing.checkError(read.error(), path + ": ", Set.of(IllegalArgumentException.class));
            return;
        }
        LinkedHashMap<String, NpyArray> tensors = read.value();
        for (Map.Entry<String, NpyArray> t : tensors.entrySet()) {
            NpyArray a = t.getValue();
            long elements = 1;
            for (int d : a.shape()) elements *= d;
            assertThat((long) a.data().length).as("bytes of '%s'", t.getKey()).isEqualTo(elements * NpyArray.itemSize(a.dtype()));
        }
    }

    /** The archive as torch lays it out, written by rnnlab's own zip writer (stored records, 64-byte aligned). */
    private static byte[] zip(Map<String, byte[]> records) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            TorchZipWriter zip = new TorchZipWriter(out);
            for (Map.Entry<String, byte[]> r : records.entrySet()) zip.add(r.getKey(), r.getValue());
            zip.finish();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Little-endian float32 values from -1 to 1, the same in every record (other dtypes read what the bytes make). */
    private static byte[] record() {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(RECORD_BYTES).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; b.hasRemaining(); i++) b.putFloat((i % 17) / 8f - 1);
        return b.array();
    }
}
