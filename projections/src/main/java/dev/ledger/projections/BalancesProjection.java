package dev.ledger.projections;

import static dev.ledger.projections.ProjectionItems.VERSION;
import static dev.ledger.projections.ProjectionTables.ID;

import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountEvent;
import dev.ledger.domain.api.StreamId;
import dev.ledger.store.StateCodec;
import dev.ledger.store.StoredEvent;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Each account's balances and the version they reflect: the fold of its events so far. */
public final class BalancesProjection implements Projection {

    static final String STATE = "state";
    static final String UPDATED_AT = "updatedAt";

    private final ProjectionItems items;

    public BalancesProjection(DynamoDbClient dynamo, String table) {
        this.items = new ProjectionItems(dynamo, table, false);
    }

    @Override
    public String name() {
        return "balances";
    }

    @Override
    public boolean follows(StreamId stream) {
        return stream.type() == StreamId.StreamType.ACCOUNT;
    }

    @Override
    public Position position(StreamId stream) {
        return ProjectionItems.position(items.read(stream.id()));
    }

    /** The account as projected, with its version; empty if the projection has not seen it. */
    public Optional<Balance> balance(String accountId) {
        Map<String, AttributeValue> item = items.read(accountId);
        if (!item.containsKey(STATE)) {
            return Optional.empty();
        }
        return Optional.of(new Balance(StateCodec.decodeAccount(item.get(STATE).s()),
                Long.parseLong(item.get(VERSION).n())));
    }

    public record Balance(AccountState account, long version) {
    }

    @Override
    public Position apply(StoredEvent event, Position current) {
        Step step = next(event, current);
        items.putIfAt(step.after().item(), current.version());
        return step.after();
    }

    @Override
    public Step next(StoredEvent event, Position current) {
        Optional<AccountState> before = current.version() == 0 ? Optional.empty()
                : Optional.of(StateCodec.decodeAccount(current.item().get(STATE).s()));
        AccountState after = AccountState.evolve(before, (AccountEvent) event.event());
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(ID, AttributeValue.fromS(event.stream().id()));
        item.put(VERSION, AttributeValue.fromN(Long.toString(event.version())));
        item.put(STATE, AttributeValue.fromS(StateCodec.encode(after)));
        item.put(UPDATED_AT, AttributeValue.fromS(event.recordedAt().toString()));
        return new Step(new Position(event.version(), false, item), List.of(item));
    }

    @Override
    public void block(StreamId stream, String reason) {
        items.block(stream.id(), reason);
    }
}
