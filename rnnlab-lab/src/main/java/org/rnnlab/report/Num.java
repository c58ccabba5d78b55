package org.rnnlab.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;

/**
 * Number formatting for the report: SVG coordinates (short, locale-free), tick labels (as many decimals as the
 * tick step needs, a true minus sign) and values for tooltips and tables (4 significant digits).
 * Never uses the default locale: a German machine must not write "0,5" into an SVG path.
 */
final class Num {
    private Num() {}

    static final String MINUS = "\u2212";

    /** A coordinate rounded to 0.01 px, without trailing zeros: enough for any screen, and short. */
    static void coord(StringBuilder b, double v) {
        long r = Math.round(v * 100);
        if (r < 0) {
            b.append('-');
            r = -r;
        }
        b.append(r / 100);
        long frac = r % 100;
        if (frac != 0) {
            b.append('.');
            if (frac < 10) b.append('0');
            b.append(frac % 10 == 0 ? frac / 10 : frac);
        }
    }

    static String coord(double v) {
        StringBuilder b = new StringBuilder(8);
        coord(b, v);
        return b.toString();
    }

    /** A tick label for a multiple of {@code step} (a 1-2-5 step): exactly the decimals the step needs. */
    static String tick(double v, double step) {
        if (Math.abs(v) < step * 1e-9) v = 0; // 0.1 + 0.2 - 0.3 is not a tick label
        int decimals = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
        if (decimals > 6 || Math.abs(v) >= 1e7) return scientific(v);
        return minus(String.format(Locale.ROOT, "%." + decimals + "f", v));
    }

    /** A value for a tooltip or a note: 4 significant digits, plain between 0.001 and a million, else 1.234e-7. */
    static String value(double v) {
        if (Double.isNaN(v)) return "NaN";
        if (Double.isInfinite(v)) return v > 0 ? "∞" : MINUS + "∞";
        if (v == 0) return "0";
        double a = Math.abs(v);
        if (a >= 1e-3 && a < 1e6) {
            String s = new BigDecimal(v).round(new MathContext(4)).stripTrailingZeros().toPlainString();
            return minus(s);
        }
        return minus(String.format(Locale.ROOT, "%.3e", v).replaceFirst("\\.?0*e", "e").replaceFirst("e\\+?(-?)0*", "e$1"));
    }

    /**
     * {@code v} with {@code decimals} decimals (0 to 6) by integer arithmetic, for the many numbers of a large chart or
     * text, where {@code String.format} costs more than the rest of the drawing; {@link #fixed} otherwise. No
     * thousands separator; a negative number that rounds to 0 is written 0.
     */
    static String decimals(double v, int decimals) {
        if (!Double.isFinite(v) || Math.abs(v) >= 1e12 || decimals < 0 || decimals > 6) return fixed(v, decimals);
        long scale = 1;
        for (int i = 0; i < decimals; i++) scale *= 10;
        long r = Math.round(Math.abs(v) * scale);
        StringBuilder b = new StringBuilder(12);
        if (v < 0 && r != 0) b.append(MINUS);
        b.append(r / scale);
        if (decimals > 0) {
            String f = Long.toString(r % scale);
            b.append('.');
            for (int i = f.length(); i < decimals; i++) b.append('0');
            b.append(f);
        }
        return b.toString();
    }

    /** A value to 6 significant digits (a float's worth), for a tooltip that promises the exact number. */
    static String precise(double v) {
        if (!Double.isFinite(v) || v == 0) return value(v);
        return minus(new BigDecimal(v).round(new MathContext(6)).stripTrailingZeros().toPlainString());
    }

    /**
     * A value with a fixed number of decimals, for table columns (aligned digits read better than significant ones);
     * thousands grouped with commas from 10,000 up, so parameter counts can be read at a glance.
     */
    static String fixed(double v, int decimals) {
        if (Double.isNaN(v)) return "—";
        if (Double.isInfinite(v)) return v > 0 ? "∞" : MINUS + "∞";
        String grouping = Math.abs(v) >= 10_000 ? "," : "";
        return minus(String.format(Locale.ROOT, "%" + grouping + "." + decimals + "f", v));
    }

    /**
     * A probability as a percentage a reader takes in at once: one decimal from 1% up (41.2%), two significant
     * digits below (0.37%), and "&lt;0.01%" for the crumbs, rather than a false 0%.
     */
    static String percent(double p) {
        double x = p * 100;
        if (x == 0) return "0%";
        if (x >= 1) return String.format(Locale.ROOT, "%.1f%%", x);
        if (x >= 0.01) return new BigDecimal(x).round(new MathContext(2)).stripTrailingZeros().toPlainString() + "%";
        return "<0.01%";
    }

    /** 10 to the power k with superscript digits, for log-axis labels: 10⁻⁷. */
    static String powerOfTen(int k) {
        StringBuilder b = new StringBuilder("10");
        String digits = Integer.toString(k);
        for (char c : digits.toCharArray()) b.append(c == '-' ? '⁻' : "⁰¹²³⁴⁵⁶⁷⁸⁹".charAt(c - '0'));
        return b.toString();
    }

    private static String scientific(double v) {
        if (v == 0) return "0";
        int exp = (int) Math.floor(Math.log10(Math.abs(v)));
        double mantissa = v / Math.pow(10, exp);
        String m = new BigDecimal(mantissa).round(new MathContext(3)).stripTrailingZeros().toPlainString();
        return minus(m + "×" + powerOfTen(exp));
    }

    private static String minus(String s) {
        if (s.startsWith("-")) {
            String rest = s.substring(1);
            return rest.chars().allMatch(c -> c == '0' || c == '.') ? rest : MINUS + rest; // no "−0.0"
        }
        return s;
    }
}
