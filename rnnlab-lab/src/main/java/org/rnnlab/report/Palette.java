package org.rnnlab.report;

/**
 * Colours. Series use the Okabe–Ito palette (Okabe &amp; Ito 2008), chosen to stay distinguishable under the common
 * colour-vision deficiencies; the order puts blue against vermillion first because most charts here compare two
 * models. Dark mode swaps in the palette's lighter members (sky blue, orange, yellow) where the light-mode ones lack
 * contrast on a dark background; the document's CSS does that swap through the {@code rl-sN} classes, so an SVG
 * used alone keeps the light colours.
 *
 * <p>The heat-map scale is ColorBrewer's 11-class RdBu (blue negative, red positive, near-white at 0), a diverging
 * scale that also survives red-green colour blindness because its two arms differ in lightness and blue.
 */
final class Palette {
    private Palette() {}

    static final String[] LIGHT = {
        "#0072B2", // blue
        "#D55E00", // vermillion
        "#009E73", // bluish green
        "#CC79A7", // reddish purple
        "#E69F00", // orange
        "#56B4E9", // sky blue
        "#4D4D4D", // Okabe–Ito black, softened to dark grey
        "#B8A600", // Okabe–Ito yellow, darkened: the original vanishes on white
    };

    static final String[] DARK = {
        "#56B4E9", "#E69F00", "#2DBE8F", "#DB8FBA", "#F0E442", "#3E95D6", "#C8C8C8", "#F5A56A",
    };

    static String series(int i) {
        return LIGHT[i % LIGHT.length];
    }

    /** Dash pattern for series beyond the palette, so the ninth series is not mistaken for the first. */
    static String dash(int i) {
        return switch (i / LIGHT.length % 3) {
            case 0 -> null;
            case 1 -> "7 4";
            default -> "2 3";
        };
    }

    private static final int[][] RDBU = {
        {0x05, 0x30, 0x61}, {0x21, 0x66, 0xac}, {0x43, 0x93, 0xc3}, {0x92, 0xc5, 0xde}, {0xd1, 0xe5, 0xf0},
        {0xf7, 0xf7, 0xf7},
        {0xfd, 0xdb, 0xc7}, {0xf4, 0xa5, 0x82}, {0xd6, 0x60, 0x4d}, {0xb2, 0x18, 0x2b}, {0x67, 0x00, 0x1f},
    };

    /** The diverging colour for t in [-1, 1] (clamped): -1 darkest blue, 0 near white, 1 darkest red. */
    static String diverging(double t) {
        if (Double.isNaN(t)) return "#9a9a9a";
        double u = (Math.max(-1, Math.min(1, t)) + 1) / 2 * (RDBU.length - 1);
        int i = Math.min(RDBU.length - 2, (int) Math.floor(u));
        double f = u - i;
        StringBuilder b = new StringBuilder("#");
        for (int c = 0; c < 3; c++) {
            int v = (int) Math.round(RDBU[i][c] + (RDBU[i + 1][c] - RDBU[i][c]) * f);
            b.append(Character.forDigit(v >> 4, 16)).append(Character.forDigit(v & 15, 16));
        }
        return b.toString();
    }

    /** Whether text drawn over {@link #diverging(double)} should be white (the colour is dark) rather than black. */
    static boolean isDark(double t) {
        return Math.abs(t) > 0.62;
    }
}
