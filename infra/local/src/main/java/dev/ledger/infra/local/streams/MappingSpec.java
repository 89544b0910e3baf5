package dev.ledger.infra.local.streams;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ledger.infra.Intrinsics;
import dev.ledger.infra.Template;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One event source mapping as the runtime runs it: the template's settings with AWS's defaults
 * filled in, and the ARNs evaluated against the deployed stack.
 *
 * @param id the mapping's logical id; checkpoints are kept under it
 * @param maximumRetryAttempts -1 for "until the record expires" (AWS's default)
 * @param maximumRecordAgeSeconds -1 for "until the record expires" (AWS's default)
 * @param maximumBatchingWindow how long to gather records before invoking with less than a full batch
 * @param onFailureDestinationArn an SQS queue ARN, if the mapping has an OnFailure destination
 * @param parallelizationFactor how many batches of one shard are processed at once (1-10): records
 *     go to lanes by partition key (Kinesis) or item key (DynamoDB Streams), so each key keeps its order
 */
public record MappingSpec(String id, String functionLogicalId, SourceKind kind, String sourceArn, boolean enabled,
                          int batchSize, StartingPosition startingPosition, Duration maximumBatchingWindow,
                          boolean bisectBatchOnFunctionError, int maximumRetryAttempts, int maximumRecordAgeSeconds,
                          boolean reportBatchItemFailures, Optional<String> onFailureDestinationArn,
                          int parallelizationFactor) {

    /** Where a mapping starts reading a shard it has no checkpoint for. */
    public enum StartingPosition { TRIM_HORIZON, LATEST }

    public static final int DEFAULT_BATCH_SIZE = 100;

    /** Lambda's range for ParallelizationFactor, Kinesis and DynamoDB Streams alike. */
    public static final int MAX_PARALLELIZATION_FACTOR = 10;

    public MappingSpec {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(functionLogicalId, "functionLogicalId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(sourceArn, "sourceArn");
        Objects.requireNonNull(startingPosition, "startingPosition");
        Objects.requireNonNull(maximumBatchingWindow, "maximumBatchingWindow");
        Objects.requireNonNull(onFailureDestinationArn, "onFailureDestinationArn");
        if (batchSize < 1 || batchSize > kind.maxBatchSize()) {
            throw new IllegalArgumentException(id + ": BatchSize must be 1 to " + kind.maxBatchSize() + ", not " + batchSize);
        }
        if (parallelizationFactor < 1 || parallelizationFactor > MAX_PARALLELIZATION_FACTOR) {
            throw new IllegalArgumentException(id + ": ParallelizationFactor must be 1 to " + MAX_PARALLELIZATION_FACTOR
                    + ", not " + parallelizationFactor);
        }
        if (maximumRetryAttempts < -1 || maximumRetryAttempts > 10_000) {
            throw new IllegalArgumentException(id + ": MaximumRetryAttempts must be -1 to 10000, not " + maximumRetryAttempts);
        }
        if (maximumRecordAgeSeconds != -1 && (maximumRecordAgeSeconds < 60 || maximumRecordAgeSeconds > 604_800)) {
            throw new IllegalArgumentException(id + ": MaximumRecordAgeInSeconds must be -1 or 60 to 604800, not "
                    + maximumRecordAgeSeconds);
        }
        if (maximumBatchingWindow.isNegative() || maximumBatchingWindow.compareTo(Duration.ofSeconds(300)) > 0) {
            throw new IllegalArgumentException(id + ": MaximumBatchingWindowInSeconds must be 0 to 300");
        }
        onFailureDestinationArn.ifPresent(arn -> {
            if (!arn.startsWith("arn:aws:sqs:")) {
                throw new IllegalArgumentException(id + ": the local runtime sends OnFailure records to SQS queues only,"
                        + " not " + arn);
            }
        });
    }

    /**
     * The mapping as the template declares it, its EventSourceArn and destination evaluated with
     * the resolver (the deployed stack's facts).
     */
    public static MappingSpec of(Template.EventSourceMapping mapping, Intrinsics.Resolver resolver) {
        String sourceArn = Intrinsics.evaluate(mapping.eventSourceArn(), resolver).asText();
        SourceKind kind = SourceKind.ofArn(sourceArn);
        if (mapping.readsDynamoDbStream() != (kind == SourceKind.DYNAMODB_STREAMS)) {
            throw new IllegalArgumentException(mapping.logicalId() + ": EventSourceArn " + sourceArn
                    + " does not match its source, a " + mapping.eventSourceType());
        }
        StartingPosition start;
        try {
            start = StartingPosition.valueOf(mapping.startingPosition().orElseThrow(() -> new IllegalArgumentException(
                    mapping.logicalId() + ": a stream event source mapping needs a StartingPosition")));
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(mapping.logicalId())) {
                throw e;
            }
            throw new IllegalArgumentException(mapping.logicalId() + ": StartingPosition must be TRIM_HORIZON or LATEST"
                    + " (AT_TIMESTAMP is not supported locally)", e);
        }
        Optional<String> destination = mapping.onFailureDestination()
                .map(expression -> Intrinsics.evaluate(expression, resolver))
                .filter(value -> !value.isMissingNode())
                .map(JsonNode::asText);
        int parallelization = mapping.parallelizationFactor()
                .map(expression -> Intrinsics.evaluate(expression, resolver))
                .filter(value -> !value.isMissingNode())
                .map(value -> parseInt(mapping.logicalId() + ": ParallelizationFactor", value))
                .orElse(1);
        return new MappingSpec(mapping.logicalId(), mapping.functionLogicalId(), kind, sourceArn, mapping.enabled(),
                mapping.batchSize().orElse(DEFAULT_BATCH_SIZE), start,
                Duration.ofSeconds(mapping.maximumBatchingWindowInSeconds().orElse(0)),
                mapping.bisectBatchOnFunctionError(), mapping.maximumRetryAttempts().orElse(-1),
                mapping.maximumRecordAgeInSeconds().orElse(-1), mapping.reportsBatchItemFailures(), destination,
                parallelization);
    }

    private static int parseInt(String what, JsonNode value) {
        try {
            return value.isNumber() ? value.intValue() : Integer.parseInt(value.asText().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be a whole number, not " + value, e);
        }
    }

    /** This mapping with another ParallelizationFactor. */
    public MappingSpec withParallelizationFactor(int value) {
        return new MappingSpec(id, functionLogicalId, kind, sourceArn, enabled, batchSize, startingPosition,
                maximumBatchingWindow, bisectBatchOnFunctionError, maximumRetryAttempts, maximumRecordAgeSeconds,
                reportBatchItemFailures, onFailureDestinationArn, value);
    }

    public boolean retriesForever() {
        return maximumRetryAttempts < 0;
    }
}
