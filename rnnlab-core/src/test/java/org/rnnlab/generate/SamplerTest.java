package org.rnnlab.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.rnnlab.util.Rng;

class SamplerTest {
    private static final float[] LOGITS = {1.0f, 3.0f, 0.5f, 2.0f, -1.0f}; // order by prob: 1, 3, 0, 2, 4

    private static double[] frequencies(SamplingOptions o, int n) {
        Sampler s = new Sampler(o, LOGITS.length);
        Rng rng = new Rng(11);
        double[] f = new double[LOGITS.length];
        for (int i = 0; i < n; i++) f[s.choose(LOGITS, 0, rng)] += 1.0 / n;
        return f;
    }

    @Test
    void temperatureSamplingFollowsTheSoftmax() {
        double[] p = new double[5];
        Sampler.distribution(LOGITS, 0, 0.8, p);
        double[] f = frequencies(new SamplingOptions(0.8, 0, 1, false), 200_000);
        for (int i = 0; i < 5; i++) assertThat(f[i]).as("char %d", i).isCloseTo(p[i], within(0.004));
        // /usr/bin/python3 -c "import torch; print(torch.softmax(torch.tensor([1, 3, .5, 2, -1]) / .8, -1).tolist())"
        double[] torch = {0.05783627927303314, 0.7045901417732239, 0.030957531183958054, 0.2018684595823288,
            0.004747490864247084};
        for (int i = 0; i < 5; i++) assertThat(p[i]).isCloseTo(torch[i], within(1e-7));
    }

    @Test
    void greedyTakesTheArgmaxAndTheFirstOnTies() {
        assertThat(frequencies(SamplingOptions.GREEDY, 10)[1]).isCloseTo(1.0, within(1e-9));
        assertThat(Sampler.argmax(new float[] {0, 2, 2, 1}, 0, 4)).isEqualTo(1);
        assertThat(Sampler.argmax(new float[] {9, 0, 2, 2, 1}, 1, 4)).isEqualTo(1);
    }

    @Test
    void topKKeepsOnlyTheKMostLikely() {
        double[] f = frequencies(new SamplingOptions(1, 2, 1, false), 50_000);
        assertThat(f[0] + f[2] + f[4]).isZero();
        // renormalised between exp(3) and exp(2)
        assertThat(f[1]).isCloseTo(Math.exp(3) / (Math.exp(3) + Math.exp(2)), within(0.01));
    }

    @Test
    void topPKeepsTheSmallestNucleusReachingP() {
        double[] p = new double[5];
        Sampler.distribution(LOGITS, 0, 1, p); // 0.084, 0.624, 0.051, 0.229, 0.011: 1 and 3 reach 0.7
        double[] f = frequencies(new SamplingOptions(1, 0, 0.7, false), 50_000);
        assertThat(f[0] + f[2] + f[4]).isZero();
        assertThat(f[1] + f[3]).isCloseTo(1, within(1e-9));
        double[] one = frequencies(new SamplingOptions(1, 0, 0.5, false), 1000);
        assertThat(one[1]).isCloseTo(1, within(1e-9));
    }

    @Test
    void sameSeedSameChoices() {
        Sampler s = new Sampler(SamplingOptions.NOTEBOOK, 5);
        Rng a = new Rng(3);
        Rng b = new Rng(3);
        for (int i = 0; i < 100; i++) assertThat(s.choose(LOGITS, 0, a)).isEqualTo(s.choose(LOGITS, 0, b));
    }

    @Test
    void badOptionsAreClearErrors() {
        assertThatThrownBy(() -> new SamplingOptions(0, 0, 1, false)).hasMessageStartingWith("temperature must be a number > 0, got 0.0");
        assertThatThrownBy(() -> new SamplingOptions(-1, 0, 1, false)).hasMessageContaining("greedy");
        assertThatThrownBy(() -> new SamplingOptions(1, 0, 0, false)).hasMessage("top-p must be in (0, 1], got 0.0");
        assertThatThrownBy(() -> new SamplingOptions(1, 0, 1.5, false)).hasMessage("top-p must be in (0, 1], got 1.5");
        assertThatThrownBy(() -> new SamplingOptions(1, -2, 1, false)).hasMessageContaining("top-k must be >= 0");
    }
}
