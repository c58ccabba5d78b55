package org.rnnlab.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.rnnlab.report.Axis;
import org.rnnlab.report.PromptCompletion;
import org.rnnlab.report.HeatMap;
import org.rnnlab.report.HtmlReport;
import org.rnnlab.report.LineChart;
import org.rnnlab.report.MetricsTable;
import org.rnnlab.report.Series;

/**
 * The lab's HTML report: the BPTT toy's losses, then RNN against LSTM (loss per epoch, the metrics table with
 * training and held-out figures, gradient flow through time on a log scale, each model's hidden states over a
 * prompt, the completions side by side). Self-contained: opens from disk with no network.
 */
final class LabReport {
    /** Windows the gradient flow is averaged over (see {@link RnnVsLstm}). */
    static final int GRADIENT_WINDOWS = RnnVsLstm.GRADIENT_WINDOWS;

    private LabReport() {}

    static String render(double[] bpttLosses, RnnVsLstm.Result r) {
        RnnVsLstm.Config c = r.config();
        List<RnnVsLstm.ModelResult> models = r.models();
        String names = String.join(" vs ", models.stream().map(RnnVsLstm.ModelResult::label).toList());
        HtmlReport html = new HtmlReport(names + " on " + c.corpusName())
                .subtitle(String.format(Locale.ROOT, "The lab notebook in rnnlab: %d characters, vocabulary of %d, "
                        + "Embedding %d → %d hidden → Linear, Adam %s, windows of %d, batch 1, %d epochs, seed %d; "
                        + "run in %.1f s", c.text().codePointCount(0, c.text().length()), r.vocabulary().size(),
                        c.embed(), c.hidden(), c.lr(), c.seq(), c.epochs(), c.seed(), r.seconds()))
                .paragraph("Two parts, as in the notebook. First, backpropagation through time written out by hand on "
                        + "a 4-unit RNN over the alphabet, reproducing numpy's numbers. Second, character models trained "
                        + "side by side on the same shuffled windows, scored by accuracy and perplexity, then asked to "
                        + "complete the notebook's prompts.");

        html.section("Exercise 1: backpropagation through time by hand");
        html.figure(LineChart.of("BPTT toy: summed loss per epoch", Axis.integer("epoch", ""),
                        Axis.log("summed cross-entropy", "nats"), List.of(Series.indexed("toy RNN (4 units)", 0, bpttLosses))),
                "The notebook's 23 windows abc→bcd … wxy→xyz, plain SGD with learning rate 0.1, double precision; "
                        + "the printed losses equal the notebook's to the digit.");

        html.section("Exercise 2: training");
        List<Series> loss = new ArrayList<>();
        for (RnnVsLstm.ModelResult m : models) {
            double[] mean = m.epochLoss().clone();
            for (int i = 0; i < mean.length; i++) mean[i] /= r.windows();
            loss.add(Series.indexed(m.label(), 0, mean));
        }
        html.figure(LineChart.of("Training loss per epoch", Axis.integer("epoch", ""),
                        Axis.linear("mean cross-entropy per window", "nats/char"), loss).withMarkers(true),
                "The notebook prints the sum over its " + r.windows() + " windows; the chart shows the mean, "
                        + "so that corpora of different sizes compare.");
        boolean held = models.stream().allMatch(m -> m.heldOut() != null);
        List<MetricsTable.Metric> metrics = new ArrayList<>(List.of(
                new MetricsTable.Metric("parameters", "", MetricsTable.Better.NEITHER, 0),
                new MetricsTable.Metric("train accuracy", "%", MetricsTable.Better.HIGHER, 2),
                new MetricsTable.Metric("train perplexity", "", MetricsTable.Better.LOWER, 2)));
        if (held) {
            metrics.add(new MetricsTable.Metric("held-out accuracy", "%", MetricsTable.Better.HIGHER, 2));
            metrics.add(new MetricsTable.Metric("held-out perplexity", "", MetricsTable.Better.LOWER, 2));
        }
        metrics.add(new MetricsTable.Metric("training time", "s", MetricsTable.Better.LOWER, 2));
        List<MetricsTable.Row> rows = new ArrayList<>();
        for (RnnVsLstm.ModelResult m : models) {
            List<Double> v = new ArrayList<>(List.of((double) m.model().config().parameterCount(),
                    100 * m.train().accuracy(), m.train().perplexity()));
            if (held) {
                v.add(100 * m.heldOut().accuracy());
                v.add(m.heldOut().perplexity());
            }
            v.add(m.trainSeconds());
            rows.add(new MetricsTable.Row(m.label(), v.stream().mapToDouble(Double::doubleValue).toArray()));
        }
        html.table(new MetricsTable(metrics, rows), held
                ? "Training figures are the notebook's: measured on the windows the models trained on, they show "
                        + "memorisation. Held-out figures come from lines in the same style that the models never saw."
                : "Measured on the training windows, as the notebook does.");

        html.section("Gradient flow through time");
        StringBuilder decay = new StringBuilder();
        for (RnnVsLstm.ModelResult m : models) {
            double[] g = m.gradientFlow();
            decay.append(decay.length() == 0 ? "" : ", ").append(m.label()).append(String.format(Locale.ROOT,
                    " %.1f", Math.log10(g[g.length - 1] / g[0])));
        }
        html.paragraph("How much of the gradient of a prediction reaches the hidden state t steps before it: the norm of "
                + "∂L/∂hₜ relative to its value at the last step, where L is the loss of the prediction after a "
                + c.seq() + "-character window (geometric mean over " + GRADIENT_WINDOWS + " windows of the corpus). Going "
                + "back in time a vanilla RNN multiplies the gradient by nearly the same Jacobian at every step, so on a "
                + "log scale its line falls straight: the vanishing gradient that the LSTM's additive cell state is "
                + "designed to ease. Measured here, orders of magnitude lost over the window: " + decay + ".");
        List<Series> flow = new ArrayList<>();
        for (RnnVsLstm.ModelResult m : models) {
            double[] g = m.gradientFlow();
            int t = g.length;
            double[] back = new double[t];
            for (int k = 0; k < t; k++) back[k] = g[t - 1 - k] / g[t - 1];
            flow.add(Series.indexed(m.label(), 0, back));
        }
        html.figure(LineChart.of("Gradient flow through time (trained models)", Axis.integer("steps back from the loss", ""),
                        Axis.log("‖∂L/∂hₜ‖ / ‖∂L/∂h_last‖", ""), flow).withMarkers(true),
                "Measured on the trained models. Log scale; a straight falling line is exponential decay.");

        html.section("Inside the models");
        html.paragraph("Hidden state hₜ of each model while it reads the prompt \"" + models.get(0).heatmapPrompt()
                + "\", one row per unit: red positive, blue negative.");
        List<HeatMap> maps = new ArrayList<>();
        for (RnnVsLstm.ModelResult m : models) {
            maps.add(HeatMap.ofHiddenStates(m.label() + " hidden state", m.heatmapPrompt(), m.hiddenStates(),
                    m.model().config().hidden()));
        }
        html.figures(maps, "Hover a cell for its exact value. ⏎ is a newline, ␣ a space.");

        html.section("Completions");
        html.paragraph(String.format(Locale.ROOT, "The notebook's prompts, lowercased, completed with %d characters by "
                + "temperature sampling at %.1f, the notebook's way: every new character re-reads the last %d from a zero "
                + "state.", c.completionLength(), c.temperature(), c.seq()));
        for (int p = 0; p < c.prompts().size(); p++) {
            String lowered = c.prompts().get(p).toLowerCase(Locale.ROOT);
            String note = r.unknownPerPrompt().get(p).isEmpty() ? ""
                    : "not in the vocabulary, dropped from the input: " + r.unknownPerPrompt().get(p).stream()
                            .map(org.rnnlab.text.Vocabulary::describe).reduce((a, b) -> a + ", " + b).orElse("");
            List<PromptCompletion> row = new ArrayList<>(); // one row per prompt, the models side by side
            for (RnnVsLstm.ModelResult m : models) {
                String full = m.completions().get(p);
                row.add(new PromptCompletion(m.label(), lowered, full.substring(lowered.length()), note));
            }
            html.completions(row);
        }
        return html.render();
    }
}
