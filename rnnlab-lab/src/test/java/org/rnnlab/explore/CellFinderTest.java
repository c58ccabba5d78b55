package org.rnnlab.explore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.rnnlab.model.CellType;
import org.rnnlab.model.CharModel;
import org.rnnlab.model.ModelConfig;
import org.rnnlab.text.Vocabulary;

/** The cell finder where the answer is known: cells set by hand to follow a feature are found first for it. */
class CellFinderTest {
    @Test
    void findsTheCellSetByHandToCountBrackets() {
        String text = HandMadeModels.bracketText(3000, 7);
        Vocabulary v = Vocabulary.fromText(text);
        CharModel m = HandMadeModels.bracketCounter(v, 7);
        Exploration e = Exploration.of(m, v, text);
        Map<String, CellFinder.Finding> byId = e.findings().stream()
                .collect(Collectors.toMap(f -> f.feature().id(), Function.identity()));

        CellFinder.Finding depth = byId.get("paren_depth");
        assertThat(depth.best().cell()).isEqualTo(new CellFinder.Cell(0, 0));
        assertThat(depth.best().r()).isCloseTo(1.0, within(1e-6)); // the cell is the depth, exactly
        assertThat(depth.matches().get(1).r()).as("the next best is noise").isLessThan(0.9);
        CellFinder.Finding newline = byId.get("newline");
        assertThat(newline.best().cell()).isEqualTo(new CellFinder.Cell(0, 1));
        assertThat(newline.best().r()).isCloseTo(1.0, within(1e-6));
        // the depth cell also follows "inside ( )", though less than perfectly
        assertThat(byId.get("paren").best().cell()).isEqualTo(new CellFinder.Cell(0, 0));
        assertThat(byId.get("paren").best().r()).isBetween(0.5, 0.99);
        // features the text does not have find nothing
        assertThat(byId.get("quote").matches()).isEmpty();
        assertThat(byId.get("bracket").matches()).isEmpty();
        assertThat(e.saturation()).as("an RNN has no gates").isEmpty();
    }

    @Test
    void correlationIsPearsonsAndKeepsItsSign() {
        // a state of two cells over 4 steps: cell 0 = 2 f + 1, cell 1 = -f, against a feature f
        TextFeatures.Feature f = new TextFeatures.Feature("x", "x", new double[] {0, 1, 3, 2});
        float[] values = {1, 0, 3, -1, 7, -3, 5, -2}; // (T, H) time-major
        double[][][] r = CellFinder.correlations(List.of(new CellFinder.StateRef(0, "h", values)), 2, List.of(f));
        assertThat(r[0][0][0]).isCloseTo(1, within(1e-12));
        assertThat(r[0][0][1]).isCloseTo(-1, within(1e-12));
        // an uneven one against a direct computation
        float[] odd = {0.3f, 0, -0.2f, 0, 0.9f, 0, 0.1f, 0};
        double[] x = {0.3f, -0.2f, 0.9f, 0.1f}, y = f.values();
        double mx = (x[0] + x[1] + x[2] + x[3]) / 4, my = 1.5, sxy = 0, sxx = 0, syy = 0;
        for (int t = 0; t < 4; t++) {
            sxy += (x[t] - mx) * (y[t] - my);
            sxx += (x[t] - mx) * (x[t] - mx);
            syy += (y[t] - my) * (y[t] - my);
        }
        double[][][] r2 = CellFinder.correlations(List.of(new CellFinder.StateRef(0, "h", odd)), 2, List.of(f));
        assertThat(r2[0][0][0]).isCloseTo(sxy / Math.sqrt(sxx * syy), within(1e-9));
        assertThat(r2[0][0][1]).as("a constant cell").isNaN();
        List<CellFinder.Finding> best = CellFinder.best(List.of(f), r, 5);
        assertThat(best.get(0).matches()).hasSize(2); // |+1| and |-1| both kept, in that order
        assertThat(best.get(0).matches().get(1).r()).isCloseTo(-1, within(1e-12));
    }

    @Test
    void anLstmSearchesBothStatesOfEveryLayerAndHasItsGatesSaturation() {
        String text = HandMadeModels.bracketText(600, 3);
        Vocabulary v = Vocabulary.fromText(text);
        CharModel m = CharModel.create(new ModelConfig(CellType.LSTM, v.size(), 4, 6, 2, 0), 1);
        Exploration e = Exploration.of(m, v, text);
        assertThat(e.states()).extracting(s -> s.label(2)).containsExactly("L0 h", "L0 c", "L1 h", "L1 c");
        assertThat(e.saturation()).extracting(g -> g.layer() + " " + g.id())
                .containsExactly("0 input", "0 forget", "0 output", "1 input", "1 forget", "1 output");
        // fractions of 600 steps, counted directly
        GateSaturation.Gate forget = e.saturation().get(1);
        float[] gates = e.trace().gates()[0];
        for (int j = 0; j < 6; j++) {
            int low = 0, high = 0;
            for (int t = 0; t < 600; t++) {
                float g = gates[t * 24 + 6 + j];
                if (g < 0.1f) low++;
                if (g > 0.9f) high++;
            }
            assertThat(forget.left()[j]).isEqualTo(low / 600.0);
            assertThat(forget.right()[j]).isEqualTo(high / 600.0);
        }
        CellFinder.Finding depth = e.findings().get(TextFeatures.IDS.indexOf("paren_depth"));
        assertThat(depth.matches()).hasSize(Exploration.TOP);
        for (int i = 1; i < depth.matches().size(); i++) {
            assertThat(Math.abs(depth.matches().get(i).r())).isLessThanOrEqualTo(Math.abs(depth.matches().get(i - 1).r()));
        }
    }

    @Test
    void aGruHasResetAndUpdateGates() {
        Vocabulary v = Vocabulary.fromText("ab(c)\n");
        CharModel m = CharModel.create(new ModelConfig(CellType.GRU, v.size(), 4, 5, 1, 0), 1);
        Exploration e = Exploration.of(m, v, "ab(c)\nab");
        assertThat(e.saturation()).extracting(GateSaturation.Gate::id).containsExactly("reset", "update");
        assertThat(e.states()).hasSize(1);
    }
}
