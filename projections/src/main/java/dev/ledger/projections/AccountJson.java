package dev.ledger.projections;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.account.AccountStatus;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.OverdraftLimit;

/**
 * An account as the account projections keep it (the balances item's {@code state}, the history
 * cursor's running state): {@code {"accountId","creditsPending","creditsPosted","currency",
 * "debitsPending","debitsPosted","overdraftLimit","status"}}, totals in minor units, the limit in
 * minor units or null when unlimited. A stream of a sharded account (issue 13) also keeps
 * {@code "shardCount"} (on the account's own stream: its count; on a shard k >= 1: 0) and the money
 * moved between shards, {@code "shardMovesIn"} and {@code "shardMovesOut"}; each is written only when it
 * is not what an unsharded account has (1, 0 and 0), and an item without it has that value, so an
 * unsharded account's bytes are those it always had. An account with metadata (issue 16) also keeps
 * {@code "metadata"} (an object of strings), written only when it has some. Pinned by {@code BalancesProjectionTest} and
 * {@code HistoryProjectionTest}: changing it changes what the read tables hold.
 */
final class AccountJson {

    private AccountJson() {
    }

    static String encode(AccountState account) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("accountId", account.accountId());
        node.put("currency", account.currency().code());
        node.put("overdraftLimit", account.overdraftLimit().unlimited() ? null : account.overdraftLimit().minorUnits());
        node.put("status", account.status().name());
        node.put("debitsPosted", account.debitsPosted());
        node.put("creditsPosted", account.creditsPosted());
        node.put("debitsPending", account.debitsPending());
        node.put("creditsPending", account.creditsPending());
        if (account.shardCount() != 1) {
            node.put("shardCount", account.shardCount());
        }
        if (account.shardMovesIn() != 0) {
            node.put("shardMovesIn", account.shardMovesIn());
        }
        if (account.shardMovesOut() != 0) {
            node.put("shardMovesOut", account.shardMovesOut());
        }
        if (!account.metadata().isEmpty()) {
            ObjectNode metadata = node.putObject("metadata");
            account.metadata().forEach(metadata::put);
        }
        return ItemJson.write(node);
    }

    /** @param what the item, for errors: e.g. "balances item alice" */
    static AccountState decode(String json, String what) {
        JsonNode node = ItemJson.read(json, what);
        JsonNode limit = ItemJson.field(node, "overdraftLimit", what);
        return new AccountState(ItemJson.text(node, "accountId", what),
                CurrencyUnit.of(ItemJson.text(node, "currency", what)),
                limit.isNull() ? OverdraftLimit.UNLIMITED : OverdraftLimit.of(ItemJson.number(node, "overdraftLimit", what)),
                AccountStatus.valueOf(ItemJson.text(node, "status", what)),
                ItemJson.number(node, "debitsPosted", what), ItemJson.number(node, "creditsPosted", what),
                ItemJson.number(node, "debitsPending", what), ItemJson.number(node, "creditsPending", what),
                node.has("shardCount") ? Math.toIntExact(ItemJson.number(node, "shardCount", what)) : 1,
                node.has("shardMovesIn") ? ItemJson.number(node, "shardMovesIn", what) : 0,
                node.has("shardMovesOut") ? ItemJson.number(node, "shardMovesOut", what) : 0,
                metadata(node, what));
    }

    private static java.util.SortedMap<String, String> metadata(JsonNode node, String what) {
        java.util.TreeMap<String, String> metadata = new java.util.TreeMap<>();
        if (node.has("metadata")) {
            ItemJson.field(node, "metadata", what).fields()
                    .forEachRemaining(field -> metadata.put(field.getKey(), field.getValue().asText()));
        }
        return metadata;
    }
}
