package dev.ledger.store;

/** Another writer appended to one of the streams first; reload and decide again. */
public final class ConcurrentAppendException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConcurrentAppendException(String message, Throwable cause) {
        super(message, cause);
    }
}
