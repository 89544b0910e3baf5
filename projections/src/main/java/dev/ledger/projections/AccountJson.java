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
 * minor units or null when unlimited. Pinned by {@code BalancesProjectionTest} and
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
                ItemJson.number(node, "debitsPending", what), ItemJson.number(node, "creditsPending", what));
    }
}
