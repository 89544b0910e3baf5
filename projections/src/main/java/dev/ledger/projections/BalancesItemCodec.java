package dev.ledger.projections;

import static dev.ledger.projections.ProjectionItems.VERSION;
import static dev.ledger.projections.ProjectionTables.ID;

import dev.ledger.domain.account.AccountState;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The balances item: {@code id} (the account), {@code version} (the last event applied),
 * {@code state} (the account, see {@link AccountJson}) and {@code updatedAt} (when that event was
 * recorded); {@code blocked} once a stream's event could not be applied. Pinned by
 * {@code BalancesProjectionTest}: a change here changes what the table holds, and is deployed with
 * {@code replay rebuild --swap}.
 */
final class BalancesItemCodec {

    static final String STATE = "state";
    static final String UPDATED_AT = "updatedAt";

    private BalancesItemCodec() {
    }

    static Map<String, AttributeValue> encode(String accountId, long version, AccountState account, Instant updatedAt) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(ID, AttributeValue.fromS(accountId));
        item.put(VERSION, AttributeValue.fromN(Long.toString(version)));
        item.put(STATE, AttributeValue.fromS(AccountJson.encode(account)));
        item.put(UPDATED_AT, AttributeValue.fromS(updatedAt.toString()));
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
