package dev.ledger.infra.local.streams;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/**
 * A Kinesis data stream, through the Kinesis API (shared-throughput consumer, as a standard
 * event source mapping reads it). Each record becomes what Lambda sends for it:
 * {@code kinesis{kinesisSchemaVersion, partitionKey, sequenceNumber, data (base64),
 * approximateArrivalTimestamp (epoch seconds)}, eventSource, eventVersion, eventID
 * ("shardId-...:sequence"), eventName, invokeIdentityArn, awsRegion, eventSourceARN}.
 */
final class KinesisStreamSource implements StreamSource {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final KinesisClient kinesis;
    private final String arn;
    private final String streamName;
    private final String region;
    private final String invokeIdentityArn;

    KinesisStreamSource(KinesisClient kinesis, String arn, String region, String invokeIdentityArn) {
        this.kinesis = kinesis;
        this.arn = arn;
        this.streamName = arn.substring(arn.indexOf(":stream/") + ":stream/".length());
        this.region = region;
        this.invokeIdentityArn = invokeIdentityArn;
    }

    @Override
    public String arn() {
        return arn;
    }

    @Override
    public SourceKind kind() {
        return SourceKind.KINESIS;
    }

    @Override
    public List<Shard> shards() {
        List<Shard> shards = new ArrayList<>();
        String token = null;
        do {
            String next = token;
            ListShardsResponse response = next == null
                    ? kinesis.listShards(r -> r.streamName(streamName))
                    : kinesis.listShards(r -> r.nextToken(next));
            response.shards().forEach(shard ->
                    shards.add(new Shard(shard.shardId(), Optional.ofNullable(shard.parentShardId()))));
            token = response.nextToken();
        } while (token != null);
        return shards;
    }

    @Override
    public String iterator(String shardId, Position position) {
        return kinesis.getShardIterator(request -> {
            request.streamName(streamName).shardId(shardId);
            if (position instanceof Position.AfterSequenceNumber after) {
                request.shardIteratorType(ShardIteratorType.AFTER_SEQUENCE_NUMBER).startingSequenceNumber(after.sequenceNumber());
            } else if (position instanceof Position.AtSequenceNumber at) {
                request.shardIteratorType(ShardIteratorType.AT_SEQUENCE_NUMBER).startingSequenceNumber(at.sequenceNumber());
            } else if (position instanceof Position.Latest) {
                request.shardIteratorType(ShardIteratorType.LATEST);
            } else {
                request.shardIteratorType(ShardIteratorType.TRIM_HORIZON);
            }
        }).shardIterator();
    }

    @Override
    public Page read(String shardId, String iterator, int limit) {
        GetRecordsResponse response = kinesis.getRecords(r -> r.shardIterator(iterator)
                .limit(Math.min(limit, kind().maxRecordsPerRead())));
        List<StreamRecord> records = new ArrayList<>();
        for (Record record : response.records()) {
            Instant arrival = record.approximateArrivalTimestamp() == null ? Instant.now() : record.approximateArrivalTimestamp();
            records.add(new StreamRecord(shardId, record.sequenceNumber(), arrival, lambdaRecord(shardId, record, arrival)));
        }
        return new Page(records, response.nextShardIterator());
    }

    private ObjectNode lambdaRecord(String shardId, Record record, Instant arrival) {
        ObjectNode json = NODES.objectNode();
        ObjectNode kinesisRecord = json.putObject("kinesis");
        kinesisRecord.put("kinesisSchemaVersion", "1.0");
        kinesisRecord.put("partitionKey", record.partitionKey());
        kinesisRecord.put("sequenceNumber", record.sequenceNumber());
        kinesisRecord.put("data", Base64.getEncoder().encodeToString(record.data().asByteArrayUnsafe()));
        kinesisRecord.put("approximateArrivalTimestamp", BigDecimal.valueOf(arrival.toEpochMilli(), 3));
        json.put("eventSource", kind().eventSource());
        json.put("eventVersion", "1.0");
        json.put("eventID", shardId + ":" + record.sequenceNumber());
        json.put("eventName", "aws:kinesis:record");
        json.put("invokeIdentityArn", invokeIdentityArn);
        json.put("awsRegion", region);
        json.put("eventSourceARN", arn);
        return json;
    }
}
