package org.rnnlab.generate;

/**
 * One completion (the characters after the prompt).
 *
 * @param text    the completion, the stop string included when it ended one
 * @param stopped whether it ended with the stop string (otherwise it ran to the length)
 * @param score   for beam search, the mean log-probability per character ({@link BeamSearch}); NaN when sampled
 */
public record Completion(String text, boolean stopped, double score) {}
