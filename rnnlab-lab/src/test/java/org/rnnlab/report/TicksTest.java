package org.rnnlab.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class TicksTest {
    @Test
    void zeroToOneStepsByTwoTenthsWithExactDecimals() {
        Ticks t = Ticks.linear(0, 1, 5, false);
        // exactly the doubles nearest 0.6 and 0.8: computed as k/5, not k*0.2 (0.6000000000000001)
        assertThat(t.major()).containsExactly(0.0, 0.2, 0.4, 0.6, 0.8, 1.0);
        assertThat(t.labels()).containsExactly("0.0", "0.2", "0.4", "0.6", "0.8", "1.0");
        assertThat(t.min()).isEqualTo(0.0);
        assertThat(t.max()).isEqualTo(1.0);
        assertThat(t.minor()).isEmpty();
    }

    @Test
    void anAwkwardRangeIsWidenedToWholeNiceSteps() {
        Ticks t = Ticks.linear(3.2, 187, 5, false); // 183.8 / 5 = 36.8 -> 50 (nearer than 20 on a log scale)
        assertThat(t.major()).containsExactly(0.0, 50.0, 100.0, 150.0, 200.0);
        assertThat(t.labels()).containsExactly("0", "50", "100", "150", "200");
        Ticks finer = Ticks.linear(3.2, 187, 10, false); // 18.4 -> 20
        assertThat(finer.major()).hasSize(11).startsWith(0.0, 20.0).endsWith(200.0);
    }

    @Test
    void stepsAreOneTwoOrFiveTimesAPowerOfTen() {
        assertThat(Ticks.linear(1.43, 2.61, 5, false).major()).containsExactly(1.4, 1.6, 1.8, 2.0, 2.2, 2.4, 2.6, 2.8);
        assertThat(Ticks.linear(0, 0.0042, 4, false).major()).containsExactly(0.0, 0.001, 0.002, 0.003, 0.004, 0.005);
        assertThat(Ticks.linear(120, 9_800, 5, false).major()).containsExactly(0.0, 2000.0, 4000.0, 6000.0, 8000.0, 10000.0);
    }

    @Test
    void negativeLabelsUseATrueMinusAndZeroHasNoSign() {
        Ticks t = Ticks.linear(-0.37, 0.81, 5, false);
        assertThat(t.major()).containsExactly(-0.4, -0.2, 0.0, 0.2, 0.4, 0.6, 0.8, 1.0);
        assertThat(t.labels()).startsWith("\u22120.4", "\u22120.2", "0.0");
    }

    @Test
    void integerAxesNeverStepBelowOne() {
        assertThat(Ticks.linear(1, 3, 5, false).major()).contains(1.5); // what an epoch axis must avoid
        assertThat(Ticks.linear(1, 3, 5, true).major()).containsExactly(1.0, 2.0, 3.0);
        assertThat(Ticks.linear(0, 39, 7, true).major()).containsExactly(0.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0, 35.0, 40.0);
    }

    @Test
    void aSingleValueGetsARangeAroundIt() {
        Ticks t = Ticks.linear(2.5, 2.5, 4, false);
        assertThat(t.min()).isLessThan(2.5);
        assertThat(t.max()).isGreaterThan(2.5);
        assertThat(Ticks.linear(0, 0, 4, false).major()).contains(-1.0, 0.0, 1.0);
        assertThat(Ticks.linear(7, 7, 4, true).major()).contains(6.0, 7.0, 8.0);
    }

    @Test
    void logAxesCoverWholeDecadesWithMinorTicksBetween() {
        Ticks t = Ticks.log(1e-7, 1, 9);
        assertThat(t.major()).containsExactly(1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0);
        assertThat(t.labels()).containsExactly("10⁻⁷", "10⁻⁶", "10⁻⁵", "10⁻⁴", "10⁻³", "10⁻²", "10⁻¹", "10⁰");
        assertThat(t.minor()).hasSize(7 * 8).contains(2e-7, 5e-4, 9e-1).doesNotContainAnyElementsOf(t.major());
        assertThat(t.minor()).isSorted();
        assertThat(t.fraction(1e-4)).isCloseTo(3.0 / 7, within(1e-12));
    }

    @Test
    void logAxesWidenToTheEnclosingDecades() {
        Ticks t = Ticks.log(3e-9, 0.2);
        assertThat(t.min()).isEqualTo(1e-9);
        assertThat(t.max()).isEqualTo(1.0);
        Ticks within = Ticks.log(12, 18);
        assertThat(within.major()).containsExactly(10.0, 100.0);
        assertThat(within.labels()).containsExactly("10¹", "10²");
    }

    @Test
    void crowdedLogAxesLabelEveryNthDecadeAndDropMinorTicks() {
        Ticks t = Ticks.log(1e-30, 1, 9);
        assertThat(t.major()).hasSize(31);
        assertThat(t.labelled()).containsExactly(1e-30, 1e-26, 1e-22, 1e-18, 1e-14, 1e-10, 1e-6, 1e-2);
        assertThat(t.minor()).isEmpty();
        assertThat(Ticks.log(1e-10, 1, 6).labelled()).containsExactly(1e-10, 1e-8, 1e-6, 1e-4, 1e-2, 1.0);
    }

    @Test
    void badInputIsRejectedWithTheValue() {
        assertThatThrownBy(() -> Ticks.log(0, 1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0.0 .. 1.0");
        assertThatThrownBy(() -> Ticks.log(-1, 1)).hasMessageContaining("-1.0");
        assertThatThrownBy(() -> Ticks.linear(Double.NaN, 1, 5, false)).hasMessageContaining("NaN");
        assertThatThrownBy(() -> Ticks.linear(0, 1, 0, false)).hasMessageContaining("got 0");
        assertThatThrownBy(() -> new Ticks(1, 1, List.of(), List.of(), List.of(), false)).hasMessageContaining("1.0 .. 1.0");
    }
}
