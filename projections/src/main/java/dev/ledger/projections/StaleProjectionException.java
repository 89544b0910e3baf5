package dev.ledger.projections;

/** Another writer (a concurrent delivery, a rebuild) moved the projection; read it again. */
public final class StaleProjectionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StaleProjectionException(String message, Throwable cause) {
        super(message, cause);
    }
}
