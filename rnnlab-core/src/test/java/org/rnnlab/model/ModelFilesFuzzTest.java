package org.rnnlab.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.rnnlab.generate.NextChar;
import org.rnnlab.nn.Nonlinearity;
import org.rnnlab.testing.Fuzzing;
import org.rnnlab.text.Vocabulary;

/**
 * Fuzzes model-file loading as a whole ({@link ModelFiles#load}): the format's checks and then the model's (config
 * metadata, vocabulary, tensor names and shapes, finite weights). Allowed outcomes: a model that computes, or an
 * IllegalArgumentException whose one line starts with the file's name. The input's first byte picks the format:
 * <ul>
 *   <li>even: an rnnlab file. The rest of the input is its JSON header (config, vocabulary, tensors' shapes and
 *       byte ranges), which the harness frames and follows with a fixed data area of finite floats (its last one
 *       NaN), so that mutations go to the metadata rather than to offsets in a byte soup;</li>
 *   <li>odd: a PyTorch state_dict. The second byte is the vocabulary's size given as the hint, bit 1 of the first
 *       the RNN's activation; the rest is {@code data.pkl}, in an archive with sixteen storage records.</li>
 * </ul>
 * A file holds every weight it loads, so what loading may allocate is a bounded multiple of the file's size.
 */
class ModelFilesFuzzTest {
    private static final int DATA_BYTES = 4096;
    private static final byte[] DATA = floats(DATA_BYTES, true);
    private static final int RECORDS = 16;
    private static final byte[] RECORD = floats(1024, false);

    @FuzzTest(maxDuration = "30s")
    void load(byte[] input) {
        if (input.length == 0) return;
        boolean pytorch = (input[0] & 1) == 1;
        ModelFiles.Hints hints = ModelFiles.Hints.NONE;
        Path path;
        if (pytorch) {
            int vocab = input.length > 1 ? Math.max(1, input[1] & 0xff) : 1;
            int[] chars = new int[vocab];
            for (int i = 0; i < vocab; i++) chars[i] = 'A' + i;
            hints = new ModelFiles.Hints(Vocabulary.literal(new String(chars, 0, vocab)),
                    (input[0] & 2) != 0 ? Nonlinearity.RELU : Nonlinearity.TANH);
            path = Fuzzing.file("fuzz-model.pt", archive(Arrays.copyOfRange(input, Math.min(2, input.length), input.length)));
        } else {
            path = Fuzzing.file("fuzz-model.safetensors", safetensors(Arrays.copyOfRange(input, 1, input.length)));
        }
        ModelFiles.Hints given = hints;
        long size = path.toFile().length();
        Fuzzing.Outcome<ModelFiles.Loaded> loaded = Fuzzing.run(64 * size, "loading " + path,
                () -> ModelFiles.load(path, given));
        if (loaded.error() != null) {
            String m = Fuzzing.checkError(loaded.error(), path.toString(), Set.of(IllegalArgumentException.class));
            assertThat(m.charAt(path.toString().length())).as("after the file's name: %s", m).isIn(':', ' ');
            return;
        }
        ModelFiles.Loaded l = loaded.value();
        assertThat(l.vocabulary().size()).isEqualTo(l.model().config().vocab());
        double[] next = NextChar.logProbabilities(l.model(), new int[] {0});
        assertThat(next).hasSize(l.vocabulary().size());
        assertThat(Arrays.stream(next).allMatch(Double::isFinite)).as("log-probabilities %s", Arrays.toString(next)).isTrue();
    }

    /** An rnnlab file: the header length, the header as given, then {@link #DATA}. */
    private static byte[] safetensors(byte[] header) {
        return ByteBuffer.allocate(8 + header.length + DATA_BYTES).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(header.length).put(header).put(DATA).array();
    }

    /** A torch.save archive: data.pkl and the records data/0 to data/15, stored (a zip made by the JDK). */
    private static byte[] archive(byte[] pickle) {
        Map<String, byte[]> records = new LinkedHashMap<>();
        records.put("archive/data.pkl", pickle);
        for (int i = 0; i < RECORDS; i++) records.put("archive/data/" + i, RECORD);
        records.put("archive/version", "3\n".getBytes());
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
                for (Map.Entry<String, byte[]> r : records.entrySet()) {
                    ZipEntry e = new ZipEntry(r.getKey());
                    e.setMethod(ZipEntry.STORED);
                    e.setSize(r.getValue().length);
                    CRC32 crc = new CRC32();
                    crc.update(r.getValue());
                    e.setCrc(crc.getValue());
                    zip.putNextEntry(e);
                    zip.write(r.getValue());
                    zip.closeEntry();
                }
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Little-endian float32 values between -1 and 1; the last one NaN when {@code lastNaN}. */
    private static byte[] floats(int bytes, boolean lastNaN) {
        ByteBuffer b = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; b.remaining() > 4; i++) b.putFloat((i % 13) / 6.5f - 1);
        return b.putFloat(lastNaN ? Float.NaN : 0.5f).array();
    }
}
