package dev.ledger.localaws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.kinesis.model.Shard;

/**
 * The launcher's journal ({@link MotoServer#startPersistent}): an emulator killed with SIGKILL and
 * started again on the same data directory serves the same state, down to what a consumer keys
 * its checkpoints on: the DynamoDB stream's ARN (the table's creation time), its records' sequence
 * numbers and event ids, and the Kinesis records' sequence numbers.
 */
class MotoJournalIT {

    private static final String TABLE = "journal";
    private static final String STREAM = "ledger";

    @TempDir
    Path dataDirectory;

    @Test
    void an_emulator_killed_with_sigkill_comes_back_from_its_journal_with_the_same_tables_streams_and_records()
            throws Exception {
        // Given an emulator with a data directory, and writes it acknowledged
        Snapshot before;
        MotoServer first = MotoServer.startPersistent(dataDirectory, false);
        try (AwsClients aws = AwsClients.forEndpoint(first.endpoint())) {
            write(aws);
            before = snapshot(aws);
        }
        assertThat(before.items()).hasSize(12);
        assertThat(before.streamRecords()).hasSize(12);
        assertThat(before.kinesisRecords()).hasSize(6);

        // When it is killed with SIGKILL (no shutdown of any kind) and started again
        kill(first);
        try (MotoServer second = MotoServer.startPersistent(dataDirectory, false);
                AwsClients aws = AwsClients.forEndpoint(second.endpoint())) {
            // Then everything it acknowledged is there, as it was
            assertThat(snapshot(aws)).isEqualTo(before);
            assertThat(Files.readString(second.logFile())).contains("replayed");
            // ... and it goes on from there: the next record follows the last one
            aws.dynamoDb().putItem(r -> r.tableName(TABLE).item(item("after-restart")));
            List<String> sequenceNumbers = snapshot(aws).streamRecords().stream().map(r -> r.split(" ")[0]).toList();
            assertThat(sequenceNumbers).hasSize(13).doesNotHaveDuplicates();
        }
    }

    @Test
    void a_fresh_start_empties_the_journal() throws Exception {
        try (MotoServer first = MotoServer.startPersistent(dataDirectory, false);
                AwsClients aws = AwsClients.forEndpoint(first.endpoint())) {
            write(aws);
        }
        try (MotoServer fresh = MotoServer.startPersistent(dataDirectory, true);
                AwsClients aws = AwsClients.forEndpoint(fresh.endpoint())) {
            assertThat(aws.dynamoDb().listTables().tableNames()).isEmpty();
        }
    }

    @Test
    void a_journal_line_cut_short_by_a_kill_is_dropped_and_the_rest_replays() throws Exception {
        MotoServer first = MotoServer.startPersistent(dataDirectory, false);
        try (AwsClients aws = AwsClients.forEndpoint(first.endpoint())) {
            createTable(aws);
            aws.dynamoDb().putItem(r -> r.tableName(TABLE).item(item("kept")));
        }
        kill(first);
        // A write cut off mid-line: its request was never answered.
        Files.writeString(dataDirectory.resolve("journal.jsonl"), "{\"t\":\"2026-", StandardOpenOption.APPEND);

        try (MotoServer second = MotoServer.startPersistent(dataDirectory, false);
                AwsClients aws = AwsClients.forEndpoint(second.endpoint())) {
            assertThat(aws.dynamoDb().scan(r -> r.tableName(TABLE)).items()).extracting(i -> i.get("pk").s())
                    .containsExactly("kept");
            assertThat(Files.readString(second.logFile())).contains("dropping an unfinished last journal line");
        }
    }

    @Test
    void two_emulators_cannot_share_a_data_directory() {
        try (MotoServer first = MotoServer.startPersistent(dataDirectory, false)) {
            assertThatThrownBy(() -> MotoServer.startPersistent(dataDirectory, false))
                    .hasMessageContaining("is in use by another emulator");
            assertThat(first.pid()).isPositive();
        }
    }

    /** What the test compares: items, stream ARN and records, Kinesis records, each as text. */
    record Snapshot(String streamArn, Map<String, String> items, List<String> streamRecords, List<String> kinesisRecords) {
    }

