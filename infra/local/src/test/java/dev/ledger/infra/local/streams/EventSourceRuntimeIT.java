package dev.ledger.infra.local.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent.KinesisEventRecord;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ledger.infra.Intrinsics;
import dev.ledger.infra.Template;
import dev.ledger.infra.local.LocalFunction;
import dev.ledger.infra.local.streams.DeliveryFaults.Delivery;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The event-source runtime against the emulator's real Kinesis and DynamoDB Streams, with small
 * scripted handlers: what Lambda's event source mappings promise (every record, in order, at least
 * once; checkpoints; partial batch responses; bisection; retry and age limits; the OnFailure
 * destination) and what they are allowed to do (duplicates, redelivery after a crash). Driven step
 * by step ({@link EventSourceRuntime#runUntilIdle}), so nothing waits on a timer.
 */
@ExtendWith(LocalAwsExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class EventSourceRuntimeIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ACCOUNT = "123456789012";
    // A hang guard, not a time budget: runUntilIdle returns as soon as nothing is left to do, and no
    // test here needs it to run out. Generous because a loaded 2-core machine makes every emulator
    // call slow; a test that must stop before the work is done says when with a condition instead.
    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final AtomicInteger FIXTURES = new AtomicInteger();

    private final TestClock clock = new TestClock();
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private AwsClients aws;
    private TestNames names;
    private CheckpointStore checkpoints;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeAll
    void checkpointTable(AwsClients aws, TestNames names) {
        this.aws = aws;
        this.names = names;
        checkpoints = new CheckpointStore(aws.dynamoDb(), CheckpointStore.tableFor(names.stack("runtime")), clock)
                .ensureTable();
    }

    @AfterEach
    void closeRuntimes() throws Exception {
        for (AutoCloseable closeable : toClose) {
            closeable.close();
        }
        toClose.clear();
        clock.reset();
    }

    // ----------------------------------------------------------------------------------------
    // Delivery
    // ----------------------------------------------------------------------------------------

    @Test
    void every_record_reaches_the_function_once_in_order_in_batches_as_the_event_lambda_sends() {
        KinesisFixture fixture = kinesis("BatchSize: 4");
        Instant beforePut = Instant.now();
        List<String> sequenceNumbers = fixture.put("r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9");
        Instant afterPut = Instant.now();
        EventSourceRuntime runtime = fixture.runtime(DeliveryFaults.NONE);

        assertThat(runtime.runUntilIdle(TIMEOUT)).isTrue();

        assertThat(fixture.invocations()).containsExactly(List.of("r0", "r1", "r2", "r3"),
                List.of("r4", "r5", "r6", "r7"), List.of("r8", "r9"));
        KinesisEventRecord first = ScriptedKinesisHandler.events(fixture.function).get(0).getRecords().get(0);
        assertThat(first.getEventSource()).isEqualTo("aws:kinesis");
        assertThat(first.getEventName()).isEqualTo("aws:kinesis:record");
        assertThat(first.getEventVersion()).isEqualTo("1.0");
        assertThat(first.getEventID()).isEqualTo("shardId-000000000000:" + sequenceNumbers.get(0));
        assertThat(first.getEventSourceARN()).isEqualTo(fixture.streamArn);
        assertThat(first.getInvokeIdentityArn()).isEqualTo("arn:aws:iam::" + ACCOUNT + ":role/consumer-role");
        assertThat(first.getAwsRegion()).isEqualTo("us-east-1");
        assertThat(first.getKinesis().getPartitionKey()).isEqualTo("key");
        assertThat(first.getKinesis().getSequenceNumber()).isEqualTo(sequenceNumbers.get(0));
        assertThat(first.getKinesis().getKinesisSchemaVersion()).isEqualTo("1.0");
        assertThat(first.getKinesis().getApproximateArrivalTimestamp().toInstant())
                .isBetween(arrivalLowerBound(beforePut), arrivalUpperBound(afterPut));
        assertThat(fixture.checkpoint()).contains(sequenceNumbers.get(9));
        assertThat(runtime.stats(fixture.mappingId).checkpoints()).isEqualTo(3);
    }

    @Test
    void a_dynamodb_stream_record_reaches_the_function_as_lambda_sends_it() {
        String table = names.table("items-" + FIXTURES.incrementAndGet());
        aws.dynamoDb().createTable(r -> r.tableName(table).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(AttributeDefinition.builder().attributeName("pk").attributeType("S").build())
                .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build())
                .streamSpecification(s -> s.streamEnabled(true).streamViewType(StreamViewType.NEW_IMAGE)));
        String streamArn = aws.dynamoDb().describeTable(r -> r.tableName(table)).table().latestStreamArn();
        Instant beforePut = Instant.now();
        aws.dynamoDb().putItem(r -> r.tableName(table).item(Map.of("pk", AttributeValue.fromS("a"),
                "n", AttributeValue.fromN("1"),
                "m", AttributeValue.fromM(Map.of("flag", AttributeValue.fromBool(true))),
                "l", AttributeValue.fromL(List.of(AttributeValue.fromS("x"), AttributeValue.fromN("2"))),
                "b", AttributeValue.fromB(SdkBytes.fromUtf8String("bytes")))));
        aws.dynamoDb().putItem(r -> r.tableName(table).item(Map.of("pk", AttributeValue.fromS("a"),
                "n", AttributeValue.fromN("2"))));
        Instant afterPut = Instant.now();
        String function = names.prefix() + "recorder-" + FIXTURES.get();
        Template template = Template.parse("""
                Resources:
                  Table: {Type: AWS::DynamoDB::Table}
                  Role: {Type: AWS::IAM::Role}
                  Recorder:
                    Type: AWS::Lambda::Function
                    Properties:
                      Handler: dev.ledger.infra.local.streams.RecordingDynamodbHandler::handleRequest
                      Role: !GetAtt Role.Arn
                  Mapping:
                    Type: AWS::Lambda::EventSourceMapping
                    Properties:
                      EventSourceArn: !GetAtt Table.StreamArn
                      FunctionName: !Ref Recorder
                      StartingPosition: TRIM_HORIZON
                """);
        Intrinsics.Resolver resolver = template.resolver(new Template.StackFacts(Map.of(), "test", "us-east-1", ACCOUNT,
                Map.of("Table", table, "Role", "recorder-role", "Recorder", function),
                Map.of("Table.StreamArn", streamArn)));
        EventSourceRuntime runtime = runtime(template, resolver, "Recorder", function, DeliveryFaults.NONE);

        assertThat(runtime.runUntilIdle(TIMEOUT)).isTrue();

        List<DynamodbEvent.DynamodbStreamRecord> records = RecordingDynamodbHandler.events(function).stream()
                .flatMap(event -> event.getRecords().stream()).toList();
        assertThat(records).extracting(DynamodbEvent.DynamodbStreamRecord::getEventName).containsExactly("INSERT", "MODIFY");
        DynamodbEvent.DynamodbStreamRecord insert = records.get(0);
        assertThat(insert.getEventSource()).isEqualTo("aws:dynamodb");
        assertThat(insert.getEventSourceARN()).isEqualTo(streamArn);
        assertThat(insert.getAwsRegion()).isEqualTo("us-east-1");
        assertThat(insert.getEventID()).isNotBlank();
        assertThat(insert.getDynamodb().getKeys().get("pk").getS()).isEqualTo("a");
        assertThat(insert.getDynamodb().getNewImage().get("n").getN()).isEqualTo("1");
        assertThat(insert.getDynamodb().getNewImage().get("m").getM().get("flag").getBOOL()).isTrue();
        assertThat(insert.getDynamodb().getNewImage().get("l").getL()).extracting(v -> v.getS() != null ? v.getS() : v.getN())
                .containsExactly("x", "2");
        assertThat(insert.getDynamodb().getNewImage().get("b").getB().array()).asString().isEqualTo("bytes");
        assertThat(insert.getDynamodb().getStreamViewType()).isEqualTo("NEW_IMAGE");
        assertThat(insert.getDynamodb().getSizeBytes()).isPositive();
        assertThat(insert.getDynamodb().getApproximateCreationDateTime().toInstant())
                .isBetween(arrivalLowerBound(beforePut), arrivalUpperBound(afterPut));
        assertThat(new java.math.BigInteger(records.get(1).getDynamodb().getSequenceNumber()))
                .isGreaterThan(new java.math.BigInteger(insert.getDynamodb().getSequenceNumber()));
    }

    @Test
    void a_record_delivered_twice_reaches_the_function_twice_and_nothing_else_is_delivered_again() {
        KinesisFixture fixture = kinesis("BatchSize: 4");
        fixture.put("r0", "r1", "r2", "r3", "r4", "r5");
        AtomicBoolean once = new AtomicBoolean();
        EventSourceRuntime runtime = fixture.runtime(batch -> once.compareAndSet(false, true)
                ? Delivery.duplicating(List.of(1)) : Delivery.normal());

        assertThat(runtime.runUntilIdle(TIMEOUT)).isTrue();

        assertThat(fixture.invocations()).containsExactly(List.of("r0", "r1", "r1", "r2", "r3"), List.of("r4", "r5"));
        assertThat(runtime.stats(fixture.mappingId).duplicatesInjected()).isEqualTo(1);
    }

    @Test
    void a_crash_before_the_checkpoint_delivers_the_whole_batch_again_from_the_stored_checkpoint() {
        KinesisFixture fixture = kinesis("BatchSize: 4");
        fixture.put("r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9");
        AtomicBoolean once = new AtomicBoolean();
        EventSourceRuntime runtime = fixture.runtime(batch -> batch.sequenceNumbers().size() == 4
                && batch.sequenceNumbers().get(0).equals(fixture.sequenceNumber("r4")) && once.compareAndSet(false, true)
                ? Delivery.crashingAfter(2) : Delivery.normal());

        assertThat(runtime.runUntilIdle(TIMEOUT)).isTrue();

        assertThat(fixture.invocations()).containsExactly(List.of("r0", "r1", "r2", "r3"), List.of("r4", "r5"),
                List.of("r4", "r5", "r6", "r7"), List.of("r8", "r9"));
        assertThat(runtime.stats(fixture.mappingId).crashesInjected()).isEqualTo(1);
        assertThat(fixture.checkpoint()).contains(fixture.sequenceNumber("r9"));
    }

    @Test
    void a_delayed_batch_is_delivered_late_and_in_order() {
        KinesisFixture fixture = kinesis("BatchSize: 2");
        fixture.put("r0", "r1", "r2");
        EventSourceRuntime runtime = fixture.runtime(batch -> Delivery.delayedBy(Duration.ofMinutes(1)));

        assertThat(runtime.runUntilIdle(TIMEOUT)).isTrue();

        assertThat(fixture.invocations()).containsExactly(List.of("r0", "r1"), List.of("r2"));
        assertThat(runtime.stats(fixture.mappingId).delaysInjected()).isEqualTo(2);
    }

    // ----------------------------------------------------------------------------------------
    // Failures
    // ----------------------------------------------------------------------------------------

    @Test
    void a_function_that_throws_on_one_record_has_it_isolated_by_bisection_retried_reported_and_skipped() throws IOException {
        KinesisFixture fixture = kinesis("""
                BatchSize: 10
                BisectBatchOnFunctionError: true
                MaximumRetryAttempts: 2
                DestinationConfig: {OnFailure: {Destination: !GetAtt Queue.Arn}}""");
        fixture.put("r0", "r1", "r2", "r3", "r4", "r5", "poison", "r7", "r8", "r9");
        fixture.script((records, invocation) -> {
            if (records.stream().anyMatch(r -> ScriptedKinesisHandler.data(r).equals("poison"))) {
                throw new IllegalStateException("cannot handle the poison record");
            }
            return new StreamsEventResponse();
        });
        EventSourceRuntime runtime = fixture.runtime(DeliveryFaults.NONE);

        assertThat(runtime.runUntilIdle(TIMEOUT)).isTrue();
        fixture.put("r10", "r11");
        assertThat(runtime.runUntilIdle(TIMEOUT)).isTrue();

        List<List<String>> invocations = fixture.invocations();
        assertThat(invocations).filteredOn(batch -> batch.contains("poison")).containsExactly(
                List.of("r0", "r1", "r2", "r3", "r4", "r5", "poison", "r7", "r8", "r9"),
                List.of("r5", "poison", "r7", "r8", "r9"),
                List.of("r5", "poison"),
                List.of("poison"), List.of("poison"), List.of("poison"));
        assertThat(invocations).filteredOn(batch -> !batch.contains("poison")).flatMap(batch -> batch)
                .as("every other record succeeds once, in order, the later batches too")
                .containsExactly("r0", "r1", "r2", "r3", "r4", "r5", "r7", "r8", "r9", "r10", "r11");
        MappingStats.Snapshot stats = runtime.stats(fixture.mappingId);
        assertThat(stats.bisections()).isEqualTo(3);
        assertThat(stats.functionErrors()).isEqualTo(6);
        assertThat(stats.recordsDiscarded()).isEqualTo(1);
        assertThat(fixture.checkpoint()).contains(fixture.sequenceNumber("r11"));

        JsonNode failure = fixture.onlyFailureRecord();
        assertThat(failure.path("requestContext").path("condition").asText()).isEqualTo("RetryAttemptsExhausted");
        assertThat(failure.path("requestContext").path("functionArn").asText()).isEqualTo(fixture.functionArn());
        assertThat(failure.path("requestContext").path("approximateInvokeCount").asInt()).isGreaterThanOrEqualTo(3);
        assertThat(failure.path("requestContext").path("requestId").asText()).isNotBlank();
        assertThat(failure.path("responseContext").path("functionError").asText()).isEqualTo("Unhandled");
        assertThat(failure.path("responseContext").path("statusCode").asInt()).isEqualTo(200);
        assertThat(failure.path("version").asText()).isEqualTo("1.0");
        assertThat(Instant.parse(failure.path("timestamp").asText())).isBeforeOrEqualTo(Instant.now());
        JsonNode batch = failure.path("KinesisBatchInfo");
        assertThat(batch.path("shardId").asText()).isEqualTo("shardId-000000000000");
        assertThat(batch.path("startSequenceNumber").asText()).isEqualTo(fixture.sequenceNumber("poison"));
        assertThat(batch.path("endSequenceNumber").asText()).isEqualTo(fixture.sequenceNumber("poison"));
        assertThat(batch.path("batchSize").asInt()).isEqualTo(1);
        assertThat(batch.path("streamArn").asText()).isEqualTo(fixture.streamArn);
        assertThat(Instant.parse(batch.path("approximateArrivalOfFirstRecord").asText())).isBeforeOrEqualTo(Instant.now());
    }

    @Test
    void a_batch_item_failure_in_the_middle_is_retried_from_that_record_and_the_records_before_it_are_not_redelivered() {
        KinesisFixture fixture = kinesis("""
                BatchSize: 10
                FunctionResponseTypes: [ReportBatchItemFailures]""");
        fixture.put("r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9");
        // Several failures: Lambda retries from the lowest sequence number.
        fixture.script((records, invocation) -> invocation == 1
                ? ScriptedKinesisHandler.failed(fixture.sequenceNumber("r7"), fixture.sequenceNumber("r4"))
                : new StreamsEventResponse(List.of()));
        EventSourceRuntime runtime = fixture.runtime(DeliveryFaults.NONE);

        assertThat(runtime.runUntilIdle(TIMEOUT)).isTrue();

        assertThat(fixture.invocations()).containsExactly(
                List.of("r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9"),
                List.of("r4", "r5", "r6", "r7", "r8", "r9"));
        assertThat(runtime.stats(fixture.mappingId).partialFailures()).isEqualTo(1);
        assertThat(fixture.checkpoint()).contains(fixture.sequenceNumber("r9"));
    }

    @Test
    void a_response_naming_an_unknown_or_empty_identifier_fails_the_whole_batch_and_an_empty_one_succeeds() {
        KinesisFixture fixture = kinesis("""
                BatchSize: 10
                FunctionResponseTypes: [ReportBatchItemFailures]""");
        fixture.put("r0", "r1", "r2");
        fixture.script((records, invocation) -> switch (invocation) {
            case 1 -> ScriptedKinesisHandler.failed("not-a-sequence-number");
            case 2 -> ScriptedKinesisHandler.failed("");
            default -> new StreamsEventResponse();
        });
        EventSourceRuntime runtime = fixture.runtime(DeliveryFaults.NONE);

        assertThat(runtime.runUntilIdle(TIMEOUT)).isTrue();

        assertThat(fixture.invocations()).containsExactly(List.of("r0", "r1", "r2"), List.of("r0", "r1", "r2"),
                List.of("r0", "r1", "r2"));
        assertThat(runtime.stats(fixture.mappingId).invalidResponses()).isEqualTo(2);
    }

    @Test
    void without_report_batch_item_failures_the_response_is_ignored() {
        KinesisFixture fixture = kinesis("BatchSize: 10");
        fixture.put("r0", "r1");
        fixture.script((records, invocation) -> ScriptedKinesisHandler.failed(records.get(0).getKinesis().getSequenceNumber()));
        EventSourceRuntime runtime = fixture.runtime(DeliveryFaults.NONE);

        assertThat(runtime.runUntilIdle(TIMEOUT)).isTrue();

        assertThat(fixture.invocations()).containsExactly(List.of("r0", "r1"));
    }

    @Test
    void records_older_than_the_maximum_age_are_reported_and_skipped_without_invoking_the_function() throws IOException {
        KinesisFixture fixture = kinesis("""
                MaximumRecordAgeInSeconds: 60
                DestinationConfig: {OnFailure: {Destination: !GetAtt Queue.Arn}}""");
        fixture.put("old0", "old1");
        EventSourceRuntime runtime = fixture.runtime(DeliveryFaults.NONE);
        // The clock stands still while the runtime works, so the records' ages do not depend on
        // how long that takes: the old ones are two minutes old, the new one as old as its put.
        clock.freezeAt(Instant.now().plus(Duration.ofMinutes(2)));

        assertThat(runtime.runUntilIdle(TIMEOUT)).isTrue();
        fixture.put("new");
        clock.freezeAt(Instant.now());
        assertThat(runtime.runUntilIdle(TIMEOUT)).isTrue();

        assertThat(fixture.invocations()).containsExactly(List.of("new"));
        JsonNode failure = fixture.onlyFailureRecord();
        assertThat(failure.path("requestContext").path("condition").asText()).isEqualTo("RecordAgeExceeded");
        assertThat(failure.path("requestContext").path("approximateInvokeCount").asInt()).isZero();
        assertThat(failure.has("responseContext")).as("never invoked").isFalse();
        assertThat(failure.path("KinesisBatchInfo").path("batchSize").asInt()).isEqualTo(2);
        assertThat(failure.path("KinesisBatchInfo").path("startSequenceNumber").asText())
                .isEqualTo(fixture.sequenceNumber("old0"));
    }

    @Test
    void with_unlimited_retries_a_failing_batch_is_never_skipped() throws IOException {
        KinesisFixture fixture = kinesis("""
                BisectBatchOnFunctionError: true
                MaximumRetryAttempts: -1
                MaximumRecordAgeInSeconds: -1""");
        fixture.put("r0", "stuck", "r2");
        fixture.script((records, invocation) -> {
            if (records.stream().anyMatch(r -> ScriptedKinesisHandler.data(r).equals("stuck"))) {
                throw new IllegalStateException("stuck");
            }
            return null;
        });
        EventSourceRuntime runtime = fixture.runtime(DeliveryFaults.NONE);
        // Bisection isolates "stuck" after r0 succeeds; then it is retried alone. Far more retries
        // than the tests' other mappings allow show it is never given up on. Stopping on that count,
        // not after a time, makes the outcome the same however slow the machine is.
        int retriesSeen = 20;

        assertThat(runtime.runUntilIdle(TIMEOUT, () -> fixture.invocations().stream()
                .filter(List.of("stuck")::equals).count() >= retriesSeen)).as("still retrying").isFalse();

        assertThat(fixture.invocations()).filteredOn(List.of("stuck")::equals).hasSize(retriesSeen);
        assertThat(fixture.invocations()).filteredOn(batch -> !batch.contains("stuck")).containsExactly(List.of("r0"));
        assertThat(fixture.checkpoint()).contains(fixture.sequenceNumber("r0"));
        assertThat(runtime.stats(fixture.mappingId).recordsDiscarded()).isZero();
    }

    // ----------------------------------------------------------------------------------------
    // Checkpoints and starting positions
    // ----------------------------------------------------------------------------------------

    @Test
    void a_runtime_restarted_mid_stream_resumes_from_its_checkpoints_and_loses_nothing() {
        KinesisFixture fixture = kinesis("BatchSize: 3");
        fixture.put("r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10", "r11");
        EventSourceRuntime first = fixture.runtime(DeliveryFaults.NONE);

        assertThat(first.runUntilIdle(TIMEOUT, () -> fixture.invocations().size() == 2)).as("stopped mid-stream").isFalse();
        first.close();
        fixture.put("r12", "r13");
        EventSourceRuntime second = fixture.runtime(DeliveryFaults.NONE);
        assertThat(second.runUntilIdle(TIMEOUT)).isTrue();

        assertThat(fixture.invocations()).containsExactly(List.of("r0", "r1", "r2"), List.of("r3", "r4", "r5"),
                List.of("r6", "r7", "r8"), List.of("r9", "r10", "r11"), List.of("r12", "r13"));
        assertThat(fixture.checkpoint()).contains(fixture.sequenceNumber("r13"));
    }

    @Test
    void a_runtime_that_crashed_mid_batch_and_restarts_delivers_that_batch_again_and_loses_nothing() {
        KinesisFixture fixture = kinesis("BatchSize: 3");
        fixture.put("r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8");
        // The second batch crashes after the function got one record; the process then stops.
        EventSourceRuntime first = fixture.runtime(batch -> batch.sequenceNumbers().get(0)
                .equals(fixture.sequenceNumber("r3")) ? Delivery.crashingAfter(1) : Delivery.normal());
        assertThat(first.runUntilIdle(TIMEOUT, () -> fixture.invocations().size() == 2)).isFalse();
        first.close();

        EventSourceRuntime second = fixture.runtime(DeliveryFaults.NONE);
        assertThat(second.runUntilIdle(TIMEOUT)).isTrue();

        List<String> delivered = fixture.invocations().stream().flatMap(List::stream).toList();
        assertThat(delivered).as("each at least once, in order").containsSubsequence(
                "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8");
        assertThat(delivered).as("only the crashed batch's record twice")
                .containsExactly("r0", "r1", "r2", "r3", "r3", "r4", "r5", "r6", "r7", "r8");
    }

    @Test
    void starting_at_latest_a_new_mapping_skips_what_was_there_before_its_first_poll() {
        KinesisFixture fixture = kinesis("StartingPosition: LATEST");
        fixture.put("before");
        EventSourceRuntime runtime = fixture.runtime(DeliveryFaults.NONE);
        assertThat(runtime.runUntilIdle(TIMEOUT)).isTrue();

        fixture.put("after");
        assertThat(runtime.runUntilIdle(TIMEOUT)).isTrue();

        assertThat(fixture.invocations()).containsExactly(List.of("after"));
    }

    @Test
    void polling_a_full_batch_reads_on_at_once_and_a_short_one_at_the_tip_waits_the_poll_interval() {
        KinesisFixture fixture = kinesis("BatchSize: 2");
        fixture.put("r0", "r1", "r2");
        EventSourceRuntime.Binding binding = fixture.bindings().get(0);
        ShardPoller poller = new ShardPoller(binding.spec(), new KinesisStreamSource(aws.kinesis(),
                binding.spec().sourceArn(), "us-east-1", binding.invokeIdentityArn()), "shardId-000000000000",
                binding.function(), checkpoints, java.util.Optional.empty(), clock, DeliveryFaults.NONE,
                new Backoff(Duration.ofMillis(1), Duration.ofMillis(10)), new MappingStats(), log::add, null);

        ShardPoller.Step full = poller.step(false);
        ShardPoller.Step shortAtTheTip = poller.step(false);

        assertThat(full).isInstanceOf(ShardPoller.Step.Worked.class);
        assertThat(shortAtTheTip).isInstanceOf(ShardPoller.Step.Idle.class);
        assertThat(fixture.invocations()).containsExactly(List.of("r0", "r1"), List.of("r2"));
        assertThat(fixture.checkpoint()).contains(fixture.sequenceNumber("r2"));
    }

    @Test
    void started_in_the_background_it_polls_every_shard_until_closed() {
        KinesisFixture fixture = kinesis("BatchSize: 2");
        EventSourceRuntime runtime = EventSourceRuntime.create(fixture.bindings(), aws, checkpoints, settings(DeliveryFaults.NONE)
                .withPollInterval(Duration.ofMillis(20))).start();
        toClose.add(runtime);

        fixture.put("r0", "r1", "r2");
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(20)).untilAsserted(() ->
                assertThat(fixture.invocations().stream().flatMap(List::stream)).containsExactly("r0", "r1", "r2"));
        runtime.close();

        assertThat(fixture.checkpoint()).contains(fixture.sequenceNumber("r2"));
    }

    // ----------------------------------------------------------------------------------------

    /**
     * The earliest arrival time the emulator can stamp on a record put after {@code beforePut}. Its
     * clock is this machine's, but DynamoDB Streams stamps whole seconds (and Kinesis milliseconds),
     * so the bound is the second {@code beforePut} falls in. Bounds taken around the put, rather than
     * a window around the assertion, hold however long the test took to get there.
     */
    private static Instant arrivalLowerBound(Instant beforePut) {
        return beforePut.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    }

    /** The latest: when the put was answered, plus a millisecond for the emulator's rounding. */
    private static Instant arrivalUpperBound(Instant afterPut) {
        return afterPut.plusMillis(1);
    }

    private EventSourceRuntime.Settings settings(DeliveryFaults faults) {
        return EventSourceRuntime.Settings.defaults().withClock(clock).withFaults(faults)
                .withRetryBackoff(new Backoff(Duration.ofMillis(1), Duration.ofMillis(10))).withLog(log::add);
    }

    private EventSourceRuntime runtime(Template template, Intrinsics.Resolver resolver, String functionId,
                                       String functionName, DeliveryFaults faults) {
        LocalFunction function = LocalFunction.load(template.function(functionId), functionName,
                "arn:aws:lambda:us-east-1:" + ACCOUNT + ":function:" + functionName);
        toClose.add(function);
        EventSourceRuntime runtime = EventSourceRuntime.create(
                EventSourceRuntime.bindings(template, resolver, Map.of(functionId, function), ACCOUNT), aws, checkpoints,
                settings(faults));
        toClose.add(runtime);
        return runtime;
    }

    private KinesisFixture kinesis(String mappingProperties) {
        return new KinesisFixture(FIXTURES.incrementAndGet(), mappingProperties);
    }

    /** A stream with one shard, a queue, and a mapping from the stream to a scripted function. */
    private final class KinesisFixture {
        final String stream;
        final String streamArn;
        final String queueUrl;
        final String function;
        final String mappingId = "Mapping";
        final Template template;
        final Intrinsics.Resolver resolver;
        final Map<String, String> sequenceNumbers = new java.util.concurrent.ConcurrentHashMap<>();
        private LocalFunction loaded;

        KinesisFixture(int n, String mappingProperties) {
            stream = names.stream("stream-" + n);
            aws.kinesis().createStream(r -> r.streamName(stream).shardCount(1));
            aws.kinesis().waiter().waitUntilStreamExists(r -> r.streamName(stream));
            streamArn = aws.kinesis().describeStreamSummary(r -> r.streamName(stream)).streamDescriptionSummary().streamARN();
            queueUrl = aws.sqs().createQueue(r -> r.queueName(names.queue("failures-" + n))).queueUrl();
            String queueArn = aws.sqs().getQueueAttributes(r -> r.queueUrl(queueUrl)
                    .attributeNames(QueueAttributeName.QUEUE_ARN)).attributes().get(QueueAttributeName.QUEUE_ARN);
            function = names.prefix() + "consumer-" + n;
            String properties = mappingProperties.lines().map(line -> "      " + line)
                    .reduce("", (a, b) -> a + b + "\n");
            if (!mappingProperties.contains("StartingPosition")) {
                properties = "      StartingPosition: TRIM_HORIZON\n" + properties;
            }
            template = Template.parse("""
                    Resources:
                      Stream: {Type: AWS::Kinesis::Stream}
                      Queue: {Type: AWS::SQS::Queue}
                      Role: {Type: AWS::IAM::Role}
                      Consumer:
                        Type: AWS::Lambda::Function
                        Properties:
                          Handler: dev.ledger.infra.local.streams.ScriptedKinesisHandler::handleRequest
                          Role: !GetAtt Role.Arn
                      Mapping:
                        Type: AWS::Lambda::EventSourceMapping
                        Properties:
                          EventSourceArn: !GetAtt Stream.Arn
                          FunctionName: !Ref Consumer
                    """ + properties);
            resolver = template.resolver(new Template.StackFacts(Map.of(), "test", "us-east-1", ACCOUNT,
                    Map.of("Stream", stream, "Queue", queueUrl, "Role", "consumer-role", "Consumer", function),
                    Map.of("Stream.Arn", streamArn, "Queue.Arn", queueArn)));
            ScriptedKinesisHandler.script(function, (records, invocation) -> new StreamsEventResponse());
        }

        void script(ScriptedKinesisHandler.Script script) {
            ScriptedKinesisHandler.script(function, script);
        }

        /** Puts records (one partition key, so in this order) and returns their sequence numbers. */
        List<String> put(String... data) {
            List<String> put = new ArrayList<>();
            for (String text : data) {
                String sequenceNumber = aws.kinesis().putRecord(r -> r.streamName(stream).partitionKey("key")
                        .data(SdkBytes.fromUtf8String(text))).sequenceNumber();
                sequenceNumbers.put(text, sequenceNumber);
                put.add(sequenceNumber);
            }
            return put;
        }

        String sequenceNumber(String data) {
            return sequenceNumbers.get(data);
        }

        String functionArn() {
            return "arn:aws:lambda:us-east-1:" + ACCOUNT + ":function:" + function;
        }

        List<EventSourceRuntime.Binding> bindings() {
            if (loaded == null) {
                loaded = LocalFunction.load(template.function("Consumer"), function, functionArn());
                toClose.add(loaded);
            }
            return EventSourceRuntime.bindings(template, resolver, Map.of("Consumer", loaded), ACCOUNT);
        }

        EventSourceRuntime runtime(DeliveryFaults faults) {
            EventSourceRuntime runtime = EventSourceRuntime.create(bindings(), aws, checkpoints, settings(faults));
            toClose.add(runtime);
            return runtime;
        }

        List<List<String>> invocations() {
            return ScriptedKinesisHandler.invocations(function);
        }

        java.util.Optional<String> checkpoint() {
            return checkpoints.read(mappingId, streamArn, "shardId-000000000000").sequenceNumber();
        }

        JsonNode onlyFailureRecord() throws IOException {
            List<Message> messages = aws.sqs().receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10)
                    .waitTimeSeconds(0)).messages();
            assertThat(messages).hasSize(1);
            return JSON.readTree(messages.get(0).body());
        }
    }
}
