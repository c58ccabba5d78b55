package org.rnnlab.explore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.rnnlab.model.CellType;
import org.rnnlab.model.CharModel;
import org.rnnlab.model.ModelConfig;
import org.rnnlab.text.Vocabulary;

/** What the page holds: activations to within their rounding, the true top five, and text that cannot break out. */
class ExplorePageTest {
    @Test
    void activationsComeBackWithinHalfAStepOfTheirCellsScale() {
        SplittableRandom r = new SplittableRandom(1);
        int T = 50, H = 3;
        float[] v = new float[T * H];
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextDouble(-4, 4) * (1 + i % H); // cells of different ranges
        v[7] = 0; // cell 1 at t = 2
        float[] scale = new float[H];
        byte[] q = ExplorePage.quantize(v, T, H, scale);
        for (int j = 0; j < H; j++) {
            float max = 0;
            for (int t = 0; t < T; t++) max = Math.max(max, Math.abs(v[t * H + j]));
            assertThat(scale[j]).isEqualTo(max);
            for (int t = 0; t < T; t++) {
                double back = q[j * T + t] / 127.0 * scale[j]; // unit-major, as the page reads it
                assertThat(back).isCloseTo(v[t * H + j], within(scale[j] / 254.0 + 1e-6));
            }
        }
        assertThat(q[1 * T + 2]).isZero();
        float[] zeroScale = new float[1];
        ExplorePage.quantize(new float[4], 4, 1, zeroScale);
        assertThat(zeroScale[0]).as("a cell that is 0 throughout").isEqualTo(1);
    }

    @Test
    void theTopFiveAreTheLikeliestByTheSoftmax() {
        SplittableRandom r = new SplittableRandom(2);
        int T = 20, V = 11, k = 5;
        float[] logits = new float[T * V];
        for (int i = 0; i < logits.length; i++) logits[i] = (float) r.nextDouble(-3, 3);
        byte[][] top = ExplorePage.topNext(logits, T, V, k);
        ByteBuffer idx = ByteBuffer.wrap(top[0]).order(ByteOrder.LITTLE_ENDIAN), p = ByteBuffer.wrap(top[1]).order(ByteOrder.LITTLE_ENDIAN);
        for (int t = 0; t < T; t++) {
            int o = t * V;
            double sum = 0;
            for (int v = 0; v < V; v++) sum += Math.exp(logits[o + v]);
            double total = sum;
            Integer[] order = IntStream.range(0, V).boxed().sorted(Comparator.comparingDouble(v -> -logits[o + v])).toArray(Integer[]::new);
            for (int i = 0; i < k; i++) {
                assertThat(idx.getShort() & 0xFFFF).isEqualTo(order[i]);
                assertThat((p.getShort() & 0xFFFF) / 65535.0).isCloseTo(Math.exp(logits[o + order[i]]) / total, within(1e-5));
            }
        }
    }

    @Test
    void aTextThatLooksLikeMarkupStaysText() {
        String text = "</script><script>alert(1)</script>\n<b>&amp;";
        Vocabulary v = Vocabulary.fromText(text);
        CharModel m = CharModel.create(new ModelConfig(CellType.LSTM, v.size(), 4, 5, 1, 0), 1);
        String html = ExplorePage.render(Exploration.of(m, v, text), "a <title> & more", "sub");
        int dataStart = html.indexOf("id=\"ex-data\">");
        String data = html.substring(dataStart, html.indexOf("</script>", dataStart));
        assertThat(data).doesNotContain("<").contains("\\u003c/script>");
        assertThat(html).contains("<h1>a &lt;title&gt; &amp; more</h1>");
        // exactly the page's own two scripts
        assertThat(html.split("<script", -1)).hasSize(3);
    }

    @Test
    void colourLimitsAreOneForTanhRangeAndARobustRangeOtherwise() {
        int T = 200;
        float[] v = new float[T * 2];
        for (int t = 0; t < T; t++) {
            v[t * 2] = (float) Math.sin(t) * 0.5f;         // an h in [-1, 1]
            v[t * 2 + 1] = t == 7 ? 100 : (t % 3) - 1.5f;   // a c with one spike
        }
        float[] h = ExplorePage.colourLimits(v, T, 2, true);
        float[] c = ExplorePage.colourLimits(v, T, 2, false);
        assertThat(h[0]).isEqualTo(1);
        assertThat(c[1]).as("the spike does not set the range").isEqualTo(1.5f);
        assertThat(c[0]).as("a cell state is drawn on its own range").isCloseTo(0.5f, within(1e-3f));
    }
}
