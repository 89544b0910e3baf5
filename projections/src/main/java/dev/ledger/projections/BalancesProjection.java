package dev.ledger.projections;

import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountEvent;
import dev.ledger.store.StoredEvent;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Each account's balances and the version they reflect: the fold of its events so far. */
public final class BalancesProjection extends SingleItemProjection {

    public BalancesProjection(DynamoDbClient dynamo, String table) {
        super(ProjectionCatalog.BALANCES, dynamo, table);
    }

    /** The account as projected, with its version; empty if the projection has not seen it. */
    public Optional<Balance> balance(String accountId) {
        return stored(accountId).map(item -> new Balance(BalancesItemCodec.account(item),
                BalancesItemCodec.version(item)));
    }

    public record Balance(AccountState account, long version) {
    }

    @Override
    Map<String, AttributeValue> next(StoredEvent event, Optional<Map<String, AttributeValue>> before) {
        AccountState after = AccountState.evolve(before.map(BalancesItemCodec::account), (AccountEvent) event.event());
        return BalancesItemCodec.encode(event.stream().id(), event.version(), after, event.recordedAt());
    }

    @Override
    public Map<String, String> fields(Map<String, AttributeValue> item) {
        return ItemJson.fields(item, BalancesItemCodec.STATE);
    }
}
