package org.rnnlab.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.rnnlab.generate.Completer;
import org.rnnlab.generate.CompletionOptions;
import org.rnnlab.generate.Prompt;
import org.rnnlab.generate.SamplingOptions;
import org.rnnlab.generate.UnknownPolicy;
import org.rnnlab.model.ModelFiles;
import org.rnnlab.text.Corpus;
import org.rnnlab.text.Vocabulary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * {@code rnnlab complete}: the notebook's complete_prompt, done properly (see {@link Completer}). Only parsing,
 * checking and printing here: standard output gets the prompt and its completion, streamed as generated; every
 * diagnostic goes to standard error.
 */
@Command(
        name = "complete",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {"Continue a prompt with a character model, streaming the text as it is generated.", "",
            "The recurrent state is carried from character to character (n characters cost n model steps); "
                    + "--window N instead recomputes the last N characters from a zero state for every character, "
                    + "as the lab notebook does.",
            "The prompt comes from --prompt, --prompt-file or standard input; with none of them on a terminal, "
                    + "each line typed is a prompt (Ctrl-D ends).",
            "Standard output holds only the prompt and its completion (then a newline, unless the completion ends "
                    + "with one); warnings, the seed and scores go to standard error."},
        footer = {"", "Examples (m.pt: a PyTorch state_dict trained on the notebook's lines):",
            "  rnnlab complete --model m.pt --vocab-from lab --prompt 'the cat' --seed 1",
            "  rnnlab complete --model m.pt --vocab-from lab --prompt if --beam 4 --stop '\\n'",
            "  rnnlab complete --model m.pt --vocab-from lab --prompt 'The cat' --lowercase \\",
            "      --window 40 --length 39 --unknown skip",
            "  echo 'while (' | rnnlab complete --model m.pt --vocab-from lab --samples 3"})
final class CompleteCommand implements Callable<Integer> {
    private final InputStream stdin;
    private final boolean terminal;

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--prompt", paramLabel = "TEXT", description = "The text to continue, as given.")
    String prompt;

    @Option(names = "--prompt-file", paramLabel = "FILE",
            description = "Read the prompt from a UTF-8 file (one final newline is dropped, as from standard input).")
    Path promptFile;

