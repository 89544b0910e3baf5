package dev.ledger.domain.api;

import dev.ledger.domain.Rejection;
import dev.ledger.domain.api.ReversalEvent.Leg;
import dev.ledger.domain.money.Money;
import java.util.List;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Commands one reversal handles: it is recorded once, accepted or refused. */
public sealed interface ReversalCommand {

    String reversalId();

    /** Records an accepted reversal; the original and the accounts change in the same unit of work. */
    record RecordReversal(@TargetAggregateIdentifier String reversalId, ReversalRequest request, Money amount,
                          List<Leg> legs) implements ReversalCommand {
    }

    /** Records that the first attempt under this id was refused, so a retry gets the same answer. */
    record RejectReversal(@TargetAggregateIdentifier String reversalId, ReversalRequest request,
                          Rejection rejection) implements ReversalCommand {
    }
}
