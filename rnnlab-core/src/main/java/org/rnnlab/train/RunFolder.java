package org.rnnlab.train;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.rnnlab.io.AtomicFiles;
import org.rnnlab.io.Safetensors;

/**
 * A training run's folder, held by one run of one process at a time. Claiming it checks, before any training work,
 * that checkpoints can be written there and that it holds no other run's files; then it locks the folder, so that a
 * second process training into it is refused, and removes the temporary files that a killed write left there.
 *
 * <p>A folder belongs to one run. Every checkpoint names its run (a random id in its metadata, {@value #RUN_KEY}), so
 * a new run refuses a folder holding any run file ({@link #RUN_FILES}), and a resumed run writes only into its own
 * run's folder (its checkpoint's folder, or one whose checkpoints carry the same run id, as a copy or a rescue folder
 * does) or an empty one.
 *
 * <p>The lock is an operating-system lock on {@value #LOCK} in the folder, which holds the holder's pid while it is
 * held and nothing after: the system releases the lock when the process ends, however it ends, so a lock file that
 * still names a process is stale and taken over. The file itself stays (as LevelDB's and Lucene's do): deleting it
 * would let a claimant lock a file no longer at the path. Within one JVM a set of held folders keeps a second claim
 * from opening the file at all, since closing any descriptor of a file drops the process's POSIX locks on it.
 *
 * <p>Not thread-safe: one trainer claims and releases its folder.
 */
final class RunFolder implements AutoCloseable {
    /** The lock file's name in the folder. */
    static final String LOCK = ".rnnlab.lock";
    /** The metadata key of a checkpoint's run id. */
    static final String RUN_KEY = "run";
    /** The files a run writes; any of them makes a folder a run's. */
    static final List<String> RUN_FILES = List.of(Checkpoint.LAST, Checkpoint.BEST, Checkpoint.METRICS_CSV);

    private static final SecureRandom RANDOM = new SecureRandom();
    /** The lock files this JVM holds, by real path. */
    private static final java.util.Set<Path> HELD = new java.util.HashSet<>();

    private final Path dir;
    private final Path key; // the lock file's real path, in HELD
    private FileChannel channel;
    private FileLock lock;

    private RunFolder(Path dir, Path key, FileChannel channel, FileLock lock) {
        this.dir = dir;
        this.key = key;
        this.channel = channel;
        this.lock = lock;
    }

    /** A new run's id: random, so that two runs never share one. */
    static String newRunId() {
        return Long.toUnsignedString(RANDOM.nextLong(), 36) + Long.toUnsignedString(RANDOM.nextLong(), 36);
    }

