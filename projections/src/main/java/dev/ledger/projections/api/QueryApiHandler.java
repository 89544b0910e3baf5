package dev.ledger.projections.api;

import dev.ledger.http.Authenticator;
import dev.ledger.http.GatewayCaller;
import dev.ledger.http.HttpApiHandler;
import dev.ledger.http.Priming;
import dev.ledger.http.RequestLog;
import dev.ledger.http.Role;
import dev.ledger.lambda.config.LedgerConfig;
import dev.ledger.projections.BalancesProjection;
import dev.ledger.projections.HistoryReader;
import dev.ledger.projections.MetadataIndex;
import dev.ledger.projections.ProjectionCatalog;
import dev.ledger.projections.ReadRoutes;
import dev.ledger.projections.TransfersProjection;
import dev.ledger.store.DynamoEventStore;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Function;
import org.crac.Context;
import org.crac.Resource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The read Lambda behind the HTTP API's GET routes (auditors and payment services). The no-arg
 * constructor is for the Lambda runtime (and the local stack); it registers the handler's SnapStart
 * priming ({@link #beforeCheckpoint}).
 */
public final class QueryApiHandler extends HttpApiHandler implements Resource {

    /** The client the routes read with, for priming; null for a handler built from its parts. */
    private final DynamoDbClient dynamo;
    private final Clock clock;

    public QueryApiHandler() {
        this(LedgerConfig.dynamoDb(), Clock.systemUTC());
        Priming.register(this);
    }

    private QueryApiHandler(DynamoDbClient dynamo, Clock clock) {
        super(fromEnvironment(dynamo, GatewayCaller.fromConfig()),
                new RequestLog(System.out), clock);
        this.dynamo = dynamo;
        this.clock = clock;
    }

    public QueryApiHandler(QueryApi api, RequestLog log, Clock clock) {
        super(api, log, clock);
        this.dynamo = null;
        this.clock = clock;
    }

    /**
     * SnapStart priming, run once before the snapshot: a handler of its own, on the same tables and
     * client but with the rehearsal token and a silent log, answers a read of an account and one of a
     * transfer, so routing, the route read, each table's GetItem and the answer are loaded into the
     * snapshot. Reads only.
     */
    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        if (dynamo == null) {
            return;
        }
        QueryApiHandler rehearsal = new QueryApiHandler(fromEnvironment(dynamo, Priming.tokens(Role.AUDITOR)),
                Priming.silentLog(), clock);
        // Found or not, a read changes nothing.
        Priming.expect(rehearsal.handleRequest(Priming.request("GET", "/accounts/" + Priming.TOKEN, null), null),
                "an account read", 200, 404);
        Priming.expect(rehearsal.handleRequest(Priming.request("GET", "/transfers/" + Priming.TOKEN, null), null),
                "a transfer read", 200, 404);
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        // Nothing to renew: the route reads expire by age, the SDK's credentials refresh themselves,
        // and a pooled connection the snapshot kept is retried by the SDK like any dropped connection.
    }

    /**
     * How long a route read is reused: after a swap ({@code replay rebuild --swap}) reads move to the
     * new tables within this time; until then they see the old ones, complete up to the swap.
     */
    static final Duration ROUTE_MAX_AGE = Duration.ofSeconds(5);

    private static QueryApi fromEnvironment(DynamoDbClient dynamo, Authenticator authenticator) {
        ReadRoutes routes = new ReadRoutes(dynamo, LedgerConfig.optional(ReadRoutes.CONTROL_TABLE).orElse(null),
                Clock.systemUTC(), ROUTE_MAX_AGE);
        Function<ProjectionCatalog, String> serving = serving(routes);
        return new QueryApi(() -> new QueryApi.ReadModels(
                new BalancesProjection(dynamo, serving.apply(ProjectionCatalog.BALANCES)),
                new HistoryReader(dynamo, serving.apply(ProjectionCatalog.HISTORY)),
                new TransfersProjection(dynamo, serving.apply(ProjectionCatalog.TRANSFERS)),
                new MetadataIndex(dynamo, serving.apply(ProjectionCatalog.METADATA))),
                new DynamoEventStore(dynamo, LedgerConfig.required(LedgerConfig.EVENTS_TABLE)), authenticator);
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
