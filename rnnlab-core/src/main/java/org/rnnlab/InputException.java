package org.rnnlab;

/**
 * A request that rnnlab refuses because of what it was given, naming the offending field so that a caller can point
 * at it: the command line maps {@link #field()} to its option ({@code top_p} to {@code --top-p}), the server to the
 * JSON field of its 400 answer. The message is one line a person can act on.
 *
 * <p>It extends {@link IllegalArgumentException}, so code that treats bad arguments alike keeps working.
 *
 * <p>Field names are the API's, in snake case: {@code prompt}, {@code length}, {@code temperature}, {@code top_k},
 * {@code top_p}, {@code beam}, {@code samples}, {@code window}, {@code stop}, {@code vocabulary}, {@code text}.
 */
public class InputException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String field;

    /**
     * @param field   the field at fault, or null when the fault is not one field's
     * @param message what is wrong and how to fix it
     */
    public InputException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** The field at fault (snake case), or null. */
    public String field() {
        return field;
    }
}
