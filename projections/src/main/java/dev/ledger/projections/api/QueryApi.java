package dev.ledger.projections.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountEvent;
import dev.ledger.domain.api.AccountShards;
import dev.ledger.domain.api.AuditEvent;
import dev.ledger.domain.api.BatchEvent;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.batch.BatchState;
import dev.ledger.domain.money.Money;
import dev.ledger.http.ApiException;
import dev.ledger.http.ApiRoutes;
import dev.ledger.http.Authenticator;
import dev.ledger.http.HttpRequest;
import dev.ledger.http.HttpResponse;
import dev.ledger.http.Role;
import dev.ledger.http.Route;
import dev.ledger.http.Route.Answer;
import dev.ledger.http.RouteTable;
import dev.ledger.http.RouteTable.MethodRefusal;
import dev.ledger.projections.BalancesProjection;
import dev.ledger.projections.EffectiveOrder;
import dev.ledger.projections.HistoryReader;
import dev.ledger.projections.MetadataIndex;
import dev.ledger.projections.ProjectionCatalog;
import dev.ledger.projections.TransfersProjection;
import dev.ledger.store.AccountAsOf;
import dev.ledger.store.Basis;
import dev.ledger.store.AuditLog;
import dev.ledger.store.EventStore;
import dev.ledger.store.HashChainCursor;
import dev.ledger.store.StoredEvent;
import dev.ledger.views.AuditView;
import dev.ledger.views.Views;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

/**
 * The read routes for auditors and payment services. Balances, history, transfers and transactions come from
 * the projections; a balance as of an instant, the hash-chain check and the audit trail of operator actions
 * come from the log itself.
 */
public final class QueryApi implements ApiRoutes {

    private static final Set<Role> ANY_ROLE = Set.of(Role.AUDITOR, Role.PAYMENTS, Role.OPERATOR);
    /** The audit trail is for those who check operators, and for operators themselves; not for payment services. */
    private static final Set<Role> AUDITOR_OR_OPERATOR = Set.of(Role.AUDITOR, Role.OPERATOR);
    /** How many entries of the audit trail a page shows when the request does not say. */
    static final int DEFAULT_AUDIT_PAGE = 50;
    /** At most 18 digits, so that every match fits a long. */
    private static final Pattern WHOLE_NUMBER = Pattern.compile("[0-9]{1,18}");
    /**
     * How long a caller is asked to wait when a projection's table is away: a rebuild recreates a table in
     * seconds to minutes, and a client that retries sooner only adds load.
     */
    static final String PROJECTION_RETRY_AFTER_SECONDS = "30";
    /** The stored type of the event that counts a sharded account's shards. */
    private static final String ACCOUNT_SHARDED = AccountEvent.AccountSharded.class.getSimpleName();

    /** The projections' readers, each on the table serving it now. */
    public record ReadModels(BalancesProjection balances, HistoryReader history, TransfersProjection transfers,
                             MetadataIndex metadata) {

        /** Without the metadata index: a listing by metadata is then an error of the caller's wiring. */
        public ReadModels(BalancesProjection balances, HistoryReader history, TransfersProjection transfers) {
            this(balances, history, transfers, null);
        }
    }

    private final Supplier<ReadModels> readModels;
    private final EventStore log;
    private final RouteTable routes;

    public QueryApi(BalancesProjection balances, HistoryReader history, TransfersProjection transfers,
                    EventStore log, Authenticator authenticator) {
        this(() -> new ReadModels(balances, history, transfers), log, authenticator);
    }

    /** With the metadata index, for {@code GET /accounts?metadata.<key>=}. */
    public QueryApi(BalancesProjection balances, HistoryReader history, TransfersProjection transfers,
                    MetadataIndex metadata, EventStore log, Authenticator authenticator) {
        this(() -> new ReadModels(balances, history, transfers, metadata), log, authenticator);
    }

