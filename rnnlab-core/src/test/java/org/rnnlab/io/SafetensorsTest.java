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
        assertThatThrownBy(() -> Safetensors.read(cut)).isInstanceOf(IOException.class)
                .hasMessageContaining("cut.safetensors: not a valid safetensors file: tensor 'n' has byte range [8, 16)");
        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "hello, world, not a model");
        assertThatThrownBy(() -> Safetensors.read(text)).hasMessageContaining("notes.txt: not a valid safetensors file: header length");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThatThrownBy(() -> Safetensors.write(out, Map.of("__metadata__", NpyArray.ofLongs(new long[] {1})), Map.of()))
                .hasMessageContaining("cannot name a tensor");
    }
}
