package dev.ledger.functions.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.domain.Rejection;
import dev.ledger.domain.RejectionCode;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountShards;
import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.BatchItem.TransactionItem;
import dev.ledger.domain.api.BatchItem.TransferItem;
import dev.ledger.domain.api.OperatorAction;
import dev.ledger.domain.api.OriginalKind;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.ReversalRequest;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.api.TransactionEntry;
import dev.ledger.domain.api.TransactionRequest;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.ledger.Ledger;
import dev.ledger.domain.ledger.Versioned;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.domain.ledger.LedgerResult.Status;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.domain.reversal.ReversalState;
import dev.ledger.domain.transaction.TransactionState;
import dev.ledger.domain.transfer.TransferState;
import dev.ledger.domain.transfer.TransferStatus;
import dev.ledger.functions.command.CommandService;
import dev.ledger.functions.command.CommandService.Committed;
import dev.ledger.functions.command.CommandService.Recorded;
import dev.ledger.functions.command.CommandService.Subject;
import dev.ledger.functions.command.ConcurrentModificationException;
import dev.ledger.http.ApiException;
import dev.ledger.http.ApiRoutes;
import dev.ledger.http.Authenticator;
import dev.ledger.http.ConflictCount;
import dev.ledger.http.HttpRequest;
import dev.ledger.http.HttpResponse;
import dev.ledger.http.RequestBody;
import dev.ledger.http.Role;
import dev.ledger.http.Route;
import dev.ledger.http.Route.Answer;
import dev.ledger.http.Route.Call;
import dev.ledger.http.RouteTable;
import dev.ledger.http.RouteTable.MethodRefusal;
import dev.ledger.views.Views;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The payment API's write routes. Each route parses its body into one ledger command, runs it through
 * the {@link CommandService}, and shows what the command's result carries; the route table has already
 * checked the method, the token and the path's id. Nothing here reads the log.
 */
public final class CommandApi implements ApiRoutes {

    /** Two years: a hold should not outlive the cards and mandates it stands for. */
    static final long MAX_TIMEOUT_SECONDS = 2L * 366 * 24 * 3600;

    private static final Set<Role> PAYMENTS = Set.of(Role.PAYMENTS);
    private static final Set<Role> OPERATOR = Set.of(Role.OPERATOR);
    private static final Set<String> OPEN_FIELDS = Set.of("accountId", "currency", "overdraftLimit", "shards",
            "metadata");
    private static final Set<String> METADATA_FIELDS = Set.of("metadata");
    private static final Set<String> SHARDS_FIELDS = Set.of("shards");
    static final Set<String> TRANSFER_FIELDS = Set.of("transferId", "debitAccountId", "creditAccountId",
            "amount", "currency", "pending", "timeoutSeconds", "metadata", EffectiveWindow.FIELD);
    private static final Set<String> POST_FIELDS = Set.of("amount");
    static final Set<String> TRANSACTION_FIELDS = Set.of("transactionId", "entries", "pending", "timeoutSeconds",
            "metadata", EffectiveWindow.FIELD);
    private static final Set<String> ENTRY_FIELDS = Set.of("accountId", "direction", "amount", "currency");
    /** A reversal is a payments service's refund; an operator may also force one past a floor or a freeze. */
    private static final Set<Role> PAYMENTS_OR_OPERATOR = Set.of(Role.PAYMENTS, Role.OPERATOR);
    private static final Set<String> REVERSAL_FIELDS = Set.of("reversalId", "amount", "force", "metadata",
            EffectiveWindow.FIELD);
    /**
     * What a 409 {@code concurrent_modification} tells the client to wait: the request already waited out
     * its retry budget, so a burst on its accounts is under way; a second lets it pass or thin out, and
     * the next request gets a budget of its own.
     */
    static final long RETRY_AFTER_SECONDS = 1;

    private final CommandService commands;
    private final RouteTable routes;
    private final BatchApi batches;
    private final EffectiveWindow effective;