    /**
     * Every read is a GET with any role's token (operators read what they rebuilt or repaired) and a
     * valid id.
     *
     * @param readModels called once per request (the tables may be swapped by a rebuild)
     */
    public QueryApi(Supplier<ReadModels> readModels, EventStore log, Authenticator authenticator) {
        this.readModels = readModels;
        this.log = log;
        this.routes = new RouteTable(authenticator, MethodRefusal.HERE, List.of(
                new Route("GET", "/accounts", ANY_ROLE,
                        call -> {
                            ReadModels models = readModels.get();
                            return Answer.of(AccountList.page(models.balances(), models.metadata(), call.request()));
                        }),
                new Route("GET", "/accounts/{accountId}", ANY_ROLE, call -> Answer.of(account(readModels.get(), call.id()))),
                new Route("GET", "/accounts/{accountId}/history", ANY_ROLE,
                        call -> Answer.of(history(readModels.get(), call.id(), call.request()))),
                new Route("GET", "/accounts/{accountId}/balance", ANY_ROLE,
                        call -> Answer.of(balanceAsOf(call.id(), call.request()))),
                new Route("GET", "/transfers", ANY_ROLE,
                        call -> Answer.of(TransferList.page(readModels.get(), call.request()))),
                new Route("GET", "/transfers/{transferId}", ANY_ROLE, call -> Answer.of(transfer(readModels.get(), call.id()))),
                new Route("GET", "/transactions/{transactionId}", ANY_ROLE,
                        call -> Answer.of(transaction(readModels.get(), call.id()))),
                new Route("GET", "/audit/accounts/{accountId}/verify", ANY_ROLE, call -> Answer.of(verify(call.id()))),
                new Route("GET", "/audit/accounts/{accountId}/events", ANY_ROLE,
                        call -> Answer.of(AccountEventsExport.page(log, call.id(), call.request(),
                                (int) wholeNumber(call.request(), "limit", 1, AccountEventsExport.MAX_PAGE,
                                        AccountEventsExport.MAX_PAGE)))),
                new Route("GET", "/audit/operations", AUDITOR_OR_OPERATOR, call -> Answer.of(operations(call.request()))),
                new Route("GET", "/batches/{batchId}", ANY_ROLE, call -> Answer.of(batch(call.id())))));
    }

    @Override
    public String routeOf(HttpRequest request) {
        return routes.routeOf(request);
    }

    @Override
    public Handled handle(HttpRequest request, String correlationId) {
        return routes.handle(request, correlationId);
    }

    /** The account as users see it: a sharded account's shards added up (BalancesProjection#whole). */
    private HttpResponse account(ReadModels models, String accountId) {
        BalancesProjection.Balance balance = fromProjection(ProjectionCatalog.BALANCES,
                () -> models.balances().whole(accountId)).orElseThrow(() -> accountNotFound(accountId));
        return new HttpResponse(200, Views.account(balance.account(), balance.version()));
    }

    private HttpResponse history(ReadModels models, String accountId, HttpRequest request) {
        int limit = (int) wholeNumber(request, "limit", 1, HistoryReader.MAX_PAGE, 100);
        Optional<Instant> from = instant(request, "from");
        Optional<Instant> to = instant(request, "to");
        boolean effectiveOrder = effectiveOrder(request);
        HistoryReader.Cursor cursor = effectiveOrder ? HistoryReader.Cursor.START : cursor(request);
        String effectiveCursor = request.query().get("cursor");
        HistoryReader.Page page;
        try {
            page = fromProjection(ProjectionCatalog.HISTORY, () -> effectiveOrder
                    ? EffectiveOrder.page(models.history(), accountId, effectiveCursor, limit, from, to)
                    : models.history().page(accountId, cursor, limit, from, to));
        } catch (IllegalArgumentException notOurs) {
            throw ApiException.invalid(notOurs.getMessage());
        }
        boolean atStart = effectiveOrder ? effectiveCursor == null || effectiveCursor.isEmpty() : cursor.atStart();
        if (page.entries().isEmpty() && atStart
                && fromProjection(ProjectionCatalog.BALANCES, () -> models.balances().balance(accountId)).isEmpty()) {
            throw accountNotFound(accountId);
        }
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ArrayNode entries = body.putArray("entries");
        page.entries().forEach(entries::add);
        body.put("nextCursor", page.nextCursor());
        return new HttpResponse(200, body);
    }

