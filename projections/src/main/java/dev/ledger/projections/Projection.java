package dev.ledger.projections;

import dev.ledger.domain.api.StreamId;
import dev.ledger.store.StoredEvent;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * One read model, kept per stream: it knows the last version it applied for each stream, applies
 * the next one with a write conditional on that version, and can be blocked for a stream whose
 * event it cannot apply (so the stream waits, showing only states the log had).
 */
public interface Projection {

    /** Its entry in the catalog: name, streams, table and key schema. */
    ProjectionCatalog catalog();

    default String name() {
        return catalog().label();
    }

    /** Whether this projection reads this kind of stream at all. */
    default boolean follows(StreamId stream) {
        return catalog().follows(stream);
    }

    /** Where the projection stands for one stream: version 0 and not blocked if it has nothing yet. */
    Position position(StreamId stream);

    /**
     * What applying {@code event} (version {@code current.version() + 1}) writes, computed without
     * I/O: the one code path for the consumers' conditional writes and a rebuild's batched ones.
     */
    Step next(StoredEvent event, Position current);

    /**
     * Applies {@code event}, which must be version {@code current.version() + 1}, with a write
     * conditional on {@code current}.
     *
     * @return the position after it
     * @throws StaleProjectionException if the projection moved since {@code current} was read
     */
    Position apply(StoredEvent event, Position current);

    /** Stops applying events of a stream until an operator rebuilds it from the log. */
    void block(StreamId stream, String reason);

    /**
     * One of this projection's items as named, printable fields (its key left out, stored JSON spread
     * into its fields), so that two items can be compared field by field: {@code replay verify}
     * names the field that differs.
     */
    Map<String, String> fields(Map<String, AttributeValue> item);

    /**
     * How far a projection has applied one stream, with the item it read (so applying the next
     * event needs no second read).
     */
    record Position(long version, boolean blocked, Map<String, AttributeValue> item) {

        /** Where every stream starts: nothing applied, no item. */
        public static final Position NONE = new Position(0, false, Map.of());

        public Position {
            item = Map.copyOf(item);
        }
    }

    /**
     * One event applied: the position after it, and the items to write (the stream's item last;
     * before it, for history, the event's entry, if the event has one).
     */
    record Step(Position after, List<Map<String, AttributeValue>> items) {
        public Step {
            items = List.copyOf(items);
        }
    }
}
