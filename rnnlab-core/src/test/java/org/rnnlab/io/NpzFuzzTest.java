package org.rnnlab.io;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.rnnlab.testing.Fuzzing;

/**
 * Fuzzes numpy's formats: a whole {@code .npz} ({@link Npz#read(Path)}) and one {@code .npy}
 * ({@link Npz#fromNpy}). Allowed outcomes: the arrays, or an IOException whose one line starts with the file's name
 * (and the member's, {@code FILE:NAME.npy: ...}): the reader's documented error, of no other class. What is read,
 * written back by rnnlab's writer, reads back equal. A {@code .npz} may deflate its members about a thousandfold,
 * which bounds what reading it may allocate; a {@code .npy} is copied once.
 */
class NpzFuzzTest {
    private static final Set<Class<? extends Throwable>> DOCUMENTED = Set.of(IOException.class);

    @FuzzTest(maxDuration = "30s")
    void readNpz(byte[] file) {
        Path path = Fuzzing.file("fuzz.npz", file);
        // deflate's largest ratio is 1032:1; the unpacked member, then its array
        Fuzzing.Outcome<Map<String, NpyArray>> read = Fuzzing.run(3 * 1032L * file.length, "reading an .npz",
                () -> Npz.read(path));
        if (read.error() != null) {
            Fuzzing.checkError(read.error(), path + ":", DOCUMENTED); // "FILE: ..." or, for a member, "FILE:NAME.npy: ..."
            return;
        }
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        try {
            Npz.write(again, read.value());
            assertThat(Npz.read(new ByteArrayInputStream(again.toByteArray()), "again")).isEqualTo(read.value());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void fromNpy(byte[] npy) {
        Fuzzing.Outcome<NpyArray> read = Fuzzing.run(4L * npy.length, "reading an .npy", () -> Npz.fromNpy(npy, "fuzz.npy"));
        if (read.error() != null) {
            Fuzzing.checkError(read.error(), "fuzz.npy: ", DOCUMENTED);
            return;
        }
        NpyArray a = read.value();
        long elements = 1;
        for (int d : a.shape()) elements = Math.multiplyExact(elements, (long) d);
        assertThat((long) a.data().length).as("bytes of %s", a).isEqualTo(elements * NpyArray.itemSize(a.dtype()));
        try {
            assertThat(Npz.fromNpy(Npz.toNpy(a), "again")).isEqualTo(a);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
