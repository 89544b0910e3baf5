package dev.ledger.domain.reversal;

import dev.ledger.domain.Rejection;
import dev.ledger.domain.api.ReversalEvent;
import dev.ledger.domain.api.ReversalEvent.Leg;
import dev.ledger.domain.api.ReversalEvent.ReversalRecorded;
import dev.ledger.domain.api.ReversalEvent.ReversalRejected;
import dev.ledger.domain.api.ReversalRequest;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.StreamState;
import dev.ledger.domain.money.Money;
import java.util.List;
import java.util.Optional;

/**
 * One reversal, as its only event recorded it. {@link #evolve} is the one fold of reversal events.
 *
 * @param amount what went back; null if the reversal was refused, or reversed a whole transaction (whose
 *     legs may be in several currencies)
 * @param legs the account movements (for a transaction: each account's net, the other way); empty if refused
 * @param rejection why the first attempt was refused; null if it was accepted
 */
public record ReversalState(String reversalId, ReversalRequest request, Money amount, List<Leg> legs,
                            Rejection rejection) implements StreamState {

    public ReversalState {
        legs = List.copyOf(legs);
    }

    public static ReversalState evolve(Optional<ReversalState> state, ReversalEvent event) {
        if (state.isPresent()) {
            throw new IllegalStateException("reversal " + event.reversalId() + " is recorded twice in its stream");
        }
        if (event instanceof ReversalRecorded recorded) {
            return new ReversalState(recorded.reversalId(), recorded.request(), recorded.amount(), recorded.legs(),
                    null);
        }
        ReversalRejected rejected = (ReversalRejected) event;
        return new ReversalState(rejected.reversalId(), rejected.request(), null, List.of(),
                new Rejection(rejected.code(), rejected.message()));
    }

    @Override
    public StreamId streamId() {
        return StreamId.reversal(reversalId);
    }

    public boolean isRejected() {
        return rejection != null;
    }
}
