package dev.ledger.projections;

import static dev.ledger.projections.ProjectionItems.VERSION;
import static dev.ledger.projections.ProjectionTables.ID;

import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.TransferEvent;
import dev.ledger.domain.transfer.TransferState;
import dev.ledger.store.StateCodec;
import dev.ledger.store.StoredEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Each transfer's state (both legs, amounts, status) and the history of its status. */
public final class TransfersProjection implements Projection {

    static final String STATE = "state";
    static final String HISTORY = "statusHistory";
    static final String CREATED_AT = "createdAt";

    private final ProjectionItems items;

    public TransfersProjection(DynamoDbClient dynamo, String table) {
        this.items = new ProjectionItems(dynamo, table, false);
    }

    @Override
    public String name() {
        return "transfers";
    }

    @Override
    public boolean follows(StreamId stream) {
        return stream.type() == StreamId.StreamType.TRANSFER;
    }

    @Override
    public Position position(StreamId stream) {
        return ProjectionItems.position(items.read(stream.id()));
    }

    /** One status the transfer had, from which version of its stream and when. */
    public record StatusChange(String status, long version, Instant recordedAt) {
    }

    public record ProjectedTransfer(TransferState state, long version, Instant createdAt, List<StatusChange> history) {
    }

    public Optional<ProjectedTransfer> transfer(String transferId) {
        Map<String, AttributeValue> item = items.read(transferId);
        if (!item.containsKey(STATE)) {
            return Optional.empty();
        }
        List<StatusChange> history = new ArrayList<>();
        for (AttributeValue change : item.get(HISTORY).l()) {
            Map<String, AttributeValue> m = change.m();
            history.add(new StatusChange(m.get("status").s(), Long.parseLong(m.get("version").n()),
                    Instant.parse(m.get("recordedAt").s())));
        }
        return Optional.of(new ProjectedTransfer(StateCodec.decodeTransfer(item.get(STATE).s()),
                Long.parseLong(item.get(VERSION).n()), Instant.parse(item.get(CREATED_AT).s()), history));
    }

    @Override
    public Position apply(StoredEvent event, Position current) {
        Step step = next(event, current);
        items.putIfAt(step.after().item(), current.version());
        return step.after();
    }

    @Override
    public Step next(StoredEvent event, Position current) {
        Map<String, AttributeValue> existing = current.item();
        Optional<TransferState> before = current.version() == 0 ? Optional.empty()
                : Optional.of(StateCodec.decodeTransfer(existing.get(STATE).s()));
        TransferState after = TransferState.evolve(before, (TransferEvent) event.event());
        List<AttributeValue> history = new ArrayList<>(current.version() == 0 ? List.of() : existing.get(HISTORY).l());
        history.add(AttributeValue.fromM(Map.of(
                "status", AttributeValue.fromS(after.status().name()),
                "version", AttributeValue.fromN(Long.toString(event.version())),
                "recordedAt", AttributeValue.fromS(event.recordedAt().toString()))));
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(ID, AttributeValue.fromS(event.stream().id()));
        item.put(VERSION, AttributeValue.fromN(Long.toString(event.version())));
        item.put(STATE, AttributeValue.fromS(StateCodec.encode(after)));
        item.put(HISTORY, AttributeValue.fromL(history));
        item.put(CREATED_AT, current.version() == 0 ? AttributeValue.fromS(event.recordedAt().toString())
                : existing.get(CREATED_AT));
        return new Step(new Position(event.version(), false, item), List.of(item));
    }

    @Override
    public void block(StreamId stream, String reason) {
        items.block(stream.id(), reason);
    }
}