    public CommandApi(CommandService commands, Authenticator authenticator) {
        this(commands, authenticator, BatchApi.DEFAULT_PARALLELISM);
    }

    /** @param batchParallelism how many items of a batch that is not atomic run at once */
    public CommandApi(CommandService commands, Authenticator authenticator, int batchParallelism) {
        this(commands, authenticator, batchParallelism, EffectiveWindow.DEFAULT_PAST);
    }

    /**
     * @param effectivePast how far back an {@code effectiveAt} may lie (issue 16); the clock that measures it
     *     is the command service's, the one that records
     */
    public CommandApi(CommandService commands, Authenticator authenticator, int batchParallelism,
                      java.time.Duration effectivePast) {
        this.commands = commands;
        this.effective = new EffectiveWindow(effectivePast, EffectiveWindow.FUTURE_SKEW, commands.clock());
        this.batches = new BatchApi(commands, batchParallelism, effective);
        this.routes = new RouteTable(authenticator, MethodRefusal.NAMES_THE_PATH, List.of(
                Route.open("GET", "/health", call -> Answer.of(healthy())),
                new Route("POST", "/accounts", PAYMENTS, this::openAccount),
                new Route("POST", "/accounts/{accountId}/freeze", PAYMENTS, onAccount(Ledger::freezeAccount)),
                new Route("POST", "/accounts/{accountId}/unfreeze", PAYMENTS, onAccount(Ledger::unfreezeAccount)),
                new Route("POST", "/accounts/{accountId}/close", PAYMENTS, onAccount(Ledger::closeAccount)),
                new Route("POST", "/accounts/{accountId}/shards", OPERATOR, this::raiseShards),
                new Route("POST", "/accounts/{accountId}/metadata", PAYMENTS, this::setMetadata),
                new Route("POST", "/transfers", PAYMENTS, this::transfer),
                new Route("POST", "/transfers/{transferId}/post", PAYMENTS, this::post),
                new Route("POST", "/transfers/{transferId}/void", PAYMENTS, this::voidHold),
                new Route("POST", "/transfers/{transferId}/reverse", PAYMENTS_OR_OPERATOR, this::reverse),
                new Route("POST", "/transactions", PAYMENTS, this::transaction),
                new Route("POST", "/transactions/{transactionId}/post", PAYMENTS, settleTransaction(Ledger::postPendingTransaction)),
                new Route("POST", "/transactions/{transactionId}/void", PAYMENTS, settleTransaction(Ledger::voidPendingTransaction)),
                new Route("POST", "/batches", PAYMENTS, batches::batch),
                new Route("POST", "/transactions/{transactionId}/reverse", PAYMENTS_OR_OPERATOR, this::reverseTransaction)));
    }

    @Override
    public String routeOf(HttpRequest request) {
        return routes.routeOf(request);
    }

    @Override
    public Handled handle(HttpRequest request, String correlationId) {
        return routes.handle(request, correlationId);
    }

    @Override
    public Handled handle(HttpRequest request, String correlationId, ConflictCount conflicts) {
        return routes.handle(request, correlationId, conflicts);
    }

    @Override
    public boolean runCommands() {
        return true;
    }

    private static HttpResponse healthy() {
        return new HttpResponse(200, JsonNodeFactory.instance.objectNode().put("status", "ok"));
    }

    private Answer openAccount(Call call) {
        RequestBody body = RequestBody.parse(call.request().body(), OPEN_FIELDS);
        String accountId = body.requiredId("accountId");
        CurrencyUnit currency = body.requiredCurrency("currency");
        OverdraftLimit limit = body.overdraftLimit("overdraftLimit", currency);
        int shards = shardCount(body).orElse(1);
        SortedMap<String, String> metadata = body.metadata("metadata");
        Committed done = execute(call, ledger -> ledger.openAccount(new OpenAccount(accountId, currency, limit, metadata),
                shards));
        // The same request again: the account as it is now (frozen, closed, its balances), not a replay
        // of the creation answer, which would show a closed account as OPEN.
        int status = done.result().status() == Status.ALREADY_APPLIED ? 200 : 201;
        return Answer.of(refusedOr(done, () -> new HttpResponse(status, account(done))));
    }

