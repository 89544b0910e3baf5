package dev.ledger.projections;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ledger.domain.api.AccountEvent.AccountMetadataSet;
import dev.ledger.domain.api.LedgerEvent;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.TransactionEvent.TransactionRecorded;
import dev.ledger.domain.api.TransactionEvent.TransactionRejected;
import dev.ledger.domain.api.TransferEvent.TransferRecorded;
import dev.ledger.domain.api.TransferEvent.TransferRejected;
import dev.ledger.store.StoredEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The metadata index (issue 16): for each account, transfer and transaction, one item per metadata key,
 * found by its {@code key=value} through the sparse GSI {@value #BY_PAIR} ({@code pair}, {@code at}).
 *
 * <p>A GSI holds one value per item, and a stream has up to 16 pairs, so a stream's partition
 * ({@code id} = {@link #itemId}) has a cursor ({@code sk = 0}: version, {@code at}, and in {@code state}
 * the metadata and the slot of each key) and up to 16 slots ({@code sk = 1..16}), each carrying
 * {@code pair} = {@code account#key=value} or {@code transfer#key=value} (transactions are listed with
 * transfers) and {@code at}. A key whose value changes keeps its slot, overwritten; a removed key's slot
 * is written without {@code pair} (the index drops it) and the lowest free slot takes the next new key,
 * so a stream never has more than 16 slots whatever keys it has had, and nothing is ever deleted: every
 * step is puts ({@link RunWriter} in its slotted mode).
 *
 * <p>{@code at} is the stream's first event's recorded time (fixed width, so it sorts as text) and its
 * item id: newest first means newest account or transfer first, and an item's place in a listing never
 * moves when its metadata changes (a client paging through one value sees no item twice because it was
 * edited meanwhile). A pair is at most 9 + 64 + 1 + 1,536 bytes ({@code transfer#}, a key, '=', a value
 * of 512 UTF-16 units of at most 3 UTF-8 bytes each), under DynamoDB's 2,048-byte limit on a key.
 *
 * <p>Which events set metadata: an account's {@code AccountMetadataSet} (its whole metadata), and the
 * request of a transfer's or transaction's first event (recorded or rejected); every other event
 * advances the cursor only.
 */
public final class MetadataProjection implements Projection {

    /** The GSI listing a pair's streams, newest first. */
    public static final String BY_PAIR = "metadata-by-pair";
    static final String PAIR = "pair";
    static final String AT = "at";
    static final String STATE = "state";
    static final ProjectionTables.Index INDEX = new ProjectionTables.Index(BY_PAIR, PAIR, AT);
    /** The slots a stream can have: one per key, at most {@code RequestBody.MAX_METADATA_KEYS} keys at a time. */
    static final int SLOTS = 16;

    static final String ACCOUNT_KIND = "account";
    static final String TRANSFER_KIND = "transfer";

    private static final ObjectMapper JSON = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private final ProjectionItems cursors;
    private final RunWriter writer;

    public MetadataProjection(DynamoDbClient dynamo, String table) {
        this.cursors = new ProjectionItems(dynamo, table, true);
        this.writer = new RunWriter(cursors, ProjectionCatalog.METADATA.slotted());
    }

    /** A stream's partition: {@code account#ID}, {@code transfer#ID} or {@code transaction#ID} ('#' is in no id). */
    static String itemId(StreamId stream) {
        return stream.type().name().toLowerCase(java.util.Locale.ROOT) + "#" + stream.id();
    }

    /** The stream a partition id names (the inverse of {@link #itemId}). */
    static StreamId stream(String itemId) {
        int hash = itemId.indexOf('#');
        String id = itemId.substring(hash + 1);
        return switch (itemId.substring(0, hash)) {
            case "account" -> StreamId.account(id);
            case "transfer" -> StreamId.transfer(id);
            case "transaction" -> StreamId.transaction(id);
            default -> throw new StoredFormException("metadata index: no kind of stream in '" + itemId + "'");
        };
    }

    /** The index's hash key for a pair: accounts apart from transfers and transactions. */
    static String pair(String kind, String key, String value) {
        return kind + "#" + key + "=" + value;
    }

    /** An instant as {@code at} begins: fixed width, so text order is time order ({@link SortableTime}). */
    static String at(Instant instant) {
        return SortableTime.of(instant);
    }

    @Override
    public ProjectionCatalog catalog() {
        return ProjectionCatalog.METADATA;
    }

    @Override
    public Position position(StreamId stream) {
        return ProjectionItems.position(cursors.read(itemId(stream)));
    }

    @Override
    public Map<StreamId, Position> positions(Collection<StreamId> streams) {
        return cursors.positions(streams, MetadataProjection::itemId);
    }

    @Override
    public List<Written> write(List<Run> runs) {
        return writer.write(runs);
    }

    /** The slots the event rewrites (a changed, new or removed key's), then the cursor. */
    @Override
    public Step next(StoredEvent event, Position current) {
        String id = itemId(event.stream());
        String at = current.version() == 0 ? at(event.recordedAt()) + "#" + id : current.item().get(AT).s();
        State before = current.version() == 0 ? new State(new TreeMap<>(), new TreeMap<>())
                : read(current.item().get(STATE).s());
        State after = before;
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Optional<SortedMap<String, String>> set = metadataSet(event.event());
        if (set.isPresent()) {
            after = new State(new TreeMap<>(set.get()), new TreeMap<>(before.slots()));
            String kind = event.stream().type() == StreamId.StreamType.ACCOUNT ? ACCOUNT_KIND : TRANSFER_KIND;
            // Removed keys first, so the slots they free can take this event's new keys.
            for (String key : before.metadata().keySet()) {
                if (!after.metadata().containsKey(key)) {
                    items.add(slot(id, after.slots().remove(key), null, at));
                }
            }
            for (Map.Entry<String, String> entry : after.metadata().entrySet()) {
                String key = entry.getKey();
                if (entry.getValue().equals(before.metadata().get(key))) {
                    continue;
                }
                Integer slot = after.slots().get(key);
                if (slot == null) {
                    slot = lowestFree(after.slots().values());
                    after.slots().put(key, slot);
                }
                items.add(slot(id, slot, pair(kind, key, entry.getValue()), at));
            }
        }
        Map<String, AttributeValue> cursor = new HashMap<>();
        cursor.put(ProjectionTables.ID, AttributeValue.fromS(id));
        cursor.put(ProjectionTables.SK, AttributeValue.fromN("0"));
        cursor.put(ProjectionItems.VERSION, AttributeValue.fromN(Long.toString(event.version())));
        cursor.put(AT, AttributeValue.fromS(at));
        cursor.put(STATE, AttributeValue.fromS(write(after)));
        items.add(cursor);
        return new Step(new Position(event.version(), false, cursor), items);
    }

    private static Optional<SortedMap<String, String>> metadataSet(LedgerEvent event) {
        if (event instanceof AccountMetadataSet set) {
            return Optional.of(set.metadata());
        }
        if (event instanceof TransferRecorded recorded) {
            return Optional.of(recorded.request().metadata());
        }
        if (event instanceof TransferRejected rejected) {
            return Optional.of(rejected.request().metadata());
        }
        if (event instanceof TransactionRecorded recorded) {
            return Optional.of(recorded.request().metadata());
        }
        if (event instanceof TransactionRejected rejected) {
            return Optional.of(rejected.request().metadata());
        }
        return Optional.empty();
    }

    private static int lowestFree(Collection<Integer> taken) {
        TreeSet<Integer> used = new TreeSet<>(taken);
        for (int slot = 1; slot <= SLOTS; slot++) {
            if (!used.contains(slot)) {
                return slot;
            }
        }
        // The request parser allows at most 16 keys, and a removed key's slot is freed before new keys take one.
        throw new StoredFormException("metadata index: more than " + SLOTS + " metadata keys at once");
    }

    /** A slot item; without {@code pair} (and so outside the index) when {@code pair} is null. */
    private static Map<String, AttributeValue> slot(String id, int slot, String pair, String at) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(ProjectionTables.ID, AttributeValue.fromS(id));
        item.put(ProjectionTables.SK, AttributeValue.fromN(Integer.toString(slot)));
        if (pair != null) {
            item.put(PAIR, AttributeValue.fromS(pair));
            item.put(AT, AttributeValue.fromS(at));
        }
        return item;
    }

    /** A stream's metadata as its cursor item holds it (an item without one: none). */
    static SortedMap<String, String> metadataOf(Map<String, AttributeValue> cursor) {
        return cursor.containsKey(STATE) ? read(cursor.get(STATE).s()).metadata() : new TreeMap<>();
    }

    /** The cursor's {@code state}: the stream's metadata now, and the slot of each of its keys. */
    record State(SortedMap<String, String> metadata, SortedMap<String, Integer> slots) {
    }

    private static String write(State state) {
        try {
            return JSON.writeValueAsString(Map.of("metadata", state.metadata(), "slots", state.slots()));
        } catch (JsonProcessingException cannot) {
            throw new IllegalStateException("maps of strings and numbers always serialize", cannot);
        }
    }

    private static State read(String json) {
        try {
            Map<String, Map<String, Object>> parts = JSON.readValue(json, new TypeReference<>() { });
            SortedMap<String, String> metadata = new TreeMap<>();
            parts.getOrDefault("metadata", Map.of()).forEach((key, value) -> metadata.put(key, (String) value));
            SortedMap<String, Integer> slots = new TreeMap<>();
            parts.getOrDefault("slots", Map.of()).forEach((key, value) -> slots.put(key, ((Number) value).intValue()));
            return new State(metadata, slots);
        } catch (JsonProcessingException | ClassCastException unreadable) {
            throw new StoredFormException("metadata index: unreadable cursor state " + json);
        }
    }

    @Override
    public void block(StreamId stream, String reason) {
        cursors.block(itemId(stream), reason);
    }

    @Override
    public Map<String, String> fields(Map<String, AttributeValue> item) {
        return ItemJson.fields(item, STATE);
    }
}
