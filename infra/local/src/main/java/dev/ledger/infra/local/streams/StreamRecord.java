package dev.ledger.infra.local.streams;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One record read from a shard: its position, when it arrived, and the record exactly as Lambda
 * puts it in the {@code Records} array of the event it sends.
 */
public record StreamRecord(String shardId, String sequenceNumber, Instant approximateArrival, ObjectNode lambdaRecord) {

    /** Sequence numbers are decimal strings of up to 128 bits, ordered by their numeric value. */
    public static int compareSequenceNumbers(String a, String b) {
        return new BigInteger(a).compareTo(new BigInteger(b));
    }

    /**
     * What keeps its order when a shard's batches run in parallel (ParallelizationFactor > 1): a
     * Kinesis record's partition key; a DynamoDB stream record's item key (its attributes in name
     * order), DynamoDB Streams ordering records per item.
     */
    public String orderingKey() {
        JsonNode partitionKey = lambdaRecord.path("kinesis").path("partitionKey");
        if (partitionKey.isTextual()) {
            return partitionKey.asText();
        }
        JsonNode keys = lambdaRecord.path("dynamodb").path("Keys");
        List<String> names = new ArrayList<>();
        keys.fieldNames().forEachRemaining(names::add);
        names.sort(null);
        StringBuilder key = new StringBuilder();
        for (String name : names) {
            key.append(name).append('=').append(keys.get(name)).append(';');
        }
        return key.toString();
    }
}
