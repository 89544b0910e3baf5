package dev.ledger.functions.api;

import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.functions.command.CommandService;
import dev.ledger.functions.command.RetryPolicy;
import dev.ledger.http.GatewayCaller;
import dev.ledger.http.HttpApiHandler;
import dev.ledger.http.Priming;
import dev.ledger.http.RequestLog;
import dev.ledger.http.Role;
import dev.ledger.lambda.config.LedgerConfig;
import dev.ledger.store.DynamoEventStore;
import dev.ledger.store.InMemoryEventStore;
import java.security.SecureRandom;
import java.time.Clock;
import org.crac.Context;
import org.crac.Resource;

/**
 * The command Lambda behind the HTTP API's write routes. The no-arg constructor is for the Lambda
 * runtime (and the local stack): it builds everything from the environment once per container, and
 * registers the handler's SnapStart priming ({@link #beforeCheckpoint}).
 */
public final class CommandApiHandler extends HttpApiHandler implements Resource {

    /** The service on the events table, for priming; null for a handler built from its parts. */
    private final CommandService commands;
    private final Clock clock;

    public CommandApiHandler() {
        this(new RequestLog(System.out), Clock.systemUTC());
        Priming.register(this);
    }

    private CommandApiHandler(RequestLog log, Clock clock) {
        this(new CommandService(new DynamoEventStore(LedgerConfig.dynamoDb(),
                        LedgerConfig.required(LedgerConfig.EVENTS_TABLE)),
                        clock, retries(),
                        (correlationId, attempt) -> log.appendConflict(clock.instant(), correlationId, attempt)),
                log, clock);
    }

    private CommandApiHandler(CommandService commands, RequestLog log, Clock clock) {
        super(new CommandApi(commands, GatewayCaller.fromConfig(), BatchApi.DEFAULT_PARALLELISM,
                LedgerConfig.effectiveWindow()), log, clock);
        this.commands = commands;
        this.clock = clock;
    }

    public CommandApiHandler(CommandApi api, RequestLog log, Clock clock) {
        super(api, log, clock);
        this.commands = null;
        this.clock = clock;
    }

    /** The standard backoff, for {@link LedgerConfig#RETRY_BUDGET_MS} if set, else the default budget. */
    static RetryPolicy retries() {
        return RetryPolicy.within(LedgerConfig.retryBudget().orElse(RetryPolicy.DEFAULT_BUDGET), new SecureRandom());
    }

    /**
     * SnapStart priming, run once before the snapshot. Nothing is written to the ledger: the write
     * path is rehearsed whole (HTTP event, routing, token, body, the Axon aggregates, event encoding
     * and hash chain, the answer) on a handler of its own over an in-memory log; the events table is
     * only read, by a transfer decided and never appended ({@link CommandService#query}) between
     * accounts the API cannot create (a "!" fails its id pattern, and no shard id holds one), which
     * loads the DynamoDB client's request path, credentials, TLS and signing.
     */
    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        if (commands == null) {
            return;
        }
        CommandApiHandler rehearsal = new CommandApiHandler(new CommandApi(new CommandService(new InMemoryEventStore(),
                clock, retries()), Priming.tokens(Role.PAYMENTS)), Priming.silentLog(), clock);
        Priming.expect(rehearsal.handleRequest(Priming.request("POST", "/accounts",
                        "{\"accountId\":\"priming-a\",\"currency\":\"EUR\",\"overdraftLimit\":null}"), null),
                "opening an account", 201);
        Priming.expect(rehearsal.handleRequest(Priming.request("POST", "/accounts",
                "{\"accountId\":\"priming-b\",\"currency\":\"EUR\"}"), null), "opening an account", 201);
        Priming.expect(rehearsal.handleRequest(Priming.request("POST", "/transfers",
                "{\"transferId\":\"priming-t\",\"debitAccountId\":\"priming-a\",\"creditAccountId\":\"priming-b\","
                        + "\"amount\":\"1.00\",\"currency\":\"EUR\"}"), null), "a transfer", 201);
        CurrencyUnit euro = CurrencyUnit.of("EUR");
        commands.query(ledger -> ledger.transfer("!priming", TransferRequest.posted("!priming-debit", "!priming-credit",
                Money.parse("1.00", euro))));
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        // Nothing to renew: the SDK's credentials provider refreshes itself, and a pooled connection
        // the snapshot kept is retried by the SDK like any connection the network dropped.
    }
}
