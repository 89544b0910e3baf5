package dev.ledger.domain.batch;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import dev.ledger.domain.api.BatchCommand.RecordBatch;
import dev.ledger.domain.api.BatchCommand.RejectBatch;
import dev.ledger.domain.api.BatchEvent;
import dev.ledger.domain.api.BatchEvent.BatchRecorded;
import dev.ledger.domain.api.BatchEvent.BatchRejected;
import java.util.Optional;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateIdentifier;

/**
 * One batch, as an Axon aggregate: the idempotency record of a batch id, written once with the
 * request's digest and its outcome (an atomic batch's refusal included). The rules the items obey are
 * their own aggregates' ({@link dev.ledger.domain.transfer.Transfer}, the transactions and the
 * accounts), decided in the same unit of work for an atomic batch.
 */
public class Batch {

    @AggregateIdentifier
    private String batchId;
    private BatchState state;

    /** Axon rebuilds a batch from its events through this. */
    protected Batch() {
    }

    @CommandHandler
    public Batch(RecordBatch command) {
        apply(new BatchRecorded(command.batchId(), command.request().atomic(), command.request().digest(),
                command.items()));
    }

    @CommandHandler
    public Batch(RejectBatch command) {
        if (command.rejection().failedItem() == null) {
            throw new IllegalArgumentException("a batch's refusal names the item that refused it");
        }
        apply(new BatchRejected(command.batchId(), command.request().digest(), command.request().items().size(),
                command.rejection().code(), command.rejection().message(), command.rejection().failedItem(),
                command.rejection().failedEntry()));
    }

    public BatchState state() {
        return state;
    }

    @EventSourcingHandler
    void on(BatchEvent event) {
        state = BatchState.evolve(Optional.ofNullable(state), event);
        batchId = state.batchId();
    }
}
