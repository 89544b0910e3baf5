package dev.ledger.projections;

import dev.ledger.domain.api.LedgerEvent;
import dev.ledger.store.CanonicalJson;
import dev.ledger.store.EventCodec;
import dev.ledger.store.StoredEvent;
import dev.ledger.projections.Projection.Position;
import dev.ledger.projections.Projection.Step;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One stream's events as the log stores them, built in memory (versions from 1, one second apart
 * from {@link #START}, a made-up hash): for the projections' pure {@code next()}, no emulator.
 */
final class StoredEvents {

    static final Instant START = Instant.parse("2026-03-01T09:00:00Z");

    private StoredEvents() {
    }

    static List<StoredEvent> stream(LedgerEvent... events) {
        List<StoredEvent> stored = new ArrayList<>();
        for (LedgerEvent event : events) {
            long version = stored.size() + 1;
            EventCodec.Encoded encoded = EventCodec.encode(event);
            stored.add(new StoredEvent(event.streamId(), version, encoded.type(), encoded.schemaVersion(),
                    START.plus(Duration.ofSeconds(version)), EventCodec.transferIdOf(event), "corr-" + version,
                    CanonicalJson.string(encoded.body()), "hash-" + version));
        }
        return stored;
    }

    /** Every step of folding {@code events} through {@code projection.next} from nothing. */
    static List<Step> fold(Projection projection, List<StoredEvent> events) {
        List<Step> steps = new ArrayList<>();
        Position position = Position.NONE;
        for (StoredEvent event : events) {
            Step step = projection.next(event, position);
            steps.add(step);
            position = step.after();
        }
        return steps;
    }
}
