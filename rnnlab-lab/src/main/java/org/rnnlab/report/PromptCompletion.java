package org.rnnlab.report;

/**
 * Text a model wrote after a prompt, for {@link HtmlReport#completions}: shown in monospace with its whitespace and
 * newlines intact, the prompt shaded so the reader sees where the model took over.
 *
 * @param model     whose completion ("LSTM")
 * @param prompt    the text given to the model
 * @param generated the text it produced after the prompt
 * @param note      how it was sampled ("temperature 0.8"), or "" for nothing
 */
public record PromptCompletion(String model, String prompt, String generated, String note) {
    public PromptCompletion {
        if (model == null || model.isBlank()) throw new IllegalArgumentException("a completion needs a model name, got \"" + model + "\"");
        if (prompt == null || generated == null || note == null) {
            throw new IllegalArgumentException("completion of " + model + ": prompt, text and note must not be null");
        }
    }

    public static PromptCompletion of(String model, String prompt, String generated) {
        return new PromptCompletion(model, prompt, generated, "");
    }
}
