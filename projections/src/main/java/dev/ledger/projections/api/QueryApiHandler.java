package dev.ledger.projections.api;

import dev.ledger.functions.api.ApiTokens;
import dev.ledger.functions.api.HttpApiHandler;
import dev.ledger.functions.api.RequestLog;
import dev.ledger.functions.config.LedgerConfig;
import dev.ledger.functions.store.DynamoEventStore;
import dev.ledger.projections.BalancesProjection;
import dev.ledger.projections.BalancesProjectionHandler;
import dev.ledger.projections.HistoryProjectionHandler;
import dev.ledger.projections.HistoryReader;
import dev.ledger.projections.TransfersProjection;
import dev.ledger.projections.TransfersProjectionHandler;
import java.time.Clock;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The read Lambda behind the HTTP API's GET routes (auditors and payment services). */
public final class QueryApiHandler extends HttpApiHandler {

    public QueryApiHandler() {
        this(fromEnvironment(LedgerConfig.dynamoDb()), new RequestLog(System.out), Clock.systemUTC());
    }

    public QueryApiHandler(QueryApi api, RequestLog log, Clock clock) {
        super(api, log, clock);
    }

    private static QueryApi fromEnvironment(DynamoDbClient dynamo) {
        return new QueryApi(
                new BalancesProjection(dynamo, LedgerConfig.required(BalancesProjectionHandler.TABLE)),
                new HistoryReader(dynamo, LedgerConfig.required(HistoryProjectionHandler.TABLE)),
                new TransfersProjection(dynamo, LedgerConfig.required(TransfersProjectionHandler.TABLE)),
                new DynamoEventStore(dynamo, LedgerConfig.required(LedgerConfig.EVENTS_TABLE)),
                ApiTokens.parse(LedgerConfig.required(LedgerConfig.API_TOKENS)));
    }
}
