package dev.ledger.replay;

import dev.ledger.domain.api.StreamId;
import dev.ledger.store.StoredEvent;
import dev.ledger.projections.Projection;
import dev.ledger.projections.Projection.Position;
import dev.ledger.projections.ProjectionCatalog;
import dev.ledger.projections.ProjectionTables;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * Compares a live projection table with the catalog's fold: each stream's events, in order, through
 * the projection's own {@link Projection#next} from nothing (what {@code rebuild} writes into a new
 * table), item for item and field for field ({@link Projection#fields}). The layouts are the
 * projections' alone; nothing here knows an attribute.
 *
 * <p>A step's items are the stream's item (last) and, in a sorted table, the event's entry before
 * it. Entries are written once: they are compared as the fold makes them, in lockstep with the live
 * partition read in sort key order, so memory holds a page, never an account's history. The
 * stream's item ({@code sk = 0} in a sorted table, see {@link ProjectionTables}) is compared once,
 * at the end.
 *
 * <p>A slotted table's items beside the cursor ({@link ProjectionCatalog#slotted}: the metadata index's
 * slots) are overwritten in place, so the live partition holds each slot's last write only: the fold's
 * last item of each slot (at most 16, kept in memory) is compared with the live slot of the same
 * {@code sk}, and a live slot the fold never wrote is named.
 */
final class ProjectionCheck {

    private final DynamoDbClient dynamo;
    private final ProjectionCatalog catalog;
    private final String table;
    private final Projection projection;
    private final Findings findings;

    ProjectionCheck(DynamoDbClient dynamo, ProjectionCatalog catalog, String table, Findings findings) {
        this.dynamo = dynamo;
        this.catalog = catalog;
        this.table = table;
        this.projection = catalog.projection(dynamo, table);
        this.findings = findings;
    }

    boolean follows(StreamId stream) {
        return catalog.follows(stream);
    }

    /** One stream's comparison: {@link Stream#accept} each event in version order, then {@link Stream#finish}. */
    Stream stream(StreamId stream) {
        return new Stream(stream);
    }

    final class Stream {
        private final StreamId stream;
        private final String name;
        private final Iterator<Map<String, AttributeValue>> liveEntries;
        private Map<String, AttributeValue> pendingEntry;
        private Position position = Position.NONE;
        /** A slotted table's slots as the fold last wrote them, by sk. */
        private final SortedMap<Long, Map<String, AttributeValue>> slots = new TreeMap<>();

        private Stream(StreamId stream) {
            this.stream = stream;
            this.name = stream.toString();
            this.liveEntries = catalog.sorted() && !catalog.slotted() ? partition(catalog.itemId(stream), 1) : null;
        }

        void accept(StoredEvent event) {
            Projection.Step step = projection.next(event, position);
            position = step.after();
            List<Map<String, AttributeValue>> items = step.items();
            for (Map<String, AttributeValue> entry : items.subList(0, items.size() - 1)) {
                if (catalog.slotted()) {
                    slots.put(sk(entry), entry);
                } else {
                    compareEntry(entry);
                }
            }
        }

        /** Each slot the fold wrote against the live one of its sk, and live slots it never wrote. */
        private void compareSlots(long version) {
            String label = catalog.label() + ".slot";
            for (Iterator<Map<String, AttributeValue>> live = partition(catalog.itemId(stream), 1); live.hasNext(); ) {
                Map<String, AttributeValue> slot = live.next();
                Map<String, AttributeValue> expected = slots.remove(sk(slot));
                if (expected == null) {
                    findings.add(name, version, label + sk(slot), "a slot the log does not have");
                } else {
                    compareFields(name, version, label + sk(slot), expected, slot);
                }
            }
            slots.keySet().forEach(sk -> findings.add(name, version, label + sk, "no slot item; the log has one"));
        }

        /** Entries the log does not have, then the stream's item. */
        void finish() {
            long version = position.version();
            if (version == 0) {
                return; // no events: the log's own finding says so
            }
            if (liveEntries != null) {
                Map<String, AttributeValue> entry = nextLiveEntry();
                while (entry != null) {
                    findings.add(name, sk(entry), catalog.label(), "an entry beyond the log's last version " + version);
                    entry = nextLiveEntry();
                }
            }
            if (catalog.slotted()) {
                compareSlots(version);
            }
            String label = catalog.label() + (catalog.sorted() ? ".cursor" : "");
            Map<String, AttributeValue> live = item(position.item());
            if (live.isEmpty()) {
                findings.add(name, version, label, "no item; the log is at version " + version);
                return;
            }
            compareFields(name, version, label, position.item(), live);
        }

        private void compareEntry(Map<String, AttributeValue> expected) {
            long version = sk(expected);
            Map<String, AttributeValue> entry = nextLiveEntry();
            while (entry != null && sk(entry) < version) {
                findings.add(name, sk(entry), catalog.label(), "an entry the log does not have");
                entry = nextLiveEntry();
            }
            if (entry == null || sk(entry) > version) {
                findings.add(name, version, catalog.label(), "no entry for this version");
                pendingEntry = entry;
                return;
            }
            compareFields(name, version, catalog.label(), expected, entry);
        }

        private Map<String, AttributeValue> nextLiveEntry() {
            if (pendingEntry != null) {
                Map<String, AttributeValue> entry = pendingEntry;
                pendingEntry = null;
                return entry;
            }
            return liveEntries.hasNext() ? liveEntries.next() : null;
        }
    }

    private void compareFields(String stream, long version, String label, Map<String, AttributeValue> expected,
                               Map<String, AttributeValue> live) {
        Map<String, String> want = projection.fields(expected);
        Map<String, String> have = projection.fields(live);
        Set<String> names = new TreeSet<>(want.keySet());
        names.addAll(have.keySet());
        for (String field : names) {
            findings.compare(stream, version, label + "." + field, have.get(field), want.get(field));
        }
    }

    private static long sk(Map<String, AttributeValue> item) {
        return Long.parseLong(item.get(ProjectionTables.SK).n());
    }

    /** The live item with the key of {@code like}, or an empty map. */
    private Map<String, AttributeValue> item(Map<String, AttributeValue> like) {
        Map<String, AttributeValue> key = new HashMap<>();
        key.put(ProjectionTables.ID, like.get(ProjectionTables.ID));
        if (catalog.sorted()) {
            key.put(ProjectionTables.SK, like.get(ProjectionTables.SK));
        }
        var response = dynamo.getItem(r -> r.tableName(table).key(key).consistentRead(true));
        return response.hasItem() ? response.item() : Map.of();
    }

    /** Every live item of partition {@code id} with {@code sk >= fromSk}, in sort key order, a page at a time. */
    private Iterator<Map<String, AttributeValue>> partition(String id, long fromSk) {
        return new Iterator<>() {
            private Iterator<Map<String, AttributeValue>> page = List.<Map<String, AttributeValue>>of().iterator();
            private Map<String, AttributeValue> start;
            private boolean exhausted;

            @Override
            public boolean hasNext() {
                while (!page.hasNext() && !exhausted) {
                    Map<String, AttributeValue> from = start;
                    QueryResponse response = dynamo.query(r -> r.tableName(table).consistentRead(true)
                            .keyConditionExpression("#id = :id AND #sk >= :from")
                            .expressionAttributeNames(Map.of("#id", ProjectionTables.ID, "#sk", ProjectionTables.SK))
                            .expressionAttributeValues(Map.of(":id", AttributeValue.fromS(id),
                                    ":from", AttributeValue.fromN(Long.toString(fromSk))))
                            .exclusiveStartKey(from));
                    page = response.items().iterator();
                    start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                            ? response.lastEvaluatedKey() : null;
                    exhausted = start == null;
                }
                return page.hasNext();
            }

            @Override
            public Map<String, AttributeValue> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return page.next();
            }
        };
    }
}
