package dev.ledger.functions.api;

import dev.ledger.functions.command.CommandService;
import dev.ledger.functions.command.RetryPolicy;
import dev.ledger.http.ApiTokens;
import dev.ledger.http.HttpApiHandler;
import dev.ledger.http.RequestLog;
import dev.ledger.lambda.config.LedgerConfig;
import dev.ledger.store.DynamoEventStore;
import java.security.SecureRandom;
import java.time.Clock;

/**
 * The command Lambda behind the HTTP API's write routes. The no-arg constructor is for the Lambda
 * runtime (and the local stack): it builds everything from the environment once per container.
 */
public final class CommandApiHandler extends HttpApiHandler {

    public CommandApiHandler() {
        this(new RequestLog(System.out), Clock.systemUTC());
    }

    private CommandApiHandler(RequestLog log, Clock clock) {
        this(new CommandApi(
                        new CommandService(new DynamoEventStore(LedgerConfig.dynamoDb(),
                                LedgerConfig.required(LedgerConfig.EVENTS_TABLE)),
                                clock, retries(),
                                (correlationId, attempt) -> log.appendConflict(clock.instant(), correlationId, attempt)),
                        ApiTokens.parse(LedgerConfig.required(LedgerConfig.API_TOKENS))),
                log, clock);
    }

    public CommandApiHandler(CommandApi api, RequestLog log, Clock clock) {
        super(api, log, clock);
    }

    /** The standard backoff, for {@link LedgerConfig#RETRY_BUDGET_MS} if set, else the default budget. */
    static RetryPolicy retries() {
        return RetryPolicy.within(LedgerConfig.retryBudget().orElse(RetryPolicy.DEFAULT_BUDGET), new SecureRandom());
    }
}
