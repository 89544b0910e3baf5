package dev.ledger.functions.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.domain.Rejection;
import dev.ledger.domain.RejectionCode;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.TransferEvent;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.ledger.Ledger;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.domain.ledger.LedgerResult.Status;
import dev.ledger.domain.ledger.StreamChange;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.domain.transfer.TransferState;
import dev.ledger.domain.transfer.TransferStatus;
import dev.ledger.functions.command.CommandService;
import dev.ledger.functions.command.CommandService.Committed;
import dev.ledger.store.EventStore.Head;
import dev.ledger.store.StateCodec;
import dev.ledger.store.StoredEvent;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The payment API's write routes. Each route parses and authorizes, runs one ledger command through
 * the {@link CommandService}, and maps the result; nothing else happens here.
 */
public final class CommandApi implements ApiRoutes {

    /** Two years: a hold should not outlive the cards and mandates it stands for. */
    static final long MAX_TIMEOUT_SECONDS = 2L * 366 * 24 * 3600;

    private static final Pattern ACCOUNT_ACTION = Pattern.compile("/accounts/([^/]+)/(freeze|unfreeze|close)");
    private static final Pattern TRANSFER_ACTION = Pattern.compile("/transfers/([^/]+)/(post|void)");
    private static final Set<String> OPEN_FIELDS = Set.of("accountId", "currency", "overdraftLimit");
    private static final Set<String> TRANSFER_FIELDS = Set.of("transferId", "debitAccountId", "creditAccountId",
            "amount", "currency", "pending", "timeoutSeconds", "metadata");
    private static final Set<String> POST_FIELDS = Set.of("amount");

    private final CommandService commands;
    private final ApiTokens tokens;

    public CommandApi(CommandService commands, ApiTokens tokens) {
        this.commands = commands;
        this.tokens = tokens;
    }

    @Override
    public Handled handle(HttpRequest request, String correlationId) {
        String path = request.path();
        if (path.equals("/health")) {
            requireMethod(request, "GET");
            return new Handled(new HttpResponse(200, JsonNodeFactory.instance.objectNode().put("status", "ok")),
                    "GET /health", null);
        }
        if (path.equals("/accounts")) {
            requireMethod(request, "POST");
            tokens.authorize(request, Role.PAYMENTS);
            return new Handled(openAccount(request, correlationId), "POST /accounts", null);
        }
        if (path.equals("/transfers")) {
            requireMethod(request, "POST");
            tokens.authorize(request, Role.PAYMENTS);
            RequestBody body = RequestBody.parse(request.body(), TRANSFER_FIELDS);
            String transferId = body.requiredId("transferId");
            return new Handled(transfer(transferId, body, correlationId), "POST /transfers", transferId);
        }
        Matcher account = ACCOUNT_ACTION.matcher(path);
        if (account.matches()) {
            requireMethod(request, "POST");
            tokens.authorize(request, Role.PAYMENTS);
            String accountId = RequestBody.validId("account id", PathSegments.decode(account.group(1)));
            RequestBody.parseOptional(request.body(), Set.of());
            return new Handled(accountAction(accountId, account.group(2), correlationId),
                    "POST /accounts/{id}/" + account.group(2), null);
        }
        Matcher transfer = TRANSFER_ACTION.matcher(path);
        if (transfer.matches()) {
            requireMethod(request, "POST");
            tokens.authorize(request, Role.PAYMENTS);
            String transferId = RequestBody.validId("transfer id", PathSegments.decode(transfer.group(1)));
            RequestBody body = RequestBody.parseOptional(request.body(),
                    transfer.group(2).equals("post") ? POST_FIELDS : Set.of());
            return new Handled(settle(transferId, transfer.group(2), body, correlationId),
                    "POST /transfers/{id}/" + transfer.group(2), transferId);
        }
        throw new ApiException(404, "not_found", "there is no route " + RequestBody.printable(path));
    }

    private HttpResponse openAccount(HttpRequest request, String correlationId) {
        RequestBody body = RequestBody.parse(request.body(), OPEN_FIELDS);
        String accountId = body.requiredId("accountId");
        CurrencyUnit currency = body.requiredCurrency("currency");
        OverdraftLimit limit = body.overdraftLimit("overdraftLimit", currency);
        Committed done = commands.execute(correlationId,
                ledger -> ledger.openAccount(new OpenAccount(accountId, currency, limit)));
        LedgerResult result = done.result();
        if (result.status() == Status.ALREADY_APPLIED) {
            // The same request again: the account as it is now (frozen, closed, its balances), not a
            // replay of the creation answer, which would show a closed account as OPEN.
            return accountNow(done, StreamId.account(accountId));
        }
        return answer(result, 201, CommandApi::accountView);
    }

    private HttpResponse accountAction(String accountId, String action, String correlationId) {
        Function<Ledger, LedgerResult> command = switch (action) {
            case "freeze" -> ledger -> ledger.freezeAccount(accountId);
            case "unfreeze" -> ledger -> ledger.unfreezeAccount(accountId);
            default -> ledger -> ledger.closeAccount(accountId);
        };
        Committed done = commands.execute(correlationId, command);
        return done.result().isRejected() ? rejection(done.result().rejection())
                : accountNow(done, StreamId.account(accountId));
    }