    @Option(names = "--length", paramLabel = "N", defaultValue = "100",
            description = "Characters to generate, at most (default: ${DEFAULT-VALUE}).")
    int length;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "0.8",
            description = "Divide the logits by T before sampling; lower is more conservative (default: ${DEFAULT-VALUE}, as the notebook).")
    double temperature;

    @Option(names = "--greedy", description = "Always take the most likely character (no sampling).")
    boolean greedy;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "0",
            description = "Sample only among the K most likely characters (default: 0, all of them).")
    int topK;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "1",
            description = "Sample only among the most likely characters whose probability reaches P (default: 1, all).")
    double topP;

    @Option(names = "--beam", paramLabel = "K",
            description = "Beam search of width K for the likeliest completion, compared by mean log-probability per "
                    + "character (1 is greedy). Streams as far as the beams agree.")
    Integer beam;

    @Option(names = "--stop", paramLabel = "STRING",
            description = "End a completion once it ends with STRING (kept in the output); \\n, \\t and \\\\ are "
                    + "escapes.")
    String stop;

    @Option(names = "--samples", paramLabel = "N", defaultValue = "1",
            description = "Generate N completions as one batch; the first streams, the others follow, a blank line "
                    + "between them (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--seed", paramLabel = "S",
            description = "Random seed: the same seed gives the same text, always (default: a fresh one, printed on "
                    + "standard error).")
    Long seed;

    @Option(names = "--window", paramLabel = "N",
            description = "The notebook's way: before each character, run the last N characters from a zero state "
                    + "(the notebook's N is 40).")
    Integer window;

    @Option(names = "--unknown", paramLabel = "error|skip|replace=C", defaultValue = "error",
            description = "Prompt characters outside the vocabulary: an error listing them (default), skip them as "
                    + "the notebook does (with a warning), or replace each by the character C.")
    String unknown;

    @Option(names = "--lowercase", description = "Lowercase the prompt first, as the notebook does (prompt.lower()).")
    boolean lowercase;

    CompleteCommand(InputStream stdin, boolean terminal) {
        this.stdin = stdin;
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws IOException {
        checkOptions();
        UnknownPolicy policy = UnknownPolicy.parse(unknown);
        String stopString = stop == null ? "" : unescape(stop);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        boolean random = beam == null && !greedy;
        long s = seed != null ? seed : random ? new SecureRandom().nextInt() & 0x7fffffffL : 0;

        ModelFiles.Loaded loaded = modelOptions.load(spec.commandLine().getErr(), "complete");
        Completer completer = new Completer(loaded.model(), loaded.vocabulary());
        policy.requireUsableWith(loaded.vocabulary());
        if (!stopString.isEmpty()) {
            try {
                completer.stopTokens(stopString);
            } catch (org.rnnlab.InputException e) { // field "stop": the option it came from
                throw new IllegalArgumentException("--stop: " + e.getMessage(), e);
            }
        }
        SamplingOptions sampling = greedy || beam != null ? SamplingOptions.GREEDY
                : new SamplingOptions(temperature, topK, topP, false);
        CompletionOptions options = new CompletionOptions(length, sampling, beam == null ? 0 : beam, samples,
                window == null ? 0 : window, stopString, s);

        if (prompt == null && promptFile == null && terminal) {
            return interactive(completer, options, policy, random && seed == null, out, err);
        }
        String text = prompt != null ? prompt : promptFile != null ? readPromptFile() : readStdin();
        try {
            complete(completer, text, options, policy, random && seed == null, out, err);
        } catch (OutputClosed e) {
            // the reader went away (| head): nobody is left to read the rest
        }
        return 0;
    }

    /** Standard output failed, typically a closed pipe: generation stops instead of running to --length unread. */
    private static final class OutputClosed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        OutputClosed() {
            super("standard output was closed", null, false, false);
        }
    }

    /** One line, one prompt, until end of input; a bad prompt is reported and the loop goes on. */
    private int interactive(Completer completer, CompletionOptions options, UnknownPolicy policy, boolean showSeed,
                            PrintWriter out, PrintWriter err) throws IOException {
        err.println(name() + ": type a prompt and press Enter; Ctrl-D ends."
                + (showSeed ? " Seed " + options.seed() + " (--seed " + options.seed() + " repeats each text)." : ""));
        BufferedReader lines = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8));
        while (true) {
            err.print("> ");
            err.flush();
            String line = lines.readLine();
            if (line == null) {
                err.println();
                return 0;
            }
            if (line.isEmpty()) continue;
            try {
                complete(completer, line, options, policy, false, out, err);
            } catch (IllegalArgumentException e) {
                err.println(name() + ": " + e.getMessage());
            } catch (OutputClosed e) {
                return 0;
            }
        }
    }

    private void complete(Completer completer, String text, CompletionOptions options, UnknownPolicy policy,
                          boolean announceSeed, PrintWriter out, PrintWriter err) {
        if (lowercase) text = text.toLowerCase(Locale.ROOT);
        Prompt p = encode(text, completer.vocabulary(), policy);
        warnAboutUnknown(p, err);
        if (announceSeed) {
            err.println(name() + ": seed " + options.seed() + " (--seed " + options.seed() + " repeats this text)");
        }
        out.print(text);
        checkOutput(out);
        List<Completer.Result> completions = completer.complete(p, options, cp -> {
            out.print(Character.toChars(cp));
            checkOutput(out);
        });
        endLine(out, completions.get(0).text());
        for (int b = 1; b < completions.size(); b++) {
            out.println();
            out.print(text);
            out.print(completions.get(b).text());
            endLine(out, completions.get(b).text());
        }
        Completer.Result first = completions.get(0);
        if (options.beam() > 0) {
            int n = first.text().codePointCount(0, first.text().length());
            err.printf(Locale.ROOT, "%s: beam %d: mean log-probability %.4f per character over %d characters%s%n",
                    name(), options.beam(), first.score(), n, first.stopped() ? ", ended by --stop" : "");
        }
    }

    private static void endLine(PrintWriter out, String completion) {
        if (!completion.endsWith("\n")) out.println();
        checkOutput(out);
    }

    /** Flushes, so the text streams, and stops everything once the output has failed. */
    private static void checkOutput(PrintWriter out) {
        if (out.checkError()) throw new OutputClosed();
    }

    private Prompt encode(String text, Vocabulary vocab, UnknownPolicy policy) {
        try {
            return Prompt.encode(text, vocab, policy);
        } catch (Vocabulary.UnknownCharactersException e) {
            boolean lower = !lowercase && e.unknown().stream().allMatch(cp -> vocab.contains(Character.toLowerCase(cp)));
            throw new IllegalArgumentException("the prompt has " + e.getMessage()
                    + (lower ? "; the model knows them in lower case: --lowercase lowercases the prompt, as the notebook does"
                       : "; --unknown skip drops them (as the notebook does), --unknown replace=C replaces them"));
        }
    }

    private void warnAboutUnknown(Prompt p, PrintWriter err) {
        if (p.unknown().isEmpty()) return;
        StringBuilder chars = new StringBuilder();
        for (int cp : p.unknown()) chars.append(chars.length() == 0 ? "" : ", ").append(Vocabulary.describe(cp));
        String which = (p.unknown().size() == 1 ? "character " : "characters ") + chars;
        if (p.policy().action() == UnknownPolicy.Action.SKIP) {
            err.println(name() + ": warning: skipped " + which + ", not in the vocabulary; the model does not see "
                    + (p.unknown().size() == 1 ? "it" : "them") + " (--unknown skip, the notebook's behaviour)");
        } else {
            err.println(name() + ": warning: replaced " + which + ", not in the vocabulary, by "
                    + Vocabulary.describe(p.policy().replacement()));
        }
    }

    /** Every bad value and every combination that makes no sense, before the model is even read. */
    private void checkOptions() {
        ParseResult parsed = spec.commandLine().getParseResult();
        if (prompt != null && promptFile != null) {
            throw new IllegalArgumentException("give the prompt either with --prompt or with --prompt-file, not both");
        }
        if (length < 1) throw new IllegalArgumentException("--length must be at least 1 character, got " + length);
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("--temperature must be a number > 0, got " + temperature
                    + " (for the most likely character every time, use --greedy)");
        }
        if (temperature < SamplingOptions.MIN_TEMPERATURE) {
            throw new IllegalArgumentException("--temperature must be at least 1e-6, got " + temperature
                    + " (dividing by less overflows; for the most likely character every time, use --greedy)");
        }
        if (topK < 0) throw new IllegalArgumentException("--top-k must be >= 0 (0 keeps every character), got " + topK);
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("--top-p must be in (0, 1] (1 keeps every character), got " + topP);
        }
        if (samples < 1) throw new IllegalArgumentException("--samples must be at least 1, got " + samples);
        if (window != null && window < 1) {
            throw new IllegalArgumentException("--window must be at least 1 character, got " + window
                    + " (leave it out to carry the state)");
        }
        if (window != null && window > CompletionOptions.MAX_WINDOW) {
            throw new IllegalArgumentException("--window must be at most " + CompletionOptions.MAX_WINDOW
                    + " characters (it re-reads that many for every new one; the notebook's is 40), got " + window);
        }
        if (beam != null && beam < 1) {
            throw new IllegalArgumentException("--beam must be at least 1, got " + beam + " (1 is greedy decoding)");
        }
        if (stop != null && stop.isEmpty()) {
            throw new IllegalArgumentException("--stop must not be empty (leave it out to run to --length)");
        }
        if (beam != null || greedy) {
            String what = beam != null ? "--beam" : "--greedy";
            String why = beam != null ? "beam search looks for the likeliest text and draws no random numbers"
                    : "greedy decoding takes the likeliest character and draws no random numbers";
            for (String o : new String[] {"--temperature", "--top-k", "--top-p", "--seed"}) {
                if (parsed.hasMatchedOption(o)) {
                    throw new IllegalArgumentException(what + " does not combine with " + o + ": " + why
                            + " (leave out " + o + ")");
                }
            }
            if (samples > 1) {
                throw new IllegalArgumentException(what + " does not combine with --samples: " + why
                        + ", so every sample would be the same text");
            }
        }
        if (beam != null && greedy) {
            throw new IllegalArgumentException("give --beam K or --greedy, not both (--beam 1 is greedy decoding)");
        }
        if (beam != null && window != null) {
            throw new IllegalArgumentException("--beam does not combine with --window: beam search carries the state;"
                    + " --window exists to reproduce the notebook's sampling");
        }
        checkMemory(Runtime.getRuntime().maxMemory());
    }

    /**
     * Bytes held per character of --length until the texts are printed: each sample's ids (4), their final copy (4)
     * and the decoded text (up to 4); beam search keeps a token and a parent per beam and step besides one text.
     */
    private long bytesPerCharacter() {
        return beam != null ? 8L * beam + 12 : 12L * samples;
    }

    /** Refuses, before any work, a request whose texts could not fit in the memory this JVM may use. */
    void checkMemory(long maxMemory) {
        long need = bytesPerCharacter() * length;
        if (need <= maxMemory / 4 * 3) return;
        String what = beam != null ? "--beam " + beam + " and --length " + length
                : samples > 1 ? "--samples " + samples + " x --length " + length : "--length " + length;
        throw new IllegalArgumentException(String.format(Locale.ROOT, "%s needs about %s of memory to hold the text"
                + " until it is printed, more than this JVM may use (%s): ask for fewer characters, or give Java more"
                + " memory (RNNLAB_JAVA_OPTS=-Xmx%dg)", what, gigabytes(need), gigabytes(maxMemory),
                (long) Math.ceil(need / 0.75 / (1L << 30)) + 1));
    }

    private static String gigabytes(long bytes) {
        return bytes >= 1L << 30 ? String.format(Locale.ROOT, "%.1f GB", bytes / (double) (1L << 30))
                : String.format(Locale.ROOT, "%d MB", bytes >> 20);
    }

    private String readPromptFile() throws IOException {
        if (!Files.exists(promptFile)) {
            throw new NoSuchFileException(promptFile.toString(), null, "no such --prompt-file");
        }
        return dropFinalNewline(Corpus.decodeText(Files.readAllBytes(promptFile), promptFile.toString()));
    }

    private String readStdin() throws IOException {
        return dropFinalNewline(Corpus.decodeText(stdin.readAllBytes(), "standard input"));
    }

    /** A file or a pipe ends its one line with a newline that is not part of the prompt ({@code echo 'the cat' |}). */
    static String dropFinalNewline(String text) {
        return text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    }

    /** {@code \n}, {@code \t} and {@code \\}; any other backslash is an error rather than a guess. */
    static String unescape(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            char e = i + 1 < s.length() ? s.charAt(++i) : ' ';
            switch (e) {
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case '\\' -> sb.append('\\');
                default -> throw new IllegalArgumentException("--stop: unknown escape '\\" + (e == ' ' ? "" : e)
                        + "' in \"" + s + "\"; the escapes are \\n, \\t and \\\\ (for a backslash)");
            }
        }
        return sb.toString();
    }

    private String name() {
        return "rnnlab " + spec.name();
    }
}
