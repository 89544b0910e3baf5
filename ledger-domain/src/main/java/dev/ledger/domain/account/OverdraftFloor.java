package dev.ledger.domain.account;

import dev.ledger.domain.api.AccountEvent;
import dev.ledger.domain.api.AccountEvent.EntryPosted;
import dev.ledger.domain.api.AccountEvent.EntryReversed;
import dev.ledger.domain.api.AccountEvent.HoldPlaced;
import dev.ledger.domain.api.AccountEvent.ShardFundsMoved;
import dev.ledger.domain.api.AccountEvent.TransactionEntriesPosted;
import dev.ledger.domain.api.AccountEvent.TransactionEntriesReversed;
import dev.ledger.domain.api.AccountEvent.TransactionHoldPlaced;
import dev.ledger.domain.api.AccountEvent.TransactionLeg;
import dev.ledger.domain.api.AccountEvent.TransferLeg;
import dev.ledger.domain.api.Side;
import java.math.BigInteger;
import java.util.Optional;

/**
 * The overdraft floor as the log must show it, walked event by event: an account's available balance
 * is never below zero, except after a reversal an operator forced past it, and then only such
 * reversals may take it lower, until it is back at or above zero. The one statement of this rule for
 * everything that checks a log (the replay tool's verify, the domain's property test).
 */
public final class OverdraftFloor {

    private boolean broken;

    /** Takes the account's next event and the account after it. */
    public void accept(AccountEvent event, AccountState after) {
        Optional<BigInteger> available = after.available();
        if (available.isEmpty() || available.get().signum() >= 0) {
            broken = false;
            return;
        }
        if (lowersAvailable(event) && !(event instanceof EntryReversed reversed && reversed.forced())
                && !(event instanceof TransactionEntriesReversed reversed && reversed.forced())) {
            broken = true;
        }
    }

    /** Whether the account stands where the rule allows: at or above its floor, or below it only by force. */
    public boolean held() {
        return !broken;
    }

    /**
     * A new debit lowers the available balance (for a multi-leg transaction's event: a net debit; for a
     * move between shards: the giving side); posting
     * a hold moves what was reserved, releasing one raises it.
     */
    private static boolean lowersAvailable(AccountEvent event) {
        if (event instanceof TransactionLeg leg) {
            return leg.netCredit() < 0 && (event instanceof TransactionEntriesPosted
                    || event instanceof TransactionHoldPlaced || event instanceof TransactionEntriesReversed);
        }
        if (event instanceof ShardFundsMoved moved) {
            return moved.side() == Side.DEBIT;
        }
        return event instanceof TransferLeg leg && leg.side() == Side.DEBIT
                && (event instanceof EntryPosted || event instanceof HoldPlaced || event instanceof EntryReversed);
    }
}
