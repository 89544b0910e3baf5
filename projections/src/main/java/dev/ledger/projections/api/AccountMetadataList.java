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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
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
 * <p>Two projections meet here, each a moment behind the log in its own way. The index, like every GSI,
 * is a moment behind its table: an account whose pair was replaced may still be named under the old one;
 * it is left out (the metadata projection's own item says it no longer has the pair), so a page can hold
 * fewer than {@code limit} accounts while its cursor goes on. And the balances projection may not yet have
 * the metadata the index has: such an account ends the page before it (503 {@code projection_behind} if
 * it is the first), so a client paging through never skips it.
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
                query.get("cursor"), MetadataFilter.ACCOUNT_AT, Optional.empty(), Optional.empty());
        Objects.requireNonNull(index, "this read API was built without the metadata index");
        MetadataIndex.Page page = QueryApi.fromProjection(ProjectionCatalog.METADATA,
                () -> index.accounts(pair.key(), pair.value(), limit, startKey));
        List<String> ids = page.streams().stream().map(StreamId::id).toList();
        Map<String, BalancesProjection.Balance> shown = new HashMap<>();
        QueryApi.fromProjection(ProjectionCatalog.BALANCES, () -> balances.wholeAll(ids))
                .forEach(balance -> shown.put(balance.account().accountId(), balance));
        List<StreamId> notShown = page.streams().stream()
                .filter(stream -> !hasPair(shown.get(stream.id()), pair)).toList();
        Map<StreamId, SortedMap<String, String>> now = notShown.isEmpty() ? Map.of()
                : QueryApi.fromProjection(ProjectionCatalog.METADATA, () -> index.metadataNow(notShown));
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ArrayNode accounts = body.putArray("accounts");
        Map<String, AttributeValue> last = startKey;
        for (MetadataIndex.Hit hit : page.hits()) {
            BalancesProjection.Balance balance = shown.get(hit.stream().id());
            if (hasPair(balance, pair)) {
                accounts.add(Views.account(balance.account(), balance.version()));
            } else if (now.containsKey(hit.stream()) && pair.value().equals(now.get(hit.stream()).get(pair.key()))) {
                // The account has the pair now, and balances has not caught up: end the page before it.
                if (last == null) {
                    throw QueryApi.projectionBehind(ProjectionCatalog.BALANCES, ProjectionCatalog.METADATA);
                }
                body.put("nextCursor", MetadataFilter.cursor(last));
                return new HttpResponse(200, body);
            }
            // Else the index still names it under a pair it no longer has: it is not in this list.
            last = hit.key();
        }
        body.put("nextCursor", page.next() == null ? null : MetadataFilter.cursor(page.next()));
        return new HttpResponse(200, body);
    }

    private static boolean hasPair(BalancesProjection.Balance balance, MetadataFilter.Pair pair) {
        return balance != null && pair.value().equals(balance.account().metadata().get(pair.key()));
    }
}
