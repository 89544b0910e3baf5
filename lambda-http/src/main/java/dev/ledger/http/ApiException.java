package dev.ledger.http;

/**
 * A request the API refuses before or instead of running a command: bad input (400), no or a wrong
 * token (401), a role that may not do this (403), an unknown route (404/405), or a conflict.
 */
public final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;

    public ApiException(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    public static ApiException invalid(String message) {
        return new ApiException(400, "invalid_request", message);
    }

    public HttpResponse toResponse() {
        return HttpResponse.error(status, code, getMessage());
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
