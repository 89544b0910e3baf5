package dev.ledger.projections;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.domain.api.AccountEvent.AccountMetadataSet;
import dev.ledger.domain.api.AccountEvent.AccountOpened;
import dev.ledger.domain.api.AccountEvent.EntryPosted;
import dev.ledger.domain.api.LedgerEvent;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import dev.ledger.projections.Projection.Step;
import dev.ledger.store.StoredEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * History's {@code from}/{@code to} seek by time (issue 16): a window late in a long history costs a
 * binary search over versions and the window's own page, not a read from version 1; counted with an
 * interceptor on the reader's client.
 */
@ExtendWith(LocalAwsExtension.class)
class HistorySeekIT {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");
    private static final java.util.concurrent.atomic.AtomicInteger TABLES = new java.util.concurrent.atomic.AtomicInteger();

    private final DynamoRequests requests = new DynamoRequests();
    private AwsClients counted;
    private DynamoDbClient dynamo;
    private String table;

    @BeforeEach
    void setUp(AwsClients aws, TestNames names) {
        counted = AwsClients.forEndpoint(aws.endpoint(), List.of(requests));
        dynamo = aws.dynamoDb();
        table = names.table("history-seek-" + TABLES.incrementAndGet());
        ProjectionCatalog.HISTORY.createTable(dynamo, table);
    }

    @AfterEach
    void closeClients() {
        counted.close();
    }

    @Test
    void aWindowLateInAThousandEventHistoryIsFoundInAboutTwelveReads() {
        List<StoredEvent> events = account("alice", 1000);
        write(StoredEvents.fold(new HistoryProjection(dynamo, table), events));
        HistoryReader reader = new HistoryReader(counted.dynamoDb(), table);
        Instant from = events.get(899).recordedAt();
        Instant to = events.get(904).recordedAt();

        requests.reset();
        HistoryReader.Page page = reader.page("alice", HistoryReader.Cursor.START, 100, Optional.of(from), Optional.of(to));

        assertThat(page.entries()).extracting(entry -> entry.get("version").asLong())
                .containsExactly(900L, 901L, 902L, 903L, 904L, 905L);
        assertThat(page.nextCursor()).isNull();
        // The cursor item, ceil(log2(1000)) = 10 probes of one item each, and the window's one page.
        assertThat(requests.counts()).isEqualTo(Map.of("GetItem", 1, "Query", 11));
    }

    @Test
    void anAccountsTransfersNewestFirstUpToALateInstantAreSoughtNotReadFromTheTop() {
        List<StoredEvent> events = account("alice", 1000);
        write(StoredEvents.fold(new HistoryProjection(dynamo, table), events));
        AccountTransfers transfers = new HistoryReader(counted.dynamoDb(), table).transfers();
        Instant to = events.get(904).recordedAt();

        requests.reset();
        AccountTransfers.Page page = transfers.page("alice", List.of(), 5, Optional.empty(), Optional.of(to));

        assertThat(page.rows()).extracting(row -> row.stream().id())
                .containsExactly("alice-t904", "alice-t903", "alice-t902", "alice-t901", "alice-t900");
        // GET /transfers?accountId=&to=: the cursor item, ceil(log2(1000)) = 10 probes to find `to`, and one
        // page newest first; read from the top, the same rows would take the 95 entries after `to` as well.
        assertThat(requests.counts()).isEqualTo(Map.of("GetItem", 1, "Query", 11));

        requests.reset();
        AccountTransfers.Page next = transfers.page("alice", page.next(), 5, Optional.empty(), Optional.of(to));

        assertThat(next.rows()).extracting(row -> row.stream().id())
                .containsExactly("alice-t899", "alice-t898", "alice-t897", "alice-t896", "alice-t895");
        // From a cursor no seek is needed: the cursor item (for the shard count) and one page.
        assertThat(requests.counts()).isEqualTo(Map.of("GetItem", 1, "Query", 1));
    }

    @Test
    void aPageOfAnAccountsTransfersPassesOverABoundedNumberOfEntriesThatOpenNone() {
        // One transfer, then 1,200 entries that open none (metadata set on the account, again and again).
        List<LedgerEvent> stream = new ArrayList<>(List.of(new AccountOpened("busy", EUR, OverdraftLimit.NONE),
                new EntryPosted("busy", "busy-t1", Side.CREDIT, "bank", Money.of(100, EUR))));
        for (int i = 0; i < 1200; i++) {
            stream.add(new AccountMetadataSet("busy", new TreeMap<>(Map.of("n", Integer.toString(i)))));
        }
        write(StoredEvents.fold(new HistoryProjection(dynamo, table), StoredEvents.stream(stream.toArray(LedgerEvent[]::new))));
        AccountTransfers transfers = new HistoryReader(counted.dynamoDb(), table).transfers();

        requests.reset();
        AccountTransfers.Page first = transfers.page("busy", List.of(), 1, Optional.empty(), Optional.empty());

        // It stops after AccountTransfers.EXAMINED_PER_PAGE entries with no row and a position, rather than read
        // on to fill itself: the cursor item, 10 reads of 100 entries (not 500 of 2, as pages of limit + 1 would)
        // and the one that finds the entry the next page starts at.
        assertThat(first.rows()).isEmpty();
        assertThat(first.next()).isNotNull();
        assertThat(requests.counts()).isEqualTo(Map.of("GetItem", 1, "Query", AccountTransfers.EXAMINED_PER_PAGE / 100 + 1));

        AccountTransfers.Page second = transfers.page("busy", first.next(), 1, Optional.empty(), Optional.empty());

        assertThat(second.rows()).extracting(row -> row.stream().id()).containsExactly("busy-t1");
        AccountTransfers.Page third = transfers.page("busy", second.next(), 1, Optional.empty(), Optional.empty());
        assertThat(third.rows()).isEmpty();
        assertThat(third.next()).isNull();
    }

