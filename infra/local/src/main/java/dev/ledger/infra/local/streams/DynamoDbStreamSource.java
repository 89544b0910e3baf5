package dev.ledger.infra.local.streams;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DescribeStreamResponse;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * A DynamoDB table's stream, through the DynamoDB Streams API. Each record becomes what Lambda
 * sends for it: the stream record as GetRecords returns it (eventID, eventName, eventVersion,
 * eventSource, awsRegion, dynamodb{ApproximateCreationDateTime in epoch seconds, Keys, NewImage,
 * OldImage, SequenceNumber, SizeBytes, StreamViewType}, userIdentity) plus {@code eventSourceARN}.
 */
final class DynamoDbStreamSource extends ServiceStreamSource<Record> {

    private final DynamoDbStreamsClient streams;

    DynamoDbStreamSource(DynamoDbStreamsClient streams, String arn, String region) {
        super(arn, region, record -> record.dynamodb().sequenceNumber(),
                record -> record.dynamodb().approximateCreationDateTime());
        this.streams = streams;
    }

    @Override
    public SourceKind kind() {
        return SourceKind.DYNAMODB_STREAMS;
    }

    @Override
    ShardPage shardPage(String start) {
        DescribeStreamResponse response = streams.describeStream(r -> r.streamArn(arn()).exclusiveStartShardId(start));
        return new ShardPage(response.streamDescription().shards().stream()
                .map(shard -> shardOf(shard.shardId(), shard.parentShardId())).toList(),
                response.streamDescription().lastEvaluatedShardId());
    }

    @Override
    String iterator(String shardId, IteratorStart start) {
        return streams.getShardIterator(r -> r.streamArn(arn()).shardId(shardId)
                .shardIteratorType(start.type()).sequenceNumber(start.sequenceNumber())).shardIterator();
    }

    @Override
    Records<Record> getRecords(String iterator, int limit) {
        GetRecordsResponse response = streams.getRecords(r -> r.shardIterator(iterator).limit(limit));
        return new Records<>(response.records(), response.nextShardIterator());
    }

    /** {@code time} is not used: ApproximateCreationDateTime is there only when the stream gave one. */
    @Override
    ObjectNode lambdaRecord(String shardId, Record record, Instant time) {
        ObjectNode json = NODES.objectNode();
        json.put("eventID", record.eventID());
        json.put("eventName", record.eventNameAsString());
        json.put("eventVersion", record.eventVersion() == null ? "1.1" : record.eventVersion());
        json.put("eventSource", record.eventSource() == null ? kind().eventSource() : record.eventSource());
        json.put("awsRegion", record.awsRegion() == null ? region : record.awsRegion());
        StreamRecord stream = record.dynamodb();
        ObjectNode dynamodb = json.putObject("dynamodb");
        if (stream.approximateCreationDateTime() != null) {
            dynamodb.put("ApproximateCreationDateTime", stream.approximateCreationDateTime().getEpochSecond());
        }
        if (stream.hasKeys()) {
            dynamodb.set("Keys", item(stream.keys()));
        }
        if (stream.hasNewImage()) {
            dynamodb.set("NewImage", item(stream.newImage()));
        }
        if (stream.hasOldImage()) {
            dynamodb.set("OldImage", item(stream.oldImage()));
        }
        dynamodb.put("SequenceNumber", stream.sequenceNumber());
        if (stream.sizeBytes() != null) {
            dynamodb.put("SizeBytes", stream.sizeBytes());
        }
        if (stream.streamViewType() != null) {
            dynamodb.put("StreamViewType", stream.streamViewTypeAsString());
        }
        json.put("eventSourceARN", arn());
        if (record.userIdentity() != null) {
            json.putObject("userIdentity").put("type", record.userIdentity().type())
                    .put("principalId", record.userIdentity().principalId());
        }
        return json;
    }

    /** An item in DynamoDB's JSON form: {"name": {"S": "..."}, ...}. */
    static ObjectNode item(Map<String, AttributeValue> item) {
        ObjectNode json = NODES.objectNode();
        item.forEach((name, value) -> json.set(name, attribute(value)));
        return json;
    }

    static ObjectNode attribute(AttributeValue value) {
        ObjectNode json = NODES.objectNode();
        switch (value.type()) {
            case S -> json.put("S", value.s());
            case N -> json.put("N", value.n());
            case B -> json.put("B", base64(value.b()));
            case BOOL -> json.put("BOOL", value.bool());
            case NUL -> json.put("NULL", true);
            case SS -> value.ss().forEach(json.putArray("SS")::add);
            case NS -> value.ns().forEach(json.putArray("NS")::add);
            case BS -> {
                ArrayNode set = json.putArray("BS");
                value.bs().forEach(b -> set.add(base64(b)));
            }
            case M -> json.set("M", item(value.m()));
            case L -> {
                ArrayNode list = json.putArray("L");
                value.l().forEach(element -> list.add(attribute(element)));
            }
            default -> throw new IllegalArgumentException("An attribute value of unknown type: " + value);
        }
        return json;
    }

    private static String base64(SdkBytes bytes) {
        return Base64.getEncoder().encodeToString(bytes.asByteArrayUnsafe());
    }
}