    /**
     * The balance at an instant, from the log itself (not the projection): a sharded account's shards each
     * folded to the instant and added up (AccountAsOf#whole). {@code basis=recorded} (the default) counts each
     * event when it was recorded, and reads each stream from its last checkpoint by then: a bounded number of
     * reads (issue 16 §3). {@code basis=effective} counts each event when it counts for the client (a
     * backdated payment is in the balance from its effective date on), which may be any event of the stream,
     * so it folds each stream whole.
     */
    private HttpResponse balanceAsOf(String accountId, HttpRequest request) {
        Instant asOf = instant(request, "asOf").orElseThrow(() -> ApiException.invalid(
                "query parameter 'asOf' is required, as an ISO-8601 instant such as 2026-01-31T23:59:59Z"));
        Basis basis = basis(request);
        Optional<AccountAsOf> found = basis == Basis.RECORDED ? AccountAsOf.whole(log, accountId, asOf)
                : AccountAsOf.whole(stream -> log.readStream(stream, 1), accountId, asOf, basis);
        AccountAsOf stood = found.orElseThrow(() ->
                new ApiException(404, "account_not_found", "account " + accountId + " did not exist at " + asOf));
        AccountState state = stood.state();
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("accountId", accountId);
        body.put("asOf", asOf.toString());
        body.put("basis", basis.parameter());
        body.put("balance", Money.toDecimalString(state.balance(), state.currency().minorDigits()));
        body.put("currency", state.currency().code());
        body.put("version", stood.version());
        return new HttpResponse(200, body);
    }

    private HttpResponse transfer(ReadModels models, String transferId) {
        TransfersProjection.ProjectedTransfer projected = fromProjection(ProjectionCatalog.TRANSFERS,
                () -> models.transfers().transfer(transferId)).orElseThrow(() ->
                new ApiException(404, "transfer_not_found", "transfer " + transferId + " does not exist"));
        return new HttpResponse(200, transferJson(projected));
    }

    /** A transfer as GET /transfers/{id} shows it (and each transfer row of GET /transfers). */
    static ObjectNode transferJson(TransfersProjection.ProjectedTransfer projected) {
        List<Views.TransferStatusChange> statuses = projected.history().stream()
                .map(change -> new Views.TransferStatusChange(change.status(), change.version(), change.recordedAt()))
                .toList();
        List<Views.TransferReversal> reversals = projected.reversals().stream()
                .map(r -> new Views.TransferReversal(r.reversalId(), r.amount(), r.forced(), r.version(), r.recordedAt(),
                        r.effectiveAt()))
                .toList();
        return Views.transfer(projected.state(), projected.version(), projected.createdAt(), statuses, reversals);
    }

    /** A multi-leg transaction from the transfers projection, as its POST answered it (Views.transaction). */
    private HttpResponse transaction(ReadModels models, String transactionId) {
        TransfersProjection.ProjectedTransaction projected = fromProjection(ProjectionCatalog.TRANSFERS,
                () -> models.transfers().transaction(transactionId)).orElseThrow(() -> new ApiException(404, "transaction_not_found", "transaction " + transactionId
                        + " does not exist"));
        return new HttpResponse(200, transactionJson(projected));
    }

    /** A transaction as GET /transactions/{id} shows it (and each transaction row of GET /transfers). */
    static ObjectNode transactionJson(TransfersProjection.ProjectedTransaction projected) {
        TransfersProjection.TransactionReversal reversal = projected.reversal();
        return Views.transactionAsRead(projected.state(), projected.version(),
                projected.createdAt(), reversal == null ? null : new Views.TransactionReversal(reversal.reversalId(), reversal.forced(),
                        reversal.version(), reversal.recordedAt(), reversal.effectiveAt()));
    }

    /**
     * A batch's record, read from the log itself (its one event: one read, never behind): no projection
     * keeps batches, so there is nothing to rebuild or compare for them.
     */
    private HttpResponse batch(String batchId) {
        StoredEvent record = log.readEvent(StreamId.batch(batchId), 1).orElseThrow(() -> new ApiException(404,
                "batch_not_found", "batch " + batchId + " does not exist"));
        BatchState state = BatchState.evolve(Optional.empty(), (BatchEvent) record.event());
        return new HttpResponse(200, Views.batch(state, record.recordedAt()));
    }

