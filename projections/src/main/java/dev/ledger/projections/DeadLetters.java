package dev.ledger.projections;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Base64;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The dead-letter queue for records a projection cannot apply. Each message carries what an
 * operator needs to find and replay the record: the projection, the Kinesis position (source,
 * event id, sequence number, partition key), the raw data, and why it failed.
 */
public final class DeadLetters {

    private final SqsClient sqs;
    private final String queueUrl;

    public DeadLetters(SqsClient sqs, String queueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
    }

    public record DeadLetter(String projection, String eventSourceArn, String eventId, String sequenceNumber,
                             String partitionKey, byte[] data, String reason) {
    }

    public void send(DeadLetter letter) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("projection", letter.projection());
        body.put("eventSourceArn", letter.eventSourceArn());
        body.put("eventId", letter.eventId());
        body.put("sequenceNumber", letter.sequenceNumber());
        body.put("partitionKey", letter.partitionKey());
        body.put("data", Base64.getEncoder().encodeToString(letter.data()));
        body.put("reason", letter.reason());
        sqs.sendMessage(r -> r.queueUrl(queueUrl).messageBody(body.toString()));
    }
}