    @Test
    void aWindowPagedWithACursorGivesEveryEntryInItOnceAndNothingOutsideIt() {
        List<StoredEvent> events = account("alice", 60);
        write(StoredEvents.fold(new HistoryProjection(dynamo, table), events));
        HistoryReader reader = new HistoryReader(counted.dynamoDb(), table);
        Optional<Instant> from = Optional.of(events.get(19).recordedAt());
        Optional<Instant> to = Optional.of(events.get(44).recordedAt());

        List<Long> versions = new ArrayList<>();
        HistoryReader.Cursor cursor = HistoryReader.Cursor.START;
        int pages = 0;
        while (true) {
            HistoryReader.Page page = reader.page("alice", cursor, 7, from, to);
            page.entries().forEach(entry -> versions.add(entry.get("version").asLong()));
            pages++;
            if (page.nextCursor() == null) {
                break;
            }
            cursor = HistoryReader.Cursor.decode(page.nextCursor());
        }

        assertThat(versions).isEqualTo(java.util.stream.LongStream.rangeClosed(20, 45).boxed().toList());
        assertThat(pages).isEqualTo(4);
    }

    @Test
    void anEntryRecordedByAClockBehindAnEarlierOneIsNotSkippedByTheSeek() {
        List<StoredEvent> events = new ArrayList<>(account("alice", 40));
        // Version 31 was written by a writer whose clock ran a minute behind version 30's.
        StoredEvent late = events.get(30);
        events.set(30, new StoredEvent(late.stream(), late.version(), late.type(), late.schemaVersion(),
                events.get(29).recordedAt().minusSeconds(60), late.transferId(), late.correlationId(), late.data(),
                late.hash()));
        write(StoredEvents.fold(new HistoryProjection(dynamo, table), events));
        HistoryReader reader = new HistoryReader(counted.dynamoDb(), table);

        HistoryReader.Page page = reader.page("alice", HistoryReader.Cursor.START, 100,
                Optional.of(events.get(29).recordedAt()), Optional.empty());

        assertThat(page.entries()).extracting(entry -> entry.get("version").asLong())
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(30, 40).boxed().toList());
        ObjectNode behind = page.entries().get(1);
        assertThat(behind.get("recordedAt").asText()).isEqualTo(events.get(30).recordedAt().toString());
    }

    @Test
    void aWindowBeforeTheFirstEntryOrAfterTheLastIsEmpty() {
        List<StoredEvent> events = account("alice", 30);
        write(StoredEvents.fold(new HistoryProjection(dynamo, table), events));
        HistoryReader reader = new HistoryReader(counted.dynamoDb(), table);
        Instant first = events.get(0).recordedAt();
        Instant last = events.get(29).recordedAt();

        assertThat(reader.page("alice", HistoryReader.Cursor.START, 100, Optional.of(last.plusSeconds(1)),
                Optional.empty()).entries()).isEmpty();
        assertThat(reader.page("alice", HistoryReader.Cursor.START, 100, Optional.empty(),
                Optional.of(first.minusSeconds(1))).entries()).isEmpty();
        assertThat(reader.page("alice", HistoryReader.Cursor.START, 100, Optional.of(first.minusSeconds(1)),
                Optional.of(last)).entries()).hasSize(30);
        assertThat(reader.page("nobody", HistoryReader.Cursor.START, 100, Optional.of(first), Optional.empty())
                .entries()).isEmpty();
    }

    /** Every step's items, written as a rebuild writes them (the order within a stream does not matter here). */
    private void write(List<Step> steps) {
        Map<String, Map<String, AttributeValue>> items = new java.util.LinkedHashMap<>();
        for (Step step : steps) {
            for (Map<String, AttributeValue> item : step.items()) {
                items.put(item.get("id").s() + "/" + item.get("sk").n(), item);
            }
        }
        List<WriteRequest> writes = items.values().stream()
                .map(item -> WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build())
                .toList();
        for (int start = 0; start < writes.size(); start += 25) {
            List<WriteRequest> chunk = writes.subList(start, Math.min(writes.size(), start + 25));
            dynamo.batchWriteItem(r -> r.requestItems(Map.of(table, chunk)));
        }
    }

    private static List<StoredEvent> account(String id, int events) {
        List<LedgerEvent> stream = new ArrayList<>(List.of(new AccountOpened(id, EUR, OverdraftLimit.NONE)));
        for (int i = 1; i < events; i++) {
            stream.add(new EntryPosted(id, id + "-t" + i, Side.CREDIT, "bank", Money.of(100, EUR)));
        }
        return StoredEvents.stream(stream.toArray(LedgerEvent[]::new));
    }
}
