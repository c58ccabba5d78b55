package org.rnnlab.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.rnnlab.explore.CellFinder;
import org.rnnlab.explore.Exploration;
import org.rnnlab.explore.GateSaturation;
import org.rnnlab.explore.TextFeatures;
import org.rnnlab.report.Axis;
import org.rnnlab.report.PromptCompletion;
import org.rnnlab.report.HeatMap;
import org.rnnlab.report.HtmlReport;
import org.rnnlab.report.LineChart;
import org.rnnlab.report.MetricsTable;
import org.rnnlab.report.ScatterChart;
import org.rnnlab.report.Series;
import org.rnnlab.report.Words;

/**
 * The lab's HTML report: the BPTT toy's losses, then RNN against LSTM (loss per epoch, the metrics table with
 * training and held-out figures, gradient flow through time on a log scale, each model's hidden states over a
 * prompt, what the cells learned, the completions side by side). Self-contained: opens from disk with no network.
 * In English or, with {@link RnnVsLstm.Lang#ES}, wholly in Spanish (the notebook's students read Spanish): every
 * heading, paragraph, caption, axis, table header and tooltip word.
 */
final class LabReport {
    /** Windows the gradient flow is averaged over (see {@link RnnVsLstm}). */
    static final int GRADIENT_WINDOWS = RnnVsLstm.GRADIENT_WINDOWS;
    /** A cell counts as learned with |r| at least this ... */
    static final double CLEAR_R = 0.5;
    /** ... and at least this much above the same model's best before training. */
    static final double CLEAR_MARGIN = 0.15;

    private LabReport() {}

    /** English or Spanish, as the run asks. */
    private record Tr(boolean es) {
        String s(String en, String spanish) {
            return es ? spanish : en;
        }
    }

