package dev.ledger.domain.api;

import dev.ledger.domain.RejectionCode;
import dev.ledger.domain.money.Money;
import java.util.List;

/** Events of one reversal's stream: its request and outcome, recorded once (the idempotency record). */
public sealed interface ReversalEvent extends LedgerEvent {

    String reversalId();

    ReversalRequest request();

    @Override
    default StreamId streamId() {
        return StreamId.reversal(reversalId());
    }

    /** One account movement of a reversal: the opposite of a leg of the original. */
    record Leg(String accountId, Side side, Money amount) {
    }

    /**
     * The reversal was accepted: {@code amount} went back, through {@code legs} (for a transfer: its
     * credit account debited, its debit account credited), in the same transaction as the original's
     * {@link TransferEvent.TransferReversed} and the accounts' {@link AccountEvent.EntryReversed}. For a
     * whole transaction {@code amount} is null and each leg is an account's net the other way, written
     * with {@link TransactionEvent.TransactionReversed} and {@link AccountEvent.TransactionEntriesReversed}.
     */
    record ReversalRecorded(String reversalId, ReversalRequest request, Money amount, List<Leg> legs)
            implements ReversalEvent {
        public ReversalRecorded {
            legs = List.copyOf(legs);
        }
    }

    /** The first attempt was refused; nothing else was touched, and the id stays refused. */
    record ReversalRejected(String reversalId, ReversalRequest request, RejectionCode code, String message)
            implements ReversalEvent {
    }
}
