package dev.ledger.domain.reversal;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import dev.ledger.domain.api.ReversalCommand.RecordReversal;
import dev.ledger.domain.api.ReversalCommand.RejectReversal;
import dev.ledger.domain.api.ReversalEvent;
import dev.ledger.domain.api.ReversalEvent.ReversalRecorded;
import dev.ledger.domain.api.ReversalEvent.ReversalRejected;
import java.util.Optional;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateIdentifier;

/**
 * One reversal, as an Axon aggregate: the idempotency record of a reversal id, written once with
 * the request and its outcome (a refusal included). The rules of what may be reversed live on the
 * original ({@link dev.ledger.domain.transfer.Transfer}) and its accounts, decided in the same unit of work.
 */
public class Reversal {

    @AggregateIdentifier
    private String reversalId;
    private ReversalState state;

    /** Axon rebuilds a reversal from its events through this. */
    protected Reversal() {
    }

    @CommandHandler
    public Reversal(RecordReversal command) {
        apply(new ReversalRecorded(command.reversalId(), command.request(), command.amount(), command.legs()));
    }

    @CommandHandler
    public Reversal(RejectReversal command) {
        apply(new ReversalRejected(command.reversalId(), command.request(), command.rejection().code(),
                command.rejection().message()));
    }

    public ReversalState state() {
        return state;
    }

    @EventSourcingHandler
    void on(ReversalEvent event) {
        state = ReversalState.evolve(Optional.ofNullable(state), event);
        reversalId = state.reversalId();
    }
}