    static String render(double[] bpttLosses, RnnVsLstm.Result r) {
        RnnVsLstm.Config c = r.config();
        Tr t = new Tr(c.lang() == RnnVsLstm.Lang.ES);
        List<RnnVsLstm.ModelResult> models = r.models();
        String names = String.join(t.s(" vs ", " frente a "), models.stream().map(RnnVsLstm.ModelResult::label).toList());
        HtmlReport html = new HtmlReport(names + t.s(" on ", " en ") + c.corpusName())
                .words(t.es() ? Words.ES : Words.EN)
                .subtitle(String.format(Locale.ROOT, t.s("The lab notebook in rnnlab: %d characters, vocabulary of %d, "
                        + "Embedding %d → %d hidden → Linear, Adam %s, windows of %d, batch 1, %d epochs, seed %d; "
                        + "run in %.1f s", "El notebook del laboratorio en rnnlab: %d caracteres, vocabulario de %d, "
                        + "Embedding %d → %d ocultas → Linear, Adam %s, ventanas de %d, lote 1, %d épocas, semilla %d; "
                        + "ejecutado en %.1f s"), c.text().codePointCount(0, c.text().length()), r.vocabulary().size(),
                        c.embed(), c.hidden(), c.lr(), c.seq(), c.epochs(), c.seed(), r.seconds()))
                .paragraph(t.s("Two parts, as in the notebook. First, backpropagation through time written out by hand on "
                        + "a 4-unit RNN over the alphabet, reproducing numpy's numbers. Second, character models trained "
                        + "side by side on the same shuffled windows, scored by accuracy and perplexity, then asked to "
                        + "complete the notebook's prompts.",
                        "Dos partes, como en el notebook. Primero, retropropagación a través del tiempo escrita a mano "
                        + "sobre una RNN de 4 unidades con el alfabeto, que reproduce los números de numpy. Después, "
                        + "modelos de caracteres entrenados lado a lado con las mismas ventanas barajadas, medidos por "
                        + "accuracy y perplejidad, a los que se pide completar los prompts del notebook."));

        html.section(t.s("Exercise 1: backpropagation through time by hand", "Ejercicio 1: retropropagación a través del tiempo a mano"));
        html.figure(LineChart.of(t.s("BPTT toy: summed loss per epoch", "BPTT de juguete: pérdida sumada por época"),
                        Axis.integer(t.s("epoch", "época"), ""), Axis.log(t.s("summed cross-entropy", "entropía cruzada sumada"),
                                "nats"), List.of(Series.indexed(t.s("toy RNN (4 units)", "RNN de juguete (4 unidades)"), 0, bpttLosses))),
                t.s("The notebook's 23 windows abc→bcd … wxy→xyz, plain SGD with learning rate 0.1, double precision; "
                        + "the printed losses equal the notebook's to the digit.",
                        "Las 23 ventanas del notebook abc→bcd … wxy→xyz, SGD simple con tasa de aprendizaje 0.1, doble "
                        + "precisión; las pérdidas impresas son las del notebook, dígito a dígito."));

        html.section(t.s("Exercise 2: training", "Ejercicio 2: entrenamiento"));
        List<Series> loss = new ArrayList<>();
        for (RnnVsLstm.ModelResult m : models) {
            double[] mean = m.epochLoss().clone();
            for (int i = 0; i < mean.length; i++) mean[i] /= r.windows();
            loss.add(Series.indexed(m.label(), 0, mean));
        }
        html.figure(LineChart.of(t.s("Training loss per epoch", "Pérdida de entrenamiento por época"),
                        Axis.integer(t.s("epoch", "época"), ""),
                        Axis.linear(t.s("mean cross-entropy per window", "entropía cruzada media por ventana"),
                                t.s("nats/char", "nats/carácter")), loss).withMarkers(true),
                t.s("The notebook prints the sum over its " + r.windows() + " windows; the chart shows the mean, "
                        + "so that corpora of different sizes compare.",
                        "El notebook imprime la suma sobre sus " + r.windows() + " ventanas; el gráfico muestra la media, "
                        + "para que se puedan comparar corpus de distinto tamaño."));
        boolean held = models.stream().allMatch(m -> m.heldOut() != null);
        List<MetricsTable.Metric> metrics = new ArrayList<>(List.of(
                new MetricsTable.Metric(t.s("parameters", "parámetros"), "", MetricsTable.Better.NEITHER, 0),
                new MetricsTable.Metric(t.s("train accuracy", "accuracy de entrenamiento"), "%", MetricsTable.Better.HIGHER, 2),
                new MetricsTable.Metric(t.s("train perplexity", "perplejidad de entrenamiento"), "", MetricsTable.Better.LOWER, 2)));
        if (held) {
            metrics.add(new MetricsTable.Metric(t.s("held-out accuracy", "accuracy en texto no visto"), "%", MetricsTable.Better.HIGHER, 2));
            metrics.add(new MetricsTable.Metric(t.s("held-out perplexity", "perplejidad en texto no visto"), "", MetricsTable.Better.LOWER, 2));
        }
        metrics.add(new MetricsTable.Metric(t.s("training time", "tiempo de entrenamiento"), "s", MetricsTable.Better.LOWER, 2));
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
                ? t.s("Training figures are the notebook's: measured on the windows the models trained on, they show "
                        + "memorisation. Held-out figures come from lines in the same style that the models never saw.",
                        "Las cifras de entrenamiento son las del notebook: medidas en las ventanas con las que se "
                        + "entrenaron los modelos, muestran memorización. Las cifras en texto no visto vienen de líneas "
                        + "del mismo estilo que los modelos nunca vieron.")
                : t.s("Measured on the training windows, as the notebook does.",
                        "Medido en las ventanas de entrenamiento, como hace el notebook."));

