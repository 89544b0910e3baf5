package dev.ledger.projections.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.domain.api.StreamId;
import dev.ledger.http.ApiException;
import dev.ledger.http.HttpRequest;
import dev.ledger.http.HttpResponse;
import dev.ledger.projections.BalancesProjection;
import dev.ledger.projections.MetadataIndex;
import dev.ledger.projections.ProjectionCatalog;
import dev.ledger.views.Views;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * {@code GET /accounts?metadata.<key>=<value>&limit=&cursor=} (issue 16): the accounts whose metadata
 * has that pair, newest account first, from the metadata index ({@link MetadataIndex}), read by key.
 *
 * <p>Exactly one pair, and nothing else but {@code limit} and {@code cursor}: the index's key is one
 * pair, so two pairs would be an intersection the index cannot answer by key, and {@code currency},
 * {@code status} or {@code idPrefix} a filter over a page that could then come back empty however far
 * the pair's accounts go (a page must not read without bound to fill itself). Those are 400 naming
 * the indexed combinations.
 *
 * <p>The index, like every GSI, is a moment behind its table: an account whose pair was replaced a
 * moment ago may still be named under the old one. Each account is shown as its balances item has it
 * now, and one whose metadata no longer has the pair is left out, so a page can hold fewer than
 * {@code limit} accounts while its cursor goes on.
 *
 * <p>The pair and the cursor are {@link MetadataFilter}'s, shared with {@code GET /transfers}.
 */
final class AccountMetadataList {

    private static final Set<String> OTHERS = Set.of("limit", "cursor");

    private AccountMetadataList() {
    }

    static HttpResponse page(BalancesProjection balances, MetadataIndex index, HttpRequest request) {
        Map<String, String> query = request.query();
        MetadataFilter.Pair pair = MetadataFilter.pair(query, AccountList.SUPPORTED);
        for (String name : query.keySet()) {
            if (!name.startsWith(MetadataFilter.PREFIX) && !OTHERS.contains(name)) {
                throw ApiException.invalid("query parameter '" + AccountList.printable(name)
                        + "' is not indexed with metadata.<key>; " + AccountList.SUPPORTED);
            }
        }
        int limit = QueryApi.wholeNumberOf(query.get("limit"), "limit", 1, AccountList.MAX_PAGE, AccountList.DEFAULT_PAGE);
        Map<String, AttributeValue> startKey = MetadataFilter.startKey(MetadataIndex.accountPair(pair.key(), pair.value()),
                query.get("cursor"), MetadataFilter.ACCOUNT_AT, null, null);
        Objects.requireNonNull(index, "this read API was built without the metadata index");
        MetadataIndex.Page page = QueryApi.fromProjection(ProjectionCatalog.METADATA,
                () -> index.accounts(pair.key(), pair.value(), limit, startKey));
        List<String> ids = page.streams().stream().map(StreamId::id).toList();
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ArrayNode accounts = body.putArray("accounts");
        QueryApi.fromProjection(ProjectionCatalog.BALANCES, () -> balances.wholeAll(ids)).stream()
                .filter(balance -> pair.value().equals(balance.account().metadata().get(pair.key())))
                .forEach(balance -> accounts.add(Views.account(balance.account(), balance.version())));
        body.put("nextCursor", page.next() == null ? null : MetadataFilter.cursor(page.next()));
        return new HttpResponse(200, body);
    }
}
