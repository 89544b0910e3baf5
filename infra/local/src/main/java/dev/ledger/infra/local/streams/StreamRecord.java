package dev.ledger.infra.local.streams;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.time.Instant;

/**
 * One record read from a shard: its position, when it arrived, and the record exactly as Lambda
 * puts it in the {@code Records} array of the event it sends.
 */
public record StreamRecord(String shardId, String sequenceNumber, Instant approximateArrival, ObjectNode lambdaRecord) {

    /** Sequence numbers are decimal strings of up to 128 bits, ordered by their numeric value. */
    public static int compareSequenceNumbers(String a, String b) {
        return new BigInteger(a).compareTo(new BigInteger(b));
    }
}