    /**
     * Walks the account's hash chain. A sharded account has one chain per shard stream: each is walked,
     * the shards as the account's own chain counts them (an {@code AccountSharded} event that chained);
     * the account is valid if every chain is. Its answer adds {@code shards}, each shard's own walk, and
     * {@code firstBadShard}; {@code events} is the sum, {@code headHash} shard 0's, {@code firstBadVersion}
     * that of the first shard whose chain broke.
     */
    private HttpResponse verify(String accountId) {
        HashChainCursor own = HashChainCursor.fromGenesis();
        int shards = 1;
        Iterator<StoredEvent> events = log.readStream(StreamId.account(accountId), 1);
        while (events.hasNext()) {
            StoredEvent event = events.next();
            boolean chained = own.accept(event);
            // Only an event that chained is the log's as written: a count is taken from no other. The walk
            // decodes no event but those that count shards.
            if (chained && ACCOUNT_SHARDED.equals(event.type())
                    && event.event() instanceof AccountEvent.AccountSharded sharded) {
                shards = Math.max(shards, sharded.shards());
            }
        }
        HashChainCursor.Verification verification = own.finish();
        if (verification.events() == 0) {
            throw accountNotFound(accountId);
        }
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("accountId", accountId);
        if (shards == 1) {
            body.put("events", verification.events());
            body.put("headHash", verification.headHash());
            body.put("valid", verification.valid());
            body.put("firstBadVersion", verification.firstBadVersion());
            return new HttpResponse(200, body);
        }
        List<HashChainCursor.Verification> walks = new ArrayList<>(List.of(verification));
        for (int shard = 1; shard < shards; shard++) {
            walks.add(HashChainCursor.verify(log.readStream(
                    StreamId.account(AccountShards.streamAccountId(accountId, shard)), 1)));
        }
        Integer firstBadShard = null;
        ArrayNode perShard = JsonNodeFactory.instance.arrayNode();
        for (int shard = 0; shard < shards; shard++) {
            HashChainCursor.Verification walk = walks.get(shard);
            // A shard the account counts whose stream has no event at all is missing from the log: its
            // version 1 is the first that is not as written.
            boolean valid = walk.valid() && walk.events() > 0;
            Long firstBadVersion = walk.events() == 0 ? Long.valueOf(1) : walk.firstBadVersion();
            if (!valid && firstBadShard == null) {
                firstBadShard = shard;
            }
            perShard.addObject().put("shard", shard).put("events", walk.events()).put("headHash", walk.headHash())
                    .put("valid", valid).put("firstBadVersion", firstBadVersion);
        }
        body.put("events", walks.stream().mapToLong(HashChainCursor.Verification::events).sum());
        body.put("headHash", verification.headHash());
        body.put("valid", firstBadShard == null);
        body.put("firstBadVersion", firstBadShard == null ? null : perShard.get(firstBadShard).get("firstBadVersion").asLong());
        body.put("firstBadShard", firstBadShard);
        body.set("shards", perShard);
        return new HttpResponse(200, body);
    }

    /**
     * The audit trail of operator actions, newest first (issue 15): {@code {"operations":[AuditView.entry...],
     * "nextCursor"}}. The cursor is the version of the oldest entry shown: the trail only grows at its end, so
     * the next page is the same whatever was appended meanwhile; null when nothing older is left.
     */
    private HttpResponse operations(HttpRequest request) {
        int limit = (int) wholeNumber(request, "limit", 1, AuditLog.MAX_PAGE, DEFAULT_AUDIT_PAGE);
        String cursor = request.query().get("cursor");
        Long before = cursor == null || cursor.isEmpty() ? null
                : wholeNumber(request, "cursor", 1, Long.MAX_VALUE, 0);
        AuditLog.Page page = AuditLog.page(log, limit, before);
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ArrayNode operations = body.putArray("operations");
        for (StoredEvent entry : page.entries()) {
            if (!(entry.event() instanceof AuditEvent event)) {
                throw new IllegalStateException("the audit trail holds a " + entry.type() + " at version "
                        + entry.version() + "; replay verify reports it");
            }
            operations.add(AuditView.entry(entry.version(), entry.recordedAt(), entry.hash(), event));
        }
        body.put("nextCursor", page.next() == null ? null : page.next().toString());
        return new HttpResponse(200, body);
    }

    /**
     * A read of one projection. A table that does not exist (dropped, or not yet recreated by a rebuild) is
     * the read model being away, not a defect: 503 {@code projection_unavailable} naming it, with
     * {@code Retry-After}. The routes that read the log (balance as of, verify, batches, the audit trail)
     * never come here, so they keep answering.
     */
    static <T> T fromProjection(ProjectionCatalog projection, Supplier<T> read) {
        try {
            return read.get();
        } catch (ResourceNotFoundException away) {
            throw new ApiException(503, "projection_unavailable", "the " + projection.label()
                    + " projection is not available (its table is missing); balance as of an instant and verify"
                    + " read the log and still answer; retry after " + PROJECTION_RETRY_AFTER_SECONDS + " s",
                    Map.of("Retry-After", PROJECTION_RETRY_AFTER_SECONDS));
        }
    }

