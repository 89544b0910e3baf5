package dev.ledger.localaws.bench;

import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.MotoServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * What the launcher's journal costs: conditional PutItem per second (new keys, {@code
 * attribute_not_exists}, into a table with a NEW_IMAGE stream, as the ledger's event log) through
 * the launcher in memory, with the journal, and with the journal fsynced per write; the three in
 * turn, twice, each on a fresh server, from {@value #CLIENTS} client threads. Then how fast a
 * journal replays: the journaled server of the last round is stopped and started again on its
 * data directory, timed until it answers.
 *
 * <p>Not a test: {@code mvn -q -pl local-aws test-compile exec:java
 * -Dexec.mainClass=dev.ledger.localaws.bench.MotoJournalBenchmark}. Prints a markdown table.
 */
public final class MotoJournalBenchmark {

    private static final int CLIENTS = 4;
    private static final int ROUNDS = 2;
    private static final int WARM_UP = 200;
    private static final Duration MEASURE = Duration.ofSeconds(15);
    private static final String TABLE = "events";

    enum Mode { IN_MEMORY, JOURNAL, JOURNAL_FSYNC }

    record Result(Mode mode, int round, long puts, Duration elapsed) {
        double perSecond() {
            return puts / (elapsed.toNanos() / 1e9);
        }
    }

    public static void main(String[] args) throws Exception {
        List<Result> results = new ArrayList<>();
        Path lastJournal = null;
        for (int round = 1; round <= ROUNDS; round++) {
            for (Mode mode : Mode.values()) {
                Path data = mode == Mode.IN_MEMORY ? null : Files.createTempDirectory("moto-journal-bench");
                results.add(measure(mode, round, data));
                if (mode == Mode.JOURNAL) {
                    lastJournal = data;
                }
            }
        }
        System.out.println("| mode | round | conditional PutItem/s | puts | seconds |");
        System.out.println("|---|---:|---:|---:|---:|");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "| %s | %d | %.0f | %d | %.1f |%n", label(r.mode()), r.round(), r.perSecond(),
                    r.puts(), r.elapsed().toNanos() / 1e9);
        }
        for (Mode mode : Mode.values()) {
            double mean = results.stream().filter(r -> r.mode() == mode).mapToDouble(Result::perSecond).average().orElse(0);
            System.out.printf(Locale.ROOT, "mean %s: %.0f/s%n", label(mode), mean);
        }
        long entries = lines(lastJournal.resolve("journal.jsonl"));
        long start = System.nanoTime();
        try (MotoServer restarted = MotoServer.startPersistent(lastJournal, false);
                AwsClients aws = AwsClients.forEndpoint(restarted.endpoint())) {
            double seconds = (System.nanoTime() - start) / 1e9;
            long items = aws.dynamoDb().describeTable(r -> r.tableName(TABLE)).table().itemCount();
            System.out.printf(Locale.ROOT, "restart on the journal of %,d entries (%,d items): answered after %.1f s"
                    + " (%.0f entries/s, start-up included)%n", entries, items, seconds, entries / seconds);
        }
        System.out.println("Machine: " + Runtime.getRuntime().availableProcessors() + " cores; load average: "
                + Files.readString(Path.of("/proc/loadavg")).strip());
    }

    private static String label(Mode mode) {
        return switch (mode) {
            case IN_MEMORY -> "launcher, in memory";
            case JOURNAL -> "launcher + journal (write before answer)";
            case JOURNAL_FSYNC -> "launcher + journal + fsync per write";
        };
    }

    private static Result measure(Mode mode, int round, Path data) throws InterruptedException {
        System.err.printf(Locale.ROOT, "%s, round %d%n", label(mode), round);
        try (MotoServer server = switch (mode) {
            case IN_MEMORY -> MotoServer.start();
            case JOURNAL -> MotoServer.startPersistent(data, true, MotoServer.Durability.PROCESS_KILL);
            case JOURNAL_FSYNC -> MotoServer.startPersistent(data, true, MotoServer.Durability.POWER_LOSS);
        }; AwsClients aws = AwsClients.forEndpoint(server.endpoint())) {
            DynamoDbClient dynamo = aws.dynamoDb();
            dynamo.createTable(c -> c.tableName(TABLE).billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(AttributeDefinition.builder().attributeName("pk").attributeType(ScalarAttributeType.S).build())
                    .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build())
                    .streamSpecification(s -> s.streamEnabled(true).streamViewType(StreamViewType.NEW_IMAGE)));
            for (int i = 0; i < WARM_UP; i++) {
                put(dynamo, "warm-up-" + i);
            }
            AtomicInteger next = new AtomicInteger();
            AtomicLong puts = new AtomicLong();
            long start = System.nanoTime();
            long deadline = start + MEASURE.toNanos();
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                Thread client = new Thread(() -> {
                    while (System.nanoTime() < deadline) {
                        put(dynamo, "event-" + next.getAndIncrement());
                        puts.incrementAndGet();
                    }
                });
                client.start();
                clients.add(client);
            }
            for (Thread client : clients) {
                client.join();
            }
            Result result = new Result(mode, round, puts.get(), Duration.ofNanos(System.nanoTime() - start));
            System.err.printf(Locale.ROOT, "  %.0f/s%n", result.perSecond());
            return result;
        }
    }

    private static void put(DynamoDbClient dynamo, String key) {
        dynamo.putItem(r -> r.tableName(TABLE).conditionExpression("attribute_not_exists(pk)").item(Map.of(
                "pk", AttributeValue.fromS(key), "version", AttributeValue.fromN("1"),
                "payload", AttributeValue.fromS("{\"type\":\"TransferPosted\",\"amountMinor\":12345,\"currency\":\"EUR\"}"))));
    }

    private static long lines(Path file) {
        try (var lines = Files.lines(file)) {
            return lines.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
