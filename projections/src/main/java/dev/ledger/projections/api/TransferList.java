package dev.ledger.projections.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.domain.api.AccountShards;
import dev.ledger.domain.api.StreamId;
import dev.ledger.http.ApiException;
import dev.ledger.http.HttpRequest;
import dev.ledger.http.HttpResponse;
import dev.ledger.http.RequestBody;
import dev.ledger.projections.AccountTransfers;
import dev.ledger.projections.MetadataIndex;
import dev.ledger.projections.ProjectionCatalog;
import dev.ledger.projections.SortableTime;
import dev.ledger.projections.TransfersProjection;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * {@code GET /transfers} (issue 16): transfers and multi-leg transactions, newest first, read by key. The
 * indexed combinations are an account ({@code accountId}, from its history), a status ({@code status},
 * from the transfers table's {@code transfers-by-status} index) and one metadata pair
 * ({@code metadata.<key>=<value>}, from the metadata index), each with an optional {@code from}/{@code to}
 * window on when they were recorded; anything else is refused naming them. Each row is the transfer or
 * transaction as its own GET shows it, plus {@code "kind"}. The cursor says which query it continues (the
 * account or status) and where, under a version tag; a cursor of another query is refused.
 *
 * <p>No filter at all is refused too: every transfer and transaction is in exactly one status list, so the
 * five status lists together are every one, and a list of all in one index partition would cost a second
 * index write per item for nothing they do not give.
 */
final class TransferList {

    static final int MAX_PAGE = 100;
    static final int DEFAULT_PAGE = 50;
    private static final Set<String> PARAMETERS = Set.of("accountId", "status", "from", "to", "limit", "cursor");
    /** Every status of a transfer or a transaction (the two enums have the same names). */
    private static final Set<String> STATUSES = Set.of("PENDING", "POSTED", "VOIDED", "EXPIRED", "REJECTED");
    static final String SUPPORTED = "the indexed combinations are: accountId, or status (PENDING, POSTED, VOIDED, "
            + "EXPIRED or REJECTED), or one metadata.<key>, each with optional from and to";
    private static final Pattern BY_ACCOUNT_CURSOR = Pattern.compile(
            "t1:a:([A-Za-z0-9._:-]{1,64}):([0-9]{1,18}(?:\\.[0-9]{1,18}){0," + (AccountShards.MAX_SHARDS - 1) + "})");
    private static final Pattern BY_STATUS_CURSOR = Pattern.compile(
            "t1:s:(PENDING|POSTED|VOIDED|EXPIRED|REJECTED):(" + SortableTime.PATTERN + ")#(transfer|transaction)#([A-Za-z0-9._:-]{1,64})");

    /** What a list asks for: one of the indexed combinations. */
    private sealed interface Query {
        record ByAccount(String accountId, Optional<Instant> from, Optional<Instant> to) implements Query {
        }

        record ByStatus(String status, Optional<Instant> from, Optional<Instant> to) implements Query {
        }

        record ByMetadata(MetadataFilter.Pair pair, Optional<Instant> from, Optional<Instant> to) implements Query {
        }
    }

    private TransferList() {
    }

    static HttpResponse page(QueryApi.ReadModels models, HttpRequest request) {
        Map<String, String> parameters = request.query();
        Query query = query(parameters);
        int limit = QueryApi.wholeNumberOf(parameters.get("limit"), "limit", 1, MAX_PAGE, DEFAULT_PAGE);
        String cursor = parameters.get("cursor");
        String after = cursor == null || cursor.isEmpty() || query instanceof Query.ByMetadata ? null : decode(cursor);
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ArrayNode rows = body.putArray("transfers");
        String next;
        if (query instanceof Query.ByAccount byAccount) {
            next = byAccount(models, byAccount, limit, after, rows);
        } else if (query instanceof Query.ByStatus byStatus) {
            next = byStatus(models.transfers(), byStatus, limit, after, rows);
        } else {
            next = byMetadata(models, (Query.ByMetadata) query, limit, cursor, rows);
        }
        body.put("nextCursor", next);
        return new HttpResponse(200, body);
    }

    /** The one indexed combination the parameters name; 400 naming them for any other. */
    private static Query query(Map<String, String> parameters) {
        for (String name : parameters.keySet()) {
            if (!name.startsWith(MetadataFilter.PREFIX) && !PARAMETERS.contains(name)) {
                throw ApiException.invalid("query parameter '" + AccountList.printable(name) + "' is not one of "
                        + "accountId, status, from, to, limit, cursor; " + SUPPORTED);
            }
        }
        Optional<Instant> from = windowEnd(parameters, "from");
        Optional<Instant> to = windowEnd(parameters, "to");
        if (from.isPresent() && to.isPresent() && from.get().isAfter(to.get())) {
            throw ApiException.invalid("query parameter 'from' must not be after 'to'");
        }
        String accountId = parameters.get("accountId");
        String status = parameters.get("status");
        boolean byMetadata = MetadataFilter.asks(parameters);
        if ((accountId != null ? 1 : 0) + (status != null ? 1 : 0) + (byMetadata ? 1 : 0) > 1) {
            throw ApiException.invalid("accountId, status and metadata.<key> are not indexed together; " + SUPPORTED);
        }
        if (byMetadata) {
            return new Query.ByMetadata(MetadataFilter.pair(parameters, SUPPORTED), from, to);
        }
        if (accountId != null) {
            return new Query.ByAccount(RequestBody.validId("query parameter 'accountId'", accountId), from, to);
        }
        if (status != null) {
            if (!STATUSES.contains(status)) {
                throw ApiException.invalid("query parameter 'status' must be PENDING, POSTED, VOIDED, EXPIRED or "
                        + "REJECTED");
            }
            return new Query.ByStatus(status, from, to);
        }
        throw ApiException.invalid("GET /transfers needs a filter; " + SUPPORTED);
    }

    /**
     * One end of the window: an instant the list indexes' sort keys can hold ({@link SortableTime}: the years
     * 0000 to 9999; another has no place in their order).
     */
    private static Optional<Instant> windowEnd(Map<String, String> parameters, String name) {
        Optional<Instant> end = QueryApi.instantOf(parameters.get(name), name);
        if (end.isPresent() && !SortableTime.sortable(end.get())) {
            throw ApiException.invalid("query parameter '" + name + "' must lie between " + SortableTime.FIRST + " and "
                    + SortableTime.LAST);
        }
        return end;
    }

    /**
     * An account's page. A row whose transfer or transaction is not projected yet (the history projection ran
     * ahead of the transfers projection) ends the page before it, so the next page starts at it: a row is
     * never skipped.
     */
    private static String byAccount(QueryApi.ReadModels models, Query.ByAccount query, int limit, String after,
                                    ArrayNode rows) {
        List<Long> position = after == null ? List.of() : position(query.accountId(), after);
        AccountTransfers.Page page;
        try {
            page = QueryApi.fromProjection(ProjectionCatalog.HISTORY, () -> models.history().transfers()
                    .page(query.accountId(), position, limit, query.from(), query.to()));
        } catch (IllegalArgumentException notOurs) {
            throw notOurs();
        }
        if (!page.known() && QueryApi.fromProjection(ProjectionCatalog.BALANCES,
                () -> models.balances().balance(query.accountId())).isEmpty()) {
            throw QueryApi.accountNotFound(query.accountId());
        }
        List<StreamId> streams = page.rows().stream().map(AccountTransfers.Row::stream).toList();
        Map<StreamId, TransfersProjection.Listed> listed = QueryApi.fromProjection(ProjectionCatalog.TRANSFERS,
                () -> models.transfers().listed(streams));
        for (AccountTransfers.Row row : page.rows()) {
            TransfersProjection.Listed found = listed.get(row.stream());
            if (found == null) {
                return accountCursor(query.accountId(), row.at());
            }
            if (!found.blocked()) {
                rows.add(row(found));
            }
        }
        return page.next() == null ? null : accountCursor(query.accountId(), page.next());
    }

    private static String byStatus(TransfersProjection transfers, Query.ByStatus query, int limit, String after,
                                   ArrayNode rows) {
        String afterListAt = after == null ? null : listAt(query, after);
        TransfersProjection.StatusPage page = QueryApi.fromProjection(ProjectionCatalog.TRANSFERS,
                () -> transfers.byStatus(query.status(), query.from(), query.to(), limit, afterListAt));
        page.rows().forEach(listed -> rows.add(row(listed)));
        return page.lastListAt() == null ? null : encode("t1:s:" + query.status() + ":" + page.lastListAt());
    }

    /**
     * A metadata pair's page, newest first. A transfer's metadata never changes, so every stream the index
     * names has the pair; one the transfers projection has not written yet (the metadata projection ran ahead)
     * ends the page before it, the cursor then being the last shown row's index key, so a row is never skipped.
     */
    private static String byMetadata(QueryApi.ReadModels models, Query.ByMetadata query, int limit, String cursor,
                                     ArrayNode rows) {
        MetadataIndex index = Objects.requireNonNull(models.metadata(), "this read API was built without the metadata index");
        String key = query.pair().key();
        String value = query.pair().value();
        Instant from = query.from().orElse(null);
        Instant to = query.to().orElse(null);
        Map<String, AttributeValue> startKey = MetadataFilter.startKey(MetadataIndex.transferPair(key, value), cursor,
                MetadataFilter.TRANSFER_AT, query.from(), query.to());
        MetadataIndex.Page page = QueryApi.fromProjection(ProjectionCatalog.METADATA,
                () -> index.transfers(key, value, from, to, limit, startKey));
        Map<StreamId, TransfersProjection.Listed> listed = QueryApi.fromProjection(ProjectionCatalog.TRANSFERS,
                () -> models.transfers().listed(page.streams()));
        Map<String, AttributeValue> last = startKey;
        for (MetadataIndex.Hit hit : page.hits()) {
            TransfersProjection.Listed found = listed.get(hit.stream());
            if (found == null) {
                if (last == null) {
                    // The pair's newest is not projected yet, and no key starts a page before the first.
                    throw QueryApi.projectionBehind(ProjectionCatalog.TRANSFERS, ProjectionCatalog.METADATA);
                }
                return MetadataFilter.cursor(last);
            }
            if (!found.blocked()) {
                rows.add(row(found));
            }
            last = hit.key();
        }
        return page.next() == null ? null : MetadataFilter.cursor(page.next());
    }

    /** A row: the transfer or transaction as its own GET shows it, and which of the two it is. */
    private static ObjectNode row(TransfersProjection.Listed listed) {
        ObjectNode row = listed.transfer() != null ? QueryApi.transferJson(listed.transfer())
                : QueryApi.transactionJson(listed.transaction());
        row.put("kind", listed.transfer() != null ? "transfer" : "transaction");
        return row;
    }

    private static String accountCursor(String accountId, List<Long> position) {
        StringBuilder decoded = new StringBuilder("t1:a:").append(accountId).append(':');
        for (int shard = 0; shard < position.size(); shard++) {
            decoded.append(shard == 0 ? "" : ".").append(position.get(shard));
        }
        return encode(decoded.toString());
    }

    /** The position an account cursor holds, if it is this account's. */
    private static List<Long> position(String accountId, String decoded) {
        Matcher matcher = BY_ACCOUNT_CURSOR.matcher(decoded);
        if (!matcher.matches() || !matcher.group(1).equals(accountId)) {
            throw notOurs();
        }
        List<Long> position = new ArrayList<>();
        for (String version : matcher.group(2).split("\\.")) {
            position.add(Long.parseLong(version));
        }
        return position;
    }

    /**
     * The {@code listAt} a status cursor holds, if it is this status's and inside the window (a key outside
     * the query's key condition would not continue it).
     */
    private static String listAt(Query.ByStatus query, String decoded) {
        Matcher matcher = BY_STATUS_CURSOR.matcher(decoded);
        if (!matcher.matches() || !matcher.group(1).equals(query.status())) {
            throw notOurs();
        }
        Instant at;
        try {
            at = Instant.parse(matcher.group(2));
        } catch (DateTimeParseException notAnInstant) {
            throw notOurs();
        }
        String listAt = decoded.substring(("t1:s:" + query.status() + ":").length());
        if (!listAt.startsWith(SortableTime.of(at)) || !SortableTime.inside(listAt, query.from(), query.to())) {
            throw notOurs();
        }
        return listAt;
    }

    private static String encode(String decoded) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(decoded.getBytes(StandardCharsets.UTF_8));
    }

    private static String decode(String cursor) {
        try {
            return new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException notBase64) {
            throw notOurs();
        }
    }

    private static ApiException notOurs() {
        return ApiException.invalid("query parameter 'cursor' is not a cursor this API gave out for this query");
    }
}
