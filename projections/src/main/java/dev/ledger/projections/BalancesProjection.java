package dev.ledger.projections;

import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountEvent;
import dev.ledger.domain.api.AccountShards;
import dev.ledger.store.AccountAsOf;
import dev.ledger.store.StoredEvent;
import java.util.ArrayList;
import java.util.List;
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

    /**
     * The account as users see it: for an account that is not sharded its own item, for a sharded one
     * (issue 13) its own item (which counts its shards) and its shards' items, read together and added up
     * ({@link AccountState#whole}), at the sum of their versions. A shard whose item the projection has
     * not written yet counts as opened and empty, at version 0 ({@link AccountAsOf#emptyShard}): its
     * events are still on their way, and the version sum says the read is that far behind.
     *
     * @return empty if the projection has not seen the account
     */
    public Optional<Balance> whole(String accountId) {
        Optional<Balance> own = balance(accountId);
        if (own.isEmpty() || !own.get().account().sharded()) {
            return own;
        }
        AccountState account = own.get().account();
        List<String> ids = AccountShards.otherShards(accountId, account.shardCount());
        Map<String, Map<String, AttributeValue>> items = storedAll(ids);
        List<AccountState> shards = new ArrayList<>(List.of(account));
        long version = own.get().version();
        for (int shard = 1; shard < account.shardCount(); shard++) {
            Map<String, AttributeValue> item = items.get(ids.get(shard - 1));
            shards.add(item == null ? AccountAsOf.emptyShard(account, shard) : BalancesItemCodec.account(item));
            version += item == null ? 0 : BalancesItemCodec.version(item);
        }
        return Optional.of(new Balance(AccountState.whole(shards), version));
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
