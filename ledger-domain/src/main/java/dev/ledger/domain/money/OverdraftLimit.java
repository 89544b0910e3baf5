package dev.ledger.domain.money;

/**
 * How far below zero an account's available balance may go, in the account currency's minor units.
 *
 * <p>{@link #UNLIMITED} is for funding and settlement accounts: a deposit is a transfer from one,
 * so its balance runs negative by design.
 */
public record OverdraftLimit(boolean unlimited, long minorUnits) {

    public OverdraftLimit {
        if (minorUnits < 0) {
            throw new InvalidMoneyException("overdraft limit must not be negative");
        }
        if (unlimited && minorUnits != 0) {
            throw new IllegalArgumentException("an unlimited overdraft has no amount");
        }
    }

    /** No overdraft: the available balance may not go below zero. */
    public static final OverdraftLimit NONE = new OverdraftLimit(false, 0);

    public static final OverdraftLimit UNLIMITED = new OverdraftLimit(true, 0);

    public static OverdraftLimit of(long minorUnits) {
        return new OverdraftLimit(false, minorUnits);
    }
}
