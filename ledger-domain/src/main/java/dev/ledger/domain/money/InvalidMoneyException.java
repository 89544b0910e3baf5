package dev.ledger.domain.money;

/**
 * Thrown when an amount or currency given from outside cannot be represented exactly. This is bad
 * input, not a business rejection: callers turn it into a 400 with this message.
 */
public final class InvalidMoneyException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidMoneyException(String message) {
        super(message);
    }
}
