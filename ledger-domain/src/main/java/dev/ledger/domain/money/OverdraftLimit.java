package dev.ledger.domain.money;

/**
 * How far below zero an account's available balance may go, in the account currency's minor units.
 *
 * <p>{@link #UNLIMITED} is for funding and settlement accounts: a deposit is a transfer from one,
 * so its balance runs negative by design.
 *
 * <p>An account is opened with at most {@link #MAX_MINOR_UNITS} (10^18 minor units: 10000000000000000.00
 * EUR, 1000000000000000000 JPY, 1000000000000000.000 BHD). The bound is checked where a limit comes
 * in ({@link #parse}, and the {@code OpenAccount} command), never here: a log written before the bound
 * existed may hold a larger limit, and it must still decode and replay as it was written.
 */
public record OverdraftLimit(boolean unlimited, long minorUnits) {

    /**
     * The largest overdraft limit an account can be opened with: 10^18 minor units, about a ninth of
     * the largest amount (2^63 - 1). With it, an account's balance plus credits pending may still grow
     * to 2^63 - 1 - limit (at least 8.2 * 10^18 minor units) before a credit is refused, so that
     * available = balance - debits pending + limit always fits in a {@code long}.
     */
    public static final long MAX_MINOR_UNITS = 1_000_000_000_000_000_000L;

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

    /** A limit of this many minor units, as stored; {@link #isWithinMaximum} says whether it can be opened today. */
    public static OverdraftLimit of(long minorUnits) {
        return new OverdraftLimit(false, minorUnits);
    }

    /**
     * Parses a limit given from outside, as a decimal string in the currency ("500.00").
     *
     * @throws InvalidMoneyException naming what is wrong; a limit above {@link #MAX_MINOR_UNITS},
     *     however large, is refused with the maximum in the currency's decimal form
     */
    public static OverdraftLimit parse(String text, CurrencyUnit currency) {
        return of(Money.parse(text, currency, MAX_MINOR_UNITS, "overdraft limit",
                "the largest overdraft limit an account can have").minorUnits());
    }

    /** The largest limit, in the currency's decimal form: "10000000000000000.00 EUR". */
    public static String maximum(CurrencyUnit currency) {
        return Money.of(MAX_MINOR_UNITS, currency).toString();
    }

    /** Whether an account could be opened with this limit today (an older log may hold a larger one). */
    public boolean isWithinMaximum() {
        return unlimited || minorUnits <= MAX_MINOR_UNITS;
    }

    /** Refuses a limit above the maximum, as every new account must: {@code who} names the account. */
    public OverdraftLimit requireWithinMaximum(String who, CurrencyUnit currency) {
        if (!isWithinMaximum()) {
            throw new InvalidMoneyException("the overdraft limit of " + who + ", "
                    + Money.of(minorUnits, currency) + ", is larger than the largest overdraft limit an account"
                    + " can have, " + maximum(currency));
        }
        return this;
    }
}
