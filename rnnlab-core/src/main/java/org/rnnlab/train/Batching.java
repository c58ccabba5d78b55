package org.rnnlab.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The two ways of cutting text into batches. */
public enum Batching {
    WINDOWS, STREAM;

    /** The command-line and checkpoint name: windows or stream. */
    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Batching parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "windows" -> WINDOWS;
            case "stream" -> STREAM;
            default -> throw new IllegalArgumentException("unknown batching mode '" + s + "': use windows or stream");
        };
    }
}
