package dev.ledger.projections;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import dev.ledger.lambda.config.LedgerConfig;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.SqsClientBuilder;

/**
 * The shape every projection Lambda shares: a Kinesis batch in, the first failed record out
 * ({@code ReportBatchItemFailures}). Subclasses only name their projection's catalog entry.
 */
public abstract class ProjectionHandler implements RequestHandler<KinesisEvent, StreamsEventResponse> {

    public static final String DEAD_LETTER_QUEUE_URL = "LEDGER_DEAD_LETTER_QUEUE_URL";

    private final ProjectionConsumer consumer;

    protected ProjectionHandler(ProjectionConsumer consumer) {
        this.consumer = consumer;
    }

    /**
     * Builds the consumer from the environment: the table named by the projection's variable (see
     * {@link ProjectionCatalog}) or, after a blue/green rebuild, the one its route names (read at
     * every batch), and the DLQ.
     */
    protected static ProjectionConsumer fromEnvironment(ProjectionCatalog projection) {
        SqsClientBuilder sqs = SqsClient.builder().httpClient(UrlConnectionHttpClient.create());
        LedgerConfig.optional(LedgerConfig.AWS_ENDPOINT).map(URI::create).ifPresent(sqs::endpointOverride);
        DynamoDbClient dynamo = LedgerConfig.dynamoDb();
        String deployed = LedgerConfig.required(projection.environmentVariable());
        ReadRoutes routes = new ReadRoutes(dynamo, LedgerConfig.optional(ReadRoutes.CONTROL_TABLE).orElse(null),
                Clock.systemUTC(), Duration.ZERO);
        return new ProjectionConsumer(() -> projection.projection(dynamo, routes.tableFor(projection.label(), deployed)),
                new DeadLetters(sqs.build(), LedgerConfig.required(DEAD_LETTER_QUEUE_URL)),
                new ProjectionLog(System.out, Clock.systemUTC()));
    }

    @Override
    public StreamsEventResponse handleRequest(KinesisEvent event, Context context) {
        return consumer.consume(event.getRecords());
    }
}
