package dev.ledger.functions.publisher;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent.DynamodbStreamRecord;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import dev.ledger.lambda.config.LedgerConfig;
import dev.ledger.store.EventsTable;
import dev.ledger.store.StoredEvent;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.KinesisClientBuilder;

/**
 * Carries every new event from the events table's DynamoDB stream to the Kinesis stream that the
 * projections read (DynamoDB Streams allows about two readers per shard and keeps 24 hours; Kinesis
 * takes many readers and keeps up to a year). Heads (sk 0) are not events and are not published.
 * A failure is reported as the first unpublished record, so Lambda retries from there.
 */
public final class EventPublisherHandler implements RequestHandler<DynamodbEvent, StreamsEventResponse> {

    public static final String KINESIS_STREAM = "LEDGER_KINESIS_STREAM";

    private final EventPublisher publisher;

    public EventPublisherHandler() {
        this(new EventPublisher(kinesisFromEnvironment(), LedgerConfig.required(KINESIS_STREAM)));
    }

    public EventPublisherHandler(EventPublisher publisher) {
        this.publisher = publisher;
    }

    @Override
    public StreamsEventResponse handleRequest(DynamodbEvent event, Context context) {
        List<StoredEvent> events = new ArrayList<>();
        List<String> sequenceNumbers = new ArrayList<>();
        for (DynamodbStreamRecord record : event.getRecords()) {
            Map<String, com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue> image =
                    record.getDynamodb().getNewImage();
            // Only events are published: not heads (sk 0), nor checkpoints, whose partition says what they are
            // and whose key is no long (EventsTable#checkpointSk).
            if (!"INSERT".equals(record.getEventName()) || image == null
                    || image.get(EventsTable.PK).getS().startsWith(EventsTable.CHECKPOINT_PREFIX)
                    || Long.parseLong(image.get(EventsTable.SK).getN()) == EventsTable.HEAD_SK) {
                continue;
            }
            events.add(EventsTable.toEvent(toSdk(image)));
            sequenceNumbers.add(record.getDynamodb().getSequenceNumber());
        }
        Optional<Integer> firstUnpublished = publisher.publish(events);
        List<StreamsEventResponse.BatchItemFailure> failures = new ArrayList<>();
        firstUnpublished.ifPresent(index ->
                failures.add(new StreamsEventResponse.BatchItemFailure(sequenceNumbers.get(index))));
        return new StreamsEventResponse(failures);
    }

    /** An event item holds strings and numbers only; that is all this converts. */
    static Map<String, AttributeValue> toSdk(
            Map<String, com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue> image) {
        Map<String, AttributeValue> item = new HashMap<>();
        image.forEach((name, value) -> {
            if (value.getS() != null) {
                item.put(name, AttributeValue.fromS(value.getS()));
            } else if (value.getN() != null) {
                item.put(name, AttributeValue.fromN(value.getN()));
            }
        });
        return item;
    }

    private static KinesisClient kinesisFromEnvironment() {
        KinesisClientBuilder builder = KinesisClient.builder().httpClient(UrlConnectionHttpClient.create());
        LedgerConfig.optional(LedgerConfig.AWS_ENDPOINT).map(URI::create).ifPresent(builder::endpointOverride);
        return builder.build();
    }
}