    private static void write(AwsClients aws) {
        createTable(aws);
        for (int i = 0; i < 10; i++) {
            String key = "k" + i;
            aws.dynamoDb().putItem(r -> r.tableName(TABLE).item(item(key)).conditionExpression("attribute_not_exists(pk)"));
        }
        // A refused write changes nothing, and is not journaled
        assertThatThrownBy(() -> aws.dynamoDb().putItem(r -> r.tableName(TABLE).item(item("k0"))
                .conditionExpression("attribute_not_exists(pk)"))).isInstanceOf(ConditionalCheckFailedException.class);
        aws.dynamoDb().transactWriteItems(r -> r.transactItems(
                TransactWriteItem.builder().put(Put.builder().tableName(TABLE).item(item("debit")).build()).build(),
                TransactWriteItem.builder().put(Put.builder().tableName(TABLE).item(item("credit")).build()).build()));
        aws.kinesis().createStream(r -> r.streamName(STREAM).shardCount(2));
        for (int i = 0; i < 6; i++) {
            String key = "account-" + i;
            aws.kinesis().putRecord(r -> r.streamName(STREAM).partitionKey(key).data(SdkBytes.fromUtf8String(key)));
        }
    }

    private static void createTable(AwsClients aws) {
        aws.dynamoDb().createTable(r -> r.tableName(TABLE).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(AttributeDefinition.builder().attributeName("pk").attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build())
                .streamSpecification(s -> s.streamEnabled(true).streamViewType(StreamViewType.NEW_IMAGE)));
    }

    private static Map<String, AttributeValue> item(String key) {
        return Map.of("pk", AttributeValue.fromS(key), "amountMinor", AttributeValue.fromN(Integer.toString(key.hashCode())));
    }

    private static Snapshot snapshot(AwsClients aws) {
        Map<String, String> items = new LinkedHashMap<>();
        aws.dynamoDb().scan(r -> r.tableName(TABLE)).items().stream()
                .sorted(java.util.Comparator.comparing(i -> i.get("pk").s()))
                .forEach(i -> items.put(i.get("pk").s(), i.toString()));
        String streamArn = aws.dynamoDb().describeTable(r -> r.tableName(TABLE)).table().latestStreamArn();
        List<String> streamRecords = new ArrayList<>();
        for (var shard : aws.dynamoDbStreams().describeStream(r -> r.streamArn(streamArn)).streamDescription().shards()) {
            String iterator = aws.dynamoDbStreams().getShardIterator(r -> r.streamArn(streamArn).shardId(shard.shardId())
                    .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
            aws.dynamoDbStreams().getRecords(r -> r.shardIterator(iterator)).records().forEach(record -> streamRecords.add(
                    record.dynamodb().sequenceNumber() + " " + record.eventID() + " " + record.eventName() + " "
                            + record.dynamodb().approximateCreationDateTime() + " " + record.dynamodb().newImage()));
        }
        List<String> kinesisRecords = new ArrayList<>();
        for (Shard shard : aws.kinesis().listShards(r -> r.streamName(STREAM)).shards()) {
            String iterator = aws.kinesis().getShardIterator(r -> r.streamName(STREAM).shardId(shard.shardId())
                    .shardIteratorType(software.amazon.awssdk.services.kinesis.model.ShardIteratorType.TRIM_HORIZON))
                    .shardIterator();
            aws.kinesis().getRecords(r -> r.shardIterator(iterator)).records().forEach(record -> kinesisRecords.add(
                    shard.shardId() + " " + record.sequenceNumber() + " " + record.partitionKey() + " "
                            + record.approximateArrivalTimestamp() + " " + record.data().asUtf8String()));
        }
        return new Snapshot(streamArn, items, streamRecords, kinesisRecords);
    }

    private static void kill(MotoServer server) throws Exception {
        ProcessHandle process = ProcessHandle.of(server.pid()).orElseThrow();
        process.destroyForcibly(); // SIGKILL
        process.onExit().get(30, TimeUnit.SECONDS);
        server.close(); // the process is gone: this only removes the shutdown hook and the launcher's files
    }
}
