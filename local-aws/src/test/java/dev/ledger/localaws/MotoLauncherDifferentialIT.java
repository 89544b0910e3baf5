package dev.ledger.localaws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.localaws.DynamoDbWorkload.Answer;
import dev.ledger.localaws.DynamoDbWorkload.Failure;
import dev.ledger.localaws.DynamoDbWorkload.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsResponse;

/**
 * The launcher's fixes must change speed only. Plain moto and the launcher each get their own
 * server; the same recorded requests go to both, and every answer must be equal: responses
 * field by field, errors by exception, HTTP status, error code, message and cancellation reasons.
 * At checkpoints the full contents of every table and every DynamoDB stream must be equal too.
 *
 * <p>What is normalised, because it legitimately differs between two servers:
 * <ul>
 *   <li>request ids: never compared (errors are compared without the SDK's message, which embeds one);</li>
 *   <li>stream records: {@code eventID} (a random UUID per record), {@code ApproximateCreationDateTime}
 *       (the wall clock) and {@code SizeBytes} (moto computes it from a JSON dump of the record that
 *       includes that timestamp, so its digit count varies). Sequence numbers are compared: moto
 *       counts them per shard, they embed no time;</li>
 *   <li>table descriptions: {@code CreationDateTime}, and {@code LatestStreamLabel} /
 *       {@code LatestStreamArn}, which are the creation time. Each side reads its stream through its own ARN.</li>
 * </ul>
 */
class MotoLauncherDifferentialIT {

    private static final long SEED = 20_261_127L;
    private static final int RANDOM_STEPS = 450;
    private static final int CHECKPOINT_EVERY = 150;

    private static MotoServer plainServer;
    private static MotoServer launcherServer;
    private static AwsClients plain;
    private static AwsClients launcher;

    @BeforeAll
    static void startPlainMotoAndTheLauncher() {
        plainServer = MotoServer.startPlain();
        launcherServer = MotoServer.start();
        plain = AwsClients.forEndpoint(plainServer.endpoint());
        launcher = AwsClients.forEndpoint(launcherServer.endpoint());
    }

