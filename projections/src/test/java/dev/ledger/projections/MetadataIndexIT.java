package dev.ledger.projections;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.domain.api.AccountEvent.AccountFrozen;
import dev.ledger.domain.api.AccountEvent.AccountMetadataSet;
import dev.ledger.domain.api.AccountEvent.AccountOpened;
import dev.ledger.domain.api.LedgerEvent;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.TransactionEntry;
import dev.ledger.domain.api.TransactionEvent.TransactionRecorded;
import dev.ledger.domain.api.TransactionRequest;
import dev.ledger.domain.api.TransferEvent.PendingTransferVoided;
import dev.ledger.domain.api.TransferEvent.TransferRecorded;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import dev.ledger.projections.Projection.Position;
import dev.ledger.projections.Projection.Run;
import dev.ledger.projections.Projection.Written;
import dev.ledger.store.StoredEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The metadata index against moto: written through the projection's own write path (its runs, as the
 * consumers and {@code replay rebuild} write them), read through {@link MetadataIndex} by key on the
 * GSI: replaced and removed pairs, slots reused past 16 keys over time, transfers and transactions
 * newest first within a time window, paged.
 */
@ExtendWith(LocalAwsExtension.class)
class MetadataIndexIT {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");
    private static final AtomicInteger TABLES = new AtomicInteger();

    private DynamoDbClient dynamo;
    private String table;
    private MetadataProjection projection;
    private MetadataIndex index;

    @BeforeEach
    void setUp(AwsClients aws, TestNames names) {
        dynamo = aws.dynamoDb();
        table = names.table("metadata-" + TABLES.incrementAndGet());
        ProjectionCatalog.METADATA.createTable(dynamo, table);
        projection = new MetadataProjection(dynamo, table);
        index = new MetadataIndex(dynamo, table);
    }

    @Test
    void aReplacedValueNoLongerFindsTheAccountAndTheNewOneDoes() {
        apply(StoredEvents.stream(opened("alice"), set("alice", Map.of("customer", "c-1", "region", "eu"))));
        assertThat(index.accounts("customer", "c-1", 10, null).streams()).containsExactly(StreamId.account("alice"));

        apply(3, new AccountMetadataSet("alice", new TreeMap<>(Map.of("customer", "c-2", "region", "eu"))));

        assertThat(index.accounts("customer", "c-1", 10, null).streams()).isEmpty();
        assertThat(index.accounts("customer", "c-2", 10, null).streams()).containsExactly(StreamId.account("alice"));
        assertThat(index.accounts("region", "eu", 10, null).streams()).containsExactly(StreamId.account("alice"));
    }

    @Test
    void aRemovedKeysSlotIsTakenByTheNextNewKeyAndTheRemovedPairFindsNothing() {
        apply(StoredEvents.stream(opened("bob"), set("bob", Map.of("a", "1", "b", "2"))));

        apply(3, new AccountMetadataSet("bob", new TreeMap<>(Map.of("b", "2", "c", "3"))));

        assertThat(index.accounts("a", "1", 10, null).streams()).isEmpty();
        assertThat(index.accounts("c", "3", 10, null).streams()).containsExactly(StreamId.account("bob"));
        // 'a' had slot 1, 'b' slot 2: 'c' took slot 1 back, and no third slot was written.
        assertThat(slots("account#bob")).containsExactly(Map.entry(1, "account#c=3"), Map.entry(2, "account#b=2"));
    }

    @Test
    void twentyDistinctKeysOverTimeNeverNeedMoreThanSixteenSlots() {
        List<LedgerEvent> events = new ArrayList<>(List.of(opened("carol")));
        for (int first = 0; first <= 4; first++) {
            // Keys k<first> .. k<first + 15>: each step drops the oldest key and adds one never seen.
            Map<String, String> metadata = new TreeMap<>();
            for (int k = first; k < first + 16; k++) {
                metadata.put("k" + k, "v" + k);
            }
            events.add(set("carol", metadata));
        }
        events.add(new AccountFrozen("carol"));
        // One run of every event, as a rebuild writes it: slots rewritten in it are put once.
        write(StoredEvents.stream(events.toArray(LedgerEvent[]::new)));

        for (int k = 0; k < 4; k++) {
            assertThat(index.accounts("k" + k, "v" + k, 10, null).streams()).as("k%d", k).isEmpty();
        }
        for (int k = 4; k < 20; k++) {
            assertThat(index.accounts("k" + k, "v" + k, 10, null).streams()).as("k%d", k)
                    .containsExactly(StreamId.account("carol"));
        }
        assertThat(slots("account#carol")).hasSize(16).allSatisfy((slot, pair) -> assertThat(slot).isBetween(1, 16));
        assertThat(projection.position(StreamId.account("carol")).version()).isEqualTo(events.size());
    }

