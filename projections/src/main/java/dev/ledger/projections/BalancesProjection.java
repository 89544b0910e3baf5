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
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/** Each account's balances and the version they reflect: the fold of its events so far. */
public final class BalancesProjection extends SingleItemProjection {

    private final DynamoDbClient dynamo;
    private final String table;

    public BalancesProjection(DynamoDbClient dynamo, String table) {
        super(ProjectionCatalog.BALANCES, dynamo, table);
        this.dynamo = dynamo;
        this.table = table;
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

    /**
     * Several accounts, each as {@link #whole} shows it, in the order given (an id given twice, once),
     * their own items read in one request: a list's page (an index names them, keys only). An account the
     * projection has not written yet is left out: it was written to an index but is not readable yet.
     */
    public List<Balance> wholeAll(List<String> ids) {
        List<String> distinct = ids.stream().distinct().toList();
        Map<String, Map<String, AttributeValue>> items = distinct.isEmpty() ? Map.of() : storedAll(distinct);
        List<Balance> accounts = new ArrayList<>();
        for (String id : distinct) {
            Map<String, AttributeValue> item = items.get(id);
            if (item == null) {
                continue;
            }
            Balance own = new Balance(BalancesItemCodec.account(item), BalancesItemCodec.version(item));
            accounts.add(own.account().sharded() ? whole(id).orElse(own) : own);
        }
        return accounts;
    }

    /**
     * Which accounts a list asks for (issue 16): every account, or those whose id begins with
     * {@code idPrefix}, by id ({@link BalancesItemCodec#BY_ID}); or those of a {@code currency}, with
     * a {@code status} or any, by status then id ({@link BalancesItemCodec#BY_CURRENCY}). Nothing else
     * is indexed.
     */
    public sealed interface AccountQuery {
        record ById(String idPrefix) implements AccountQuery {
        }

        record ByCurrency(String currency, Optional<String> status) implements AccountQuery {
        }
    }

    /** @param lastKey the key to start after on the next page (the index's and the table's); null on the last */
    public record AccountPage(List<Balance> accounts, Map<String, AttributeValue> lastKey) {
    }

    /**
     * A page of accounts, each as {@link #whole} shows it, read from one index with a key condition
     * (never a scan), starting after {@code startKey} (null for the first page).
     */
    public AccountPage accounts(AccountQuery query, int limit, Map<String, AttributeValue> startKey) {
        QueryRequest.Builder request = QueryRequest.builder().tableName(table).limit(limit).exclusiveStartKey(startKey);
        if (query instanceof AccountQuery.ById byId) {
            request.indexName(BalancesItemCodec.BY_ID);
            if (byId.idPrefix().isEmpty()) {
                request.keyConditionExpression("#h = :h")
                        .expressionAttributeNames(Map.of("#h", BalancesItemCodec.LIST_ALL))
                        .expressionAttributeValues(Map.of(":h", AttributeValue.fromS(BalancesItemCodec.ACCOUNT)));
            } else {
                request.keyConditionExpression("#h = :h AND begins_with(#r, :r)")
                        .expressionAttributeNames(Map.of("#h", BalancesItemCodec.LIST_ALL, "#r", ProjectionTables.ID))
                        .expressionAttributeValues(Map.of(":h", AttributeValue.fromS(BalancesItemCodec.ACCOUNT),
                                ":r", AttributeValue.fromS(byId.idPrefix())));
            }
        } else {
            AccountQuery.ByCurrency byCurrency = (AccountQuery.ByCurrency) query;
            request.indexName(BalancesItemCodec.BY_CURRENCY);
            if (byCurrency.status().isEmpty()) {
                request.keyConditionExpression("#h = :h")
                        .expressionAttributeNames(Map.of("#h", BalancesItemCodec.LIST_CURRENCY))
                        .expressionAttributeValues(Map.of(":h", AttributeValue.fromS(byCurrency.currency())));
            } else {
                request.keyConditionExpression("#h = :h AND begins_with(#r, :r)")
                        .expressionAttributeNames(Map.of("#h", BalancesItemCodec.LIST_CURRENCY,
                                "#r", BalancesItemCodec.LIST_STATUS_ID))
                        .expressionAttributeValues(Map.of(":h", AttributeValue.fromS(byCurrency.currency()),
                                ":r", AttributeValue.fromS(byCurrency.status().get() + "#")));
            }
        }
        QueryResponse response = dynamo.query(request.build());
        // The indexes hold keys only (a balance's change then writes no index item): the page's items
        // are read from the table, in one request, in the order the index gave.
        List<String> ids = response.items().stream().map(key -> key.get(ProjectionTables.ID).s()).toList();
        List<Balance> accounts = wholeAll(ids);
        Map<String, AttributeValue> last = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                ? response.lastEvaluatedKey() : null;
        return new AccountPage(accounts, last);
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
