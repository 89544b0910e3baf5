package dev.ledger.functions.command;

import java.time.Duration;

/**
 * A command lost its race (an append or a read of one hold) on every attempt it had time for; the
 * client may send it again as it is.
 */
public final class ConcurrentModificationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int attempts;
    private final Duration spent;

    public ConcurrentModificationException(String message, int attempts, Duration spent, Throwable cause) {
        super(message, cause);
        this.attempts = attempts;
        this.spent = spent;
    }

    /** How many attempts the command made, every one of them lost. */
    public int attempts() {
        return attempts;
    }

    /** From the first attempt's start to giving up. */
    public Duration spent() {
        return spent;
    }
}
