package dev.ledger.domain.api;

import dev.ledger.domain.Rejection;
import java.time.Instant;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Commands one multi-leg transaction handles. Time comes in as {@code now}, never read inside. */
public sealed interface TransactionCommand {

    String transactionId();

    /** Records an accepted transaction; every account's legs are applied in the same unit of work. */
    record RecordTransaction(@TargetAggregateIdentifier String transactionId, TransactionRequest request,
                             Instant expiresAt) implements TransactionCommand {
    }

    /** Records that the first attempt under this id was refused, so a retry gets the same answer. */
    record RejectTransaction(@TargetAggregateIdentifier String transactionId, TransactionRequest request,
                             Rejection rejection) implements TransactionCommand {
    }

    /** Posts a pending transaction in full. */
    record PostPendingTransaction(@TargetAggregateIdentifier String transactionId, Instant now)
            implements TransactionCommand {
    }

    record VoidPendingTransaction(@TargetAggregateIdentifier String transactionId, Instant now)
            implements TransactionCommand {
    }

    /** Reverses a posted transaction in full, under the reversal {@code reversalId}; {@code forced} by an operator. */
    record ReverseTransaction(@TargetAggregateIdentifier String transactionId, String reversalId, boolean forced)
            implements TransactionCommand {
    }

    record ExpirePendingTransaction(@TargetAggregateIdentifier String transactionId, Instant now)
            implements TransactionCommand {
    }
}