    @Test
    void transfersAndTransactionsAreListedNewestFirstWithinTheWindowAPageAtATime() {
        Instant start = Instant.parse("2026-05-01T00:00:00Z");
        for (int i = 0; i < 5; i++) {
            LedgerEvent first = i % 2 == 0 ? transfer("t" + i, Map.of("order", "o-1"))
                    : transaction("x" + i, Map.of("order", "o-1"));
            // The first event at start + i minutes (and .5 s, to check the fixed-width time), then one more.
            List<StoredEvent> stream = at(StoredEvents.stream(first), start.plus(Duration.ofMinutes(i)).plusMillis(500));
            apply(stream);
            if (i == 0) {
                apply(List.of(at(StoredEvents.stream(first, new PendingTransferVoided("t0", eur(5)))
                        .subList(1, 2), start.plus(Duration.ofHours(1))).get(0)));
            }
        }
        apply(at(StoredEvents.stream(transfer("other", Map.of("order", "o-2"))), start));

        List<StreamId> all = new ArrayList<>();
        Map<String, AttributeValue> next = null;
        do {
            MetadataIndex.Page page = index.transfers("order", "o-1", null, null, 2, next);
            all.addAll(page.streams());
            next = page.next();
        } while (next != null);
        assertThat(all).containsExactly(StreamId.transfer("t4"), StreamId.transaction("x3"), StreamId.transfer("t2"),
                StreamId.transaction("x1"), StreamId.transfer("t0"));

        assertThat(index.transfers("order", "o-1", start.plus(Duration.ofMinutes(1)), start.plus(Duration.ofMinutes(3))
                .plusMillis(500), 10, null).streams())
                .containsExactly(StreamId.transaction("x3"), StreamId.transfer("t2"), StreamId.transaction("x1"));
        assertThat(index.transfers("order", "o-1", null, start.plus(Duration.ofMinutes(1)), 10, null).streams())
                .containsExactly(StreamId.transfer("t0"));
        assertThat(index.accounts("order", "o-1", 10, null).streams()).as("accounts are apart from transfers").isEmpty();
    }

    // --- helpers ---

    private void apply(List<StoredEvent> events) {
        for (StoredEvent event : events) {
            projection.apply(event, projection.position(event.stream()));
        }
    }

    /** The event as version {@code version} of its stream, applied on its own. */
    private void apply(long version, LedgerEvent event) {
        StoredEvent stored = StoredEvents.stream(event).get(0);
        apply(List.of(new StoredEvent(stored.stream(), version, stored.type(), stored.schemaVersion(),
                stored.recordedAt().plusSeconds(version), stored.transferId(), stored.correlationId(), stored.data(),
                stored.hash())));
    }

    /** The stream's events in one run through {@link Projection#write}. */
    private void write(List<StoredEvent> events) {
        List<Written> written = projection.write(List.of(new Run(events.get(0).stream(), Position.NONE,
                StoredEvents.fold(projection, events))));
        assertThat(written.get(0).steps()).isEqualTo(events.size());
    }

    /** The stream's slots that are in the index: slot to pair. */
    private Map<Integer, String> slots(String itemId) {
        Map<Integer, String> slots = new TreeMap<>();
        dynamo.query(r -> r.tableName(table).consistentRead(true).keyConditionExpression("id = :id AND sk > :zero")
                        .expressionAttributeValues(Map.of(":id", AttributeValue.fromS(itemId), ":zero", AttributeValue.fromN("0"))))
                .items().stream().filter(item -> item.containsKey("pair"))
                .forEach(item -> slots.put(Integer.parseInt(item.get("sk").n()), item.get("pair").s()));
        return slots;
    }

    private static List<StoredEvent> at(List<StoredEvent> events, Instant recordedAt) {
        return events.stream().map(e -> new StoredEvent(e.stream(), e.version(), e.type(), e.schemaVersion(), recordedAt,
                e.transferId(), e.correlationId(), e.data(), e.hash())).toList();
    }

    private static AccountOpened opened(String id) {
        return new AccountOpened(id, EUR, OverdraftLimit.NONE);
    }

    private static AccountMetadataSet set(String id, Map<String, String> metadata) {
        return new AccountMetadataSet(id, new TreeMap<>(metadata));
    }

    private static TransferRecorded transfer(String id, Map<String, String> metadata) {
        return new TransferRecorded(id, new TransferRequest("alice", "bob", eur(5), true, 60, new TreeMap<>(metadata)),
                Instant.parse("2026-06-01T00:00:00Z"));
    }

    private static TransactionRecorded transaction(String id, Map<String, String> metadata) {
        return new TransactionRecorded(id, new TransactionRequest(List.of(
                new TransactionEntry(0, "alice", Side.DEBIT, eur(5)), new TransactionEntry(1, "bob", Side.CREDIT, eur(5))),
                false, 0, new TreeMap<>(metadata)), null);
    }

    private static Money eur(long minor) {
        return Money.of(minor, EUR);
    }
}