    /**
     * An operator raises the shard count of the account the path names, {@code {"shards": N}}: 200 with
     * the account after it; a lower count than it has is refused ({@code shards_cannot_decrease}).
     */
    private Answer raiseShards(Call call) {
        RequestBody body = RequestBody.parse(call.request().body(), SHARDS_FIELDS);
        int shards = shardCount(body).orElseThrow(() -> ApiException.invalid("field 'shards' is required: the "
                + "account's new shard count, from 1 to " + AccountShards.MAX_SHARDS));
        Committed done = execute(call, ledger -> ledger.raiseShards(call.id(), shards),
                OperatorAudit.of(call, OperatorAction.SHARDS_RAISED, StreamId.account(call.id()).toString(),
                        () -> new TreeMap<>(Map.of("shards", Integer.toString(shards)))));
        return Answer.of(refusedOr(done, () -> new HttpResponse(200, account(done))));
    }

    /**
     * Replaces the metadata of the account the path names, {@code {"metadata": {...}}} (required; {@code {}}
     * clears it), within the limits of a transfer's metadata: 200 with the account after it.
     */
    private Answer setMetadata(Call call) {
        RequestBody body = RequestBody.parse(call.request().body(), METADATA_FIELDS);
        if (!body.has("metadata") || body.isNull("metadata")) {
            throw ApiException.invalid("field 'metadata' is required: an object of string values, {} to clear it");
        }
        SortedMap<String, String> metadata = body.metadata("metadata");
        Committed done = execute(call, ledger -> ledger.setAccountMetadata(call.id(), metadata));
        return Answer.of(refusedOr(done, () -> new HttpResponse(200, account(done))));
    }

    private static Optional<Integer> shardCount(RequestBody body) {
        return body.optionalWholeNumber("shards", 1, AccountShards.MAX_SHARDS).map(Long::intValue);
    }

    /** An action on the account the path names (no body, or an empty object); 200 with the account after it. */
    private Route.Action onAccount(BiFunction<Ledger, String, LedgerResult> action) {
        return call -> {
            RequestBody.parseOptional(call.request().body(), Set.of());
            Committed done = execute(call, ledger -> action.apply(ledger, call.id()));
            return Answer.of(refusedOr(done, () -> new HttpResponse(200, account(done))));
        };
    }

    private Answer transfer(Call call) {
        TransferItem item = transferItem(RequestBody.parse(call.request().body(), TRANSFER_FIELDS), effective);
        Committed done = execute(call, ledger -> ledger.transfer(item.transferId(), item.request()));
        return new Answer(refusedOr(done, () -> recordedAnswer(done)), item.transferId());
    }

    /** A transfer's id and request, from a body of POST /transfers or a batch's transfer item. */
    static TransferItem transferItem(RequestBody body, EffectiveWindow effective) {
        String transferId = body.requiredId("transferId");
        CurrencyUnit currency = body.requiredCurrency("currency");
        Money amount = body.requiredAmount("amount", currency, true);
        String debit = body.requiredId("debitAccountId");
        String credit = body.requiredId("creditAccountId");
        boolean pending = body.optionalBoolean("pending", false);
        Optional<Long> timeout = body.optionalWholeNumber("timeoutSeconds", 1, MAX_TIMEOUT_SECONDS);
        if (pending && timeout.isEmpty()) {
            throw ApiException.invalid("a pending transfer needs '" + body.name("timeoutSeconds") + "'");
        }
        if (!pending && timeout.isPresent()) {
            throw ApiException.invalid("'" + body.name("timeoutSeconds") + "' is only for a pending transfer");
        }
        return new TransferItem(transferId, new TransferRequest(debit, credit, amount, pending, timeout.orElse(0L),
                body.metadata("metadata"), effective.read(body)));
    }

