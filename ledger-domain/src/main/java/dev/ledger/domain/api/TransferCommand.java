package dev.ledger.domain.api;

import dev.ledger.domain.Rejection;
import dev.ledger.domain.money.Money;
import java.time.Instant;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Commands one transfer handles. Time comes in as {@code now}, never read inside. */
public sealed interface TransferCommand {

    String transferId();

    /** Records an accepted transfer; both accounts' legs are applied in the same unit of work. */
    record RecordTransfer(@TargetAggregateIdentifier String transferId, TransferRequest request,
                          Instant expiresAt, int debitShard, int creditShard) implements TransferCommand {

        /** A transfer between accounts that are not sharded. */
        public RecordTransfer(String transferId, TransferRequest request, Instant expiresAt) {
            this(transferId, request, expiresAt, 0, 0);
        }
    }

    /** Records that the first attempt under this id was refused, so a retry gets the same answer. */
    record RejectTransfer(@TargetAggregateIdentifier String transferId, TransferRequest request,
                          Rejection rejection) implements TransferCommand {
    }

    /** Posts a pending transfer; {@code amount} null means the whole hold. */
    record PostPendingTransfer(@TargetAggregateIdentifier String transferId, Money amount, Instant now)
            implements TransferCommand {
    }

    record VoidPendingTransfer(@TargetAggregateIdentifier String transferId, Instant now)
            implements TransferCommand {
    }

    /**
     * Gives back part or all of a posted transfer by the reversal {@code reversalId}; {@code amount}
     * null means all that is still reversible.
     */
    record ReverseTransfer(@TargetAggregateIdentifier String transferId, String reversalId, Money amount,
                           boolean forced) implements TransferCommand {
    }

    record ExpirePendingTransfer(@TargetAggregateIdentifier String transferId, Instant now)
            implements TransferCommand {
    }
}