    /**
     * 503 {@code projection_behind}: a list's index ({@code ahead}) names a row whose own projection
     * ({@code behind}) has not written it yet, and no row came before it to end the page at. The projections
     * follow the stream apart, each within moments, so this is a short wait; an empty last page instead would
     * end a client's paging and skip the row.
     */
    static ApiException projectionBehind(ProjectionCatalog behind, ProjectionCatalog ahead) {
        return new ApiException(503, "projection_behind", "the " + behind.label() + " projection has not yet caught "
                + "up with the " + ahead.label() + " projection for this list's next row; retry after "
                + PROJECTION_BEHIND_RETRY_AFTER_SECONDS + " s", Map.of("Retry-After", PROJECTION_BEHIND_RETRY_AFTER_SECONDS));
    }

    /** The projections are moments apart; a second covers it with room. */
    static final String PROJECTION_BEHIND_RETRY_AFTER_SECONDS = "1";

    static ApiException accountNotFound(String accountId) {
        return new ApiException(404, "account_not_found", "account " + accountId + " does not exist");
    }

    private static HistoryReader.Cursor cursor(HttpRequest request) {
        try {
            return HistoryReader.Cursor.decode(request.query().get("cursor"));
        } catch (IllegalArgumentException notOurs) {
            throw ApiException.invalid(notOurs.getMessage());
        }
    }

    /**
     * {@code order}: {@code recorded} (the default: version order, merged by recorded instant for a sharded
     * account) or {@code effective} (issue 16, {@link EffectiveOrder}).
     */
    private static boolean effectiveOrder(HttpRequest request) {
        String value = request.query().get("order");
        if (value == null || value.isEmpty() || value.equals("recorded")) {
            return false;
        }
        if (value.equals("effective")) {
            return true;
        }
        throw ApiException.invalid("query parameter 'order' must be \"recorded\" (the order the log recorded, the"
                + " default) or \"effective\" (when each entry counts for the client)");
    }

    /** {@code basis}: {@code recorded} when absent, else {@code recorded} or {@code effective}. */
    private static Basis basis(HttpRequest request) {
        String value = request.query().get("basis");
        if (value == null || value.isEmpty()) {
            return Basis.RECORDED;
        }
        Basis basis = Basis.fromParameter(value);
        if (basis == null) {
            throw ApiException.invalid("query parameter 'basis' must be \"recorded\" (when the log recorded each"
                    + " event, the default) or \"effective\" (when each event counts for the client)");
        }
        return basis;
    }

    private static Optional<Instant> instant(HttpRequest request, String name) {
        return instantOf(request.query().get(name), name);
    }

    /** A query parameter's ISO-8601 instant; empty without one. */
    static Optional<Instant> instantOf(String value, String name) {
        if (value == null || value.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(value));
        } catch (DateTimeParseException e) {
            throw ApiException.invalid("query parameter '" + name + "' must be an ISO-8601 instant such as "
                    + "2026-01-31T23:59:59Z");
        }
    }

    private static long wholeNumber(HttpRequest request, String name, long min, long max, long absent) {
        return wholeNumberValue(request.query().get(name), name, min, max, absent);
    }

    /** A query parameter's whole number within {@code [min, max]} (an int range); {@code absent} without one. */
    static int wholeNumberOf(String value, String name, long min, long max, long absent) {
        return Math.toIntExact(wholeNumberValue(value, name, min, max, absent));
    }

    private static long wholeNumberValue(String value, String name, long min, long max, long absent) {
        if (value == null || value.isEmpty()) {
            return absent;
        }
        // ASCII digits only: Long.parseLong also takes a sign and Arabic-Indic or fullwidth digits.
        if (WHOLE_NUMBER.matcher(value).matches()) {
            long number = Long.parseLong(value);
            if (number >= min && number <= max) {
                return number;
            }
        }
        throw ApiException.invalid("query parameter '" + name + "' must be a whole number from " + min + " to " + max);
    }
}
