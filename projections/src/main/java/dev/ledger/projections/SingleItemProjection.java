package dev.ledger.projections;

import dev.ledger.domain.api.StreamId;
import dev.ledger.store.StoredEvent;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A projection that keeps one item per stream ({@code id} = the stream's id) holding the version it
 * reflects and what the stream's events folded to: balances and transfers. Subclasses say only how
 * an event turns the item before it into the item after it; reading, the conditional write and
 * blocking are here.
 */
abstract class SingleItemProjection implements Projection {

    private final ProjectionCatalog catalog;
    private final ProjectionItems items;
    private final RunWriter writer;

    SingleItemProjection(ProjectionCatalog catalog, DynamoDbClient dynamo, String table) {
        this.catalog = catalog;
        this.items = new ProjectionItems(dynamo, table, false);
        this.writer = new RunWriter(items);
    }

    /**
     * The stream's item after {@code event}, computed without I/O.
     *
     * @param before the item before it; empty for the stream's first event
     */
    abstract Map<String, AttributeValue> next(StoredEvent event, Optional<Map<String, AttributeValue>> before);

    @Override
    public final ProjectionCatalog catalog() {
        return catalog;
    }

    @Override
    public final Position position(StreamId stream) {
        return ProjectionItems.position(items.read(catalog.itemId(stream)));
    }

    @Override
    public final Step next(StoredEvent event, Position current) {
        Map<String, AttributeValue> item = next(event, current.version() == 0 ? Optional.empty()
                : Optional.of(current.item()));
        return new Step(new Position(event.version(), false, item), List.of(item));
    }

    @Override
    public final Map<StreamId, Position> positions(Collection<StreamId> streams) {
        return items.positions(streams, catalog::itemId);
    }

    @Override
    public final List<Written> write(List<Run> runs) {
        return writer.write(runs);
    }

    @Override
    public final void block(StreamId stream, String reason) {
        items.block(catalog.itemId(stream), reason);
    }

    /** The items of several streams that have one, by id, read together. */
    final Map<String, Map<String, AttributeValue>> storedAll(List<String> ids) {
        Map<String, Map<String, AttributeValue>> found = new HashMap<>(items.readAll(ids));
        found.values().removeIf(item -> !item.containsKey(ProjectionItems.VERSION));
        return found;
    }

    /**
     * The items of several streams, read together, as they are: a stream blocked before any event of it was
     * applied has an item that holds only why ({@link ProjectionItems#BLOCKED}, no version).
     */
    final Map<String, Map<String, AttributeValue>> itemsOf(List<String> ids) {
        return items.readAll(ids);
    }

    /** The stream's item, once an event was applied to it (a blocked stream keeps its last one). */
    final Optional<Map<String, AttributeValue>> stored(String id) {
        Map<String, AttributeValue> item = items.read(id);
        return item.containsKey(ProjectionItems.VERSION) ? Optional.of(item) : Optional.empty();
    }
}