    /**
     * Claims {@code dir} for the run {@code run}, creating the folder if needed.
     *
     * @param resumedFrom the checkpoint a resumed run was read from (null for a new run): its folder is the run's own
     * @param notices     receives what the claim did that the user should know (stale files removed)
     * @throws IllegalArgumentException when the folder cannot hold checkpoints, holds another run, or is in use
     */
    static RunFolder claim(Path dir, String run, Path resumedFrom, Consumer<String> notices) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + " is a file, not a folder: a run needs a folder for its "
                    + "checkpoints (choose another)");
        }
        try {
            Files.createDirectories(dir);
        } catch (FileSystemException e) {
            throw new IllegalArgumentException("cannot create the run folder " + dir + ": " + reason(e)
                    + " (choose a folder you can write)", e);
        }
        RunFolder folder = lock(dir, notices);
        try {
            folder.removeStaleTemporaries(notices);
            folder.checkOwnership(run, resumedFrom);
            return folder;
        } catch (IOException | RuntimeException e) {
            folder.close();
            throw e;
        }
    }

    private static RunFolder lock(Path dir, Consumer<String> notices) throws IOException {
        Path file = dir.resolve(LOCK);
        Path key = dir.toRealPath().resolve(LOCK);
        synchronized (HELD) {
            // Checked before the file is opened: closing any descriptor of a locked file would release the lock.
            if (HELD.contains(key)) {
                throw new IllegalArgumentException(dir + " is in use by another training run in this process: wait "
                        + "for it to end, or choose another folder");
            }
            FileChannel ch;
            try {
                ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            } catch (FileSystemException e) {
                throw new IllegalArgumentException("cannot write in the run folder " + dir + ": " + reason(e)
                        + " (choose a folder you can write)", e);
            }
            FileLock lock = ch.tryLock();
            if (lock == null) {
                String holder = holder(read(ch));
                ch.close();
                throw new IllegalArgumentException(dir + " is in use by another training run" + holder
                        + ": wait for it to end, or choose another folder");
            }
            String stale = read(ch);
            if (!stale.isBlank()) {
                notices.accept("took over " + file + ", left by a run that ended without releasing it" + holder(stale));
            }
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + ", since " + Instant.now() + "\n")
                    .getBytes(StandardCharsets.UTF_8)), 0);
            ch.force(false);
            HELD.add(key);
            return new RunFolder(dir, key, ch, lock);
        }
    }

    private static String read(FileChannel ch) throws IOException {
        long size = Math.min(ch.size(), 4096);
        ByteBuffer b = ByteBuffer.allocate((int) size);
        while (b.hasRemaining() && ch.read(b, b.position()) > 0) { }
        return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
    }

    /** " (pid 12, since ...)" from a lock file's content, or "" when it says nothing readable. */
    private static String holder(String content) {
        String line = content.lines().findFirst().orElse("").strip();
        return line.startsWith("pid ") ? " (" + line + ")" : "";
    }

    /** The operating system's reason for a failed file operation, in words. */
    static String reason(FileSystemException e) {
        if (e instanceof AccessDeniedException) return "permission denied";
        if (e instanceof NoSuchFileException) return "no such file or folder";
        if (e.getReason() != null) return e.getReason().toLowerCase(Locale.ROOT);
        return e.getClass().getSimpleName();
    }

    private void removeStaleTemporaries(Consumer<String> notices) throws IOException {
        int files = 0;
        long bytes = 0;
        for (String name : RUN_FILES) {
            AtomicFiles.Removed r = AtomicFiles.removeStale(dir, name);
            files += r.files();
            bytes += r.bytes();
        }
        if (files > 0) {
            notices.accept(String.format(Locale.ROOT, "removed %d temporary file%s (%.1f MB) that an interrupted "
                    + "write left in %s", files, files == 1 ? "" : "s", bytes / 1e6, dir));
        }
    }

    /** Refuses the folder when it holds files of a run other than {@code run}. */
    private void checkOwnership(String run, Path resumedFrom) {
        List<String> present = new ArrayList<>();
        for (String name : RUN_FILES) {
            if (Files.exists(dir.resolve(name))) present.add(name);
        }
        if (present.isEmpty()) return;
        if (resumedFrom == null) {
            String checkpoint = present.get(0);
            throw new IllegalArgumentException(dir + " already holds a run (" + String.join(", ", present) + "): "
                    + (checkpoint.equals(Checkpoint.METRICS_CSV) ? "remove it" : "continue it with --resume "
                    + dir.resolve(checkpoint)) + ", or choose another --out");
        }
        if (isOwnFolder(resumedFrom)) return;
        boolean sameRunCheckpoint = false;
        for (String name : present) {
            if (name.equals(Checkpoint.METRICS_CSV)) continue;
            Path file = dir.resolve(name);
            String other;
            try {
                other = Safetensors.readMetadata(file).get(RUN_KEY);
            } catch (IOException | IllegalArgumentException e) {
                throw new IllegalArgumentException(dir + " holds " + name + ", which is not a checkpoint of this run ("
                        + e.getMessage() + "): resume into the run's own folder or an empty one (--out)", e);
            }
            if (run == null || !run.equals(other)) {
                throw new IllegalArgumentException(dir + " holds another run (" + String.join(", ", present)
                        + "): resuming " + resumedFrom + " writes into its own run's folder or an empty one; "
                        + "choose another --out");
            }
            sameRunCheckpoint = true;
        }
        if (!sameRunCheckpoint) {
            throw new IllegalArgumentException(dir + " holds another run's " + Checkpoint.METRICS_CSV + ": resuming "
                    + resumedFrom + " writes into its own run's folder or an empty one; choose another --out");
        }
    }

    private boolean isOwnFolder(Path checkpoint) {
        Path parent = checkpoint.toAbsolutePath().getParent();
        try {
            return parent != null && Files.isSameFile(parent, dir);
        } catch (IOException e) {
            return false;
        }
    }

    Path dir() {
        return dir;
    }

    /** Releases the folder: empties the lock file, then unlocks it. Safe to call twice. */
    @Override
    public void close() throws IOException {
        if (channel == null) return;
        try {
            channel.truncate(0);
        } finally {
            try {
                lock.release();
            } finally {
                channel.close();
                channel = null;
                lock = null;
                synchronized (HELD) {
                    HELD.remove(key);
                }
            }
        }
    }
}
