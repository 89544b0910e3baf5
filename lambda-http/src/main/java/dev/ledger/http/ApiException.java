package dev.ledger.http;

import java.util.Map;

/**
 * A request the API refuses before or instead of running a command: bad input (400), no or a wrong
 * token (401), a role that may not do this (403), an unknown route (404/405), or a conflict (409,
 * which may say when to come back in a {@code Retry-After} header).
 */
public final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    private final Map<String, String> headers;

    public ApiException(int status, String code, String message) {
        this(status, code, message, Map.of());
    }

    /** A refusal whose answer carries {@code headers} besides {@code Content-Type}. */
    public ApiException(int status, String code, String message, Map<String, String> headers) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.headers = Map.copyOf(headers);
    }

    public static ApiException invalid(String message) {
        return new ApiException(400, "invalid_request", message);
    }

    public HttpResponse toResponse() {
        return HttpResponse.error(status, code, getMessage(), headers);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
