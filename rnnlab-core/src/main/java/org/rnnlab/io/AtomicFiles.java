package org.rnnlab.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;

/**
 * Writes a file so that readers only ever see the old content or the complete new one: the bytes go to a
 * temporary file beside the target, which is then renamed over it. A failure midway leaves the target untouched.
 */
public final class AtomicFiles {
    private static final SecureRandom RANDOM = new SecureRandom();

    private AtomicFiles() {}

    /** Something that writes the content of a file. */
    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    /**
     * A temporary file with the permissions of any new file ({@code rw-rw-rw-} less the umask, as {@code open(2)}
     * and Python give), not {@link Files#createTempFile}'s owner-only ones: a model written here is as readable as
     * one written by {@code torch.save}.
     */
    private static Path createTemp(Path dir, Path target) throws IOException {
        String prefix = tempPrefix(target.getFileName().toString());
        if (!dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return Files.createTempFile(dir, prefix, ".tmp");
        }
        for (int attempt = 0; ; attempt++) {
            Path tmp = dir.resolve(prefix + Long.toUnsignedString(RANDOM.nextLong(), 36) + ".tmp");
            try {
                return Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-rw-rw-")));
            } catch (FileAlreadyExistsException e) {
                if (attempt == 100) throw e;
            }
        }
    }

    private static String tempPrefix(String name) {
        return "." + name + ".";
    }

    /** What {@link #removeStale} removed. */
    public record Removed(int files, long bytes) {}

    /**
     * Removes the temporary files that writes of {@code dir/name} left behind when their process was killed before
     * the rename. Only for a caller that knows no other process is writing that file now (it holds the folder's lock).
     */
    public static Removed removeStale(Path dir, String name) throws IOException {
        String prefix = tempPrefix(name);
        int files = 0;
        long bytes = 0;
        try (java.nio.file.DirectoryStream<Path> stale = Files.newDirectoryStream(dir,
                p -> p.getFileName().toString().startsWith(prefix) && p.getFileName().toString().endsWith(".tmp"))) {
            for (Path p : stale) {
                long size = Files.size(p);
                if (Files.deleteIfExists(p)) {
                    files++;
                    bytes += size;
                }
            }
        }
        return new Removed(files, bytes);
    }

    public static void write(Path target, Writer writer) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        Files.createDirectories(dir);
        Path tmp = createTemp(dir, absolute);
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp))) {
                writer.write(out);
            }
            if (Files.exists(absolute) && tmp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(absolute)); // a rewrite keeps them
            }
            try {
                Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
