package org.rnnlab.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * What the fuzz harnesses ({@code *FuzzTest}) check of every outcome. A reader of outside bytes may return a value
 * or throw its documented error: exactly the documented class, with a message that is one line (no control
 * character at all: a name read from a hostile file must not end the line, or send escape sequences to the
 * terminal), not empty, and starting with what the reader names in its errors (the file). Anything else (an NPE,
 * an index out of bounds, an OutOfMemoryError, an error of another class) is rethrown unchanged, so that Jazzer
 * reports it, with its stack, as the finding. Allocation is measured per input on the calling thread, so a reader
 * that allocates far more than its input warrants fails even when the heap could hold it.
 */
public final class Fuzzing {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /**
     * What any input may allocate besides its own bound: a little for the harness's bookkeeping and for what the JVM
     * allocates on the reader's thread at any moment (a method's first call resolving constants, strings interned).
     */
    public static final long FIXED_ALLOWANCE = 4L << 20;

    private static Path scratch;

    private Fuzzing() {}

    /** A reader's outcome: its value, or what it threw. */
    public record Outcome<T>(T value, Throwable error) {}

    /** A reader's call, which may throw anything. */
    @FunctionalInterface
    public interface Call<T> {
        T call() throws Exception;
    }

    /**
     * Runs {@code call} and fails if it allocated more than {@code allowed} bytes (plus {@link #FIXED_ALLOWANCE}) on
     * this thread. A call over the bound runs a second time and only that one counts: the first call of a code path
     * loads its classes, and in fuzzing mode Jazzer instruments each one as it loads, on the loading thread, which
     * can take tens of megabytes once. Readers are deterministic, so the second run is the same work.
     */
    public static <T> Outcome<T> run(long allowed, String what, Call<T> call) {
        Outcome<T> first = measured(call);
        if (lastAllocation <= FIXED_ALLOWANCE + allowed) return first;
        Outcome<T> again = measured(call);
        if (lastAllocation > FIXED_ALLOWANCE + allowed) {
            throw new AssertionError(what + " allocated " + lastAllocation + " bytes, over its bound of "
                    + (FIXED_ALLOWANCE + allowed), again.error());
        }
        return again;
    }

    private static long lastAllocation;

    private static <T> Outcome<T> measured(Call<T> call) {
        long start = THREADS.getCurrentThreadAllocatedBytes();
        Outcome<T> out;
        try {
            out = new Outcome<>(call.call(), null);
        } catch (Throwable e) { // every outcome is judged by the caller, OutOfMemoryError included
            out = new Outcome<>(null, e);
        }
        lastAllocation = THREADS.getCurrentThreadAllocatedBytes() - start;
        return out;
    }

    /**
     * Checks a reader's error: its class is one of {@code documented} (exactly: a NumberFormatException is not the
     * IllegalArgumentException a reader promises), its message one line starting with {@code prefix}. Returns the
     * message; rethrows {@code e} itself when it is not a documented error.
     */
    public static String checkError(Throwable e, String prefix, Set<Class<? extends Throwable>> documented) {
        if (!documented.contains(e.getClass())) throw rethrow(e);
        String m = e.getMessage();
        if (m == null || m.isBlank()) throw new AssertionError("a " + e.getClass().getName() + " without a message", e);
        for (int i = 0; i < m.length(); i++) {
            char c = m.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                throw new AssertionError(String.format("the message holds the control character U+%04X at %d, so it is"
                        + " not one plain line: %s", (int) c, i, m.replaceAll("\\p{Cntrl}", "?")), e);
            }
        }
        if (!m.startsWith(prefix)) throw new AssertionError("the message does not start with '" + prefix + "': " + m, e);
        return m;
    }

    /** Rethrows what a reader threw, as it is: the finding Jazzer reports must be the reader's own exception. */
    public static RuntimeException rethrow(Throwable e) {
        if (e instanceof RuntimeException r) throw r;
        if (e instanceof Error err) throw err;
        throw new AssertionError("undocumented checked exception", e);
    }

    /**
     * Writes an input to a file named {@code name} in this JVM's scratch folder (made once, removed at exit), for
     * the readers that take a path; each input overwrites the last.
     */
    public static synchronized Path file(String name, byte[] bytes) {
        try {
            if (scratch == null) {
                scratch = Files.createTempDirectory("rnnlab-fuzz");
                Path dir = scratch;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try (var files = Files.list(dir)) {
                        for (Path f : (Iterable<Path>) files::iterator) Files.deleteIfExists(f);
                        Files.deleteIfExists(dir);
                    } catch (IOException e) {
                        // a scratch file left in the temporary folder is harmless
                    }
                }));
            }
            return Files.write(scratch.resolve(name), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
