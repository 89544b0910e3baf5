package dev.ledger.domain.ledger;

import dev.ledger.domain.api.LedgerEvent;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.StreamState;
import java.util.List;

/**
 * New events for one stream, to be appended only if the stream is still at {@code expectedVersion}
 * (0 for a new stream). {@code stateAfter} is the fold of the stream including these events.
 */
public record StreamChange(StreamId stream, long expectedVersion, List<LedgerEvent> events, StreamState stateAfter) {

    public StreamChange {
        events = List.copyOf(events);
        if (events.isEmpty()) {
            throw new IllegalArgumentException("a change of " + stream + " needs at least one event");
        }
    }

    public long newVersion() {
        return expectedVersion + events.size();
    }
}
