package org.rnnlab.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.rnnlab.explore.CellFinder;
import org.rnnlab.explore.ExplorePage;
import org.rnnlab.explore.Exploration;
import org.rnnlab.io.AtomicFiles;
import org.rnnlab.model.ModelConfig;
import org.rnnlab.model.ModelFiles;
import org.rnnlab.text.Corpora;
import org.rnnlab.text.Corpus;
import org.rnnlab.text.Vocabulary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code rnnlab explore}: what a model's cells do while it reads a text, as one self-contained HTML page. */
@Command(
        name = "explore",
        mixinStandardHelpOptions = true,
        description = {"What a model's cells do over a text, as one self-contained HTML page.", "",
            "The text coloured by any cell (h, or c for an LSTM, any layer); the five",
            "likeliest next characters on hover; a cell finder (the cells that follow",
            "brackets, quotes, comments, line position, indentation, word starts and",
            "newlines best, by correlation); the cells on across a selected span and where",
            "they fire together; the gates' saturation. Prints the finder's best cell for",
            "each feature. See docs/explore.md."},
        footer = {"", "Examples:",
            "  rnnlab explore --model runs/java --corpus Foo.java",
            "  rnnlab explore --model lstm.pt --vocab-from lab --corpus lab --out lab.html",
            "  rnnlab explore --model runs/book/best.safetensors --corpus chapter1.txt --chars 50000"})
final class ExploreCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--corpus", required = true, paramLabel = "FILE|DIR|lab",
            description = "The text to read: a UTF-8 file, a folder of them, or 'lab' (the notebook's lines).")
    String corpus;

    @Option(names = "--chars", defaultValue = "10000", paramLabel = "N",
            description = "Read the first N characters of the text, 1 to 100,000 (default: ${DEFAULT-VALUE}).")
    int chars;

    @Option(names = "--out", defaultValue = "explore.html", paramLabel = "FILE",
            description = "Where to write the page (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws IOException {
        if (chars < 1 || chars > Exploration.MAX_CHARS) {
            throw new IllegalArgumentException("--chars must be between 1 and " + Exploration.MAX_CHARS + ", got " + chars);
        }
        PrintWriter err = spec.commandLine().getErr();
        ModelFiles.Loaded loaded = modelOptions.load(err, "explore");
        Corpus text = Corpora.load(corpus);
        String head = first(text, chars);
        List<Integer> unknown = loaded.vocabulary().unknown(head);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(text.name() + ": " + new Vocabulary.UnknownCharactersException(unknown,
                    loaded.vocabulary()).getMessage());
        }
        Exploration e = Exploration.of(loaded.model(), loaded.vocabulary(), head);
        ModelConfig c = loaded.model().config();
        int n = e.length();
        String read = n < text.length() ? String.format(Locale.ROOT, "the first %,d characters of %s", n, text.name())
                : String.format(Locale.ROOT, "%s, all %,d characters", text.name(), n);
        String subtitle = String.format(Locale.ROOT, "%s, %d layer%s of %d cells, vocabulary of %d; %s",
                c.cell().id().toUpperCase(Locale.ROOT).replace("RNN_TANH", "RNN (tanh)").replace("RNN_RELU", "RNN (relu)"),
                c.layers(), c.layers() == 1 ? "" : "s", c.hidden(), c.vocab(), read);
        byte[] page = ExplorePage.render(e, loaded.source().toString(), subtitle).getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(out, o -> o.write(page));

        PrintWriter stdout = spec.commandLine().getOut();
        stdout.println(String.format(Locale.ROOT, "%-22s %-10s %s", "feature", "best cell", "r"));
        for (CellFinder.Finding f : e.findings()) {
            CellFinder.Match m = f.best();
            stdout.println(m == null ? String.format(Locale.ROOT, "%-22s (not in the text)", f.feature().name())
                    : String.format(Locale.ROOT, "%-22s %-10s %+.3f", f.feature().name(),
                            e.states().get(m.cell().state()).label(c.layers()) + " " + m.cell().unit(), m.r()));
        }
        err.println(String.format(Locale.ROOT, "rnnlab explore: wrote %s (%,d bytes; %s)", out, page.length, read));
        return 0;
    }

    /** The first {@code n} characters of a corpus, reading no further into its files than that. */
    static String first(Corpus corpus, int n) throws IOException {
        StringBuilder b = new StringBuilder();
        int[] count = {0};
        try {
            corpus.read(cp -> {
                if (count[0] == n) throw Enough.INSTANCE;
                b.appendCodePoint(cp);
                count[0]++;
            });
        } catch (Enough stop) {
            // read as far as needed
        }
        return b.toString();
    }

    /** Ends a reading early: thrown from the consumer, caught right around the read. */
    private static final class Enough extends RuntimeException {
        private static final long serialVersionUID = 1L;
        static final Enough INSTANCE = new Enough();

        private Enough() {
            super(null, null, false, false);
        }
    }
}