        html.section(t.s("Gradient flow through time", "Flujo del gradiente a través del tiempo"));
        StringBuilder decay = new StringBuilder();
        for (RnnVsLstm.ModelResult m : models) {
            double[] g = m.gradientFlow();
            decay.append(decay.length() == 0 ? "" : ", ").append(m.label()).append(String.format(Locale.ROOT,
                    " %.1f", Math.log10(g[g.length - 1] / g[0])));
        }
        html.paragraph(t.s("How much of the gradient of a prediction reaches the hidden state t steps before it: the norm of "
                + "∂L/∂hₜ relative to its value at the last step, where L is the loss of the prediction after a "
                + c.seq() + "-character window (geometric mean over " + GRADIENT_WINDOWS + " windows of the corpus). Going "
                + "back in time a vanilla RNN multiplies the gradient by nearly the same Jacobian at every step, so on a "
                + "log scale its line falls straight: the vanishing gradient that the LSTM's additive cell state is "
                + "designed to ease. Measured here, orders of magnitude lost over the window: " + decay + ".",
                "Cuánto del gradiente de una predicción llega al estado oculto t pasos antes: la norma de ∂L/∂hₜ "
                + "relativa a su valor en el último paso, donde L es la pérdida de la predicción tras una ventana de "
                + c.seq() + " caracteres (media geométrica sobre " + GRADIENT_WINDOWS + " ventanas del corpus). Hacia "
                + "atrás en el tiempo, una RNN simple multiplica el gradiente por casi el mismo jacobiano en cada paso, "
                + "así que en escala logarítmica su línea cae recta: el desvanecimiento del gradiente que el estado de "
                + "celda aditivo de la LSTM está pensado para aliviar. Medido aquí, órdenes de magnitud perdidos a lo "
                + "largo de la ventana: " + decay + "."));
        List<Series> flow = new ArrayList<>();
        for (RnnVsLstm.ModelResult m : models) {
            double[] g = m.gradientFlow();
            int n = g.length;
            double[] back = new double[n];
            for (int k = 0; k < n; k++) back[k] = g[n - 1 - k] / g[n - 1];
            flow.add(Series.indexed(m.label(), 0, back));
        }
        html.figure(LineChart.of(t.s("Gradient flow through time (trained models)", "Flujo del gradiente a través del tiempo (modelos entrenados)"),
                        Axis.integer(t.s("steps back from the loss", "pasos hacia atrás desde la pérdida"), ""),
                        Axis.log("‖∂L/∂hₜ‖ / ‖∂L/∂h_last‖", ""), flow).withMarkers(true),
                t.s("Measured on the trained models. Log scale; a straight falling line is exponential decay.",
                        "Medido en los modelos entrenados. Escala logarítmica; una recta que cae es un decaimiento exponencial."));

        html.section(t.s("Inside the models", "Dentro de los modelos"));
        html.paragraph(t.s("Hidden state hₜ of each model while it reads the prompt \"" + models.get(0).heatmapPrompt()
                + "\", one row per unit: red positive, blue negative.", "Estado oculto hₜ de cada modelo mientras lee "
                + "el prompt \"" + models.get(0).heatmapPrompt() + "\", una fila por unidad: rojo positivo, azul negativo."));
        List<HeatMap> maps = new ArrayList<>();
        for (RnnVsLstm.ModelResult m : models) {
            HeatMap map = HeatMap.ofHiddenStates(t.s(m.label() + " hidden state", m.label() + ": estado oculto"),
                    m.heatmapPrompt(), m.hiddenStates(), m.model().config().hidden());
            maps.add(t.es() ? map.withTitles("unidad oculta", "carácter de entrada", "activación").withWords(Words.ES) : map);
        }
        html.figures(maps, t.s("Hover a cell for its exact value. ⏎ is a newline, ␣ a space.",
                "Pasa el ratón por una celda para ver su valor exacto. ⏎ es un salto de línea, ␣ un espacio."));

        cells(html, t, models);

