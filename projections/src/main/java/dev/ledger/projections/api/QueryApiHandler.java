package dev.ledger.projections.api;

import dev.ledger.http.ApiTokens;
import dev.ledger.http.HttpApiHandler;
import dev.ledger.http.RequestLog;
import dev.ledger.lambda.config.LedgerConfig;
import dev.ledger.projections.BalancesProjection;
import dev.ledger.projections.BalancesProjectionHandler;
import dev.ledger.projections.HistoryProjectionHandler;
import dev.ledger.projections.HistoryReader;
import dev.ledger.projections.ReadRoutes;
import dev.ledger.projections.TransfersProjection;
import dev.ledger.projections.TransfersProjectionHandler;
import dev.ledger.store.DynamoEventStore;
import java.time.Clock;
import java.time.Duration;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The read Lambda behind the HTTP API's GET routes (auditors and payment services). */
public final class QueryApiHandler extends HttpApiHandler {

    public QueryApiHandler() {
        this(fromEnvironment(LedgerConfig.dynamoDb()), new RequestLog(System.out), Clock.systemUTC());
    }

    public QueryApiHandler(QueryApi api, RequestLog log, Clock clock) {
        super(api, log, clock);
    }

    /**
     * How long a route read is reused: after a swap ({@code replay rebuild --swap}) reads move to the
     * new tables within this time; until then they see the old ones, complete up to the swap.
     */
    static final Duration ROUTE_MAX_AGE = Duration.ofSeconds(5);

    private static QueryApi fromEnvironment(DynamoDbClient dynamo) {
        String balances = LedgerConfig.required(BalancesProjectionHandler.TABLE);
        String history = LedgerConfig.required(HistoryProjectionHandler.TABLE);
        String transfers = LedgerConfig.required(TransfersProjectionHandler.TABLE);
        ReadRoutes routes = new ReadRoutes(dynamo, LedgerConfig.optional(ReadRoutes.CONTROL_TABLE).orElse(null),
                Clock.systemUTC(), ROUTE_MAX_AGE);
        return new QueryApi(() -> new QueryApi.ReadModels(
                new BalancesProjection(dynamo, routes.tableFor("balances", balances)),
                new HistoryReader(dynamo, routes.tableFor("history", history)),
                new TransfersProjection(dynamo, routes.tableFor("transfers", transfers))),
                new DynamoEventStore(dynamo, LedgerConfig.required(LedgerConfig.EVENTS_TABLE)),
                ApiTokens.parse(LedgerConfig.required(LedgerConfig.API_TOKENS)));
    }
}