    /**
     * 201 with the transfer as just recorded; for the same request again, 200 with the original answer:
     * the transfer as its first event recorded it, even if it was posted or voided since.
     */
    static HttpResponse recordedAnswer(Committed done) {
        if (done.original().isPresent()) {
            Recorded original = done.original().get();
            return new HttpResponse(200, recorded((TransferState) original.state(), original.recordedAt()));
        }
        Subject created = subject(done);
        return new HttpResponse(201, recorded((TransferState) created.state(), created.createdAt()));
    }

    /** A transfer at version 1, as its first event recorded it. */
    static ObjectNode recorded(TransferState recorded, Instant recordedAt) {
        return Views.transfer(recorded, 1, recordedAt,
                List.of(new Views.TransferStatusChange(recorded.status().name(), 1, recordedAt)));
    }

    /**
     * A multi-leg transaction: at least two entries, at most {@link TransactionRequest#MAX_ENTRIES}, on at
     * most {@link TransactionRequest#MAX_ACCOUNTS} distinct accounts (what one DynamoDB transaction holds);
     * whether it balances and every account's rules are the ledger's to decide, and to record.
     */
    private Answer transaction(Call call) {
        TransactionItem item = transactionItem(RequestBody.parse(call.request().body(), TRANSACTION_FIELDS),
                effective);
        Committed done = execute(call, ledger -> ledger.transaction(item.transactionId(), item.request()));
        return Answer.ofTransaction(refusedOr(done, () -> recordedTransaction(done)), item.transactionId());
    }

    /** A transaction's id and request, from a body of POST /transactions or a batch's transaction item. */
    static TransactionItem transactionItem(RequestBody body, EffectiveWindow effective) {
        String transactionId = body.requiredId("transactionId");
        if (!body.has("entries") || body.isNull("entries")) {
            throw ApiException.invalid("field '" + body.name("entries") + "' is required");
        }
        List<RequestBody> elements = body.objects("entries", ENTRY_FIELDS);
        if (elements.size() < 2) {
            throw new ApiException(400, "too_few_entries", "a transaction needs at least two entries, a debit and a"
                    + " credit; " + body.name("entries") + " has " + elements.size());
        }
        if (elements.size() > TransactionRequest.MAX_ENTRIES) {
            throw new ApiException(400, "too_many_entries", "a transaction has at most "
                    + TransactionRequest.MAX_ENTRIES + " entries; " + body.name("entries") + " has " + elements.size());
        }
        List<TransactionEntry> entries = new ArrayList<>();
        for (RequestBody element : elements) {
            String accountId = element.requiredId("accountId");
            Side direction = direction(element);
            CurrencyUnit currency = element.requiredCurrency("currency");
            Money amount = element.requiredAmount("amount", currency, true);
            entries.add(new TransactionEntry(entries.size(), accountId, direction, amount));
        }
        long accounts = entries.stream().map(TransactionEntry::accountId).distinct().count();
        if (accounts > TransactionRequest.MAX_ACCOUNTS) {
            throw new ApiException(400, "too_many_entries", "a transaction touches at most "
                    + TransactionRequest.MAX_ACCOUNTS + " distinct accounts (one atomic write of at most 100 items:"
                    + " 2 for the transaction, 2 per account); " + body.name("entries") + " touches " + accounts);
        }
        boolean pending = body.optionalBoolean("pending", false);
        Optional<Long> timeout = body.optionalWholeNumber("timeoutSeconds", 1, MAX_TIMEOUT_SECONDS);
        if (pending && timeout.isEmpty()) {
            throw ApiException.invalid("a pending transaction needs '" + body.name("timeoutSeconds") + "'");
        }
        if (!pending && timeout.isPresent()) {
            throw ApiException.invalid("'" + body.name("timeoutSeconds") + "' is only for a pending transaction");
        }
        return new TransactionItem(transactionId, new TransactionRequest(entries, pending, timeout.orElse(0L),
                body.metadata("metadata"), effective.read(body)));
    }

