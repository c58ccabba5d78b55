package org.rnnlab;

/**
 * What {@link Model#complete} wrote after a prompt.
 *
 * @param prompt       the prompt, as given
 * @param text         the characters generated after it (the stop string included when it ended the text)
 * @param finishReason {@code "length"} (ran to the length) or {@code "stop"} (ended with the stop string)
 * @param seed         the seed it was drawn with: the same prompt, options and seed give the same text
 */
public record Completion(String prompt, String text, String finishReason, long seed) {}
