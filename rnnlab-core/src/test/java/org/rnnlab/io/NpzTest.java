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

    /** A .npy header as numpy writes it (version 1.0 or 2.0), with {@code data} after it. */
    private static byte[] npy(int major, String dict, int dataBytes) {
        byte[] h = dict.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        int lengthBytes = major == 1 ? 2 : 4;
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + lengthBytes + h.length + dataBytes)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) b.putShort((short) h.length);
        else b.putInt(h.length);
        return b.put(h).array();
    }

    /** Bad headers are one-line IOExceptions naming the file, never another exception (found by the fuzzer). */
    @Test
    void aShapeThatIsNoTupleOfIntsIsAnErrorNamingIt() {
        byte[] quoted = npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3', 2), }", 24);
        assertThatThrownBy(() -> Npz.fromNpy(quoted, "q.npy")).isInstanceOf(IOException.class)
                .hasMessage("q.npy: .npy header's shape (3', 2) has '3'', which is not a dimension (an int)");
        byte[] bell = npy(1, "{'descr': '<f4\u0007', 'fortran_order': False, 'shape': (1,), }", 4);
        assertThatThrownBy(() -> Npz.fromNpy(bell, "b.npy")).isInstanceOf(IOException.class)
                .hasMessage("b.npy: unsupported numpy dtype '<f4\\x07' (rnnlab reads <f8 <f4 <i8 <i4 |i1 |u1 |b1)");
    }

    /** A zip cut inside a member: the JDK's EOFException, without a message or the file (found by the fuzzer). */
    @Test
    void aTruncatedNpzIsAnErrorNamingIt() throws IOException {
        byte[] whole = Files.readAllBytes(Resources.path(NpzTest.class, "numpy_mixed.npz"));
        Path cut = Files.write(dir.resolve("cut.npz"), java.util.Arrays.copyOf(whole, 33)); // inside the first name
        assertThatThrownBy(() -> Npz.read(cut)).isInstanceOf(IOException.class)
                .hasMessage(cut + ": not a readable .npz (zip) file: it ends inside a member");
    }

    /** A member's name that is not UTF-8: the JDK's bare IllegalArgumentException (found by the fuzzer). */
    @Test
    void aMemberNameThatIsNotUtf8IsAnErrorNamingTheFile() throws IOException {
        Path file = dir.resolve("names.npz");
        Npz.write(file, Map.of("~~", NpyArray.ofLongs(new long[] {1})));
        byte[] zip = Files.readAllBytes(file);
        for (int i = 0; i + 1 < zip.length; i++) {
            if (zip[i] == '~' && zip[i + 1] == '~') { // C3 41: a lead byte without its continuation
                zip[i] = (byte) 0xc3;
                zip[i + 1] = 'A';
            }
        }
        Files.write(file, zip);
        // JDK 17 decodes the name and throws its bare IllegalArgumentException; newer JDKs check it in the header
        assertThatThrownBy(() -> Npz.read(file)).isInstanceOf(IOException.class)
                .message().satisfiesAnyOf(
                        m -> assertThat(m).startsWith(file + ": not a readable .npz (zip) file: a member's name is not UTF-8 ("),
                        m -> assertThat(m).isEqualTo(file + ": not a readable .npz (zip) file: invalid LOC header (bad entry name)"));
    }

    /** Two overflows found by reading the code while fuzzing it (the fuzzer had not reached them). */
    @Test
    void aHeaderLengthOrAShapeNear2To31DoesNotWrapAround() throws IOException {
        byte[] bytes = npy(2, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 4);
        java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(8, Integer.MAX_VALUE);
        // 12 + 2^31 - 1 wrapped to a negative end and passed; then new String(...) threw StringIndexOutOfBounds
        assertThatThrownBy(() -> Npz.fromNpy(bytes, "long.npy")).isInstanceOf(IOException.class)
                .hasMessage("long.npy: truncated .npy header");
        // 65536^4 = 2^64, which a long wraps to 0: an empty array that claimed 2^64 elements was accepted
        byte[] wide = npy(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (65536, 65536, 65536, 65536), }", 0);
        assertThatThrownBy(() -> Npz.fromNpy(wide, "wide.npy")).isInstanceOf(IOException.class)
                .hasMessage("wide.npy: array of dtype |u1 and shape [65536, 65536, 65536, 65536] needs more than 2^31"
                        + " elements, found 0");
        assertThat(Npz.fromNpy(npy(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (65536, 65536, 0), }", 0), "z")
                .shape()).containsExactly(65536, 65536, 0);
    }
}
