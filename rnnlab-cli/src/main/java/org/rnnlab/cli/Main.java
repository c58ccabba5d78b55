package org.rnnlab.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code rnnlab} command line: a thin adapter over the library. Every subcommand writes results to
 * {@code out} and diagnostics to {@code err}; bad input ends with one line on {@code err} and exit code 2.
 * Only {@link #main} calls {@link System#exit}.
 */
@Command(
        name = "rnnlab",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Learn, train, compare and serve recurrent character language models (RNN, LSTM, GRU).",
        subcommands = {LabCommand.class, BpttCommand.class, TrainCommand.class, EvalCommand.class, NextCommand.class,
            CompleteCommand.class, ExploreCommand.class, ConvertCommand.class, BenchCommand.class, ServeCommand.class,
            LoadTestCommand.class, SweepCommand.class,
            CommandLine.HelpCommand.class},
        footer = {"", "Examples:", "  rnnlab lab                     the university lab notebook, start to finish",
                "  rnnlab bptt --help              backpropagation through time by hand",
                "  rnnlab train --out runs/lab     train the notebook's LSTM, with checkpoints",
                "  rnnlab eval --model runs/lab/best.safetensors --corpus lab",
                "  rnnlab complete --help          continue a prompt with a trained model",
                "  rnnlab explore --help           what a model's cells do, as one page",
                "  rnnlab serve --help             an HTTP API and a playground page"})
public final class Main implements Runnable {
    /** Exit code for bad input: a wrong option, a bad file, a character outside the vocabulary. */
    public static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        PrintWriter out = utf8(FileDescriptor.out);
        PrintWriter err = utf8(FileDescriptor.err);
        // Java 17 to 25: a console exists only when standard input and output are both a terminal.
        int code = run(args, System.in, System.console() != null, out, err);
        out.flush();
        err.flush();
        System.exit(code);
    }

    private static PrintWriter utf8(FileDescriptor fd) {
        // Always UTF-8, whatever the locale: the lab prints arrows and the corpora are Unicode.
        return new PrintWriter(new java.io.OutputStreamWriter(new FileOutputStream(fd), StandardCharsets.UTF_8), true);
    }

    /** Runs one command line with no standard input (an empty one, not a terminal); for the tests. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return run(args, InputStream.nullInputStream(), false, out, err);
    }

    /**
     * Runs one command line and returns its exit code; used by {@link #main} and by the tests.
     *
     * @param stdin    standard input, for commands that read a prompt from it
     * @param terminal whether a person is at a terminal (standard input and output), for interactive loops
     */
    public static int run(String[] args, InputStream stdin, boolean terminal, PrintWriter out, PrintWriter err) {
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                if (cls == CompleteCommand.class) return cls.cast(new CompleteCommand(stdin, terminal));
                return CommandLine.defaultFactory().create(cls);
            }
        };
        CommandLine cmd = new CommandLine(new Main(), factory);
        cmd.setOut(out);
        cmd.setErr(err);
        cmd.setParameterExceptionHandler((ex, ignored) -> {
            CommandLine where = ex.getCommandLine();
            err.println(where.getCommandName().equals("rnnlab") ? "rnnlab: " + ex.getMessage()
                    : "rnnlab " + where.getCommandName() + ": " + ex.getMessage()
                    + " (see 'rnnlab " + where.getCommandName() + " --help')");
            return EXIT_USAGE;
        });
        cmd.setExecutionExceptionHandler((ex, where, parsed) -> {
            String name = "rnnlab " + where.getCommandName();
            if (ex instanceof IllegalArgumentException) {
                err.println(name + ": " + ex.getMessage());
                return EXIT_USAGE;
            }
            if (ex instanceof IOException || ex instanceof UncheckedIOException) {
                err.println(name + ": " + describe(ex instanceof UncheckedIOException u ? u.getCause() : (IOException) ex));
                return 1;
            }
            err.println(name + ": internal error, please report it with the command line that caused it:");
            ex.printStackTrace(err);
            return 1;
        });
        return cmd.execute(args);
    }

    /**
     * An I/O failure as one line that names the file and the problem: the JDK's file-system exceptions often say
     * only the path ({@code AccessDeniedException: data.txt}).
     */
    static String describe(IOException e) {
        if (!(e instanceof java.nio.file.FileSystemException f) || f.getReason() != null) return e.getMessage();
        String what = e instanceof java.nio.file.AccessDeniedException ? "permission denied (check its permissions)"
                : e instanceof java.nio.file.NoSuchFileException ? "no such file or folder"
                : e instanceof java.nio.file.FileAlreadyExistsException ? "already exists"
                : e instanceof java.nio.file.NotDirectoryException ? "not a folder"
                : e instanceof java.nio.file.DirectoryNotEmptyException ? "the folder is not empty"
                : e instanceof java.nio.file.NotLinkException ? "not a symbolic link"
                : "cannot be used (" + e.getClass().getSimpleName() + ")";
        String file = f.getFile() != null ? f.getFile() : "a file";
        return f.getOtherFile() != null ? file + " -> " + f.getOtherFile() + ": " + what : file + ": " + what;
    }

    /** The version from the jar's manifest, or "development" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"rnnlab " + (v == null ? "development" : v)
                    + " (Java " + Runtime.version() + ", " + System.getProperty("java.vm.name") + ")"};
        }
    }
}
