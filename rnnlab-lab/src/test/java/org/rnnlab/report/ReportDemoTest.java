package org.rnnlab.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/**
 * Writes target/report-demo.html from realistic made-up numbers (what the lab's RNN-vs-LSTM run will produce), to
 * look at in a browser, and checks that the page parses as XML and holds every part. The numbers are invented:
 * only their shapes (a vanishing RNN gradient, saturating tanh units) follow the real thing.
 */
class ReportDemoTest {
    static final String PROMPT = "hello world\nthe ";

    static HtmlReport demo() {
        Random rnd = new Random(42);
        HtmlReport r = new HtmlReport("RNN vs LSTM on the lab corpus")
                .subtitle("Character models, hidden size 128, sequence length 40, 5 epochs, Adam lr 0.002, seed 0")
                .paragraph("Two character-level language models trained side by side on the same batches: a vanilla"
                        + " tanh RNN and an LSTM. The LSTM ends lower on validation loss, and the gradient-flow chart"
                        + " shows why: the RNN's gradient fades by eight orders of magnitude across a 40-step window.");

        r.section("Training");
        List<Series> loss = List.of(
                Series.indexed("RNN train", 1, 2.452, 2.021, 1.864, 1.781, 1.737),
                Series.indexed("RNN validation", 1, 2.188, 1.957, 1.872, 1.829, 1.811),
                Series.indexed("LSTM train", 1, 2.611, 1.902, 1.624, 1.489, 1.402),
                Series.indexed("LSTM validation", 1, 2.103, 1.744, 1.598, 1.531, 1.497));
        r.figure(LineChart.of("Loss per epoch", Axis.integer("epoch", ""), Axis.linear("cross-entropy loss", "nats/char"), loss),
                "Mean cross-entropy per character. Validation is measured at the end of each epoch.");
        r.table(new MetricsTable(
                List.of(new MetricsTable.Metric("parameters", "", MetricsTable.Better.NEITHER, 0),
                        new MetricsTable.Metric("train loss", "nats/char", MetricsTable.Better.LOWER, 3),
                        new MetricsTable.Metric("validation loss", "nats/char", MetricsTable.Better.LOWER, 3),
                        new MetricsTable.Metric("perplexity", "", MetricsTable.Better.LOWER, 2),
                        new MetricsTable.Metric("accuracy", "%", MetricsTable.Better.HIGHER, 1),
                        new MetricsTable.Metric("time / epoch", "s", MetricsTable.Better.LOWER, 1)),
                List.of(new MetricsTable.Row("RNN", new double[] {33_345, 1.737, 1.811, 6.12, 46.3, 12.4}),
                        new MetricsTable.Row("LSTM", new double[] {132_225, 1.402, 1.497, 4.47, 55.8, 31.9}),
                        new MetricsTable.Row("GRU", new double[] {99_585, 1.455, 1.523, 4.59, 54.9, 27.0}))),
                "Final epoch.");

        r.section("Gradient flow through time");
        r.paragraph("The norm of ∂L/∂hₜ for each step of a 40-character window, counted back from the loss at the"
                + " window's end. On a log scale the RNN's line falls straight: each step back multiplies the"
                + " gradient by roughly the same factor below one. The LSTM's cell state carries it almost intact.");
        double[] rnn = new double[40], lstm = new double[40];
        for (int k = 0; k < 40; k++) {
            rnn[k] = Math.pow(10, -1 - 8.0 * k / 39 + 0.12 * rnd.nextGaussian());
            lstm[k] = 1e-2 * Math.pow(10, -0.25 * k / 39 + 0.05 * rnd.nextGaussian());
        }
        r.figure(LineChart.of("Gradient flow through time", Axis.integer("steps back from the loss", ""),
                        Axis.log("‖∂L/∂hₜ‖", ""), List.of(Series.indexed("RNN", 0, rnn), Series.indexed("LSTM", 0, lstm)))
                        .withMarkers(true),
                "Log scale. A straight descending line is exponential decay: the vanishing gradient.");

        r.section("Inside the model");
        r.paragraph("Hidden state of the LSTM while it reads the prompt, one row per unit. Red is positive, blue"
                + " negative; many units saturate near ±1 right after the newline.");
        double[][] h = new double[128][PROMPT.length()];
        for (int u = 0; u < 128; u++) {
            double freq = 0.3 + rnd.nextDouble(), phase = rnd.nextDouble() * 6.28, gain = 0.4 + 2.2 * rnd.nextDouble();
            for (int t = 0; t < PROMPT.length(); t++) {
                double kick = PROMPT.charAt(t) == '\n' ? 2.5 * Math.signum(Math.sin(u * 1.7)) : 0;
                h[u][t] = Math.tanh(gain * Math.sin(freq * t + phase) + kick + 0.3 * rnd.nextGaussian());
            }
        }
        r.figure(HeatMap.ofPrompt("LSTM hidden state over the prompt", PROMPT, h),
                "Hover a cell for its exact value. ⏎ is the newline, ␣ a space.");

        List<String> chars = new ArrayList<>();
        double[] p = new double[60];
        String alphabet = " rynm\nsdtaeoiu.,lchgwfbpvk'-;:!?ABCDEFGHIJKLMNOPQRSTUVWXYZjqxz";
        double[] top = {0.412, 0.183, 0.091, 0.067, 0.052, 0.038, 0.031, 0.022, 0.019, 0.015};
        double rest = 1;
        for (double v : top) rest -= v;
        for (int i = 0; i < 60; i++) {
            chars.add(alphabet.substring(i, i + 1));
            p[i] = i < top.length ? top[i] : rest / 50;
        }
        r.figures(List.of(
                        BarChart.probabilities("Next character after “the”: RNN", chars, shuffle(p, rnd, 0.6), 10).withWidth(440),
                        BarChart.probabilities("Next character after “the”: LSTM", chars, p, 10).withHighlight(" ").withWidth(440)),
                "Top 10 of 60 characters. The highlighted bar is the character the sampler drew.");

        r.section("Samples");
        r.paragraph("Each model continues the same prompt at temperature 0.8.");
        r.completions(List.of(
                new PromptCompletion("RNN", "ROMEO:\n", "What is the mand of the stare,\nAnd thee she with the seat of my"
                        + " lord.\n\n  Ay, and thou the sore <of> the & wat'ry \"grave\"", "temperature 0.8"),
                new PromptCompletion("LSTM", "ROMEO:\n", "What light through yonder window breaks?\nIt is the east, and"
                        + " Juliet is the sun.\n\n\tArise, fair sun 🌞, and kill the envious moon", "temperature 0.8")));
        r.pre("model      RNN (tanh) | LSTM\nhidden     128        | 128\nlayers     1          | 1\n"
                + "optimizer  Adam(lr=0.002, betas=(0.9, 0.999)), clip 5.0\nbatches    64 x 40 characters");
        return r;
    }

