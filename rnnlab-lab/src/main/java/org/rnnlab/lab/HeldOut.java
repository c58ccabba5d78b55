package org.rnnlab.lab;

import java.util.List;
import java.util.Locale;

/**
 * Text the lab's models never train on, in the style of the notebook's ten lines and written only with their
 * characters, so that accuracy and perplexity can be measured on held-out windows: the notebook measures them on
 * its training windows, which shows memorisation (it says so: "¡Esto claramente es overfitting!"), not learning.
 */
final class HeldOut {
    private HeldOut() {}

    static final List<String> LINES = List.of(
            "if (b == a) { return b; }",
            "while (n > 0) { n--; }",
            "for (k = 0; k < n; k++) { sum += k; }",
            "def sub(x, y): return x - y",
            "if (user.is_ready()) { show_menu(); }",
            "try { parse_line(); } catch (e) { log_error(); }",
            "The dog sat on the mat.",
            "The cat barked at the rain.",
            "The moon in Spain shines mainly on the plain.");

    static final String TEXT = String.join("\n", LINES).toLowerCase(Locale.ROOT);
}
