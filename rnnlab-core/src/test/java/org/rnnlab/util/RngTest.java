package org.rnnlab.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RngTest {
    @Test
    void sameSeedSameStreamAndStateRestoresMidway() {
        Rng a = new Rng(42);
        Rng b = new Rng(42);
        for (int i = 0; i < 100; i++) assertThat(a.nextLong()).isEqualTo(b.nextLong());
        Rng c = Rng.fromState(a.state());
        for (int i = 0; i < 100; i++) assertThat(c.nextDouble()).isEqualTo(a.nextDouble());
        assertThat(new Rng(43).nextLong()).isNotEqualTo(new Rng(42).nextLong());
    }

    @Test
    void xoshiroMatchesTheReferenceImplementation() {
        // Reference: xoshiro256starstar.c from prng.di.unimi.it with s = {1, 2, 3, 4}: first outputs 11520, 0, 1509978240.
        Rng r = Rng.fromState(new long[] {1, 2, 3, 4});
        assertThat(r.nextLong()).isEqualTo(11520L);
        assertThat(r.nextLong()).isEqualTo(0L);
        assertThat(r.nextLong()).isEqualTo(1509978240L);
    }

    @Test
    void boundedIntsAreInRangeAndRoughlyUniform() {
        Rng r = new Rng(1);
        int[] counts = new int[7];
        for (int i = 0; i < 70_000; i++) counts[r.nextInt(7)]++;
        for (int c : counts) assertThat(c).isBetween(9_500, 10_500);
        assertThatThrownBy(() -> r.nextInt(0)).hasMessageContaining("bound must be positive");
    }

    @Test
    void uniformsAndNormalsHaveTheRightMoments() {
        Rng r = new Rng(5);
        double sum = 0;
        double sq = 0;
        int n = 200_000;
        for (int i = 0; i < n; i++) {
            double g = r.nextGaussian();
            sum += g;
            sq += g * g;
            float f = r.nextFloat();
            assertThat(f).isGreaterThanOrEqualTo(0f).isLessThan(1f);
        }
        assertThat(sum / n).isBetween(-0.01, 0.01);
        assertThat(sq / n).isBetween(0.98, 1.02);
    }
}