    private static Side direction(RequestBody entry) {
        String direction = entry.requiredString("direction");
        return switch (direction) {
            case "debit" -> Side.DEBIT;
            case "credit" -> Side.CREDIT;
            default -> throw ApiException.invalid("field '" + entry.name("direction") + "' must be \"debit\" or"
                    + " \"credit\", got '" + RequestBody.printable(direction) + "'");
        };
    }

    /**
     * 201 with the transaction as just recorded; for the same request again, 200 with the original
     * answer: the transaction as its first event recorded it, even if it was posted or voided since.
     */
    static HttpResponse recordedTransaction(Committed done) {
        if (done.original().isPresent()) {
            Recorded original = done.original().get();
            return new HttpResponse(200, Views.transaction((TransactionState) original.state(), 1,
                    original.recordedAt()));
        }
        Subject created = subject(done);
        return new HttpResponse(201, Views.transaction((TransactionState) created.state(), 1, created.createdAt()));
    }

    /**
     * Post (in full) or void a pending transaction; no body, or an empty object. 200 with the transaction
     * after it; for the same post or void again, as that first one left it (its stream up to version 2),
     * even if it was reversed since.
     */
    private Route.Action settleTransaction(BiFunction<Ledger, String, LedgerResult> action) {
        return call -> {
            RequestBody.parseOptional(call.request().body(), Set.of());
            Committed done = execute(call, ledger -> action.apply(ledger, call.id()));
            return Answer.ofTransaction(refusedOr(done, () -> {
                if (done.original().isPresent()) {
                    Recorded original = done.original().get();
                    return new HttpResponse(200, Views.transaction((TransactionState) original.state(),
                            original.version(), original.createdAt()));
                }
                Subject transaction = subject(done);
                return new HttpResponse(200, Views.transaction((TransactionState) transaction.state(),
                        transaction.version(), transaction.createdAt()));
            }), call.id());
        };
    }

    /** A post in full, or in part: the amount is exact in the transfer's currency, which the command reads. */
    private Answer post(Call call) {
        RequestBody body = RequestBody.parseOptional(call.request().body(), POST_FIELDS);
        String transferId = call.id();
        Committed done = body.has("amount") && !body.isNull("amount")
                ? execute(call, ledger -> ledger.postPartOfPendingTransfer(transferId,
                        currency -> body.requiredAmount("amount", currency, true)))
                : execute(call, ledger -> ledger.postPendingTransfer(transferId, null));
        return new Answer(refusedOr(done, () -> settled(done)), transferId);
    }

    private Answer voidHold(Call call) {
        RequestBody.parseOptional(call.request().body(), Set.of());
        Committed done = execute(call, ledger -> ledger.voidPendingTransfer(call.id()));
        return new Answer(refusedOr(done, () -> settled(done)), call.id());
    }

    /**
     * 200 with the transfer as this post or void left it; for the same post or void again, as the first
     * one left it (its stream up to version 2), even if it was reversed since.
     */
    private static HttpResponse settled(Committed done) {
        if (done.original().isPresent()) {
            Recorded original = done.original().get();
            return new HttpResponse(200, settled((TransferState) original.state(), original.version(),
                    original.createdAt(), original.recordedAt()));
        }
        Subject transfer = subject(done);
        return new HttpResponse(200, settled((TransferState) transfer.state(), transfer.version(),
                transfer.createdAt(), done.events().get(0).recordedAt()));
    }

