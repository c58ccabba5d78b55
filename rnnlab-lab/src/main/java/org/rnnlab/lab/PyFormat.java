package org.rnnlab.lab;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Python's number formatting, so that the lab prints the notebook's lines character for character.
 * Python rounds the exact binary value of a double (round-half-even on its full decimal expansion);
 * {@link String#format} rounds a shortened decimal instead and can differ in the last digit.
 */
public final class PyFormat {
    private PyFormat() {}

    /** {@code f"{x:.{digits}f}"}. */
    public static String fixed(double x, int digits) {
        if (Double.isNaN(x)) return "nan";
        if (Double.isInfinite(x)) return x > 0 ? "inf" : "-inf";
        String s = new BigDecimal(x).setScale(digits, RoundingMode.HALF_EVEN).toPlainString();
        // Python keeps the sign of a negative value that rounds to zero: f"{-0.00001:.2f}" is "-0.00".
        if ((x < 0 || (x == 0 && 1 / x < 0)) && !s.startsWith("-")) s = "-" + s;
        return s;
    }

    /** {@code f"{x:.{digits}%}"}: like CPython, the double {@code x * 100} formatted as fixed, then a percent sign. */
    public static String percent(double x, int digits) {
        return fixed(x * 100.0, digits) + "%";
    }
}
