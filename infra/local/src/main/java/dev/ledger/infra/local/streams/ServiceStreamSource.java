package dev.ledger.infra.local.streams;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * What reading a stream through its service's API is the same for DynamoDB Streams and Kinesis:
 * listing the shards page by page, turning a {@link Position} into GetShardIterator's iterator type
 * and sequence number, and turning one GetRecords answer into a {@link Page} (at most
 * {@link SourceKind#maxRecordsPerRead()} records, each stamped with the service's approximate
 * time or, where it gives none, the time of reading). A subclass makes its service's calls and
 * builds the record Lambda sends.
 *
 * @param <R> the service's record type
 */
abstract class ServiceStreamSource<R> implements StreamSource {

    static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final String arn;
    final String region;
    private final Function<R, String> sequenceNumber;
    private final Function<R, Instant> approximateTime;

    /**
     * @param sequenceNumber a record's sequence number
     * @param approximateTime the service's approximate creation or arrival time of a record; null when it gives none
     */
    ServiceStreamSource(String arn, String region, Function<R, String> sequenceNumber,
                        Function<R, Instant> approximateTime) {
        this.arn = arn;
        this.region = region;
        this.sequenceNumber = sequenceNumber;
        this.approximateTime = approximateTime;
    }

    /** One page of the service's shard listing, and where the next one starts (null after the last). */
    record ShardPage(List<Shard> shards, String next) {
    }

    /**
     * A GetShardIterator request's start: the ShardIteratorType by name (the same four names in
     * both services) and the sequence number (null for LATEST and TRIM_HORIZON).
     */
    record IteratorStart(String type, String sequenceNumber) {
    }

    /** One GetRecords answer: its records and the next iterator (null once a closed shard is read to its end). */
    record Records<R>(List<R> records, String nextIterator) {
    }

    /** The page of shards that starts after {@code start} (null: the first page). */
    abstract ShardPage shardPage(String start);

    abstract String iterator(String shardId, IteratorStart start);

    abstract Records<R> getRecords(String iterator, int limit);

    /** The record as Lambda sends it; {@code time} is the record's time as {@link #read} stamps it. */
    abstract ObjectNode lambdaRecord(String shardId, R record, Instant time);

    static Shard shardOf(String shardId, String parentShardId) {
        return new Shard(shardId, Optional.ofNullable(parentShardId));
    }

    @Override
    public final String arn() {
        return arn;
    }

    @Override
    public final List<Shard> shards() {
        List<Shard> shards = new ArrayList<>();
        String start = null;
        do {
            ShardPage page = shardPage(start);
            shards.addAll(page.shards());
            start = page.next();
        } while (start != null);
        return shards;
    }

    @Override
    public final String iterator(String shardId, Position position) {
        IteratorStart start;
        if (position instanceof Position.AfterSequenceNumber after) {
            start = new IteratorStart("AFTER_SEQUENCE_NUMBER", after.sequenceNumber());
        } else if (position instanceof Position.AtSequenceNumber at) {
            start = new IteratorStart("AT_SEQUENCE_NUMBER", at.sequenceNumber());
        } else if (position instanceof Position.Latest) {
            start = new IteratorStart("LATEST", null);
        } else {
            start = new IteratorStart("TRIM_HORIZON", null);
        }
        return iterator(shardId, start);
    }

    @Override
    public final Page read(String shardId, String iterator, int limit) {
        Records<R> response = getRecords(iterator, Math.min(limit, kind().maxRecordsPerRead()));
        List<StreamRecord> records = new ArrayList<>();
        for (R record : response.records()) {
            Instant time = Objects.requireNonNullElseGet(approximateTime.apply(record), Instant::now);
            records.add(new StreamRecord(shardId, sequenceNumber.apply(record), time, lambdaRecord(shardId, record, time)));
        }
        return new Page(records, response.nextIterator());
    }
}
