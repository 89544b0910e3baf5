package dev.ledger.functions;

import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountEvent;
import dev.ledger.domain.api.StreamId;
import dev.ledger.functions.store.DynamoEventStore;
import dev.ledger.functions.store.EventsTable;
import dev.ledger.functions.store.StoredEvent;
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

    private LogScan(List<StoredEvent> events) {
        this.events = events;
    }

    public static LogScan of(DynamoDbClient dynamo, String table) {
        List<StoredEvent> events = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            ScanResponse page = dynamo.scan(request -> request.tableName(table).exclusiveStartKey(from));
            for (Map<String, AttributeValue> item : page.items()) {
                if (Long.parseLong(item.get(EventsTable.SK).n()) != EventsTable.HEAD_SK) {
                    events.add(DynamoEventStore.toEvent(item));
                }
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        events.sort(Comparator.comparing(StoredEvent::stream).thenComparingLong(StoredEvent::version));
        return new LogScan(events);
    }

    public List<StoredEvent> events() {
        return events;
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
