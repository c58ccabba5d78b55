package org.rnnlab.report;

/**
 * One axis of a {@link LineChart}: what it measures and how values map to positions.
 *
 * @param title   what is measured ("loss", "‖∂L/∂hₜ‖"); shown along the axis
 * @param unit    its unit ("nats per character"), shown in parentheses after the title; "" for none
 * @param log     log10 scale, with decade ticks; values at or below 0 cannot be drawn and leave gaps
 * @param integer ticks only at whole numbers (epochs, time steps)
 */
public record Axis(String title, String unit, boolean log, boolean integer) {
    public Axis {
        if (title == null || title.isBlank()) throw new IllegalArgumentException("an axis needs a title, got \"" + title + "\"");
        if (unit == null) throw new IllegalArgumentException("axis unit must not be null (use \"\" for none) on " + title);
        if (log && integer) throw new IllegalArgumentException("axis " + title + " cannot be both log and integer");
    }

    public static Axis linear(String title, String unit) {
        return new Axis(title, unit, false, false);
    }

    public static Axis log(String title, String unit) {
        return new Axis(title, unit, true, false);
    }

    /** A linear axis of counts: epochs, steps, positions. */
    public static Axis integer(String title, String unit) {
        return new Axis(title, unit, false, true);
    }

    /** "title (unit)", or the title alone. */
    public String label() {
        return unit.isEmpty() ? title : title + " (" + unit + ")";
    }
}
