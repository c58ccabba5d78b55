package org.rnnlab.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void aNewFileGetsTheUsualPermissionsAndARewrittenOneKeepsItsOwn() throws IOException {
        assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"), "a POSIX file system");
        Path plain = Files.writeString(dir.resolve("plain.txt"), "x"); // what any new file gets (umask applied)
        Path atomic = dir.resolve("model.safetensors");
        AtomicFiles.write(atomic, out -> out.write('x'));
        assertThat(Files.getPosixFilePermissions(atomic)).isEqualTo(Files.getPosixFilePermissions(plain));

        Files.setPosixFilePermissions(atomic, PosixFilePermissions.fromString("rw-------"));
        AtomicFiles.write(atomic, out -> out.write('y'));
        assertThat(Files.readString(atomic)).isEqualTo("y");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(atomic))).isEqualTo("rw-------");
        try (var list = Files.list(dir)) {
            assertThat(list).containsExactlyInAnyOrder(plain, atomic);
        }
    }
}