    private static double[] shuffle(double[] p, Random rnd, double flatten) {
        double[] q = new double[p.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            q[i] = Math.pow(p[i], flatten) * (0.7 + 0.6 * rnd.nextDouble());
            sum += q[i];
        }
        for (int i = 0; i < q.length; i++) q[i] /= sum;
        return q;
    }

    @Test
    void writesTheDemoReportAndItParses() throws IOException {
        String html = demo().render();
        Path out = Path.of("target", "report-demo.html");
        Files.createDirectories(out.getParent());
        Files.writeString(out, html, StandardCharsets.UTF_8);

        Document doc = XmlCheck.parse(html);
        assertThat(doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "svg").getLength()).isEqualTo(5);
        assertThat(doc.getElementsByTagName("table").getLength()).isEqualTo(1);
        assertThat(doc.getElementsByTagName("article").getLength()).isEqualTo(2);
        assertThat(html).contains("🌞").contains("the sore &lt;of&gt; the &amp; wat&#39;ry &quot;grave&quot;");
        String withoutNamespaces = html.replaceAll(" xmlns=\"[^\"]*\"", ""); // names, never fetched
        assertThat(withoutNamespaces).as("nothing loaded from anywhere")
                .doesNotContain("http:", "https:", "url(", "@import", "<link", "src=", "<script");
    }
}
