package org.rnnlab.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnlab.testing.Resources;

/** The .npy/.npz format against files numpy itself wrote ({@code tools/make_bptt_fixtures.py}). */
class NpzTest {
    @TempDir
    Path dir;

    private static byte[] fixture(String name) throws IOException {
        return Files.readAllBytes(Resources.path(NpzTest.class, name));
    }

    @Test
    void writesTheSameBytesAsNumpySave() throws IOException {
        double[] v = new double[6];
        for (int i = 0; i < 6; i++) v[i] = i / 7.0;
        assertThat(Npz.toNpy(NpyArray.ofDoubles(v, 2, 3))).isEqualTo(fixture("numpy_f8_2x3.npy"));

        float[] f = new float[5];
        for (int i = 0; i < 5; i++) f[i] = (i - 2f) / 3f;
        assertThat(Npz.toNpy(NpyArray.ofFloats(f, 5))).isEqualTo(fixture("numpy_f4_5.npy"));

        assertThat(Npz.toNpy(NpyArray.ofLongs(new long[] {-42}))).isEqualTo(fixture("numpy_i8_scalar.npy"));
    }

    @Test
    void readsNumpysNpyAndNpzFiles() throws IOException {
        NpyArray a = Npz.fromNpy(fixture("numpy_f8_2x3.npy"), "f8");
        assertThat(a.dtype()).isEqualTo("<f8");
        assertThat(a.shape()).containsExactly(2, 3);
        assertThat(a.toDoubles()).containsExactly(0, 1 / 7.0, 2 / 7.0, 3 / 7.0, 4 / 7.0, 5 / 7.0);

        Map<String, NpyArray> mixed = Npz.read(Resources.path(NpzTest.class, "numpy_mixed.npz"));
        assertThat(mixed.keySet()).containsExactly("a", "b");
        assertThat(mixed.get("a").toLongs()).containsExactly(0, 1, 2, 3);
        assertThat(mixed.get("a").shape()).containsExactly(2, 2);
        assertThat(mixed.get("b").toFloats()).containsExactly(-1f, 0f, 1f);

        Map<String, NpyArray> compressed = Npz.read(Resources.path(NpzTest.class, "numpy_compressed.npz"));
        assertThat(compressed.get("c").toDoubles()).containsExactly(1, 0, 0, 0, 1, 0, 0, 0, 1);
    }

    @Test
    void roundTripsThroughAFile() throws IOException {
        Map<String, NpyArray> arrays = new LinkedHashMap<>();
        arrays.put("w", NpyArray.ofDoubles(new double[] {1.5, -2, Math.PI}, 3, 1));
        arrays.put("i", NpyArray.ofLongs(new long[] {7, Long.MIN_VALUE}, 2));
        Path file = dir.resolve("sub/x.npz");
        Npz.write(file, arrays);
        assertThat(Npz.read(file)).isEqualTo(arrays);
        try (var list = Files.list(file.getParent())) {
            assertThat(list).as("no temporary file left behind").containsExactly(file);
        }
    }

    @Test
    void aFailedWriteLeavesTheOldFileIntact() throws IOException {
        Path file = dir.resolve("keep.npz");
        Files.writeString(file, "old content");
        assertThatThrownBy(() -> AtomicFiles.write(file, out -> {
            out.write(1);
            throw new IOException("disk full");
        })).hasMessage("disk full");
        assertThat(Files.readString(file)).isEqualTo("old content");
        try (var list = Files.list(dir)) {
            assertThat(list).containsExactly(file);
        }
    }

    @Test
    void badFilesGiveErrorsThatNameThem() throws IOException {
        Path notZip = dir.resolve("plain.npz");
        Files.writeString(notZip, "hello");
        assertThatThrownBy(() -> Npz.read(notZip)).isInstanceOf(IOException.class).hasMessageContaining("plain.npz");
        assertThatThrownBy(() -> Npz.fromNpy("NUMPY".getBytes(), "x.npy")).hasMessageContaining("x.npy: not a .npy");
        byte[] good = fixture("numpy_f8_2x3.npy");
        byte[] truncated = java.util.Arrays.copyOf(good, good.length - 8);
        assertThatThrownBy(() -> Npz.fromNpy(truncated, "t.npy")).hasMessageContaining("t.npy").hasMessageContaining("needs 48 bytes, found 40");
        assertThatThrownBy(() -> new NpyArray("<c16", new int[] {1}, new byte[16])).hasMessageContaining("unsupported numpy dtype '<c16'");
    }
}
