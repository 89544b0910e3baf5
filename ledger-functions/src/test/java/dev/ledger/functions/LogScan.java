package dev.ledger.functions;

import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountEvent;
import dev.ledger.domain.api.StreamId;
import dev.ledger.store.EventsTable;
import dev.ledger.store.StoredEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/** The whole log of a test table, read with Scan, for checks that look at everything. */
public final class LogScan {

    private final List<StoredEvent> events;
    private final List<Map<String, AttributeValue>> items;

    private LogScan(List<StoredEvent> events, List<Map<String, AttributeValue>> items) {
        this.events = events;
        this.items = items;
    }

    public static LogScan of(DynamoDbClient dynamo, String table) {
        List<StoredEvent> events = new ArrayList<>();
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            ScanResponse page = dynamo.scan(request -> request.tableName(table).exclusiveStartKey(from));
            for (Map<String, AttributeValue> item : page.items()) {
                items.add(item);
                if (!EventsTable.isCheckpoint(item) && Long.parseLong(item.get(EventsTable.SK).n()) != EventsTable.HEAD_SK) {
                    events.add(EventsTable.toEvent(item));
                }
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        events.sort(Comparator.comparing(StoredEvent::stream).thenComparingLong(StoredEvent::version));
        items.sort(Comparator.comparing((Map<String, AttributeValue> item) -> item.get(EventsTable.PK).s())
                .thenComparing(item -> new java.math.BigInteger(item.get(EventsTable.SK).n())));
        return new LogScan(events, List.copyOf(items));
    }

    public List<StoredEvent> events() {
        return events;
    }

    /**
     * Every item of the table exactly as stored, heads included, in key order: two scans are equal
     * only if nothing at all was written in between.
     */
    public List<Map<String, AttributeValue>> items() {
        return items;
    }

    /** Every account folded from its events alone. */
    public Map<String, AccountState> accounts() {
        Map<String, AccountState> accounts = new TreeMap<>();
        for (StoredEvent event : events) {
            if (event.stream().type() == StreamId.StreamType.ACCOUNT) {
                accounts.put(event.stream().id(), AccountState.evolve(
                        Optional.ofNullable(accounts.get(event.stream().id())), (AccountEvent) event.event()));
            }
        }
        return accounts;
    }
}
