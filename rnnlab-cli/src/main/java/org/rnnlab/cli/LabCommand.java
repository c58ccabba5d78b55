package org.rnnlab.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.rnnlab.io.AtomicFiles;
import org.rnnlab.lab.BpttToy;
import org.rnnlab.lab.Lab;
import org.rnnlab.lab.RnnVsLstm;
import org.rnnlab.model.CellType;
import org.rnnlab.text.Corpus;
import org.rnnlab.text.WikiText2;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code rnnlab lab}: the university lab notebook, start to finish, on its embedded data. */
@Command(
        name = "lab",
        mixinStandardHelpOptions = true,
        description = {"The lab notebook, start to finish, on its embedded data, with an HTML report.", "",
            "Exercise 1: backpropagation through time by hand (numpy-exact, see 'rnnlab bptt').",
            "Exercise 2: RNN vs LSTM character models trained side by side (Embedding 64 -> 128 -> Linear, Adam 0.005,",
            "windows of 40, batch 1, 5 epochs), accuracy and perplexity on training and held-out windows, and the",
            "notebook's four prompts completed by temperature sampling."},
        footer = {"", "Examples:",
            "  rnnlab lab",
            "  rnnlab lab --lang es",
            "  rnnlab lab --cells rnn,lstm,gru --epochs 10 --report out/lab.html",
            "  rnnlab lab --wikitext 25000          the notebook's optional WikiText-2 mix (downloads once)"})
final class LabCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--lang", defaultValue = "en", paramLabel = "en|es", description = "English, or the notebook's own Spanish lines and the whole report in Spanish (default: ${DEFAULT-VALUE}).")
    String lang;

    @Option(names = "--cells", split = ",", defaultValue = "rnn,lstm", paramLabel = "CELL[,CELL...]",
            description = "The contenders: rnn, rnn_relu, lstm, gru (default: ${DEFAULT-VALUE}).")
    List<String> cells;

    @Option(names = "--epochs", defaultValue = "5", description = "Training epochs of exercise 2 (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of exercise 2's initialisation, shuffling and sampling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--corpus", paramLabel = "FILE", description = "Train exercise 2 on this text (file or folder) instead of the notebook's lines.")
    Path corpus;

    @Option(names = "--wikitext", paramLabel = "N", description = "Add the first N characters of WikiText-2 (lowercased), as the notebook's commented-out option.")
    Integer wikitext;

    @Option(names = "--wikitext-from", paramLabel = "PATH", description = "A local copy of wikitext-2-raw-v1 (zip, folder or wiki.train.raw) instead of downloading.")
    Path wikitextFrom;

    @Option(names = "--report", defaultValue = "rnnlab-lab-report.html", paramLabel = "FILE", description = "Where to write the HTML report (default: ${DEFAULT-VALUE}).")
    Path report;

    @Option(names = "--no-report", description = "Do not write the report.")
    boolean noReport;

    @Override
    public Integer call() throws IOException, InterruptedException {
        RnnVsLstm.Lang language = switch (lang.toLowerCase(Locale.ROOT)) {
            case "en" -> RnnVsLstm.Lang.EN;
            case "es" -> RnnVsLstm.Lang.ES;
            default -> throw new IllegalArgumentException("--lang must be en or es, got '" + lang + "'");
        };
        List<CellType> contenders = new ArrayList<>();
        for (String c : cells) contenders.add(CellType.parse(c));
        if (wikitext != null && wikitext < 0) throw new IllegalArgumentException("--wikitext must be >= 0, got " + wikitext);
        if (corpus != null && wikitext != null) throw new IllegalArgumentException("give --corpus or --wikitext, not both");
        Corpus text = corpus != null ? Corpus.fromPath(corpus)
                : wikitext != null ? Corpus.mix(WikiText2.fromEnvironment().load(wikitextFrom), wikitext) : Corpus.lab();
        PrintWriter out = spec.commandLine().getOut();
        Lab.Result result = Lab.run(new Lab.Options(contenders, epochs, seed, text, language), line -> {
            out.println(line);
            out.flush();
        });
        if (!noReport) {
            AtomicFiles.write(report, o -> o.write(result.reportHtml().getBytes(StandardCharsets.UTF_8)));
            PrintWriter err = spec.commandLine().getErr();
            err.printf(Locale.ROOT, "rnnlab lab: report written to %s (%.1f s in all)%n", report.toAbsolutePath(), result.seconds());
            err.flush();
        }
        return 0;
    }
}