    @AfterAll
    static void stopBoth() {
        for (AutoCloseable resource : new AutoCloseable[] {plain, launcher, plainServer, launcherServer}) {
            try {
                if (resource != null) {
                    resource.close();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void the_launcher_answers_a_recorded_workload_exactly_as_plain_moto_does() {
        for (CreateTableRequest table : DynamoDbWorkload.tables()) {
            plain.dynamoDb().createTable(table);
            launcher.dynamoDb().createTable(table);
        }
        List<Step> steps = DynamoDbWorkload.generate(SEED, RANDOM_STEPS);
        Coverage coverage = new Coverage();

        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            Object expected = step.replay().apply(plain.dynamoDb());
            Object actual = step.replay().apply(launcher.dynamoDb());

            assertThat(actual).as("step %d: %s %s", i, step.kind(), step.request()).isEqualTo(expected);
            coverage.count(step, expected);
            if ((i + 1) % CHECKPOINT_EVERY == 0) {
                coverage.streamRecords = assertSameTablesAndStreams("after step " + i);
            }
        }
        coverage.streamRecords = assertSameTablesAndStreams("at the end");
        assertSameTableDescriptions();

        coverage.assertTheWorkloadExercisedWhatTheFixesTouch();
    }

    /** Returns how many stream records were compared. */
    private static int assertSameTablesAndStreams(String when) {
        int records = 0;
        for (CreateTableRequest table : DynamoDbWorkload.tables()) {
            String name = table.tableName();
            assertThat(scanAll(launcher, name)).as("items of %s %s", name, when).isEqualTo(scanAll(plain, name));
            List<Record> expected = streamRecords(plain, name);
            assertThat(streamRecords(launcher, name)).as("stream of %s %s", name, when).isEqualTo(expected);
            records += expected.size();
        }
        return records;
    }

    private static void assertSameTableDescriptions() {
        for (CreateTableRequest table : DynamoDbWorkload.tables()) {
            assertThat(comparable(describe(launcher, table.tableName())))
                    .isEqualTo(comparable(describe(plain, table.tableName())));
        }
    }

    private static List<Map<String, AttributeValue>> scanAll(AwsClients aws, String table) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            ScanResponse page = aws.dynamoDb().scan(s -> s.tableName(table).limit(100).exclusiveStartKey(from));
            items.addAll(page.items());
            start = page.lastEvaluatedKey().isEmpty() ? null : page.lastEvaluatedKey();
        } while (start != null);
        return items;
    }

    /** Every record of every shard of the table's stream, from the oldest, normalised. */
    private static List<Record> streamRecords(AwsClients aws, String table) {
        String streamArn = describe(aws, table).latestStreamArn();
        List<Record> records = new ArrayList<>();
        for (Shard shard : aws.dynamoDbStreams().describeStream(d -> d.streamArn(streamArn)).streamDescription().shards()) {
            String iterator = aws.dynamoDbStreams().getShardIterator(g -> g.streamArn(streamArn).shardId(shard.shardId())
                    .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
            for (int batch = 0; batch < 1_000 && iterator != null; batch++) {
                String current = iterator;
                var response = aws.dynamoDbStreams().getRecords(g -> g.shardIterator(current));
                if (response.records().isEmpty()) {
                    break;
                }
                response.records().forEach(r -> records.add(comparable(r)));
                iterator = response.nextShardIterator();
            }
        }
        return records;
    }

    private static Record comparable(Record record) {
        return record.toBuilder()
                .eventID(null)
                .dynamodb(record.dynamodb().toBuilder().approximateCreationDateTime(null).sizeBytes(null).build())
                .build();
    }

    private static TableDescription comparable(TableDescription table) {
        return table.toBuilder().creationDateTime(null).latestStreamLabel(null).latestStreamArn(null).build();
    }

    private static TableDescription describe(AwsClients aws, String table) {
        return aws.dynamoDb().describeTable(d -> d.tableName(table)).table();
    }

    /**
     * Equal answers prove little if the workload never reached the interesting paths: this counts,
     * on plain moto's answers, what was exercised, and asserts a floor for each.
     */
    private static final class Coverage {
        private final Map<String, Integer> counts = new TreeMap<>();
        private int streamRecords;

        void count(Step step, Object outcome) {
            if (outcome instanceof List<?> pages) {
                bump("Query");
                bump("requests", pages.size());
                if (pages.size() > 1) {
                    bump("Query with several pages");
                }
                if (pages.get(0) instanceof Answer first && ((QueryResponse) first.response()).count() == 0) {
                    bump("Query finding nothing");
                }
                return;
            }
            bump("requests");
            if (outcome instanceof Failure failure) {
                bump(step.kind() + " -> " + failure.code());
                if (failure.reasons().stream().anyMatch(r -> r.item() != null && !r.item().isEmpty())) {
                    bump("cancellation reasons with the old item");
                }
            } else if (outcome instanceof Answer answer && answer.response() instanceof TransactWriteItemsResponse) {
                bump("TransactWriteItems committed");
            }
        }

        void assertTheWorkloadExercisedWhatTheFixesTouch() {
            System.out.println("Differential workload (seed " + SEED + "): " + counts + ", stream records compared: " + streamRecords);
            assertThat(counts.getOrDefault("requests", 0)).isGreaterThanOrEqualTo(500);
            assertThat(counts.getOrDefault("PutItem -> ConditionalCheckFailedException", 0)).isGreaterThanOrEqualTo(5);
            assertThat(counts.getOrDefault("TransactWriteItems committed", 0)).isGreaterThanOrEqualTo(20);
            assertThat(counts.getOrDefault("TransactWriteItems -> TransactionCanceledException", 0)).isGreaterThanOrEqualTo(20);
            assertThat(counts.getOrDefault("TransactWriteItems -> ValidationException", 0)).isGreaterThanOrEqualTo(5);
            assertThat(counts.getOrDefault("cancellation reasons with the old item", 0)).isGreaterThanOrEqualTo(3);
            assertThat(counts.getOrDefault("Query with several pages", 0)).isGreaterThanOrEqualTo(10);
            assertThat(counts.getOrDefault("Query finding nothing", 0)).isGreaterThanOrEqualTo(5);
            assertThat(streamRecords).isGreaterThanOrEqualTo(150);
        }

        private void bump(String what) {
            bump(what, 1);
        }

        private void bump(String what, int by) {
            counts.merge(what, by, Integer::sum);
        }
    }
}
