package org.rnnlab.text;

import java.util.List;
import java.util.Locale;

/** The lab notebook's training text: ten lines of code and rhymes, joined by newlines and lowercased. */
public final class LabCorpus {
    private LabCorpus() {}

    /** The notebook's {@code structured_lines}, as written there. */
    public static final List<String> LINES = List.of(
            "if (a == b) { return a; }",
            "while (true) { break; }",
            "for (i = 0; i < n; i++) { sum += i; }",
            "def add(x, y): return x + y",
            "while (x > 0) { x--; }",
            "if (user.is_logged_in()) { show_dashboard(); }",
            "try { risky_operation(); } catch (e) { handle_error(); }",
            "The cat sat on the mat.",
            "The dog barked at the moon.",
            "The rain in Spain falls mainly on the plain.");

    /** {@code "\n".join(structured_lines).lower()}: 339 characters. */
    public static final String TEXT = String.join("\n", LINES).toLowerCase(Locale.ROOT);

    /** The notebook's four prompts for completion. */
    public static final List<String> PROMPTS = List.of(
            "if (a == b) {", "while (x < 10) {", "for (i = 0; i < n; i++) {", "The cat");
}
