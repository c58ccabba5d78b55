package org.rnnlab.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rnnlab.io.NpyArray;
import org.rnnlab.io.Npz;
import org.rnnlab.testing.Resources;

/**
 * The lab's first exercise against numpy. The fixtures are the final weights and per-epoch losses of the notebook's
 * own loop run in numpy by {@code tools/make_bptt_fixtures.py}.
 */
class BpttToyTest {
    @Test
    void printsTheNotebooksLinesCharacterForCharacter() {
        List<String> lines = new ArrayList<>();
        BpttToy toy = new BpttToy(BpttToy.Config.NOTEBOOK);
        toy.train(lines::add);
        for (String p : List.of("abc", "bcd", "cde")) lines.add(p + " → " + toy.predictNext(p));
        assertThat(lines).containsExactly(
                "Epoch 0, Loss: 226.3948",
                "Epoch 100, Loss: 9.3322",
                "Epoch 159, Loss: 5.1682",
                "abc → d",
                "bcd → e",
                "cde → f");
    }

    @Test
    void notebookRunMatchesNumpyWeightsAndLosses() throws IOException {
        assertMatchesNumpy(BpttToy.Config.NOTEBOOK, "bptt_notebook.npz");
    }

    @Test
    void otherHyperParametersMatchNumpyToo() throws IOException {
        assertMatchesNumpy(new BpttToy.Config(7, 0.05, 40, 3, 100), "bptt_h7_lr005_e40_seed3.npz");
    }

    private static void assertMatchesNumpy(BpttToy.Config config, String fixture) throws IOException {
        Map<String, NpyArray> numpy = Npz.read(Resources.path(BpttToyTest.class, fixture));
        BpttToy toy = new BpttToy(config);
        double[] losses = toy.train(line -> {});
        assertRelativelyClose("losses", losses, numpy.get("losses").toDoubles(), 1e-9);
        for (BpttToy.Named p : toy.params().named()) {
            NpyArray expected = numpy.get(p.name());
            assertThat(expected.shape()).as(p.name() + " shape").containsExactly(p.shape());
            assertRelativelyClose(p.name(), p.values(), expected.toDoubles(), 1e-9);
        }
    }

    /** Every element within {@code tol} relative to the largest magnitude of the array (entries can be ~0). */
    static void assertRelativelyClose(String what, double[] actual, double[] expected, double tol) {
        assertThat(actual).as(what + " length").hasSameSizeAs(expected);
        double scale = 0;
        for (double v : expected) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < actual.length; i++) {
            double err = Math.abs(actual[i] - expected[i]) / Math.max(Math.abs(expected[i]), scale * 1e-3);
            assertThat(err).as("%s[%d]: %s vs numpy %s", what, i, actual[i], expected[i]).isLessThan(tol);
        }
    }

    @Test
    void examplesAreTheTwentyThreeWindows() {
        List<BpttToy.Example> ex = BpttToy.examples();
        assertThat(ex).hasSize(23);
        assertThat(ex.get(0).inputs()).containsExactly(0, 1, 2);
        assertThat(ex.get(0).targets()).containsExactly(1, 2, 3);
        assertThat(ex.get(22).inputs()).containsExactly(22, 23, 24);
        assertThat(ex.get(22).targets()).containsExactly(23, 24, 25);
    }

    @Test
    void gradientCheckPassesOnTheNotebookModelAndALargerOne() {
        GradientCheck.Result r = GradientCheck.run(new BpttToy(BpttToy.Config.NOTEBOOK));
        assertThat(r.worstRelativeError()).isLessThan(1e-6);
        assertThat(r.worstAbsoluteError()).isLessThan(1e-10);
        assertThat(r.relativeEntries()).isGreaterThan(r.absoluteEntries());
        assertThat(r.relativeEntries() + r.absoluteEntries()).isEqualTo(23 * (4 * 26 + 4 * 4 + 26 * 4 + 4 + 26));
        assertThat(GradientCheck.run(new BpttToy(new BpttToy.Config(9, 0.1, 1, 5, 1))).passed()).isTrue();
    }

    @Test
    void finiteDifferencesAreSharpEnoughToSeeAOneInAThousandError() {
        BpttToy toy = new BpttToy(BpttToy.Config.NOTEBOOK);
        BpttToy.Example ex = BpttToy.examples().get(3);
        toy.lossAndGradients(ex);
        double[] w = toy.params().whh;
        double numeric = GradientCheck.centredDifference(toy, ex, w, 1);
        double analytic = toy.gradients().whh[1];
        assertThat(Math.abs(numeric - analytic) / Math.abs(numeric)).isLessThan(1e-6);
        assertThat(Math.abs(numeric - analytic * 1.001) / Math.abs(numeric)).isGreaterThan(1e-6);
    }

    @Test
    void predictRejectsCharactersOutsideTheAlphabet() {
        assertThatThrownBy(() -> BpttToy.encode("ab1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'1'")
                .hasMessageContaining("position 3")
                .hasMessageContaining("abcdefghijklmnopqrstuvwxyz");
        assertThatThrownBy(() -> BpttToy.encode("aé")).hasMessageContaining("'é' (U+00E9)");
        assertThatThrownBy(() -> BpttToy.encode("")).hasMessageContaining("empty prompt");
    }

    @Test
    void sameSeedSameWeightsDifferentSeedDifferentWeights() {
        double[] a = new BpttToy(BpttToy.Config.NOTEBOOK).params().wxh;
        double[] b = new BpttToy(BpttToy.Config.NOTEBOOK).params().wxh;
        double[] c = new BpttToy(new BpttToy.Config(4, 0.1, 160, 1, 100)).params().wxh;
        assertThat(a).containsExactly(b);
        assertThat(a).isNotEqualTo(c);
        // np.random.seed(0); np.random.randn(4, 26)[0, :3] * 0.1
        assertThat(a[0]).isEqualTo(1.764052345967664 * 0.1);
        assertThat(a[2]).isEqualTo(0.9787379841057392 * 0.1);
    }
}