        html.section(t.s("Completions", "Completados"));
        html.paragraph(String.format(Locale.ROOT, t.s("The notebook's prompts, lowercased, completed with %d characters by "
                + "temperature sampling at %.1f, the notebook's way: every new character re-reads the last %d from a zero "
                + "state.", "Los prompts del notebook, en minúsculas, completados con %d caracteres por muestreo con "
                + "temperatura %.1f, a la manera del notebook: cada carácter nuevo vuelve a leer los últimos %d desde un "
                + "estado cero."), c.completionLength(), c.temperature(), c.seq()));
        for (int p = 0; p < c.prompts().size(); p++) {
            String lowered = c.prompts().get(p).toLowerCase(Locale.ROOT);
            String note = r.unknownPerPrompt().get(p).isEmpty() ? ""
                    : t.s("not in the vocabulary, dropped from the input: ", "no está en el vocabulario, quitado de la entrada: ")
                            + r.unknownPerPrompt().get(p).stream()
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

    /** The features' names, by {@link TextFeatures#IDS}. */
    private static String feature(Tr t, TextFeatures.Feature f) {
        if (!t.es()) return f.name();
        return switch (f.id()) {
            case "paren" -> "dentro de ( )";
            case "paren_depth" -> "profundidad de ( )";
            case "bracket" -> "dentro de [ ]";
            case "brace" -> "dentro de { }";
            case "brace_depth" -> "profundidad de { }";
            case "quote" -> "entre comillas";
            case "comment" -> "dentro de un comentario";
            case "column" -> "posición en la línea";
            case "indent" -> "sangría";
            case "word_start" -> "comienzo de palabra";
            case "newline" -> "tras un salto de línea";
            default -> f.name();
        };
    }

    private static String gate(Tr t, GateSaturation.Gate g) {
        if (!t.es()) return g.name();
        return switch (g.id()) {
            case "input" -> "puerta de entrada";
            case "forget" -> "puerta de olvido";
            case "output" -> "puerta de salida";
            case "reset" -> "puerta de reinicio";
            case "update" -> "puerta de actualización";
            default -> g.name();
        };
    }

    private static String cellName(Exploration e, CellFinder.Match m) {
        return e.states().get(m.cell().state()).label(e.trace().layers()) + " " + m.cell().unit();
    }

    private static String r(double v) {
        return (v >= 0 ? "+" : "−") + String.format(Locale.ROOT, "%.2f", Math.abs(v));
    }

    /** Whether a model's best cell for feature f stands out: large, and well above the untrained model's best. */
    private static boolean clear(RnnVsLstm.ModelResult m, int f) {
        CellFinder.Match best = m.cells().findings().get(f).best();
        return best != null && Math.abs(best.r()) >= CLEAR_R && Math.abs(best.r()) - m.untrainedBest()[f] >= CLEAR_MARGIN;
    }

    /**
     * What the cells learned: the best cell per feature against the untrained model's, the text coloured by the
     * clearest cell, the gates' saturation; and, plainly, when the text is too short for any cell to stand out.
     */
    private static void cells(HtmlReport html, Tr t, List<RnnVsLstm.ModelResult> models) {
        Exploration first = models.get(0).cells();
        int n = first.length();
        List<TextFeatures.Feature> features = first.features();
        html.section(t.s("What the cells learned", "Qué aprendieron las celdas"));
        html.paragraph(String.format(Locale.ROOT, t.s("Each trained model read %,d characters of its corpus once more, "
                + "from a zero state. For each feature of the text that rnnlab computes (inside brackets, quotes or "
                + "comments, position in the line, indentation, start of a word, after a newline), the table names the "
                + "cell whose activation follows it best: the largest |r|, Pearson's correlation over all %,d characters, "
                + "among every h and, for an LSTM, every c. The same search on the same model before training shows how "
                + "large a correlation arises by chance among so many cells. A cell counts as learned (bold) when |r| ≥ "
                + "%.2f and beats the untrained model's best by %.2f or more, as in Karpathy, Johnson and Fei-Fei (2015), "
                + "who found cells for quotes, brackets and line length in long texts.",
                "Cada modelo entrenado volvió a leer %,d caracteres de su corpus, desde un estado cero. Para cada "
                + "característica del texto que calcula rnnlab (dentro de paréntesis, llaves, comillas o comentarios, "
                + "posición en la línea, sangría, comienzo de palabra, tras un salto de línea), la tabla nombra la celda "
                + "cuya activación la sigue mejor: el mayor |r|, la correlación de Pearson sobre los %,d caracteres, "
                + "entre todas las h y, en una LSTM, todas las c. La misma búsqueda en el mismo modelo antes de entrenar "
                + "muestra qué correlación aparece por azar entre tantas celdas. Una celda cuenta como aprendida "
                + "(negrita) cuando |r| ≥ %.2f y supera en %.2f o más a la mejor del modelo sin entrenar, como en "
                + "Karpathy, Johnson y Fei-Fei (2015), que encontraron celdas para comillas, paréntesis y longitud de "
                + "línea en textos largos."), n, n, CLEAR_R, CLEAR_MARGIN));

        List<String> headers = new ArrayList<>(List.of(t.s("feature", "característica")));
        List<Boolean> numeric = new ArrayList<>(List.of(false));
        for (RnnVsLstm.ModelResult m : models) {
            headers.add(m.label() + t.s(": best cell", ": mejor celda"));
            headers.add(m.label() + ": r");
            headers.add(m.label() + t.s(" untrained: |r|", " sin entrenar: |r|"));
            numeric.addAll(List.of(false, true, true));
        }
        List<List<String>> rows = new ArrayList<>();
        List<String> absent = new ArrayList<>();
        List<String> learned = new ArrayList<>();
        for (int f = 0; f < features.size(); f++) {
            if (!features.get(f).varies()) {
                absent.add(feature(t, features.get(f)));
                continue;
            }
            List<String> row = new ArrayList<>(List.of(feature(t, features.get(f))));
            for (RnnVsLstm.ModelResult m : models) {
                CellFinder.Match best = m.cells().findings().get(f).best();
                boolean clear = clear(m, f);
                row.add(best == null ? "–" : clear ? "**" + cellName(m.cells(), best) + "**" : cellName(m.cells(), best));
                row.add(best == null ? "–" : clear ? "**" + r(best.r()) + "**" : r(best.r()));
                row.add(Double.isNaN(m.untrainedBest()[f]) ? "–" : String.format(Locale.ROOT, "%.2f", m.untrainedBest()[f]));
                if (clear) {
                    learned.add(String.format(Locale.ROOT, t.s("%s %s for %s (r = %s; untrained best %.2f)",
                            "%s %s para %s (r = %s; mejor sin entrenar %.2f)"), m.label(), cellName(m.cells(), best),
                            feature(t, features.get(f)), r(best.r()), m.untrainedBest()[f]));
                }
            }
            rows.add(row);
        }
        boolean[] num = new boolean[numeric.size()];
        for (int i = 0; i < num.length; i++) num[i] = numeric.get(i);
        html.textTable(headers, rows, num, absent.isEmpty() ? "" : t.s("Not in this text, so not looked for: ",
                "No aparecen en este texto, así que no se buscan: ") + String.join(", ", absent) + ".");

        if (learned.isEmpty()) {
            html.paragraph(String.format(Locale.ROOT, t.s("%,d characters are too little for a clear cell. No cell of any "
                    + "model follows a feature clearly better than the cells of the same model before training, which "
                    + "reach the |r| in the last columns by chance alone: with %,d characters and a hundred or more cells, "
                    + "the best of many chance correlations is far from 0, and the ten short lines repeat the same few "
                    + "brackets and line lengths. The models have memorised the lines (see the training accuracy) without "
                    + "needing a cell per feature. A cell for brackets, quotes or line length shows in a model trained on a "
                    + "long text: rnnlab explore does this for any model and text (docs/explore.md).",
                    "%,d caracteres son demasiado pocos para una celda clara. Ninguna celda de ningún modelo sigue una "
                    + "característica claramente mejor que las celdas del mismo modelo antes de entrenar, que alcanzan el "
                    + "|r| de las últimas columnas solo por azar: con %,d caracteres y cien celdas o más, la mejor de muchas "
                    + "correlaciones al azar está lejos de 0, y las diez líneas cortas repiten los mismos pocos paréntesis "
                    + "y longitudes de línea. Los modelos han memorizado las líneas (véase la accuracy de entrenamiento) sin "
                    + "necesitar una celda por característica. Una celda para paréntesis, comillas o longitud de línea "
                    + "aparece en un modelo entrenado con un texto largo: rnnlab explore lo hace con cualquier modelo y "
                    + "texto (docs/explore.md)."), n, n));
        } else {
            html.paragraph(String.format(Locale.ROOT, t.s("Cells that stand out: %s. On %,d characters these are hints "
                    + "more than findings: a longer text (rnnlab explore, docs/explore.md) says whether they hold.",
                    "Celdas que destacan: %s. Con %,d caracteres son indicios más que hallazgos: un texto más largo "
                    + "(rnnlab explore, docs/explore.md) dice si se sostienen."), String.join("; ", learned), n));
        }

        // Each model's text coloured by its clearest cell, or by its best one when none is clear.
        for (RnnVsLstm.ModelResult m : models) {
            int bestF = -1;
            double bestScore = -1;
            for (int f = 0; f < features.size(); f++) {
                CellFinder.Match b = m.cells().findings().get(f).best();
                if (b == null) continue;
                double score = Math.abs(b.r()) + (clear(m, f) ? 10 : 0);
                if (score > bestScore) {
                    bestScore = score;
                    bestF = f;
                }
            }
            if (bestF < 0) continue;
            CellFinder.Match b = m.cells().findings().get(bestF).best();
            CellFinder.StateRef s = m.cells().states().get(b.cell().state());
            int H = m.cells().trace().hidden();
            double[] v = new double[n];
            double max = 0;
            for (int i = 0; i < n; i++) {
                v[i] = s.values()[i * H + b.cell().unit()];
                max = Math.max(max, Math.abs(v[i]));
            }
            double limit = s.kind().equals("h") && max <= 1 ? 1 : max > 0 ? max : 1;
            html.tintedText(String.format(Locale.ROOT, t.s("%s %s, the cell that follows %s best (r = %s)",
                            "%s %s, la celda que mejor sigue %s (r = %s)"), m.label(), cellName(m.cells(), b),
                            feature(t, features.get(bestF)), r(b.r())), m.cells().text(), v, limit,
                    String.format(Locale.ROOT, t.s("Each character coloured by the cell's value after reading it: red "
                            + "positive, blue negative, white 0 (the scale ends at ±%s). Hover a character for its value.",
                            "Cada carácter coloreado con el valor de la celda tras leerlo: rojo positivo, azul negativo, "
                            + "blanco 0 (la escala termina en ±%s). Pasa el ratón por un carácter para ver su valor."),
                            String.format(Locale.ROOT, "%.2f", limit)));
        }

        // Gate saturation of the models that have gates.
        List<ScatterChart> charts = new ArrayList<>();
        for (RnnVsLstm.ModelResult m : models) {
            List<GateSaturation.Gate> gates = m.cells().saturation();
            if (gates.isEmpty()) continue;
            List<ScatterChart.Group> groups = new ArrayList<>();
            for (GateSaturation.Gate g : gates) groups.add(new ScatterChart.Group(gate(t, g), g.left(), g.right()));
            charts.add(new ScatterChart(t.s(m.label() + " gate saturation", m.label() + ": saturación de las puertas"),
                    Axis.linear(t.s("fraction left-saturated (< 0.1)", "fracción saturada a la izquierda (< 0.1)"), ""),
                    Axis.linear(t.s("fraction right-saturated (> 0.9)", "fracción saturada a la derecha (> 0.9)"), ""),
                    groups, t.s("cell", "celda"), 460));
        }
        if (!charts.isEmpty()) {
            html.figures(charts, String.format(Locale.ROOT, t.s("Each point is one cell's gate: the fraction of the %,d "
                    + "steps it was nearly closed (below %.1f) against nearly open (above %.1f), the figure of Karpathy, "
                    + "Johnson and Fei-Fei (2015). Points near the top keep their cell (a forget gate that remembers); "
                    + "near neither axis, a gate that acts gradually. Hover a point for its cell.",
                    "Cada punto es la puerta de una celda: la fracción de los %,d pasos en que estuvo casi cerrada "
                    + "(por debajo de %.1f) frente a casi abierta (por encima de %.1f), la figura de Karpathy, Johnson y "
                    + "Fei-Fei (2015). Los puntos de arriba conservan su celda (una puerta de olvido que recuerda); lejos "
                    + "de ambos ejes, una puerta que actúa de forma gradual. Pasa el ratón por un punto para ver su celda."),
                    n, GateSaturation.LOW, GateSaturation.HIGH));
        }
    }
}
