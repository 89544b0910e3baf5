package dev.ledger.projections;

import dev.ledger.domain.api.StreamId;
import dev.ledger.store.StoredEvent;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
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
     * Where the projection stands for each of several distinct streams, as {@link #position} says it,
     * in as few reads as the table allows (the consumers read a whole batch's streams at once).
     */
    default Map<StreamId, Position> positions(Collection<StreamId> streams) {
        Map<StreamId, Position> positions = new LinkedHashMap<>();
        streams.forEach(stream -> positions.put(stream, position(stream)));
        return positions;
    }

    /**
     * What applying {@code event} (version {@code current.version() + 1}) writes, computed without
     * I/O: the one code path for the consumers' conditional writes and a rebuild's batched ones.
     */
    Step next(StoredEvent event, Position current);

    /**
     * Applies {@code event}, which must be version {@code current.version() + 1}, with a write
     * conditional on {@code current}: a run of one step through {@link #write}.
     *
     * @return the position after it
     * @throws StaleProjectionException if the projection moved since {@code current} was read
     * @throws SdkException             if the table could not be reached
     */
    default Position apply(StoredEvent event, Position current) {
        Step step = next(event, current);
        Written written = write(List.of(new Run(event.stream(), current, List.of(step)))).get(0);
        if (written.moved()) {
            throw new StaleProjectionException(name() + " of " + event.stream() + " moved past version "
                    + current.version(), null);
        }
        if (written.unavailable() != null) {
            throw written.unavailable();
        }
        return step.after();
    }

    /**
     * Writes several streams' runs of steps (each run's steps folded with {@link #next} from its
     * {@code from}) in as few requests as the guarantees allow: every stream's writes conditional on
     * the version its run starts from, so a stream another writer moved is left as that writer left
     * it (see {@link RunWriter}).
     *
     * @return for each run, in the order given, how much of it is durably written
     */
    List<Written> write(List<Run> runs);

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

    /** One stream's consecutive events folded from {@code from}: one step per event, in version order. */
    record Run(StreamId stream, Position from, List<Step> steps) {
        public Run {
            steps = List.copyOf(steps);
        }

        /** The position after the run's first {@code count} steps. */
        public Position after(int count) {
            return count == 0 ? from : steps.get(count - 1).after();
        }
    }

    /**
     * How much of a {@link Run} is durably written: its first {@code steps} steps. If not all, either
     * another writer {@code moved} the stream (read it again and fold from there), or the table could
     * not be reached ({@code unavailable}: throttling, an outage; the writes after it in the same call
     * are then not tried, and carry the same exception).
     */
    record Written(int steps, boolean moved, SdkException unavailable) {
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
