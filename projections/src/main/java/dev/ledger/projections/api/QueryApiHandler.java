package dev.ledger.projections.api;

import dev.ledger.http.ApiTokens;
import dev.ledger.http.HttpApiHandler;
import dev.ledger.http.RequestLog;
import dev.ledger.lambda.config.LedgerConfig;
import dev.ledger.projections.BalancesProjection;
import dev.ledger.projections.HistoryReader;
import dev.ledger.projections.ProjectionCatalog;
import dev.ledger.projections.ReadRoutes;
import dev.ledger.projections.TransfersProjection;
import dev.ledger.store.DynamoEventStore;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Function;
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
        ReadRoutes routes = new ReadRoutes(dynamo, LedgerConfig.optional(ReadRoutes.CONTROL_TABLE).orElse(null),
                Clock.systemUTC(), ROUTE_MAX_AGE);
        Function<ProjectionCatalog, String> serving = serving(routes);
        return new QueryApi(() -> new QueryApi.ReadModels(
                new BalancesProjection(dynamo, serving.apply(ProjectionCatalog.BALANCES)),
                new HistoryReader(dynamo, serving.apply(ProjectionCatalog.HISTORY)),
                new TransfersProjection(dynamo, serving.apply(ProjectionCatalog.TRANSFERS))),
                new DynamoEventStore(dynamo, LedgerConfig.required(LedgerConfig.EVENTS_TABLE)),
                ApiTokens.parse(LedgerConfig.required(LedgerConfig.API_TOKENS)));
    }

    /**
     * The table serving each projection now: its route, else the deployed table its variable names
     * (each variable is required at once, so a missing one fails the cold start, not a request).
     */
    private static Function<ProjectionCatalog, String> serving(ReadRoutes routes) {
        Map<ProjectionCatalog, String> deployed = new EnumMap<>(ProjectionCatalog.class);
        for (ProjectionCatalog projection : ProjectionCatalog.values()) {
            deployed.put(projection, LedgerConfig.required(projection.environmentVariable()));
        }
        return projection -> routes.tableFor(projection.label(), deployed.get(projection));
    }
}
