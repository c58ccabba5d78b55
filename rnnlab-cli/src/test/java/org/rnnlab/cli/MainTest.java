package org.rnnlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import org.junit.jupiter.api.Test;

class MainTest {
    @Test
    void anIoFailureThatNamesOnlyThePathGetsItsProblemToo() {
        // What the JDK throws for an unreadable corpus (a root user never sees it, so the mapping is tested here).
        assertThat(Main.describe(new AccessDeniedException("data/x.txt")))
                .isEqualTo("data/x.txt: permission denied (check its permissions)");
        assertThat(Main.describe(new NoSuchFileException("gone.txt"))).isEqualTo("gone.txt: no such file or folder");
        assertThat(Main.describe(new NotDirectoryException("a/b"))).isEqualTo("a/b: not a folder");
        assertThat(Main.describe(new FileSystemException("a", "b", null)))
                .isEqualTo("a -> b: cannot be used (FileSystemException)");
        // A reason the JDK gives, or another I/O failure, is left as it is.
        assertThat(Main.describe(new FileSystemException("d", null, "Is a directory"))).isEqualTo("d: Is a directory");
        assertThat(Main.describe(new IOException("disk on fire"))).isEqualTo("disk on fire");
    }
}