    private HttpResponse transfer(String transferId, RequestBody body, String correlationId) {
        CurrencyUnit currency = body.requiredCurrency("currency");
        Money amount = body.requiredAmount("amount", currency, true);
        String debit = body.requiredId("debitAccountId");
        String credit = body.requiredId("creditAccountId");
        boolean pending = body.optionalBoolean("pending", false);
        Optional<Long> timeout = body.optionalWholeNumber("timeoutSeconds", 1, MAX_TIMEOUT_SECONDS);
        if (pending && timeout.isEmpty()) {
            throw ApiException.invalid("a pending transfer needs 'timeoutSeconds'");
        }
        if (!pending && timeout.isPresent()) {
            throw ApiException.invalid("'timeoutSeconds' is only for a pending transfer");
        }
        TransferRequest request = new TransferRequest(debit, credit, amount, pending, timeout.orElse(0L),
                body.metadata("metadata"));
        Committed done = commands.execute(correlationId, ledger -> ledger.transfer(transferId, request));
        LedgerResult result = done.result();
        if (result.status() == Status.ALREADY_APPLIED) {
            // The original answer: the transfer as its first event recorded it, at that time.
            StoredEvent first = commands.store().readEvent(StreamId.transfer(transferId), 1).orElseThrow();
            TransferState asRecorded = TransferState.evolve(Optional.empty(), (TransferEvent) first.event());
            return new HttpResponse(200, recordedView(asRecorded, first.recordedAt()));
        }
        return answer(result, 201, change -> recordedView((TransferState) change.stateAfter(),
                done.events().get(0).recordedAt()));
    }

    /** A transfer at version 1, as its first event recorded it. */
    private static ObjectNode recordedView(TransferState recorded, Instant recordedAt) {
        return Views.transfer(recorded, 1, recordedAt,
                List.of(new Views.TransferStatusChange(recorded.status().name(), 1, recordedAt)));
    }

    private HttpResponse settle(String transferId, String action, RequestBody body, String correlationId) {
        Committed done;
        if (action.equals("post")) {
            Money amount = partialAmount(transferId, body);
            done = commands.execute(correlationId, ledger -> ledger.postPendingTransfer(transferId, amount));
        } else {
            done = commands.execute(correlationId, ledger -> ledger.voidPendingTransfer(transferId));
        }
        if (done.result().isRejected()) {
            return rejection(done.result().rejection());
        }
        // The transfer's change comes first; a settled transfer is its record (version 1, a pending
        // hold) and this one settlement (version 2): TransferState refuses any event after that.
        StreamChange change = done.result().changes().get(0);
        TransferState settled = (TransferState) change.stateAfter();
        Instant createdAt = done.session().head(StreamId.transfer(transferId)).orElseThrow().createdAt();
        Instant settledAt = done.events().get(0).recordedAt();
        return new HttpResponse(200, Views.transfer(settled, change.newVersion(), createdAt, List.of(
                new Views.TransferStatusChange(TransferStatus.PENDING.name(), 1, createdAt),
                new Views.TransferStatusChange(settled.status().name(), change.newVersion(), settledAt))));
    }

    /**
     * A partial post's amount, exact in the transfer's currency; null posts the whole hold. The
     * currency is the transfer's, so it is read first (one extra item, for partial posts only).
     */
    private Money partialAmount(String transferId, RequestBody body) {
        if (!body.has("amount") || body.isNull("amount")) {
            return null;
        }
        CurrencyUnit currency = commands.store().readHead(StreamId.transfer(transferId))
                .map(head -> StateCodec.decodeTransfer(head.state()).request().amount().currency())
                .orElseThrow(() -> new ApiException(404, RejectionCode.TRANSFER_NOT_FOUND.code(),
                        "transfer " + transferId + " does not exist"));
        return body.requiredAmount("amount", currency, true);
    }

    private HttpResponse accountNow(Committed done, StreamId account) {
        if (!done.result().changes().isEmpty()) {
            return accountBody(done.result().changes().get(0));
        }
        Head head = done.session().head(account).orElseThrow();
        return new HttpResponse(200, Views.account(StateCodec.decodeAccount(head.state()), head.version()));
    }

    private HttpResponse accountBody(StreamChange change) {
        return new HttpResponse(200, accountView(change));
    }

    private static ObjectNode accountView(StreamChange change) {
        return Views.account((AccountState) change.stateAfter(), change.newVersion());
    }

    /** A refusal, or {@code createdStatus} with the view of the subject's change (the first one). */
    private static HttpResponse answer(LedgerResult result, int createdStatus, Function<StreamChange, ObjectNode> view) {
        if (result.isRejected()) {
            return rejection(result.rejection());
        }
        return new HttpResponse(createdStatus, view.apply(result.changes().get(0)));
    }

    static HttpResponse rejection(Rejection rejection) {
        return HttpResponse.error(statusOf(rejection.code()), rejection.code().code(), rejection.message());
    }

    static int statusOf(RejectionCode code) {
        return switch (code) {
            case ACCOUNT_NOT_FOUND, TRANSFER_NOT_FOUND -> 404;
            case ACCOUNT_EXISTS, IDEMPOTENCY_CONFLICT -> 409;
            default -> 422;
        };
    }

    private static void requireMethod(HttpRequest request, String method) {
        if (!request.method().equals(method)) {
            throw new ApiException(405, "method_not_allowed", request.method() + " is not allowed on "
                    + RequestBody.printable(request.path()) + "; use " + method);
        }
    }
}
