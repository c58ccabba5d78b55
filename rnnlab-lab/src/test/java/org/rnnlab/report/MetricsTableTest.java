package org.rnnlab.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.rnnlab.report.MetricsTable.Better;
import org.rnnlab.report.MetricsTable.Metric;
import org.rnnlab.report.MetricsTable.Row;

class MetricsTableTest {
    private static MetricsTable table(Better better, int decimals, double... values) {
        Row[] rows = new Row[values.length];
        for (int i = 0; i < values.length; i++) rows[i] = new Row("m" + i, new double[] {values[i]});
        return new MetricsTable(List.of(new Metric("x", "", better, decimals)), List.of(rows));
    }

    @Test
    void lowerOrHigherIsBestAsTheMetricSays() {
        assertThat(table(Better.LOWER, 3, 1.8, 1.4, 1.5).best(0)).containsExactly(1);
        assertThat(table(Better.HIGHER, 3, 1.8, 1.4, 1.5).best(0)).containsExactly(0);
        assertThat(table(Better.NEITHER, 3, 1.8, 1.4, 1.5).best(0)).isEmpty();
    }

    @Test
    void tiesAsDisplayedAreAllBest() {
        assertThat(table(Better.LOWER, 3, 1.4, 1.5, 1.4).best(0)).containsExactlyInAnyOrder(0, 2);
        // 1.4001 and 1.4003 both show as 1.400: neither is bold for a difference the reader cannot see
        assertThat(table(Better.LOWER, 3, 1.4003, 1.4001, 2).best(0)).containsExactlyInAnyOrder(0, 1);
        assertThat(table(Better.LOWER, 4, 1.4003, 1.4001, 2).best(0)).containsExactly(1);
    }

    @Test
    void missingValuesNeverWinAndALoneValueIsNoWinner() {
        assertThat(table(Better.LOWER, 2, Double.NaN, 3, 2).best(0)).containsExactly(2);
        assertThat(table(Better.LOWER, 2, Double.NaN, 3).best(0)).isEmpty();
        assertThat(table(Better.HIGHER, 2, 5).best(0)).isEmpty();
    }

    @Test
    void rowsMustMatchTheColumnsAndAreImmutable() {
        List<Metric> two = List.of(new Metric("loss", "", Better.LOWER, 3), new Metric("acc", "%", Better.HIGHER, 1));
        assertThatThrownBy(() -> new MetricsTable(two, List.of(new Row("RNN", new double[] {1}))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("row RNN has 1 values but the table has 2");
        assertThatThrownBy(() -> new Metric("loss", "", Better.LOWER, 13)).hasMessageContaining("got 13");
        double[] v = {1, 2};
        Row r = new Row("RNN", v);
        v[0] = 9;
        r.values()[1] = 9;
        assertThat(r.values()).containsExactly(1, 2);
    }
}
