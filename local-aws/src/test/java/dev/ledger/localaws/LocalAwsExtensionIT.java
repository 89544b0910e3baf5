package dev.ledger.localaws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.cloudformation.model.Output;
import software.amazon.awssdk.services.cloudformation.model.Parameter;
import software.amazon.awssdk.services.cloudformation.model.Stack;
import software.amazon.awssdk.services.cloudformation.model.StackStatus;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;
import software.amazon.awssdk.services.sqs.model.Message;

@ExtendWith(LocalAwsExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalAwsExtensionIT {

    private final AwsClients aws;
    private final TestNames names;
    private String ledgerTable;

    LocalAwsExtensionIT(AwsClients aws, TestNames names) {
        this.aws = aws;
        this.names = names;
    }

    @BeforeAll
    void createLedgerTable() {
        ledgerTable = names.table("ledger");
        createTableWithStream(aws.dynamoDb(), ledgerTable);
    }

    @Test
    void the_clients_talk_to_a_local_moto() {
        assertThat(aws.endpoint().getHost()).isEqualTo("127.0.0.1");
        assertThat(aws.dynamoDb().listTables().tableNames()).contains(ledgerTable);
    }

    @Test
    void a_conditional_put_on_a_key_that_exists_is_rejected() {
        Map<String, AttributeValue> entry = item("acct-1", "v1", "100");
        aws.dynamoDb().putItem(p -> p.tableName(ledgerTable).item(entry).conditionExpression("attribute_not_exists(pk)"));

        assertThatThrownBy(() -> aws.dynamoDb().putItem(p -> p.tableName(ledgerTable)
                        .item(item("acct-1", "v1", "999"))
                        .conditionExpression("attribute_not_exists(pk)")))
                .isInstanceOf(ConditionalCheckFailedException.class);
        assertThat(aws.dynamoDb().getItem(g -> g.tableName(ledgerTable).key(key("acct-1", "v1"))).item())
                .isEqualTo(entry);
    }

    @Test
    void a_transaction_with_one_failing_condition_writes_nothing_and_says_which_one_failed() {
        aws.dynamoDb().putItem(p -> p.tableName(ledgerTable).item(item("acct-2", "v1", "5")));

        TransactWriteItem newLeg = putIfAbsent(item("acct-3", "v1", "-5"));
        TransactWriteItem clashingLeg = putIfAbsent(item("acct-2", "v1", "5"));

        assertThatThrownBy(() -> aws.dynamoDb().transactWriteItems(t -> t.transactItems(newLeg, clashingLeg)))
                .isInstanceOfSatisfying(TransactionCanceledException.class, e -> assertThat(e.cancellationReasons())
                        .extracting(CancellationReason::code)
                        .containsExactly("None", "ConditionalCheckFailed"));
        assertThat(aws.dynamoDb().getItem(g -> g.tableName(ledgerTable).key(key("acct-3", "v1"))).hasItem()).isFalse();
    }

    @Test
    void a_transaction_emits_one_stream_record_per_written_item_in_request_order() {
        String table = names.table("transfers");
        createTableWithStream(aws.dynamoDb(), table);

        aws.dynamoDb().transactWriteItems(t -> t.transactItems(
                putIfAbsent(table, item("acct-4", "v1", "-30")),
                putIfAbsent(table, item("acct-5", "v1", "30"))));

        List<software.amazon.awssdk.services.dynamodb.model.Record> records = streamRecords(table);
        assertThat(records).extracting(r -> r.eventName().toString()).containsExactly("INSERT", "INSERT");
        assertThat(records).extracting(r -> r.dynamodb().keys().get("pk").s()).containsExactly("acct-4", "acct-5");
        assertThat(records.get(1).dynamodb().newImage()).isEqualTo(item("acct-5", "v1", "30"));
    }

    @Test
    void kinesis_round_trips_a_record_because_the_clients_switch_cbor_off() {
        // Build fresh clients with the switch cleared, so this proves AwsClients sets it (failsafe also does).
        System.clearProperty("aws.cborEnabled");
        try (AwsClients fresh = AwsClients.forEndpoint(aws.endpoint())) {
            KinesisClient kinesis = fresh.kinesis();
            String stream = names.stream("ledger-events");
            kinesis.createStream(c -> c.streamName(stream).shardCount(1));
            kinesis.waiter().waitUntilStreamExists(d -> d.streamName(stream));
            assertThat(kinesis.describeStream(d -> d.streamName(stream)).streamDescription().streamStatus())
                    .isEqualTo(StreamStatus.ACTIVE);

            kinesis.putRecord(p -> p.streamName(stream).partitionKey("acct-1").data(SdkBytes.fromUtf8String("{\"amount\":7}")));

            String shardId = kinesis.listShards(l -> l.streamName(stream)).shards().get(0).shardId();
            String iterator = kinesis.getShardIterator(g -> g.streamName(stream).shardId(shardId)
                    .shardIteratorType(software.amazon.awssdk.services.kinesis.model.ShardIteratorType.TRIM_HORIZON))
                    .shardIterator();
            List<Record> records = kinesis.getRecords(g -> g.shardIterator(iterator)).records();
            assertThat(records).extracting(r -> r.data().asUtf8String()).containsExactly("{\"amount\":7}");
            assertThat(records.get(0).partitionKey()).isEqualTo("acct-1");
        }
        assertThat(System.getProperty("aws.cborEnabled")).isEqualTo("false");
    }

    @Test
    void s3_returns_the_object_it_stored() {
        String bucket = names.bucket("artifacts");
        aws.s3().createBucket(c -> c.bucket(bucket));

        aws.s3().putObject(p -> p.bucket(bucket).key("functions/ledger.zip"), RequestBody.fromString("zip bytes"));

        assertThat(aws.s3().getObjectAsBytes(g -> g.bucket(bucket).key("functions/ledger.zip")).asUtf8String())
                .isEqualTo("zip bytes");
    }

    @Test
    void sqs_delivers_the_message_it_was_sent() {
        String queueUrl = aws.sqs().createQueue(c -> c.queueName(names.queue("dead-letters"))).queueUrl();

        aws.sqs().sendMessage(s -> s.queueUrl(queueUrl).messageBody("batch 42 failed"));

        List<Message> messages = aws.sqs().receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10)).messages();
        assertThat(messages).extracting(Message::body).containsExactly("batch 42 failed");
    }

    @Test
    void cloudformation_creates_a_stack_from_a_yaml_template() {
        String stackName = names.stack("ledger");
        String table = names.table("cfn-journal");
        String template = """
                AWSTemplateFormatVersion: "2010-09-09"
                Parameters:
                  JournalTableName:
                    Type: String
                Resources:
                  Journal:
                    Type: AWS::DynamoDB::Table
                    Properties:
                      TableName: !Ref JournalTableName
                      BillingMode: PAY_PER_REQUEST
                      AttributeDefinitions:
                        - AttributeName: pk
                          AttributeType: S
                      KeySchema:
                        - AttributeName: pk
                          KeyType: HASH
                      StreamSpecification:
                        StreamViewType: NEW_IMAGE
                Outputs:
                  JournalStreamArn:
                    Value: !GetAtt Journal.StreamArn
                """;

        aws.cloudFormation().createStack(c -> c.stackName(stackName).templateBody(template)
                .parameters(Parameter.builder().parameterKey("JournalTableName").parameterValue(table).build()));
        aws.cloudFormation().waiter().waitUntilStackCreateComplete(d -> d.stackName(stackName));

        Stack stack = aws.cloudFormation().describeStacks(d -> d.stackName(stackName)).stacks().get(0);
        assertThat(stack.stackStatus()).isEqualTo(StackStatus.CREATE_COMPLETE);
        assertThat(stack.outputs()).extracting(Output::outputValue)
                .containsExactly(aws.dynamoDb().describeTable(d -> d.tableName(table)).table().latestStreamArn());
    }

    @Test
    void dynamodb_interceptors_see_every_request(TestNames sameNames) {
        List<String> operations = new CopyOnWriteArrayList<>();
        ExecutionInterceptor recorder = new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                operations.add(context.request().getClass().getSimpleName());
            }
        };
        try (AwsClients counted = AwsClients.forEndpoint(aws.endpoint(), List.of(recorder))) {
            counted.dynamoDb().putItem(p -> p.tableName(ledgerTable).item(item("acct-6", "v1", "1")));
            counted.dynamoDb().getItem(g -> g.tableName(ledgerTable).key(key("acct-6", "v1")));
        }

        assertThat(operations).containsExactly("PutItemRequest", "GetItemRequest");
        assertThat(sameNames).as("one TestNames per test class").isSameAs(names);
    }

    @Nested
    class AnotherTestClass {

        @Test
        void gets_its_own_prefix_and_shares_the_server(AwsClients sharedAws, TestNames nestedNames) {
            assertThat(nestedNames.prefix()).isNotEqualTo(names.prefix());
            assertThat(nestedNames.table("ledger")).isNotEqualTo(ledgerTable);
            assertThat(sharedAws).isSameAs(aws);
        }
    }

    private List<software.amazon.awssdk.services.dynamodb.model.Record> streamRecords(String table) {
        DynamoDbStreamsClient streams = aws.dynamoDbStreams();
        String streamArn = aws.dynamoDb().describeTable(d -> d.tableName(table)).table().latestStreamArn();
        String shardId = streams.describeStream(d -> d.streamArn(streamArn)).streamDescription().shards().get(0).shardId();
        String iterator = streams.getShardIterator(g -> g.streamArn(streamArn).shardId(shardId)
                .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
        return streams.getRecords(g -> g.shardIterator(iterator)).records();
    }

    private static void createTableWithStream(DynamoDbClient dynamoDb, String table) {
        dynamoDb.createTable(c -> c.tableName(table)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                        attribute("pk", ScalarAttributeType.S),
                        attribute("sk", ScalarAttributeType.S))
                .keySchema(keyElement("pk", KeyType.HASH), keyElement("sk", KeyType.RANGE))
                .streamSpecification(s -> s.streamEnabled(true).streamViewType(StreamViewType.NEW_IMAGE)));
        dynamoDb.waiter().waitUntilTableExists(d -> d.tableName(table));
    }

    private TransactWriteItem putIfAbsent(Map<String, AttributeValue> item) {
        return putIfAbsent(ledgerTable, item);
    }

    private static TransactWriteItem putIfAbsent(String table, Map<String, AttributeValue> item) {
        return TransactWriteItem.builder()
                .put(Put.builder().tableName(table).item(item).conditionExpression("attribute_not_exists(pk)").build())
                .build();
    }

    private static Map<String, AttributeValue> key(String account, String version) {
        return Map.of("pk", AttributeValue.fromS(account), "sk", AttributeValue.fromS(version));
    }

    private static Map<String, AttributeValue> item(String account, String version, String amount) {
        return Map.of("pk", AttributeValue.fromS(account), "sk", AttributeValue.fromS(version),
                "amount", AttributeValue.fromN(amount));
    }

    private static AttributeDefinition attribute(String name, ScalarAttributeType type) {
        return AttributeDefinition.builder().attributeName(name).attributeType(type).build();
    }

    private static KeySchemaElement keyElement(String name, KeyType type) {
        return KeySchemaElement.builder().attributeName(name).keyType(type).build();
    }
}
