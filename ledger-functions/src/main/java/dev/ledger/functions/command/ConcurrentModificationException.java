package dev.ledger.functions.command;

/** A command lost its append race on every attempt; the client may retry it as it is. */
public final class ConcurrentModificationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConcurrentModificationException(String message, Throwable cause) {
        super(message, cause);
    }
}
