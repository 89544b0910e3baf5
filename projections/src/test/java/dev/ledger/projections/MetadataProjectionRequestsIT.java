package dev.ledger.projections;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.domain.api.AccountEvent.AccountOpened;
import dev.ledger.domain.api.AccountEvent.EntryPosted;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.api.TransferEvent.TransferRecorded;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import dev.ledger.store.StoredEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the metadata index costs per event when each is applied alone (a read of the stream's cursor,
 * then {@link Projection#apply}): the figure {@code benchmarks}' {@code PipelineModel} prices its
 * "metadata projection" stage with, counted by an interceptor on the projection's own client against
 * the emulator. A transfer brings three events to this projection: two account events and its own.
 */
@ExtendWith(LocalAwsExtension.class)
class MetadataProjectionRequestsIT {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");
    private static final AtomicInteger TABLES = new AtomicInteger();

    private final DynamoRequests requests = new DynamoRequests();
    private AwsClients counted;
    private MetadataProjection projection;

    @BeforeEach
    void setUp(AwsClients aws, TestNames names) {
        String table = names.table("metadata-requests-" + TABLES.incrementAndGet());
        ProjectionCatalog.METADATA.createTable(aws.dynamoDb(), table);
        counted = AwsClients.forEndpoint(aws.endpoint(), List.of(requests));
        projection = new MetadataProjection(counted.dynamoDb(), table);
    }

    @AfterEach
    void closeClients() {
        counted.close();
    }

    @Test
    void anAccountEventOfATransferCostsAReadOfItsCursorAndOneConditionalPutItem() {
        List<StoredEvent> alice = StoredEvents.stream(new AccountOpened("alice", EUR, OverdraftLimit.NONE),
                new EntryPosted("alice", "t1", Side.CREDIT, "bank", Money.of(500, EUR)));
        applyAlone(alice.get(0));
        requests.reset();

        applyAlone(alice.get(1));

        assertThat(requests.counts()).isEqualTo(Map.of("GetItem", 1, "PutItem", 1));
    }

    @Test
    void aTransferRecordedWithMetadataCostsAReadAndOneTransactionOfItsSlotsAndCursor() {
        StoredEvent recorded = StoredEvents.stream(transfer("t1", Map.of("order", "o-1", "customer", "c-1"))).get(0);
        requests.reset();

        applyAlone(recorded);

        assertThat(requests.counts()).isEqualTo(Map.of("GetItem", 1, "TransactWriteItems", 1));
    }

    @Test
    void aTransferRecordedWithoutMetadataCostsAReadAndOneConditionalPutItemOfItsCursor() {
        StoredEvent recorded = StoredEvents.stream(transfer("t2", Map.of())).get(0);
        requests.reset();

        applyAlone(recorded);

        assertThat(requests.counts()).isEqualTo(Map.of("GetItem", 1, "PutItem", 1));
    }

    private void applyAlone(StoredEvent event) {
        projection.apply(event, projection.position(event.stream()));
    }

    private static TransferRecorded transfer(String id, Map<String, String> metadata) {
        return new TransferRecorded(id, new TransferRequest("alice", "bob", Money.of(500, EUR), true, 60,
                new TreeMap<>(metadata)), Instant.parse("2026-06-01T00:00:00Z"));
    }
}
