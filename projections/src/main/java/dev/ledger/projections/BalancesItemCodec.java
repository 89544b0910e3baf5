package dev.ledger.projections;

import static dev.ledger.projections.ProjectionItems.VERSION;
import static dev.ledger.projections.ProjectionTables.ID;

import dev.ledger.domain.account.AccountState;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The balances item: {@code id} (the account), {@code version} (the last event applied),
 * {@code state} (the account, see {@link AccountJson}) and {@code updatedAt} (when that event was
 * recorded); {@code blocked} once a stream's event could not be applied. An account's own item (not
 * a shard's, issue 13) also carries the keys of the two indexes that list accounts (issue 16):
 * {@code listAll} ("account", with {@code id}: {@link #BY_ID}) and {@code listCurrency} with
 * {@code listStatusId} ("STATUS#id": {@link #BY_CURRENCY}). Pinned by
 * {@code BalancesProjectionTest}: a change here changes what the table holds, and is deployed with
 * {@code replay rebuild --swap}.
 */
final class BalancesItemCodec {

    static final String STATE = "state";
    static final String UPDATED_AT = "updatedAt";
    static final String LIST_ALL = "listAll";
    static final String LIST_CURRENCY = "listCurrency";
    static final String LIST_STATUS_ID = "listStatusId";
    /** Every account by id: one hash key, so a prefix of the id is a key condition. */
    static final String BY_ID = "accounts-by-id";
    /** The accounts of a currency by status, then id. */
    static final String BY_CURRENCY = "accounts-by-currency";
    /** The value of {@link #LIST_ALL}: the one partition of {@link #BY_ID}. */
    static final String ACCOUNT = "account";
    static final List<ProjectionTables.Index> INDEXES = List.of(
            new ProjectionTables.Index(BY_ID, LIST_ALL, ID),
            new ProjectionTables.Index(BY_CURRENCY, LIST_CURRENCY, LIST_STATUS_ID));

    private BalancesItemCodec() {
    }

    static Map<String, AttributeValue> encode(String accountId, long version, AccountState account, Instant updatedAt) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(ID, AttributeValue.fromS(accountId));
        item.put(VERSION, AttributeValue.fromN(Long.toString(version)));
        item.put(STATE, AttributeValue.fromS(AccountJson.encode(account)));
        item.put(UPDATED_AT, AttributeValue.fromS(updatedAt.toString()));
        if (account.shard() == 0) {
            item.put(LIST_ALL, AttributeValue.fromS(ACCOUNT));
            item.put(LIST_CURRENCY, AttributeValue.fromS(account.currency().code()));
            item.put(LIST_STATUS_ID, AttributeValue.fromS(account.status().name() + "#" + accountId));
        }
        return item;
    }

    static AccountState account(Map<String, AttributeValue> item) {
        String what = "balances item " + item.get(ID).s();
        AttributeValue state = item.get(STATE);
        if (state == null || state.s() == null) {
            throw new StoredFormException(what + " has no '" + STATE + "'");
        }
        return AccountJson.decode(state.s(), what);
    }

    static long version(Map<String, AttributeValue> item) {
        return Long.parseLong(item.get(VERSION).n());
    }
}
