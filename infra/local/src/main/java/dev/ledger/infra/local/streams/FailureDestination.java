package dev.ledger.infra.local.streams;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * A mapping's OnFailure destination (an SQS queue): for each batch given up on, the invocation
 * record Lambda sends for stream sources. It carries the batch's position, not its records:
 * <pre>
 * {"requestContext": {"requestId", "functionArn", "condition": "RetryAttemptsExhausted" | "RecordAgeExceeded",
 *                     "approximateInvokeCount"},
 *  "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
 *  "version": "1.0", "timestamp": "...",
 *  "KinesisBatchInfo" | "DDBStreamBatchInfo": {"shardId", "startSequenceNumber", "endSequenceNumber",
 *      "approximateArrivalOfFirstRecord", "approximateArrivalOfLastRecord", "batchSize", "streamArn"}}
 * </pre>
 * {@code responseContext} is present when the function was invoked, {@code functionError} when its
 * last invocation threw.
 */
final class FailureDestination {

    /** Why a batch was given up on: the {@code condition} of the invocation record. */
    enum Condition { RetryAttemptsExhausted, RecordAgeExceeded }

    private final SqsClient sqs;
    private final String queueArn;
    private volatile String queueUrl;

    FailureDestination(SqsClient sqs, String queueArn) {
        this.sqs = sqs;
        this.queueArn = queueArn;
    }

    String queueArn() {
        return queueArn;
    }

    static ObjectNode invocationRecord(Condition condition, String functionArn, SourceKind kind, String streamArn,
                                       List<StreamRecord> records, int invocations, boolean functionError,
                                       Instant now) {
        ObjectNode record = JsonNodeFactory.instance.objectNode();
        record.putObject("requestContext")
                .put("requestId", UUID.randomUUID().toString())
                .put("functionArn", functionArn)
                .put("condition", condition.name())
                .put("approximateInvokeCount", invocations);
        if (invocations > 0) {
            ObjectNode response = record.putObject("responseContext")
                    .put("statusCode", 200)
                    .put("executedVersion", "$LATEST");
            if (functionError) {
                response.put("functionError", "Unhandled");
            }
        }
        record.put("version", "1.0");
        record.put("timestamp", now.toString());
        StreamRecord first = records.get(0);
        StreamRecord last = records.get(records.size() - 1);
        record.putObject(kind == SourceKind.KINESIS ? "KinesisBatchInfo" : "DDBStreamBatchInfo")
                .put("shardId", first.shardId())
                .put("startSequenceNumber", first.sequenceNumber())
                .put("endSequenceNumber", last.sequenceNumber())
                .put("approximateArrivalOfFirstRecord", first.approximateArrival().toString())
                .put("approximateArrivalOfLastRecord", last.approximateArrival().toString())
                .put("batchSize", records.size())
                .put("streamArn", streamArn);
        return record;
    }

    void send(ObjectNode invocationRecord) {
        sqs.sendMessage(r -> r.queueUrl(queueUrl()).messageBody(invocationRecord.toString()));
    }

    private String queueUrl() {
        String url = queueUrl;
        if (url == null) {
            // arn:aws:sqs:REGION:ACCOUNT:NAME
            String[] parts = queueArn.split(":");
            if (parts.length != 6) {
                throw new IllegalArgumentException("Not an SQS queue ARN: " + queueArn);
            }
            url = sqs.getQueueUrl(r -> r.queueName(parts[5]).queueOwnerAWSAccountId(parts[4])).queueUrl();
            queueUrl = url;
        }
        return url;
    }
}
