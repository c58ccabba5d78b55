package org.rnnlab.report;

/**
 * The few words the report writes by itself, around what its caller gives it (which the caller translates): the
 * page's language, its kicker, table of contents and footer, the metrics table's first header and its notes, the key
 * under completions, and the names of invisible characters and "position" in tooltips. {@link #EN} and {@link #ES}
 * (the lab notebook's students read Spanish).
 */
public record Words(String lang, String kicker, String contents, String footer, String model, String lowerIsBetter,
                    String higherIsBetter, String best, String highlighted, String prompt, String shaded,
                    String shadedRest, String position, String newline, String space, String tab, String carriageReturn,
                    String noBreakSpace) {
    public static final Words EN = new Words("en", "rnnlab report", "contents",
            "Made by rnnlab. Self-contained: this page loads nothing from the network.", "model", "lower is better",
            "higher is better", "best", "Highlighted: the best value in each column (↓ lower is better, ↑ higher is better).",
            "prompt", "shaded", " prompt, then what the model wrote.", "position", "newline", "space", "tab",
            "carriage return", "no-break space");

    public static final Words ES = new Words("es", "informe de rnnlab", "contenido",
            "Hecho con rnnlab. Autocontenido: esta página no carga nada de la red.", "modelo", "menor es mejor",
            "mayor es mejor", "mejor", "Resaltado: el mejor valor de cada columna (↓ menor es mejor, ↑ mayor es mejor).",
            "prompt", "sombreado", ": el prompt; después, lo que escribió el modelo.", "posición", "salto de línea",
            "espacio", "tabulador", "retorno de carro", "espacio de no separación");
}
