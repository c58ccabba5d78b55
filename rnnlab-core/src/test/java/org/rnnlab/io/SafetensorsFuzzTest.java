package org.rnnlab.io;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.rnnlab.testing.Fuzzing;

/**
 * Fuzzes the safetensors reader, whole-file ({@link Safetensors#read}) and header-only
 * ({@link Safetensors#readMetadata}), on the same bytes. Allowed outcomes: the contents, or an
 * IllegalArgumentException whose one line starts with the file's name. Differential: the two agree (both read the
 * file or both refuse it, with the same metadata), and what {@code read} returns, written back by rnnlab's writer,
 * reads back equal. Reading allocates the file, a copy of its tensors and Jackson's tree of the header: a bounded
 * multiple of the file's size.
 */
class SafetensorsFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void readAndReadMetadata(byte[] file) {
        Path path = Fuzzing.file("fuzz.safetensors", file);
        long allowed = 64L * file.length;
        Fuzzing.Outcome<Safetensors.Contents> read = Fuzzing.run(allowed, "read", () -> Safetensors.read(path));
        Fuzzing.Outcome<Map<String, String>> meta = Fuzzing.run(allowed, "readMetadata", () -> Safetensors.readMetadata(path));
        Set<Class<? extends Throwable>> documented = Set.of(IllegalArgumentException.class);
        if (read.error() != null) Fuzzing.checkError(read.error(), path + ": not a valid safetensors file: ", documented);
        if (meta.error() != null) Fuzzing.checkError(meta.error(), path + ": not a valid safetensors file: ", documented);
        assertThat(meta.error() == null).as("readMetadata reads what read reads: %s / %s", read.error(), meta.error())
                .isEqualTo(read.error() == null);
        if (read.error() != null) return;

        Safetensors.Contents c = read.value();
        assertThat(meta.value()).isEqualTo(c.metadata());
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        try {
            Safetensors.write(again, c.tensors(), c.metadata());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Safetensors.Contents back = Safetensors.parse(again.toByteArray());
        assertThat(back.tensors()).isEqualTo(c.tensors());
        assertThat(back.metadata()).isEqualTo(c.metadata());
    }
}
