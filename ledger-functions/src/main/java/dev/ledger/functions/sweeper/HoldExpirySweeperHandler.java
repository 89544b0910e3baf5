package dev.ledger.functions.sweeper;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import dev.ledger.functions.command.CommandService;
import dev.ledger.functions.command.RetryPolicy;
import dev.ledger.lambda.config.LedgerConfig;
import dev.ledger.store.DynamoEventStore;
import dev.ledger.store.PendingHolds;
import java.security.SecureRandom;
import java.time.Clock;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** Runs the {@link HoldExpirySweeper} on a schedule (every minute on AWS, a timer in the local stack). */
public final class HoldExpirySweeperHandler implements RequestHandler<ScheduledEvent, String> {

    private final HoldExpirySweeper sweeper;

    public HoldExpirySweeperHandler() {
        this(sweeperFromEnvironment());
    }

    public HoldExpirySweeperHandler(HoldExpirySweeper sweeper) {
        this.sweeper = sweeper;
    }

    @Override
    public String handleRequest(ScheduledEvent event, Context context) {
        String correlationId = "sweep:" + (event != null && event.getId() != null ? event.getId()
                : context != null ? context.getAwsRequestId() : "manual");
        int expired = sweeper.sweep(correlationId);
        String summary = "{\"sweep\":\"" + correlationId + "\",\"expired\":" + expired + "}";
        System.out.println(summary);
        return summary;
    }

    private static HoldExpirySweeper sweeperFromEnvironment() {
        DynamoDbClient dynamo = LedgerConfig.dynamoDb();
        String table = LedgerConfig.required(LedgerConfig.EVENTS_TABLE);
        DynamoEventStore store = new DynamoEventStore(dynamo, table);
        return new HoldExpirySweeper(new PendingHolds(dynamo, table),
                new CommandService(store, Clock.systemUTC(), RetryPolicy.within(
                        LedgerConfig.retryBudget().orElse(RetryPolicy.DEFAULT_BUDGET), new SecureRandom())));
    }
}
