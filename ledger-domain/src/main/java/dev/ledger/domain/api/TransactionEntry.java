package dev.ledger.domain.api;

import dev.ledger.domain.money.Money;
import java.math.BigInteger;
import java.util.List;
import java.util.Objects;

/**
 * One entry of a multi-leg transaction: an account, which side it is on, and a positive amount.
 *
 * @param index the entry's position in the transaction's request (0, 1, 2...), which refusals name
 */
public record TransactionEntry(int index, String accountId, Side direction, Money amount) {

    public TransactionEntry {
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(amount, "amount");
        if (index < 0) {
            throw new IllegalArgumentException("an entry index is never negative");
        }
        if (!amount.isPositive()) {
            throw new IllegalArgumentException("an entry amount must be greater than zero");
        }
    }

    /**
     * What the entries move on one account, exactly: its credits minus its debits, in minor units. An
     * account in several entries of one transaction moves by this net amount (its floor sees it, its
     * totals and holds take it); it may be past a {@code long} only in a request that is refused.
     */
    public static BigInteger netCredit(List<TransactionEntry> entries, String accountId) {
        BigInteger net = BigInteger.ZERO;
        for (TransactionEntry entry : entries) {
            if (entry.accountId.equals(accountId)) {
                BigInteger units = BigInteger.valueOf(entry.amount.minorUnits());
                net = entry.direction == Side.CREDIT ? net.add(units) : net.subtract(units);
            }
        }
        return net;
    }
}
