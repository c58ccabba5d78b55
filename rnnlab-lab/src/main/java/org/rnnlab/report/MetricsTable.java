package org.rnnlab.report;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Models against metrics: one row per model, one column per metric, for {@link HtmlReport#table}. Knows which
 * value of each column is best, so the report can highlight it.
 *
 * <p>"Best" is judged on the numbers as displayed (rounded to the column's decimals): two models shown as 1.234
 * are both best, rather than one of them being bold for a difference the reader cannot see. A column with fewer
 * than two finite values has no best (a lone value is not a winner), nor does a metric where neither direction is
 * better.
 *
 * @param metrics the columns
 * @param rows    the models, in the order shown
 */
public record MetricsTable(List<Metric> metrics, List<Row> rows) {
    /** Which way a metric improves. */
    public enum Better {
        LOWER("↓"), HIGHER("↑"), NEITHER("");

        final String arrow;

        Better(String arrow) {
            this.arrow = arrow;
        }
    }

    /**
     * A column.
     *
     * @param name     "validation loss"
     * @param unit     "nats/char", or "" for none
     * @param better   whether lower or higher values win, or neither (parameters, seconds per epoch)
     * @param decimals digits shown after the point, 0 to 12
     */
    public record Metric(String name, String unit, Better better, int decimals) {
        public Metric {
            if (name == null || name.isBlank()) throw new IllegalArgumentException("a metric needs a name, got \"" + name + "\"");
            if (unit == null || better == null) throw new IllegalArgumentException("metric " + name + ": unit and better must not be null");
            if (decimals < 0 || decimals > 12) {
                throw new IllegalArgumentException("metric " + name + ": decimals must be 0..12, got " + decimals);
            }
        }
    }

    /** A model's values, one per metric, in column order; NaN shows as a dash. */
    public record Row(String model, double[] values) {
        public Row {
            if (model == null || model.isBlank()) throw new IllegalArgumentException("a row needs a model name, got \"" + model + "\"");
            values = values.clone();
        }

        @Override
        public double[] values() {
            return values.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Row r && model.equals(r.model) && Arrays.equals(values, r.values);
        }

        @Override
        public int hashCode() {
            return model.hashCode() * 31 + Arrays.hashCode(values);
        }

        @Override
        public String toString() {
            return "Row[" + model + ", " + Arrays.toString(values) + "]";
        }
    }

    public MetricsTable {
        metrics = List.copyOf(metrics);
        rows = List.copyOf(rows);
        if (metrics.isEmpty()) throw new IllegalArgumentException("a metrics table needs at least one metric");
        for (Row r : rows) {
            if (r.values.length != metrics.size()) {
                throw new IllegalArgumentException("row " + r.model() + " has " + r.values.length + " values but the table has "
                        + metrics.size() + " metrics");
            }
        }
    }

    /** Indices of the rows holding the best value of column {@code column} as displayed (ties: all of them). */
    public Set<Integer> best(int column) {
        Metric m = metrics.get(column);
        Set<Integer> out = new HashSet<>();
        if (m.better() == Better.NEITHER) return out;
        List<BigDecimal> shown = new ArrayList<>();
        int finite = 0;
        for (Row r : rows) {
            double v = r.values[column];
            shown.add(Double.isFinite(v) ? new BigDecimal(v).setScale(m.decimals(), RoundingMode.HALF_EVEN) : null);
            if (Double.isFinite(v)) finite++;
        }
        if (finite < 2) return out;
        BigDecimal best = null;
        for (BigDecimal v : shown) {
            if (v == null) continue;
            if (best == null || (m.better() == Better.LOWER ? v.compareTo(best) < 0 : v.compareTo(best) > 0)) best = v;
        }
        for (int i = 0; i < shown.size(); i++) if (shown.get(i) != null && shown.get(i).compareTo(best) == 0) out.add(i);
        return out;
    }
}
