package dev.ledger.infra.local.streams;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DescribeStreamResponse;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * A DynamoDB table's stream, through the DynamoDB Streams API. Each record becomes what Lambda
 * sends for it: the stream record as GetRecords returns it (eventID, eventName, eventVersion,
 * eventSource, awsRegion, dynamodb{ApproximateCreationDateTime in epoch seconds, Keys, NewImage,
 * OldImage, SequenceNumber, SizeBytes, StreamViewType}, userIdentity) plus {@code eventSourceARN}.
 */
final class DynamoDbStreamSource implements StreamSource {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final DynamoDbStreamsClient streams;
    private final String arn;
    private final String region;

    DynamoDbStreamSource(DynamoDbStreamsClient streams, String arn, String region) {
        this.streams = streams;
        this.arn = arn;
        this.region = region;
    }

    @Override
    public String arn() {
        return arn;
    }

    @Override
    public SourceKind kind() {
        return SourceKind.DYNAMODB_STREAMS;
    }

    @Override
    public List<Shard> shards() {
        List<Shard> shards = new ArrayList<>();
        String start = null;
        do {
            String exclusiveStart = start;
            DescribeStreamResponse response = streams.describeStream(r -> r.streamArn(arn).exclusiveStartShardId(exclusiveStart));
            response.streamDescription().shards().forEach(shard ->
                    shards.add(new Shard(shard.shardId(), Optional.ofNullable(shard.parentShardId()))));
            start = response.streamDescription().lastEvaluatedShardId();
        } while (start != null);
        return shards;
    }

    @Override
    public String iterator(String shardId, Position position) {
        return streams.getShardIterator(request -> {
            request.streamArn(arn).shardId(shardId);
            if (position instanceof Position.AfterSequenceNumber after) {
                request.shardIteratorType(ShardIteratorType.AFTER_SEQUENCE_NUMBER).sequenceNumber(after.sequenceNumber());
            } else if (position instanceof Position.AtSequenceNumber at) {
                request.shardIteratorType(ShardIteratorType.AT_SEQUENCE_NUMBER).sequenceNumber(at.sequenceNumber());
            } else if (position instanceof Position.Latest) {
                request.shardIteratorType(ShardIteratorType.LATEST);
            } else {
                request.shardIteratorType(ShardIteratorType.TRIM_HORIZON);
            }
        }).shardIterator();
    }

    @Override
    public Page read(String shardId, String iterator, int limit) {
        GetRecordsResponse response = streams.getRecords(r -> r.shardIterator(iterator)
                .limit(Math.min(limit, kind().maxRecordsPerRead())));
        List<dev.ledger.infra.local.streams.StreamRecord> records = new ArrayList<>();
        for (Record record : response.records()) {
            StreamRecord stream = record.dynamodb();
            Instant created = stream.approximateCreationDateTime() == null ? Instant.now() : stream.approximateCreationDateTime();
            records.add(new dev.ledger.infra.local.streams.StreamRecord(shardId, stream.sequenceNumber(), created,
                    lambdaRecord(record)));
        }
        return new Page(records, response.nextShardIterator());
    }

    private ObjectNode lambdaRecord(Record record) {
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
        json.put("eventSourceARN", arn);
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
