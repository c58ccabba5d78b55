package org.rnnlab.io.torch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.rnnlab.io.torch.TorchStateDictReadTest.fixture;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rnnlab.io.NpyArray;

/**
 * Writing {@code .pt} files. That torch itself accepts them is proven outside the Java tests, by
 * {@code tools/make_pt_fixtures.py --check-java-pt}; here the pickle is compared with the one torch wrote for
 * the same tensors, byte for byte, and the zip layout with torch's rules.
 */
class TorchStateDictWriteTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"rnn_l1.pt", "lstm_l2.pt", "gru_l3.pt", "rnn_l2_f64.pt", "lstm_l1_keep_vars.pt", "views.pt",
        "dtypes.pt"})
    void roundTripsEveryFixture(String name) throws IOException {
        LinkedHashMap<String, NpyArray> tensors = TorchStateDict.read(fixture(name));
        Path file = dir.resolve("out/" + name);
        TorchStateDict.write(file, tensors);
        LinkedHashMap<String, NpyArray> back = TorchStateDict.read(file);
        assertThat(back).isEqualTo(tensors);
        assertThat(back.keySet()).containsExactlyElementsOf(tensors.keySet());
        try (var list = Files.list(file.getParent())) {
            assertThat(list).as("no temporary file left behind").containsExactly(file);
        }
    }

    @Test
    void writesThePickleTorchWritesForTheSameTensors() throws IOException {
        // plain_od_lstm_l2.pt is torch.save(OrderedDict(state_dict.items())): no _metadata, like rnnlab's files.
        Map<String, byte[]> torch = Zips.records(fixture("plain_od_lstm_l2.pt"));
        Map<String, byte[]> ours = Zips.records(write(TorchStateDict.read(fixture("plain_od_lstm_l2.pt"))));
        assertThat(ours.get("archive/data.pkl")).isEqualTo(torch.get("plain_od_lstm_l2/data.pkl"));
        for (int i = 0; i < 11; i++) {
            assertThat(ours.get("archive/data/" + i)).as("storage %d", i).isEqualTo(torch.get("plain_od_lstm_l2/data/" + i));
        }
        assertThat(ours.get("archive/version")).isEqualTo(torch.get("plain_od_lstm_l2/version")).containsExactly('3', '\n');
        assertThat(ours.get("archive/byteorder")).containsExactly("little".getBytes());
    }

    @Test
    void alignsEveryRecordTo64BytesWithTorchsPadding() throws IOException {
        byte[] zip = Files.readAllBytes(write(TorchStateDict.read(fixture("dtypes.pt"))));
        List<Zips.Local> records = Zips.localHeaders(zip);
        assertThat(records).extracting(Zips.Local::name).containsExactly("archive/data.pkl", "archive/byteorder",
                "archive/data/0", "archive/data/1", "archive/data/2", "archive/data/3", "archive/data/4", "archive/data/5",
                "archive/data/6", "archive/data/7", "archive/version");
        for (Zips.Local r : records) {
            assertThat(r.dataOffset() % 64).as(r.name()).isZero();
            byte[] extra = r.extra();
            assertThat(extra.length).isBetween(4, 4 + 63);
            assertThat(new String(extra, 0, 2)).isEqualTo("FB");
            assertThat(Zips.u16(extra, 2)).isEqualTo(extra.length - 4);
            for (int i = 4; i < extra.length; i++) assertThat(extra[i]).isEqualTo((byte) 'Z');
        }
        // The empty tensor has an empty record, as torch writes it.
        assertThat(records.get(8).size()).isZero();
    }

    @Test
    void writesTheSameBytesEveryTime() throws IOException {
        LinkedHashMap<String, NpyArray> tensors = TorchStateDict.read(fixture("gru_l3.pt"));
        ByteArrayOutputStream a = new ByteArrayOutputStream();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        TorchStateDict.write(a, tensors);
        TorchStateDict.write(b, tensors);
        assertThat(a.toByteArray()).isEqualTo(b.toByteArray());
    }

    @Test
    void roundTripsManyTensorsLargeDimensionsAndEmptyOnes() throws IOException {
        LinkedHashMap<String, NpyArray> tensors = new LinkedHashMap<>();
        for (int i = 0; i < 1234; i++) tensors.put("layer" + i + ".bias", NpyArray.ofFloats(new float[] {i, -i}, 2));
        tensors.put("wide", new NpyArray("|u1", new int[] {70000}, new byte[70000])); // a BININT size
        tensors.put("mid", NpyArray.ofLongs(new long[300], 300)); // a BININT2 size
        tensors.put("scalar", NpyArray.ofDoubles(new double[] {Math.E}));
        tensors.put("none", NpyArray.ofFloats(new float[0], 2, 0, 3));
        tensors.put("five_d", NpyArray.ofDoubles(new double[32], 2, 2, 2, 2, 2));
        tensors.put("émoji ✓", new NpyArray("|b1", new int[] {2}, new byte[] {1, 0}));
        LinkedHashMap<String, NpyArray> back = TorchStateDict.read(write(tensors));
        assertThat(back).isEqualTo(tensors);
        assertThat(back.keySet()).containsExactlyElementsOf(tensors.keySet());
    }

    @Test
    void roundTripsAnEmptyStateDict() throws IOException {
        assertThat(TorchStateDict.read(write(new LinkedHashMap<>()))).isEmpty();
    }

    @Test
    void replacesAnExistingFileWhole() throws IOException {
        Path file = dir.resolve("model.pt");
        Files.writeString(file, "old");
        Map<String, NpyArray> one = Map.of("w", NpyArray.ofFloats(new float[] {1}, 1));
        TorchStateDict.write(file, one);
        assertThat(TorchStateDict.read(file)).isEqualTo(one);
    }

    @Test
    void refusesWhatTorchCouldNotHold() {
        Map<String, NpyArray> bools = Map.of("mask", new NpyArray("|b1", new int[] {2}, new byte[] {1, 2}));
        assertThatThrownBy(() -> TorchStateDict.write(dir.resolve("b.pt"), bools)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bool array 'mask' holds byte 2; bools are 0 or 1");
        assertThat(dir.resolve("b.pt")).doesNotExist();
        Map<String, NpyArray> nullArray = new LinkedHashMap<>();
        nullArray.put("w", null);
        assertThatThrownBy(() -> TorchStateDict.write(dir.resolve("n.pt"), nullArray)).hasMessage("state_dict entry 'w' has no array");
    }

    @Test
    void usesTorchsContiguousStrides() {
        assertThat(PickleWriter.contiguousStrides(new int[] {4, 3, 2})).containsExactly(6, 2, 1);
        assertThat(PickleWriter.contiguousStrides(new int[] {2, 0, 3})).containsExactly(3, 3, 1);
        assertThat(PickleWriter.contiguousStrides(new int[] {})).isEmpty();
    }

    private Path write(Map<String, NpyArray> tensors) throws IOException {
        Path file = Files.createTempFile(dir, "t", ".pt");
        TorchStateDict.write(file, tensors);
        return file;
    }
}
