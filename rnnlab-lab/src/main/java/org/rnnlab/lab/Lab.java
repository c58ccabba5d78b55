package org.rnnlab.lab;

import java.util.List;
import java.util.function.Consumer;
import org.rnnlab.model.CellType;
import org.rnnlab.text.Corpus;
import org.rnnlab.text.LabCorpus;

/** The whole notebook: exercise 1 (the numpy-exact BPTT toy), then exercise 2 (RNN vs LSTM), then the report. */
public final class Lab {
    private Lab() {}

    /** What a user may change; everything else is the notebook's. */
    public record Options(List<CellType> cells, int epochs, long seed, Corpus corpus, RnnVsLstm.Lang lang) {
        public Options {
            RnnVsLstm.checkEpochs(epochs); // before exercise 1 runs, not after
        }
    }

    public record Result(double[] bpttLosses, RnnVsLstm.Result exercise2, String reportHtml, double seconds) {}

    public static Result run(Options o, Consumer<String> out) throws InterruptedException {
        long start = System.nanoTime();
        BpttToy toy = new BpttToy(BpttToy.Config.NOTEBOOK);
        double[] losses = toy.train(out);
        for (String prompt : List.of("abc", "bcd", "cde")) out.accept(prompt + " → " + toy.predictNext(prompt));
        out.accept("");

        boolean notebookText = o.corpus().text().equals(LabCorpus.TEXT);
        RnnVsLstm.Config config = new RnnVsLstm.Config(o.cells(), o.epochs(), o.seed(),
                notebookText ? (o.lang() == RnnVsLstm.Lang.ES ? "el corpus del laboratorio" : "the lab corpus")
                        : o.corpus().name(), o.corpus().text(),
                notebookText ? HeldOut.TEXT : "", 40, 64, 128, 0.005,
                // The notebook calls complete_prompt(..., vocab_size): its completions are V characters long.
                org.rnnlab.text.Vocabulary.fromText(o.corpus().text()).size(), 0.8, LabCorpus.PROMPTS, o.lang());
        RnnVsLstm.Result r = new RnnVsLstm(config).run(out);
        String html = LabReport.render(losses, r);
        return new Result(losses, r, html, (System.nanoTime() - start) / 1e9);
    }
}
