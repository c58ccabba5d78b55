package org.rnnlab.serve;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request the server refuses, with the HTTP status that fits, the field at fault and a message a person can act on.
 * Rendered as {@code {"error": {"status": 400, "field": "temperature", "message": "..."}}}.
 */
final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;
    final String field;
    final transient Map<String, Object> extra;

    ApiError(int status, String field, String message) {
        this(status, field, message, Map.of());
    }

    ApiError(int status, String field, String message, Map<String, Object> extra) {
        super(message, null, false, false);
        this.status = status;
        this.field = field;
        this.extra = extra;
    }

    static ApiError badRequest(String field, String message) {
        return new ApiError(400, field, message);
    }

    Map<String, Object> body() {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("status", status);
        if (field != null) e.put("field", field);
        e.put("message", getMessage());
        e.putAll(extra);
        return Map.of("error", e);
    }
}
