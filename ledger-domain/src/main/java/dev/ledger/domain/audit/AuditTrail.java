package dev.ledger.domain.audit;

import dev.ledger.domain.api.AuditEvent;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.StreamState;
import java.util.Optional;

/**
 * The fold of the audit trail: only how many entries it holds. The trail decides nothing (every
 * operator action is recorded, whatever came before), so its head needs no more state than its chain.
 */
public record AuditTrail(String trailId, long entries) implements StreamState {

    public static AuditTrail evolve(Optional<AuditTrail> state, AuditEvent event) {
        return new AuditTrail(event.streamId().id(), state.map(AuditTrail::entries).orElse(0L) + 1);
    }

    @Override
    public StreamId streamId() {
        return StreamId.audit(trailId);
    }
}
