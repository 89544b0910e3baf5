package dev.ledger.projections.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.money.Money;
import dev.ledger.functions.api.ApiException;
import dev.ledger.functions.api.ApiRoutes;
import dev.ledger.functions.api.ApiTokens;
import dev.ledger.functions.api.HttpRequest;
import dev.ledger.functions.api.HttpResponse;
import dev.ledger.functions.api.PathSegments;
import dev.ledger.functions.api.RequestBody;
import dev.ledger.functions.api.Role;
import dev.ledger.functions.api.Views;
import dev.ledger.projections.BalancesProjection;
import dev.ledger.projections.HistoryReader;
import dev.ledger.projections.TransfersProjection;
import dev.ledger.store.AccountAsOf;
import dev.ledger.store.EventStore;
import dev.ledger.store.HashChainCursor;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The read routes for auditors and payment services. Balances, history and transfers come from
 * the projections; a balance as of an instant and the hash-chain check come from the log itself.
 */
public final class QueryApi implements ApiRoutes {

    private static final Pattern ACCOUNT = Pattern.compile("/accounts/([^/]+)");
    private static final Pattern ACCOUNT_HISTORY = Pattern.compile("/accounts/([^/]+)/history");
    private static final Pattern ACCOUNT_BALANCE = Pattern.compile("/accounts/([^/]+)/balance");
    private static final Pattern TRANSFER = Pattern.compile("/transfers/([^/]+)");
    private static final Pattern VERIFY = Pattern.compile("/audit/accounts/([^/]+)/verify");
    /** At most 18 digits, so that every match fits a long. */
    private static final Pattern WHOLE_NUMBER = Pattern.compile("[0-9]{1,18}");

    /** The projections' readers, each on the table serving it now. */
    public record ReadModels(BalancesProjection balances, HistoryReader history, TransfersProjection transfers) {
    }

    private final Supplier<ReadModels> readModels;
    private final EventStore log;
    private final ApiTokens tokens;

    public QueryApi(BalancesProjection balances, HistoryReader history, TransfersProjection transfers,
                    EventStore log, ApiTokens tokens) {
        this(() -> new ReadModels(balances, history, transfers), log, tokens);
    }

    /** @param readModels called once per request (the tables may be swapped by a rebuild) */
    public QueryApi(Supplier<ReadModels> readModels, EventStore log, ApiTokens tokens) {
        this.readModels = readModels;
        this.log = log;
        this.tokens = tokens;
    }

    @Override
    public Handled handle(HttpRequest request, String correlationId) {
        String path = request.path();
        Matcher verify = VERIFY.matcher(path);
        if (verify.matches()) {
            return read(request, "GET /audit/accounts/{id}/verify", verify, "account id", this::verify);
        }
        Matcher history = ACCOUNT_HISTORY.matcher(path);
        if (history.matches()) {
            return read(request, "GET /accounts/{id}/history", history, "account id",
                    id -> history(readModels.get(), id, request));
        }
        Matcher balance = ACCOUNT_BALANCE.matcher(path);
        if (balance.matches()) {
            return read(request, "GET /accounts/{id}/balance", balance, "account id", id -> balanceAsOf(id, request));
        }
        Matcher account = ACCOUNT.matcher(path);
        if (account.matches()) {
            return read(request, "GET /accounts/{id}", account, "account id", id -> account(readModels.get(), id));
        }
        Matcher transfer = TRANSFER.matcher(path);
        if (transfer.matches()) {
            return read(request, "GET /transfers/{id}", transfer, "transfer id",
                    id -> transfer(readModels.get(), id));
        }
        throw new ApiException(404, "not_found", "there is no route " + RequestBody.printable(path));
    }

    /**
     * Every read: GET only, any role's token (operators read what they rebuilt or repaired), a valid
     * id; then the answer.
     */
    private Handled read(HttpRequest request, String route, Matcher path, String idName,
                         Function<String, HttpResponse> answer) {
        if (!request.method().equals("GET")) {
            throw new ApiException(405, "method_not_allowed", request.method() + " is not allowed here; use GET");
        }
        tokens.authorize(request, Role.AUDITOR, Role.PAYMENTS, Role.OPERATOR);
        String id = RequestBody.validId(idName, PathSegments.decode(path.group(1)));
        return new Handled(answer.apply(id), route, null);
    }

    private HttpResponse account(ReadModels models, String accountId) {
        BalancesProjection.Balance balance = models.balances().balance(accountId)
                .orElseThrow(() -> accountNotFound(accountId));
        return new HttpResponse(200, Views.account(balance.account(), balance.version()));
    }

    private HttpResponse history(ReadModels models, String accountId, HttpRequest request) {
        int limit = (int) wholeNumber(request, "limit", 1, HistoryReader.MAX_PAGE, 100);
        Optional<Instant> from = instant(request, "from");
        Optional<Instant> to = instant(request, "to");
        long startVersion = HistoryReader.decodeCursor(request.query().get("cursor"));
        HistoryReader.Page page = models.history().page(accountId, startVersion, limit, from, to);
        if (page.entries().isEmpty() && startVersion <= 1 && models.balances().balance(accountId).isEmpty()) {
            throw accountNotFound(accountId);
        }
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ArrayNode entries = body.putArray("entries");
        page.entries().forEach(entries::add);
        body.put("nextCursor", page.nextCursor());
        return new HttpResponse(200, body);
    }

    /** The balance at an instant, folded from the log itself (not the projection). */
    private HttpResponse balanceAsOf(String accountId, HttpRequest request) {
        Instant asOf = instant(request, "asOf").orElseThrow(() -> ApiException.invalid(
                "query parameter 'asOf' is required, as an ISO-8601 instant such as 2026-01-31T23:59:59Z"));
        AccountAsOf stood = AccountAsOf.fold(log.readStream(StreamId.account(accountId), 1), asOf).orElseThrow(() ->
                new ApiException(404, "account_not_found", "account " + accountId + " did not exist at " + asOf));
        AccountState state = stood.state();
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("accountId", accountId);
        body.put("asOf", asOf.toString());
        body.put("balance", Money.toDecimalString(state.balance(), state.currency().minorDigits()));
        body.put("currency", state.currency().code());
        body.put("version", stood.version());
        return new HttpResponse(200, body);
    }

    private HttpResponse transfer(ReadModels models, String transferId) {
        TransfersProjection.ProjectedTransfer projected = models.transfers().transfer(transferId).orElseThrow(() ->
                new ApiException(404, "transfer_not_found", "transfer " + transferId + " does not exist"));
        List<Views.TransferStatusChange> statuses = projected.history().stream()
                .map(change -> new Views.TransferStatusChange(change.status(), change.version(), change.recordedAt()))
                .toList();
        ObjectNode body = Views.transfer(projected.state(), projected.version(), projected.createdAt(), statuses);
        return new HttpResponse(200, body);
    }

    private HttpResponse verify(String accountId) {
        HashChainCursor.Verification verification = HashChainCursor.verify(log.readStream(StreamId.account(accountId), 1));
        if (verification.events() == 0) {
            throw accountNotFound(accountId);
        }
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("accountId", accountId);
        body.put("events", verification.events());
        body.put("headHash", verification.headHash());
        body.put("valid", verification.valid());
        body.put("firstBadVersion", verification.firstBadVersion());
        return new HttpResponse(200, body);
    }

    private static ApiException accountNotFound(String accountId) {
        return new ApiException(404, "account_not_found", "account " + accountId + " does not exist");
    }

    private static Optional<Instant> instant(HttpRequest request, String name) {
        String value = request.query().get(name);
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
        String value = request.query().get(name);
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