    /**
     * A settled transfer is its record (version 1, a pending hold) and its settlement (version 2):
     * TransferState refuses any other status change after that.
     */
    private static ObjectNode settled(TransferState settled, long version, Instant createdAt, Instant settledAt) {
        return Views.transfer(settled, version, createdAt, List.of(
                new Views.TransferStatusChange(TransferStatus.PENDING.name(), 1, createdAt),
                new Views.TransferStatusChange(settled.status().name(), version, settledAt)));
    }

    /**
     * Gives back part or all of a posted transfer. {@code force} is an operator's alone: a payments
     * token sending it is refused before anything is read, so the refusal is not recorded under the id.
     */
    private Answer reverse(Call call) {
        RequestBody body = RequestBody.parse(call.request().body(), REVERSAL_FIELDS);
        String transferId = call.id();
        String reversalId = body.requiredId("reversalId");
        boolean force = body.optionalBoolean("force", false);
        SortedMap<String, String> metadata = body.metadata("metadata");
        boolean allReversible = !body.has("amount") || body.isNull("amount");
        Instant effectiveAt = effective.read(body);
        if (force && !call.caller().holds(Role.OPERATOR)) {
            throw new ApiException(403, "force_requires_operator", "only the operator role may force a reversal "
                    + "past an account's overdraft floor or freeze; send it without 'force', or as an operator");
        }
        Committed done = execute(call, ledger -> ledger.reverseTransfer(reversalId, transferId, currency ->
                new ReversalRequest(OriginalKind.TRANSFER, transferId,
                        allReversible ? null : body.requiredAmount("amount", currency, true), force, metadata,
                        effectiveAt)),
                forcedReversal(call, force, StreamId.transfer(transferId), reversalId,
                        () -> allReversible ? "all" : body.requiredString("amount")));
        return new Answer(refusedOr(done, () -> reversalAnswer(done)), transferId);
    }

    /**
     * Gives back every entry of a posted multi-leg transaction, once. Only whole: an {@code amount} is
     * refused (give back part of it with a new transaction). {@code force} is an operator's alone, as for
     * a transfer's reversal.
     */
    private Answer reverseTransaction(Call call) {
        RequestBody body = RequestBody.parse(call.request().body(), REVERSAL_FIELDS);
        String transactionId = call.id();
        String reversalId = body.requiredId("reversalId");
        if (body.has("amount")) {
            throw ApiException.invalid("a transaction is reversed in full, every entry: leave out 'amount' (to give"
                    + " back part of it, book a new transaction with the entries to give back)");
        }
        boolean force = body.optionalBoolean("force", false);
        SortedMap<String, String> metadata = body.metadata("metadata");
        Instant effectiveAt = effective.read(body);
        if (force && !call.caller().holds(Role.OPERATOR)) {
            throw new ApiException(403, "force_requires_operator", "only the operator role may force a reversal "
                    + "past an account's overdraft floor or freeze; send it without 'force', or as an operator");
        }
        ReversalRequest request = new ReversalRequest(OriginalKind.TRANSACTION, transactionId, null, force, metadata,
                effectiveAt);
        Committed done = execute(call, ledger -> ledger.reverseTransaction(reversalId, request),
                forcedReversal(call, force, StreamId.transaction(transactionId), reversalId, () -> "all"));
        return Answer.ofTransaction(refusedOr(done, () -> reversalAnswer(done)), transactionId);
    }

    /**
     * A forced reversal goes on the audit trail with its reversal id and amount ({@code all}, or the decimal
     * the body sent); the metadata stays out. A reversal without {@code force} is a payment's refund, not an
     * operator action.
     */
    private static CommandService.Audit forcedReversal(Call call, boolean force, StreamId original, String reversalId,
                                                       Supplier<String> amount) {
        if (!force) {
            return CommandService.Audit.NONE;
        }
        return OperatorAudit.of(call, OperatorAction.REVERSAL_FORCED, original.toString(),
                () -> new TreeMap<>(Map.of("force", "true", "reversalId", reversalId, "amount", amount.get())));
    }

