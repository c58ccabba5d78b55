package org.rnnlab.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.rnnlab.text.Corpus;
import org.rnnlab.text.LabCorpus;
import org.rnnlab.text.Tokens;
import org.rnnlab.text.Vocabulary;

class TrainDataTest {
    /** The fingerprint as checkpoints made before token stores recorded it: the whole streams in one buffer each. */
    private static String arrayFingerprint(Vocabulary v, int[]... parts) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(v.asString().getBytes(StandardCharsets.UTF_8));
        for (int[] part : parts) {
            ByteBuffer b = ByteBuffer.allocate(4 * part.length + 8).order(ByteOrder.LITTLE_ENDIAN);
            b.putLong(part.length);
            for (int t : part) b.putInt(t);
            sha.update(b.array());
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    @Test
    void splitsAreSlicesOfOneStoreAndTheFingerprintIsTheOneOldCheckpointsHold() throws Exception {
        TrainData d = TrainData.of(Corpus.lab(), 0.1, 0.05);
        Vocabulary v = Vocabulary.fromText(LabCorpus.TEXT);
        int[] all = v.encode(LabCorpus.TEXT);
        assertThat(d.vocabulary()).isEqualTo(v);
        int nVal = (int) Math.round(339 * 0.1);
        int nTest = (int) Math.round(339 * 0.05);
        int[] train = java.util.Arrays.copyOfRange(all, 0, 339 - nVal - nTest);
        int[] val = java.util.Arrays.copyOfRange(all, 339 - nVal - nTest, 339 - nTest);
        int[] test = java.util.Arrays.copyOfRange(all, 339 - nTest, 339);
        assertThat(d.train().toArray()).isEqualTo(train);
        assertThat(d.val().toArray()).isEqualTo(val);
        assertThat(d.test().toArray()).isEqualTo(test);
        assertThat(d.fingerprint()).isEqualTo(arrayFingerprint(v, train, val, test));
        // The same ids in arrays give the same fingerprint (a buffer boundary inside the ids: 20,000 of them).
        int[] longer = new int[20_000];
        for (int i = 0; i < longer.length; i++) longer[i] = i % v.size();
        assertThat(new TrainData(v, Tokens.of(longer), Tokens.of(new int[0]), Tokens.of(new int[] {1, 2})).fingerprint())
                .isEqualTo(arrayFingerprint(v, longer, new int[0], new int[] {1, 2}));
    }

    @Test
    void aFileCorpusAndTheSameTextInMemoryMakeTheSameData(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws IOException {
        java.nio.file.Path f = java.nio.file.Files.writeString(dir.resolve("lab.txt"), LabCorpus.TEXT);
        TrainData fromFile = TrainData.of(Corpus.fromFile(f), 0.1, 0);
        TrainData inMemory = TrainData.of(Corpus.lab(), 0.1, 0);
        assertThat(fromFile.fingerprint()).isEqualTo(inMemory.fingerprint());
        assertThat(fromFile.summary()).isEqualTo("39 distinct characters; train 305, val 34, test 0 characters");
    }
}
