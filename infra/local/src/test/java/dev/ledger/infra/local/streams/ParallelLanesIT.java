package dev.ledger.infra.local.streams;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent.KinesisEventRecord;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import dev.ledger.infra.Intrinsics;
import dev.ledger.infra.Template;
import dev.ledger.infra.local.LocalFunction;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.StreamMode;

/**
 * A mapping with a ParallelizationFactor above 1, as the template sets it for the projections: a
 * shard's batch runs in lanes by partition key, the lanes at once, each key in order, and the
 * checkpoint never passes a record a lane still has to do. Against the emulator's real Kinesis,
 * driven step by step ({@link EventSourceRuntime#runUntilIdle}); concurrency is shown by two
 * invocations meeting at a latch, never by timing.
 */
@ExtendWith(LocalAwsExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ParallelLanesIT {

    private static final String ACCOUNT = "123456789012";
    /** A hang guard, not a time budget (see EventSourceRuntimeIT). */
    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final Pattern LANE = Pattern.compile(" (shardId-\\d+) lane-(\\d+)$");
    private static final AtomicInteger FIXTURES = new AtomicInteger();

    private final TestClock clock = new TestClock();
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private AwsClients aws;
    private TestNames names;
    private CheckpointStore checkpoints;

    @BeforeAll
    void checkpointTable(AwsClients aws, TestNames names) {
        this.aws = aws;
        this.names = names;
        checkpoints = new CheckpointStore(aws.dynamoDb(), CheckpointStore.tableFor(names.stack("lanes")), clock)
                .ensureTable();
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable closeable : toClose) {
            closeable.close();
        }
        toClose.clear();
        clock.reset();
    }

    @Test
    void an_on_demand_stream_is_read_shard_by_shard_each_key_in_order_while_a_batchs_lanes_run_at_once() {
        // given an on-demand stream (moto 5.2.1 gives it 4 shards) and 40 accounts' events, interleaved
        Fixture fixture = new Fixture(StreamMode.ON_DEMAND);
        assertThat(fixture.shards()).as("moto's shards for an on-demand stream").hasSizeGreaterThan(1);
        fixture.putInterleaved(40, 3);
        // and a handler whose first invocation waits until a second one is running beside it
        CountDownLatch twoAtOnce = new CountDownLatch(2);
        fixture.script((records, invocation) -> {
            if (twoAtOnce.getCount() > 0) {
                twoAtOnce.countDown();
                awaitQuietly(twoAtOnce);
            }
            return new StreamsEventResponse();
        });

        // when the mapping (ParallelizationFactor 4, from the template's parameter) runs to the end
        EventSourceRuntime runtime = fixture.runtime(DeliveryFaults.NONE);
        assertThat(runtime.mappings()).singleElement().extracting(MappingSpec::parallelizationFactor).isEqualTo(4);
        assertThat(runtime.runUntilIdle(TIMEOUT)).isTrue();

        // then two invocations were in flight at once, on different lanes
        assertThat(twoAtOnce.getCount()).as("a second invocation started while the first ran").isZero();
        assertThat(fixture.lanesUsed()).as("shard and lane of each invocation").hasSizeGreaterThan(1)
                .allSatisfy(lane -> assertThat(Integer.parseInt(lane.substring(lane.indexOf("lane-") + 5)))
                        .isBetween(0, 3));
        // and each account's events reached the function once, in order, always in the same lane
        assertThat(fixture.seenByKey()).hasSize(40).allSatisfy((key, seen) ->
                assertThat(seen).as(key).containsExactly(key + ":0", key + ":1", key + ":2"));
        assertThat(fixture.lanesByKey()).allSatisfy((key, lanes) -> assertThat(lanes).as(key).hasSize(1));
        // and every shard was polled and checkpointed to its last record
        for (Shard shard : fixture.shards()) {
            assertThat(fixture.checkpoint(shard.shardId())).as(shard.shardId())
                    .contains(fixture.lastSequenceNumber(shard.shardId()));
        }
        assertThat(fixture.shardsSeen()).containsExactlyInAnyOrderElementsOf(fixture.shardsWithRecords());
    }

    @Test
    void a_failing_lane_holds_the_checkpoint_back_while_the_other_lanes_go_on() {
        // given one shard with 12 accounts' events, and a handler failing one account's first
        // event until told otherwise (reporting it, as the projections do)
        Fixture fixture = new Fixture(StreamMode.PROVISIONED);
        fixture.putInterleaved(12, 3);
        String poisoned = "k5:0";
        AtomicBoolean healed = new AtomicBoolean();
        AtomicInteger poisonedAttempts = new AtomicInteger();
        fixture.script((records, invocation) -> {
            for (KinesisEventRecord record : records) {
                if (ScriptedKinesisHandler.data(record).equals(poisoned) && !healed.get()) {
                    poisonedAttempts.incrementAndGet();
                    return ScriptedKinesisHandler.failed(record.getKinesis().getSequenceNumber());
                }
            }
            return new StreamsEventResponse();
        });
        EventSourceRuntime runtime = fixture.runtime(DeliveryFaults.NONE);

        // when it runs until the poisoned event has failed three times
        assertThat(runtime.runUntilIdle(TIMEOUT, () -> poisonedAttempts.get() >= 3)).isFalse();

        // then the other accounts' events were all handled, once each
        List<String> otherLanes = fixture.seenByKey().keySet().stream()
                .filter(key -> !fixture.sharesLaneWith(key, "k5")).toList();
        assertThat(otherLanes).as("accounts in the other lanes").isNotEmpty();
        for (String key : otherLanes) {
            assertThat(fixture.seenByKey().get(key)).as(key).containsExactly(key + ":0", key + ":1", key + ":2");
        }
        // but the checkpoint stays before the poisoned event, which comes first in the shard's batch
        // among the events not yet done
        Optional<String> held = fixture.checkpoint(fixture.onlyShard());
        String poisonedSequence = fixture.sequenceNumber(poisoned);
        held.ifPresent(sequence -> assertThat(StreamRecord.compareSequenceNumbers(sequence, poisonedSequence))
                .isNegative());

        // when the account's problem passes
        healed.set(true);
        assertThat(runtime.runUntilIdle(TIMEOUT)).isTrue();

        // then its events went through in order (after the retried one, those behind it in its lane
        // may come again: at least once), and the checkpoint reached the end of the shard
        assertThat(firstOccurrences(fixture.seenByKey().get("k5"))).containsExactly("k5:0", "k5:1", "k5:2");
        assertThat(fixture.checkpoint(fixture.onlyShard())).contains(fixture.lastSequenceNumber(fixture.onlyShard()));
        assertThat(runtime.stats(fixture.mappingId).partialFailures()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void redelivery_crashes_and_duplicates_keep_every_keys_first_deliveries_in_order() {
        // given two shards, 30 accounts' events, and a runtime that duplicates, delays and crashes
        Fixture fixture = new Fixture(StreamMode.PROVISIONED, 2);
        fixture.putInterleaved(30, 4);
        EventSourceRuntime runtime = fixture.runtime(new RandomDeliveryFaults(13, 0.3, 0.25, 0.1,
                Duration.ofMillis(30)));

        // when it runs to the end
        assertThat(runtime.runUntilIdle(TIMEOUT)).isTrue();

        // then every account's events were delivered, each first delivery after the one before it:
        // a consumer that applies only the next version ends with all of them, in order
        assertThat(fixture.seenByKey()).hasSize(30).allSatisfy((key, seen) ->
                assertThat(firstOccurrences(seen)).as(key).containsExactly(key + ":0", key + ":1", key + ":2", key + ":3"));
        assertThat(runtime.stats(fixture.mappingId).crashesInjected()).as("the faults happened").isPositive();
        for (Shard shard : fixture.shards()) {
            assertThat(fixture.checkpoint(shard.shardId())).contains(fixture.lastSequenceNumber(shard.shardId()));
        }
    }

    private static List<String> firstOccurrences(List<String> seen) {
        return List.copyOf(new LinkedHashSet<>(seen));
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            // A hang guard, shorter than the runtime's: a runtime that invokes one lane after
            // another never lets this through, and the test then fails on the latch's count.
            latch.await(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A stream, a mapping from it with ParallelizationFactor 4 (a template parameter), a scripted function. */
    private final class Fixture {
        final String stream;
        final String streamArn;
        final String function;
        final String mappingId = "Mapping";
        final Template template;
        final Intrinsics.Resolver resolver;
        final Map<String, String> sequenceNumbers = new ConcurrentHashMap<>();
        final Map<String, String> shardOf = new ConcurrentHashMap<>();
        /** Each invocation: the thread it ran on, and its records' data. */
        final List<Map.Entry<String, List<String>>> invocations = Collections.synchronizedList(new ArrayList<>());

        Fixture(StreamMode mode) {
            this(mode, 1);
        }

        Fixture(StreamMode mode, int provisionedShards) {
            int n = FIXTURES.incrementAndGet();
            stream = names.stream("lanes-" + n);
            if (mode == StreamMode.ON_DEMAND) {
                aws.kinesis().createStream(r -> r.streamName(stream).streamModeDetails(m -> m.streamMode(mode)));
            } else {
                aws.kinesis().createStream(r -> r.streamName(stream).shardCount(provisionedShards));
            }
            aws.kinesis().waiter().waitUntilStreamExists(r -> r.streamName(stream));
            streamArn = aws.kinesis().describeStreamSummary(r -> r.streamName(stream)).streamDescriptionSummary()
                    .streamARN();
            function = names.prefix() + "lanes-consumer-" + n;
            template = Template.parse("""
                    Parameters:
                      Parallelization: {Type: Number, Default: 4, MinValue: 1, MaxValue: 10}
                    Resources:
                      Stream: {Type: AWS::Kinesis::Stream}
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
                          StartingPosition: TRIM_HORIZON
                          BatchSize: 100
                          ParallelizationFactor: !Ref Parallelization
                          BisectBatchOnFunctionError: true
                          FunctionResponseTypes: [ReportBatchItemFailures]
                    """);
            resolver = template.resolver(new Template.StackFacts(Map.of(), "test", "us-east-1", ACCOUNT,
                    Map.of("Stream", stream, "Role", "consumer-role", "Consumer", function),
                    Map.of("Stream.Arn", streamArn)));
            script((records, invocation) -> new StreamsEventResponse());
        }

        /** What the function does; every invocation's thread and records are recorded first. */
        void script(ScriptedKinesisHandler.Script script) {
            ScriptedKinesisHandler.script(function, (records, invocation) -> {
                invocations.add(Map.entry(Thread.currentThread().getName(),
                        records.stream().map(ScriptedKinesisHandler::data).toList()));
                return script.handle(records, invocation);
            });
        }

        List<Shard> shards() {
            return aws.kinesis().listShards(r -> r.streamName(stream)).shards();
        }

        String onlyShard() {
            List<Shard> shards = shards();
            assertThat(shards).hasSize(1);
            return shards.get(0).shardId();
        }

        /** Events "k<i>:<version>" of {@code keys} accounts (partition key "k<i>"), version by version. */
        void putInterleaved(int keys, int versions) {
            for (int version = 0; version < versions; version++) {
                List<PutRecordsRequestEntry> entries = new ArrayList<>();
                List<String> data = new ArrayList<>();
                for (int key = 0; key < keys; key++) {
                    data.add("k" + key + ":" + version);
                    entries.add(PutRecordsRequestEntry.builder().partitionKey("k" + key)
                            .data(SdkBytes.fromUtf8String("k" + key + ":" + version)).build());
                }
                var response = aws.kinesis().putRecords(r -> r.streamName(stream).records(entries));
                assertThat(response.failedRecordCount()).isZero();
                for (int i = 0; i < data.size(); i++) {
                    sequenceNumbers.put(data.get(i), response.records().get(i).sequenceNumber());
                    shardOf.put(data.get(i), response.records().get(i).shardId());
                }
            }
        }

        String sequenceNumber(String data) {
            return sequenceNumbers.get(data);
        }

        String lastSequenceNumber(String shardId) {
            return shardOf.entrySet().stream().filter(e -> e.getValue().equals(shardId))
                    .map(e -> sequenceNumbers.get(e.getKey()))
                    .max(StreamRecord::compareSequenceNumbers).orElseThrow();
        }

        Set<String> shardsWithRecords() {
            return Set.copyOf(shardOf.values());
        }

        EventSourceRuntime runtime(DeliveryFaults faults) {
            LocalFunction loaded = LocalFunction.load(template.function("Consumer"), function,
                    "arn:aws:lambda:us-east-1:" + ACCOUNT + ":function:" + function);
            toClose.add(loaded);
            EventSourceRuntime runtime = EventSourceRuntime.create(
                    EventSourceRuntime.bindings(template, resolver, Map.of("Consumer", loaded), ACCOUNT), aws,
                    checkpoints, EventSourceRuntime.Settings.defaults()
                            .withMaxParallelization(MappingSpec.MAX_PARALLELIZATION_FACTOR)
                            .withClock(clock).withFaults(faults)
                            .withRetryBackoff(new Backoff(Duration.ofMillis(1), Duration.ofMillis(10)))
                            .withLog(log::add));
            toClose.add(runtime);
            return runtime;
        }

        Optional<String> checkpoint(String shardId) {
            return checkpoints.read(mappingId, streamArn, shardId).sequenceNumber();
        }

        /** Per key, the data of its records in the order the function got them. */
        Map<String, List<String>> seenByKey() {
            Map<String, List<String>> seen = new LinkedHashMap<>();
            for (Map.Entry<String, List<String>> invocation : List.copyOf(invocations)) {
                for (String data : invocation.getValue()) {
                    seen.computeIfAbsent(data.substring(0, data.indexOf(':')), k -> new ArrayList<>()).add(data);
                }
            }
            return seen;
        }

        /** Per key, the "shard lane" names of the invocations that got its records. */
        Map<String, Set<String>> lanesByKey() {
            Map<String, Set<String>> lanes = new LinkedHashMap<>();
            for (Map.Entry<String, List<String>> invocation : List.copyOf(invocations)) {
                String lane = lane(invocation.getKey());
                for (String data : invocation.getValue()) {
                    lanes.computeIfAbsent(data.substring(0, data.indexOf(':')), k -> new LinkedHashSet<>()).add(lane);
                }
            }
            return lanes;
        }

        Set<String> lanesUsed() {
            Set<String> used = new LinkedHashSet<>();
            lanesByKey().values().forEach(used::addAll);
            return used;
        }

        Set<String> shardsSeen() {
            Set<String> shards = new LinkedHashSet<>();
            lanesUsed().forEach(lane -> shards.add(lane.substring(0, lane.indexOf(' '))));
            return shards;
        }

        boolean sharesLaneWith(String key, String other) {
            return lanesByKey().get(key).stream().anyMatch(lanesByKey().get(other)::contains);
        }

        /** "shardId-000000000001 lane-2", read from the name the runtime gives a lane's thread. */
        private String lane(String threadName) {
            Matcher matcher = LANE.matcher(threadName);
            assertThat(matcher.find()).as("a lane thread: " + threadName).isTrue();
            return matcher.group(1) + " lane-" + matcher.group(2);
        }
    }
}
