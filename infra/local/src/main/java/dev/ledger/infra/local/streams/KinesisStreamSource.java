package dev.ledger.infra.local.streams;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Base64;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.Record;

/**
 * A Kinesis data stream, through the Kinesis API (shared-throughput consumer, as a standard
 * event source mapping reads it). Each record becomes what Lambda sends for it:
 * {@code kinesis{kinesisSchemaVersion, partitionKey, sequenceNumber, data (base64),
 * approximateArrivalTimestamp (epoch seconds)}, eventSource, eventVersion, eventID
 * ("shardId-...:sequence"), eventName, invokeIdentityArn, awsRegion, eventSourceARN}.
 */
final class KinesisStreamSource extends ServiceStreamSource<Record> {

    private final KinesisClient kinesis;
    private final String streamName;
    private final String invokeIdentityArn;

    KinesisStreamSource(KinesisClient kinesis, String arn, String region, String invokeIdentityArn) {
        super(arn, region, Record::sequenceNumber, Record::approximateArrivalTimestamp);
        this.kinesis = kinesis;
        this.streamName = arn.substring(arn.indexOf(":stream/") + ":stream/".length());
        this.invokeIdentityArn = invokeIdentityArn;
    }

    @Override
    public SourceKind kind() {
        return SourceKind.KINESIS;
    }

    @Override
    ShardPage shardPage(String start) {
        ListShardsResponse response = start == null
                ? kinesis.listShards(r -> r.streamName(streamName))
                : kinesis.listShards(r -> r.nextToken(start));
        return new ShardPage(response.shards().stream()
                .map(shard -> shardOf(shard.shardId(), shard.parentShardId())).toList(), response.nextToken());
    }

    @Override
    String iterator(String shardId, IteratorStart start) {
        return kinesis.getShardIterator(r -> r.streamName(streamName).shardId(shardId)
                .shardIteratorType(start.type()).startingSequenceNumber(start.sequenceNumber())).shardIterator();
    }

    @Override
    Records<Record> getRecords(String iterator, int limit) {
        GetRecordsResponse response = kinesis.getRecords(r -> r.shardIterator(iterator).limit(limit));
        return new Records<>(response.records(), response.nextShardIterator());
    }

    @Override
    ObjectNode lambdaRecord(String shardId, Record record, Instant arrival) {
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
        json.put("eventSourceARN", arn());
        return json;
    }
}
