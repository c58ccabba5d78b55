package org.rnnlab.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jline.terminal.TerminalBuilder;

/** What the command line needs to know about the terminal: whether stderr is one, and how wide it is. */
final class Terminal {
    private static final int DEFAULT_WIDTH = 100;

    private Terminal() {}

    /** Whether stderr is a terminal (Linux and macOS: where file descriptor 2 points; elsewhere: a console exists). */
    static boolean stderrIsTerminal() {
        Path fd = Path.of("/proc/self/fd/2");
        if (Files.exists(fd, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            try {
                String target = Files.readSymbolicLink(fd).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
            } catch (IOException | UnsupportedOperationException e) {
                return false;
            }
        }
        return System.console() != null;
    }

    /**
     * The terminal's width in columns (JLine asks the terminal), or 100 when it cannot tell. JLine is told to leave
     * the JVM's signal handlers alone, so Ctrl-C still runs the shutdown hook that saves the checkpoint.
     */
    static int width() {
        try (org.jline.terminal.Terminal t = TerminalBuilder.builder().system(true).nativeSignals(false).dumb(true)
                .build()) {
            int w = t.getWidth();
            return w >= 20 ? w : DEFAULT_WIDTH;
        } catch (IOException | RuntimeException e) {
            return DEFAULT_WIDTH;
        }
    }
}
