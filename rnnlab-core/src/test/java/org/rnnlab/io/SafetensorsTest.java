package org.rnnlab.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
    @TempDir
    Path dir;

    /** A file laid out by hand as the format's specification describes it, with a header padded by spaces. */
    private static byte[] specExample() {
        String header = "{\"__metadata__\":{\"format\":\"pt\"},\"w\":{\"dtype\":\"F32\",\"shape\":[2,1],\"data_offsets\":[0,8]},"
                + "\"n\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[8,16]}}   ";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + 16).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).putFloat(1.5f).putFloat(-2f).putLong(42);
        return b.array();
    }

    @Test
    void readsTheSpecificationsLayout() throws IOException {
        Safetensors.Contents c = Safetensors.parse(specExample());
        assertThat(c.metadata()).containsEntry("format", "pt");
        assertThat(c.tensors().get("w").toFloats()).containsExactly(1.5f, -2f);
        assertThat(c.tensors().get("w").shape()).containsExactly(2, 1);
        assertThat(c.tensors().get("n").toLongs()).containsExactly(42);
    }

    @Test
    void writesWhatItReadsWithAnAlignedHeader() throws IOException {
        Map<String, NpyArray> tensors = new LinkedHashMap<>();
        tensors.put("embedding.weight", NpyArray.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 3, 2));
        tensors.put("step", NpyArray.ofLongs(new long[] {7}));
        Map<String, String> meta = Map.of("config", "{\"cell\":\"lstm\"}", "vocabulary", "ab\n😀");
        Path file = dir.resolve("m.safetensors");
        Safetensors.write(file, tensors, meta);
        byte[] bytes = Files.readAllBytes(file);
        long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(headerLength % 8).isZero();
        Safetensors.Contents back = Safetensors.read(file);
        assertThat(back.tensors()).isEqualTo(tensors);
        assertThat(back.metadata()).isEqualTo(meta);
    }

    @Test
    void truncatedAndForeignFilesAreClearErrors() throws IOException {
        byte[] good = specExample();
        Path cut = dir.resolve("cut.safetensors");
        Files.write(cut, java.util.Arrays.copyOf(good, good.length - 4));
        assertThatThrownBy(() -> Safetensors.read(cut)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cut.safetensors: not a valid safetensors file: tensor 'n' has byte range [8, 16)");
        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "hello, world, not a model");
        assertThatThrownBy(() -> Safetensors.read(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("notes.txt: not a valid safetensors file: header length");
        assertThatThrownBy(() -> Safetensors.readMetadata(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("notes.txt: not a valid safetensors file: header length");
        assertThatThrownBy(() -> Safetensors.read(dir.resolve("absent.safetensors"))).isInstanceOf(IOException.class);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThatThrownBy(() -> Safetensors.write(out, Map.of("__metadata__", NpyArray.ofLongs(new long[] {1})), Map.of()))
                .hasMessageContaining("cannot name a tensor");
    }

    /** A file of the given header (padded with spaces to 8 bytes) and {@code dataBytes} bytes of data. */
    private Path file(String name, String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        int padded = (h.length + 7) / 8 * 8;
        ByteBuffer b = ByteBuffer.allocate(8 + padded + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(padded).put(h);
        for (int i = h.length; i < padded; i++) b.put((byte) ' ');
        return Files.write(dir.resolve(name), b.array());
    }

    @Test
    void refusesShapesThatAreNotIntsOrDoNotMatchTheirBytes() throws IOException {
        // 2^32 + 39: asInt() would read 39, which the 39 floats of data would then agree with.
        Path wide = file("wide.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967335],\"data_offsets\":[0,156]}}", 156);
        assertThatThrownBy(() -> Safetensors.read(wide)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(wide + ": not a valid safetensors file: tensor 'w' has shape [4294967335], whose dimension 0 "
                        + "(4294967335) is not an int from 0 to 2147483647");
        Path negative = file("negative.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,-3],\"data_offsets\":[0,24]}}", 24);
        assertThatThrownBy(() -> Safetensors.read(negative)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(negative + ": not a valid safetensors file: tensor 'w' has shape [2,-3], whose dimension 1 "
                        + "(-3) is not an int from 0 to 2147483647");
        Path fraction = file("fraction.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}}", 8);
        assertThatThrownBy(() -> Safetensors.read(fraction)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tensor 'w' has shape [2.5], whose dimension 0 (2.5) is not an int");
        Path mismatch = file("mismatch.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[3,2],\"data_offsets\":[0,20]}}", 20);
        assertThatThrownBy(() -> Safetensors.read(mismatch)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(mismatch + ": not a valid safetensors file: tensor 'w' of dtype F32 and shape [3, 2] needs 24 "
                        + "bytes, but its byte range [0, 20) holds 20");
        // A product past 2^63 must not wrap around to the byte count.
        Path overflow = file("overflow.safetensors", "{\"w\":{\"dtype\":\"U8\",\"shape\":[2147483647,2147483647,2147483647,4],"
                + "\"data_offsets\":[0,4]}}", 4);
        assertThatThrownBy(() -> Safetensors.read(overflow)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tensor 'w' of dtype U8 and shape [2147483647, 2147483647, 2147483647, 4] needs "
                        + "more than 2^63 bytes, but its byte range [0, 4) holds 4");
        Path offsets = file("offsets.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[\"0\",4]}}", 4);
        assertThatThrownBy(() -> Safetensors.read(offsets)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(offsets + ": not a valid safetensors file: tensor 'w' has data_offsets [\"0\",4]; expected "
                        + "[begin, end], two byte offsets");
        Path empty = file("empty.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[0,4294967296],\"data_offsets\":[0,0]}}", 0);
        assertThatThrownBy(() -> Safetensors.read(empty)).hasMessageContaining("dimension 1 (4294967296) is not an int");
        Path zero = file("zero.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[0,5],\"data_offsets\":[0,0]}}", 0);
        assertThat(Safetensors.read(zero).tensors().get("w").shape()).containsExactly(0, 5);
    }

    @Test
    void refusesTensorsWhoseBytesOverlap() throws IOException {
        // b's bytes [4, 12) are also a's [0, 8) and c's [8, 16): listed out of order, sorted by where they begin.
        Path overlap = file("overlap.safetensors", "{\"c\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 16);
        assertThatThrownBy(() -> Safetensors.read(overlap)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(overlap + ": not a valid safetensors file: tensors 'a' (bytes [0, 8)) and 'b' (bytes [4, 12)) "
                        + "overlap; each tensor has bytes of its own in a safetensors file (the file is corrupt)");
        Path same = file("same.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8);
        assertThatThrownBy(() -> Safetensors.read(same)).hasMessageContaining("tensors 'a' (bytes [0, 8)) and 'b' (bytes [0, 8)) overlap");
        assertThatThrownBy(() -> Safetensors.readMetadata(same)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tensors 'a' (bytes [0, 8)) and 'b' (bytes [0, 8)) overlap");
        // Adjacent ranges, and an empty tensor where another begins, tile the data.
        Path tiled = file("tiled.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"e\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12);
        assertThat(Safetensors.read(tiled).tensors()).containsOnlyKeys("a", "e", "b");
    }

    @Test
    void refusesAHeaderThatNamesAKeyTwice() throws IOException {
        String w = "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";
        Path twice = file("twice.safetensors", "{\"w\":" + w + ",\"w\":" + w + "}", 4);
        assertThatThrownBy(() -> Safetensors.read(twice)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(twice + ": not a valid safetensors file: the JSON header has the key 'w' twice; a safetensors "
                        + "header names each tensor, field and metadata entry once (the file is corrupt)");
        Path field = file("field.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"shape\":[1],\"data_offsets\":[0,4]}}", 4);
        assertThatThrownBy(() -> Safetensors.read(field)).hasMessageContaining("the JSON header has the key 'shape' twice in 'w';");
        Path meta = file("meta.safetensors", "{\"__metadata__\":{\"run\":\"a\",\"run\":\"b\"},\"w\":" + w + "}", 4);
        assertThatThrownBy(() -> Safetensors.readMetadata(meta)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(meta + ": not a valid safetensors file: the JSON header has the key 'run' twice in '__metadata__'; "
                        + "a safetensors header names each tensor, field and metadata entry once (the file is corrupt)");
    }

    @Test
    void aMalformedHeaderIsABadInputErrorInOneLine() throws IOException {
        Path broken = file("broken.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}", 4);
        for (org.assertj.core.api.ThrowableAssert.ThrowingCallable read : java.util.List.<org.assertj.core.api.ThrowableAssert.ThrowingCallable>of(
                () -> Safetensors.read(broken), () -> Safetensors.readMetadata(broken))) {
            assertThatThrownBy(read).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(broken + ": not a valid safetensors file: the JSON header is malformed at its byte 56: Unexpected "
                            + "end-of-input: expected close marker for Object (start marker at [line: 1, column: 1])")
                    .hasMessageNotContaining("\n");
        }
        // Jackson quotes the bytes it could not read, and the header's names are the file's: control characters in
        // either are escaped (the fuzzer's first safetensors finding: raw bytes 0x01 in a token Jackson quoted).
        Path token = file("token.safetensors", "{\"w\":x\u0001\u0002}", 4);
        assertThatThrownBy(() -> Safetensors.read(token)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(": the JSON header is malformed at its byte 5: Unrecognized token 'x\\x01\\x02':");
        Path name = file("name.safetensors", "{\"w\\n\\u001b[2J\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]}}", 2);
        for (org.assertj.core.api.ThrowableAssert.ThrowingCallable read : java.util.List.<org.assertj.core.api.ThrowableAssert.ThrowingCallable>of(
                () -> Safetensors.read(name), () -> Safetensors.readMetadata(name))) {
            assertThatThrownBy(read).hasMessage(name + ": not a valid safetensors file: tensor 'w\\n\\x1b[2J' has dtype"
                    + " 'F16', which rnnlab does not read (F32 F64 I64 I32 I8 U8 BOOL)");
        }
        Path meta = file("meta.safetensors", "{\"__metadata__\":{\"steps\":12}}", 0);
        assertThatThrownBy(() -> Safetensors.readMetadata(meta)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(meta + ": not a valid safetensors file: __metadata__ entry 'steps' is a JSON number, not a string");
        Path array = file("array.safetensors", "[1, 2]", 0);
        assertThatThrownBy(() -> Safetensors.read(array)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(array + ": not a valid safetensors file: header is not a JSON object");
        // A header checked against the file: readMetadata refuses what read refuses.
        byte[] good = specExample();
        Path cut = Files.write(dir.resolve("cut.safetensors"), java.util.Arrays.copyOf(good, good.length - 4));
        assertThatThrownBy(() -> Safetensors.readMetadata(cut)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(cut + ": not a valid safetensors file: tensor 'n' has byte range [8, 16) outside the 12 data "
                        + "bytes (truncated file?)");
    }

    @Test
    void aFileTooLargeToReadIsRefusedBeforeAnyOfItIsRead(@TempDir Path dir) throws Exception {
        Path big = dir.resolve("big.safetensors");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(3L << 30); // sparse: 3 GB that take no disk
        }
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> Safetensors.read(big)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(big + ": the file is 3.00 GB; rnnlab reads safetensors model files up to 2 GB (a character "
                        + "model of 500 million parameters)");
        assertThat(System.nanoTime() - t0).as("refused unread").isLessThan(1_000_000_000L);
        assertThatThrownBy(() -> Safetensors.checkSize(big, 1L << 30, 1L << 30))
                .hasMessage(big + ": the file is 1.00 GB and reading it takes about twice that, more than the 1.00 GB "
                        + "this JVM may use for it: give Java more memory (RNNLAB_JAVA_OPTS=-Xmx5g)");
    }
}
