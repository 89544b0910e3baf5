package dev.ledger.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.domain.api.AuditEvent;
import dev.ledger.domain.api.AuditEvent.OperationFinished;
import dev.ledger.domain.api.AuditEvent.OperationPerformed;
import dev.ledger.domain.api.AuditEvent.OperationStarted;
import dev.ledger.domain.api.AuditEvent.Operator;
import dev.ledger.domain.api.AuditEvent.Outcome;
import dev.ledger.domain.audit.AuditTrail;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The audit trail's stored form (issue 15): its three event types, byte for byte, and its chain. */
class AuditCodecTest {

    private static final Operator TOOL = new Operator("arn:aws:sts::123456789012:assumed-role/ops/jane", null, "jane",
            "bastion-1");
    private static final TreeMap<String, String> OPTIONS = new TreeMap<>(Map.of("projection", "balances",
            "swap", "true"));

    @Test
    void eachTypeIsStoredUnderItsNameWithEveryKeyPresentAndReadsBackAsItWas() {
        AuditEvent started = new OperationStarted("a-1", "rebuild", "projection:balances", TOOL, OPTIONS);
        AuditEvent finished = new OperationFinished("a-1", "rebuild", "projection:balances", TOOL, OPTIONS,
                Outcome.SUCCEEDED, "built it");
        AuditEvent performed = new OperationPerformed("a-2", "shards_raised", "account:acme",
                new Operator("operator token", "operator", null, null), new TreeMap<>(Map.of("shards", "4")),
                Outcome.REFUSED, "shards_cannot_decrease");

        EventCodec.Encoded encoded = EventCodec.encode(started);

        assertThat(encoded.type()).isEqualTo("OperationStarted");
        assertThat(CanonicalJson.string(encoded.body())).isEqualTo("{\"action\":\"rebuild\",\"actionId\":\"a-1\","
                + "\"operator\":{\"host\":\"bastion-1\",\"osUser\":\"jane\",\"principal\":"
                + "\"arn:aws:sts::123456789012:assumed-role/ops/jane\",\"role\":null},\"options\":{\"projection\":"
                + "\"balances\",\"swap\":\"true\"},\"target\":\"projection:balances\"}");
        assertThat(CanonicalJson.string(EventCodec.encode(performed).body())).isEqualTo("{\"action\":\"shards_raised\","
                + "\"actionId\":\"a-2\",\"detail\":\"shards_cannot_decrease\",\"operator\":{\"host\":null,\"osUser\":null,"
                + "\"principal\":\"operator token\",\"role\":\"operator\"},\"options\":{\"shards\":\"4\"},"
                + "\"outcome\":\"refused\",\"target\":\"account:acme\"}");
        for (AuditEvent event : List.of(started, finished, performed)) {
            EventCodec.Encoded stored = EventCodec.encode(event);
            assertThat(EventCodec.decode(stored.type(), stored.schemaVersion(), stored.body())).isEqualTo(event);
            assertThat(EventCodec.transferIdOf(event)).isNull();
        }
    }

    @Test
    void theTrailIsOneHashChainedStreamWhoseHeadCountsItsEntries() {
        InMemoryEventStore store = new InMemoryEventStore();
        AuditLog trail = new AuditLog(store, Clock.fixed(Instant.parse("2026-11-30T10:00:00Z"), ZoneOffset.UTC));

        trail.append(new OperationStarted("a-1", "rebuild", "projection:balances", TOOL, OPTIONS), "a-1");
        trail.append(new OperationFinished("a-1", "rebuild", "projection:balances", TOOL, OPTIONS, Outcome.FAILED,
                "the lock was lost"), "a-1");

        List<StoredEvent> events = new ArrayList<>();
        store.readStream(AuditLog.TRAIL, 1).forEachRemaining(events::add);
        assertThat(events).extracting(event -> event.stream().toString()).containsOnly("audit:operations");
        assertThat(HashChainCursor.verify(events.iterator()).valid()).isTrue();
        EventStore.Head head = store.readHead(AuditLog.TRAIL).orElseThrow();
        assertThat(head.hash()).isEqualTo(events.get(1).hash());
        assertThat(StateCodec.decode(AuditLog.TRAIL, head.state())).isEqualTo(new AuditTrail("operations", 2));
        assertThat(StoredEvent.fromJsonLine(events.get(1).toJsonLine())).isEqualTo(events.get(1));
        assertThat(AuditLog.page(store, 1, null).entries()).extracting(StoredEvent::version).containsExactly(2L);
        assertThat(AuditLog.page(store, 1, 2L).entries()).extracting(StoredEvent::version).containsExactly(1L);
        assertThat(AuditLog.fitsWith(AuditLog.alone(AuditLog.change(store.session(), (AuditEvent) events.get(0)
                .event())))).isTrue();
    }
}
