package dev.ledger.functions.command;

/** A command lost its race (an append or a read of one hold) on every attempt; the client may retry it as it is. */
public final class ConcurrentModificationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConcurrentModificationException(String message, Throwable cause) {
        super(message, cause);
    }
}
