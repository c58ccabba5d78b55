package org.rnnlab.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.junit.jupiter.api.Test;

class TrainStateTest {
    @Test
    void everyNumberComesBackToTheBitIncludingInfinityAndNaN() {
        TrainState s = new TrainState(12, 3, 4, 1.25, "adam", 0.1 + 0.2, 12,
                JsonNodeFactory.instance.objectNode().put("beta1", 0.9), new double[] {Double.POSITIVE_INFINITY, 2, 0},
                new long[] {1, Long.MIN_VALUE, -1, Long.MAX_VALUE}, new long[] {-3, 5, 7, 9},
                Double.POSITIVE_INFINITY, -1, Double.POSITIVE_INFINITY, 0, Math.PI * 1e7, 1L << 40, 77, 123456789,
                1L << 41, Double.MIN_VALUE, "abc");
        TrainState back = TrainState.fromJson(s.toJson());
        assertThat(back.toJson()).isEqualTo(s.toJson());
        assertThat(back.lr()).isEqualTo(0.1 + 0.2);
        assertThat(back.schedule()).containsExactly(Double.POSITIVE_INFINITY, 2, 0);
        assertThat(back.batcher()).containsExactly(1, Long.MIN_VALUE, -1, Long.MAX_VALUE);
        assertThat(back.bestValLoss()).isInfinite();
        assertThat(back.intervalLoss()).isEqualTo(Math.PI * 1e7);
        assertThat(back.seconds()).isEqualTo(Double.MIN_VALUE);

        MetricsHistory h = new MetricsHistory();
        h.add(new MetricsHistory.Row(5, 0.5, 0.01, 2.5, 3.6, 0.25, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 100, 1));
        MetricsHistory back2 = MetricsHistory.fromJson(h.toJson());
        assertThat(back2.rows()).isEqualTo(h.rows());
        assertThat(back2.last().hasVal()).isFalse();
        assertThat(h.toCsv().lines().skip(1).findFirst().orElseThrow())
                .isEqualTo("5,0.5,0.01,2.5,3.6,0.25,NaN,NaN,NaN,NaN,100.0,1.0");
    }
}
