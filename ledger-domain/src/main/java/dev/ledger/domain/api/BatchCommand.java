package dev.ledger.domain.api;

import dev.ledger.domain.Rejection;
import java.util.List;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Commands one batch handles: its record is written once, with the request's digest and the outcome. */
public sealed interface BatchCommand {

    String batchId();

    record RecordBatch(@TargetAggregateIdentifier String batchId, BatchRequest request,
                       List<BatchEvent.ItemOutcome> items) implements BatchCommand {
    }

    record RejectBatch(@TargetAggregateIdentifier String batchId, BatchRequest request, Rejection rejection)
            implements BatchCommand {
    }
}
