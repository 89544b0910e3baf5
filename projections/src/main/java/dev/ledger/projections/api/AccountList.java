package dev.ledger.projections.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.domain.account.AccountStatus;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.InvalidMoneyException;
import dev.ledger.http.ApiException;
import dev.ledger.http.HttpRequest;
import dev.ledger.http.HttpResponse;
import dev.ledger.http.RequestBody;
import dev.ledger.projections.BalancesProjection;
import dev.ledger.projections.BalancesProjection.AccountQuery;
import dev.ledger.projections.MetadataIndex;
import dev.ledger.views.Views;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * {@code GET /accounts} (issue 16): a page of accounts from one index of the balances table, read by
 * key. The indexed combinations are every account or an id prefix (in id order), a currency with
 * or without a status (by status, then id), and one metadata pair ({@link AccountMetadataList}); anything
 * else is refused naming them. The cursor is the
 * last account's id (and status) under a version tag, checked against the query it continues.
 */
final class AccountList {

    static final int MAX_PAGE = 100;
    static final int DEFAULT_PAGE = 50;
    private static final Set<String> PARAMETERS = Set.of("idPrefix", "currency", "status", "limit", "cursor");
    static final String SUPPORTED = "the indexed combinations are: none (every account, by id), idPrefix, "
            + "currency, currency and status, one metadata.<key> alone (newest account first)";
    private static final Pattern BY_ID_CURSOR = Pattern.compile("a1:i:([A-Za-z0-9._:-]{1,64})");
    private static final Pattern BY_CURRENCY_CURSOR = Pattern.compile("a1:c:(OPEN|FROZEN|CLOSED):([A-Za-z0-9._:-]{1,64})");

    private AccountList() {
    }

    static HttpResponse page(BalancesProjection balances, MetadataIndex metadata, HttpRequest request) {
        Map<String, String> query = request.query();
        if (MetadataFilter.asks(query)) {
            return AccountMetadataList.page(balances, metadata, request);
        }
        for (String name : query.keySet()) {
            if (!PARAMETERS.contains(name)) {
                throw ApiException.invalid("query parameter '" + printable(name) + "' is not one of idPrefix, currency, "
                        + "status, limit, cursor");
            }
        }
        AccountQuery accountQuery = accountQuery(query);
        int limit = QueryApi.wholeNumberOf(query.get("limit"), "limit", 1, MAX_PAGE, DEFAULT_PAGE);
        Map<String, AttributeValue> startKey = startKey(accountQuery, query.get("cursor"));
        BalancesProjection.AccountPage page = balances.accounts(accountQuery, limit, startKey);
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ArrayNode accounts = body.putArray("accounts");
        page.accounts().forEach(balance -> accounts.add(Views.account(balance.account(), balance.version())));
        body.put("nextCursor", page.lastKey() == null ? null : cursor(accountQuery, page.lastKey()));
        return new HttpResponse(200, body);
    }

    private static AccountQuery accountQuery(Map<String, String> query) {
        String idPrefix = query.get("idPrefix");
        String currency = query.get("currency");
        String status = query.get("status");
        if (idPrefix != null) {
            if (currency != null || status != null) {
                throw ApiException.invalid("idPrefix is not indexed with currency or status; " + SUPPORTED);
            }
            return new AccountQuery.ById(RequestBody.validId("query parameter 'idPrefix'", idPrefix));
        }
        if (currency == null) {
            if (status != null) {
                throw ApiException.invalid("status is indexed only with a currency; " + SUPPORTED);
            }
            return new AccountQuery.ById("");
        }
        try {
            CurrencyUnit.of(currency);
        } catch (InvalidMoneyException unknown) {
            throw ApiException.invalid("query parameter 'currency': " + unknown.getMessage());
        }
        if (status != null && !Set.of("OPEN", "FROZEN", "CLOSED").contains(status)) {
            throw ApiException.invalid("query parameter 'status' must be OPEN, FROZEN or CLOSED");
        }
        return new AccountQuery.ByCurrency(currency, Optional.ofNullable(status));
    }

    /** The cursor of a page's last key: its account id, and for the currency index its status. */
    private static String cursor(AccountQuery query, Map<String, AttributeValue> lastKey) {
        String id = lastKey.get("id").s();
        String decoded = query instanceof AccountQuery.ById ? "a1:i:" + id
                : "a1:c:" + lastKey.get("listStatusId").s().substring(0, lastKey.get("listStatusId").s().indexOf('#'))
                + ":" + id;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(decoded.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The key to start after, from a cursor this route gave out for the same query; null without one.
     *
     * @throws ApiException 400 for any other cursor (another query's would start outside this one's keys)
     */
    private static Map<String, AttributeValue> startKey(AccountQuery query, String cursor) {
        if (cursor == null || cursor.isEmpty()) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException notBase64) {
            throw notOurs();
        }
        if (query instanceof AccountQuery.ById byId) {
            Matcher matcher = BY_ID_CURSOR.matcher(decoded);
            if (!matcher.matches() || !matcher.group(1).startsWith(byId.idPrefix())) {
                throw notOurs();
            }
            return Map.of("id", AttributeValue.fromS(matcher.group(1)), "listAll", AttributeValue.fromS("account"));
        }
        AccountQuery.ByCurrency byCurrency = (AccountQuery.ByCurrency) query;
        Matcher matcher = BY_CURRENCY_CURSOR.matcher(decoded);
        if (!matcher.matches() || byCurrency.status().isPresent() && !byCurrency.status().get().equals(matcher.group(1))) {
            throw notOurs();
        }
        AccountStatus.valueOf(matcher.group(1));
        return Map.of("id", AttributeValue.fromS(matcher.group(2)),
                "listCurrency", AttributeValue.fromS(byCurrency.currency()),
                "listStatusId", AttributeValue.fromS(matcher.group(1) + "#" + matcher.group(2)));
    }

    private static ApiException notOurs() {
        return ApiException.invalid("query parameter 'cursor' is not a cursor this API gave out for this query");
    }

    /** A parameter name as the message may show it: printable ASCII, at most 64 characters. */
    static String printable(String name) {
        String ascii = name.replaceAll("[^\\x20-\\x7E]", "?");
        return ascii.length() > 64 ? ascii.substring(0, 64) + "..." : ascii;
    }
}