    /** 201 with the reversal as just recorded; for the same request again, 200 with that same answer. */
    private static HttpResponse reversalAnswer(Committed done) {
        if (done.original().isPresent()) {
            Recorded original = done.original().get();
            return new HttpResponse(200, Views.reversal((ReversalState) original.state(), original.recordedAt()));
        }
        Subject created = subject(done);
        return new HttpResponse(201, Views.reversal((ReversalState) created.state(), created.createdAt()));
    }

    /** The role of the request's token, which the route table has already authorized. */
    /**
     * The account after a command on it; a sharded account as a whole, all its shards read again after
     * the command (so as it is now).
     */
    private ObjectNode account(Committed done) {
        Subject account = subject(done);
        AccountState state = (AccountState) account.state();
        if (!state.sharded()) {
            return Views.account(state, account.version());
        }
        Versioned<AccountState> whole = commands.query(ledger -> ledger.wholeAccount(state.accountId())).orElseThrow();
        return Views.account(whole.state(), whole.version());
    }

    private static Subject subject(Committed done) {
        return done.subject().orElseThrow(() -> new IllegalStateException(
                "an accepted command left no " + done.result().subject()));
    }

    /**
     * Runs one command, counting the races it loses on the request's line. Losing every race it had time
     * for is a 409 the client may retry as it is; the plumbing knows nothing of commands, so the refusal
     * is made here.
     */
    private Committed execute(Call call, Function<Ledger, LedgerResult> command) {
        return execute(call, command, CommandService.Audit.NONE);
    }

    /** As {@link #execute(Call, Function)}, recording the command on the audit trail as {@code audit} says. */
    private Committed execute(Call call, Function<Ledger, LedgerResult> command, CommandService.Audit audit) {
        try {
            return commands.execute(call.correlationId(), counting(call), command, audit);
        } catch (ConcurrentModificationException contention) {
            throw contention();
        }
    }

    /** Tells the request's count of every race a command of it loses. */
    static CommandService.ConflictObserver counting(Call call) {
        return (correlationId, attempt) -> call.conflicts().lost();
    }

    /**
     * The 409 for a command that lost every race it had time for: nothing was written, and the same
     * request may come again after {@link #RETRY_AFTER_SECONDS}.
     */
    static ApiException contention() {
        return new ApiException(409, "concurrent_modification", "other requests kept changing the same accounts "
                + "while this one waited its turn, so it changed nothing; send it again as it is after "
                + RETRY_AFTER_SECONDS + " second", Map.of("Retry-After", Long.toString(RETRY_AFTER_SECONDS)));
    }

    /** The refusal, if the ledger refused; otherwise {@code accepted}'s answer. */
    static HttpResponse refusedOr(Committed done, Supplier<HttpResponse> accepted) {
        return done.result().isRejected() ? rejection(done.result().rejection()) : accepted.get();
    }

    /** {@code {"error","message"}}, and for a refused multi-leg transaction the entry that failed: {@code "failedEntry"}. */
    static HttpResponse rejection(Rejection rejection) {
        HttpResponse response = HttpResponse.error(statusOf(rejection.code()), rejection.code().code(),
                rejection.message());
        if (rejection.failedItem() != null) {
            ((ObjectNode) response.body()).put("failedItem", rejection.failedItem().intValue());
        }
        if (rejection.failedEntry() != null) {
            ((ObjectNode) response.body()).put("failedEntry", rejection.failedEntry().intValue());
        }
        return response;
    }

    static int statusOf(RejectionCode code) {
        return switch (code) {
            case ACCOUNT_NOT_FOUND, TRANSFER_NOT_FOUND, TRANSACTION_NOT_FOUND -> 404;
            case ACCOUNT_EXISTS, IDEMPOTENCY_CONFLICT -> 409;
            case BATCH_TOO_LARGE, TRANSACTION_TOO_LARGE -> 400;
            default -> 422;
        };
    }
}
