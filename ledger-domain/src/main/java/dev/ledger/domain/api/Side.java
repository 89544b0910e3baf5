package dev.ledger.domain.api;

/** Which leg of a transfer an account event records: the account paying, or the one paid. */
public enum Side {
    DEBIT,
    CREDIT;

    public Side opposite() {
        return this == DEBIT ? CREDIT : DEBIT;
    }
}
