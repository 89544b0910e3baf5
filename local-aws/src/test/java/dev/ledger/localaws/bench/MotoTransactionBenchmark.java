package dev.ledger.localaws.bench;

import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.MotoServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * TransactWriteItems per second, plain moto against the launcher, at two table sizes: each
 * transaction puts two new items (a transfer's two legs) into one table that has a stream, as the
 * ledger's journal does. One client thread, requests one after another, a fresh server per
 * measurement.
 *
 * <p>Not a test: run it with {@code mvn -q -pl local-aws test-compile exec:java} from the repository
 * root. Prints a markdown table (the results in local-aws/BENCHMARK.md come from it).
 */
public final class MotoTransactionBenchmark {

    private static final int[] TABLE_SIZES = {1_000, 20_000};
    private static final int BATCH_SIZE = 25; // BatchWriteItem's maximum
    private static final String TABLE = "journal";

    /** Warm up (JIT of the client, moto's caches), then measure until either limit is reached (at least one transaction). */
    record Budget(int warmUpTransactions, int maxTransactions, Duration maxTime) {
        static Budget forRun(MotoServer.Variant variant, int tableSize) {
            if (variant == MotoServer.Variant.LAUNCHER) {
                return new Budget(100, 2_000, Duration.ofSeconds(10));
            }
            // Plain moto deep-copies the table (and its stream) on every transaction, and keeps the
            // copies: at 20,000 items each transaction takes seconds and adds over 100 MB to the
            // process, so measure a small fixed number there.
            return tableSize >= 20_000 ? new Budget(3, 10, Duration.ofMinutes(3)) : new Budget(3, 200, Duration.ofSeconds(30));
        }
    }

    record Measurement(MotoServer.Variant variant, int tableSize, Budget budget, int transactions, Duration elapsed,
                       Duration preload, OptionalLong rssBeforeKb, OptionalLong rssAfterKb) {
        double perSecond() {
            return transactions / (elapsed.toNanos() / 1e9);
        }

        String cell() {
            return String.format(Locale.ROOT, perSecond() < 10 ? "%.2f (%d txns in %.1f s%s)" : "%.0f (%d txns in %.1f s%s)",
                    perSecond(), transactions,
                    elapsed.toNanos() / 1e9, transactions >= budget.maxTransactions() ? ", capped" : "");
        }

        String memoryCell() {
            if (rssBeforeKb.isEmpty() || rssAfterKb.isEmpty()) {
                return "n/a";
            }
            return String.format(Locale.ROOT, "%d -> %d MB", rssBeforeKb.getAsLong() / 1024, rssAfterKb.getAsLong() / 1024);
        }
    }

    public static void main(String[] args) {
        String loadBefore = loadAverage();
        List<Measurement[]> rows = new ArrayList<>();
        for (int tableSize : TABLE_SIZES) {
            Measurement plain = measure(MotoServer.Variant.PLAIN, tableSize);
            Measurement launcher = measure(MotoServer.Variant.LAUNCHER, tableSize);
            rows.add(new Measurement[] {plain, launcher});
        }
        printTable(rows);
        System.out.println("Machine: " + Runtime.getRuntime().availableProcessors() + " cores; load average (1, 5, 15 min) before: "
                + loadBefore + ", after: " + loadAverage() + ". Other work on the machine moves these numbers.");
    }

    private static Measurement measure(MotoServer.Variant variant, int tableSize) {
        Budget budget = Budget.forRun(variant, tableSize);
        System.err.printf(Locale.ROOT, "%s moto, %,d items: starting%n", variant, tableSize);
        try (MotoServer server = MotoServer.start(variant); AwsClients aws = AwsClients.forEndpoint(server.endpoint())) {
            DynamoDbClient dynamoDb = aws.dynamoDb();
            createTable(dynamoDb);
            long preloadStart = System.nanoTime();
            preload(dynamoDb, tableSize);
            Duration preload = Duration.ofNanos(System.nanoTime() - preloadStart);

            for (int i = 0; i < budget.warmUpTransactions(); i++) {
                transfer(dynamoDb, "warm-up-" + i);
            }
            OptionalLong rssBefore = residentSetKb(server.pid());
            long start = System.nanoTime();
            long deadline = start + budget.maxTime().toNanos();
            int transactions = 0;
            while (transactions < budget.maxTransactions() && (transactions == 0 || System.nanoTime() < deadline)) {
                transfer(dynamoDb, "transfer-" + transactions);
                transactions++;
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            Measurement measurement = new Measurement(variant, tableSize, budget, transactions, elapsed, preload,
                    rssBefore, residentSetKb(server.pid()));
            System.err.printf(Locale.ROOT, "%s moto, %,d items: %s, preload %.1f s%n", variant, tableSize,
                    measurement.cell(), preload.toNanos() / 1e9);
            return measurement;
        }
    }

    private static void createTable(DynamoDbClient dynamoDb) {
        dynamoDb.createTable(c -> c.tableName(TABLE).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                        attribute("pk", ScalarAttributeType.S),
                        attribute("sk", ScalarAttributeType.S))
                .keySchema(keyElement("pk", KeyType.HASH), keyElement("sk", KeyType.RANGE))
                .streamSpecification(s -> s.streamEnabled(true).streamViewType(StreamViewType.NEW_IMAGE)));
    }

    /** {@code count} journal entries over 1,000 accounts, 25 per BatchWriteItem. */
    private static void preload(DynamoDbClient dynamoDb, int count) {
        for (int first = 0; first < count; first += BATCH_SIZE) {
            List<WriteRequest> writes = new ArrayList<>();
            for (int i = first; i < Math.min(count, first + BATCH_SIZE); i++) {
                Map<String, AttributeValue> item = entry(String.format(Locale.ROOT, "acct-%04d", i % 1_000),
                        String.format(Locale.ROOT, "v%06d", i / 1_000), "preload-" + i, i % 2 == 0 ? "-10.00" : "10.00");
                writes.add(WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build());
            }
            BatchWriteItemResponse response = dynamoDb.batchWriteItem(b -> b.requestItems(Map.of(TABLE, writes)));
            if (!response.unprocessedItems().isEmpty()) {
                throw new IllegalStateException("moto left items unprocessed: " + response.unprocessedItems());
            }
        }
    }

    /** Two new items in one transaction, each guarded the way the journal guards an append. */
    private static void transfer(DynamoDbClient dynamoDb, String transferId) {
        dynamoDb.transactWriteItems(t -> t.transactItems(
                leg(entry("from-" + transferId, "v000001", transferId, "-25.00")),
                leg(entry("to-" + transferId, "v000001", transferId, "25.00"))));
    }

    private static TransactWriteItem leg(Map<String, AttributeValue> item) {
        return TransactWriteItem.builder()
                .put(Put.builder().tableName(TABLE).item(item).conditionExpression("attribute_not_exists(pk)").build())
                .build();
    }

    private static Map<String, AttributeValue> entry(String account, String version, String transferId, String amount) {
        return Map.of(
                "pk", AttributeValue.fromS(account),
                "sk", AttributeValue.fromS(version),
                "transferId", AttributeValue.fromS(transferId),
                "amount", AttributeValue.fromN(amount),
                "currency", AttributeValue.fromS("EUR"),
                "recordedAt", AttributeValue.fromS("2026-11-27T10:15:30Z"));
    }

    /** The process's resident memory from /proc (Linux only). */
    private static OptionalLong residentSetKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return OptionalLong.of(Long.parseLong(line.replaceAll("[^0-9]", "")));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux, or the process is gone: report n/a
        }
        return OptionalLong.empty();
    }

    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException | ArrayIndexOutOfBoundsException e) {
            return "n/a";
        }
    }

    private static void printTable(List<Measurement[]> rows) {
        System.out.println("| table size | plain moto: txn/s | launcher: txn/s | speed-up | plain moto RSS during the run | launcher RSS during the run |");
        System.out.println("|---:|---:|---:|---:|---:|---:|");
        for (Measurement[] row : rows) {
            Measurement plain = row[0];
            Measurement launcher = row[1];
            System.out.printf(Locale.ROOT, "| %,d | %s | %s | %.0fx | %s | %s |%n", plain.tableSize(), plain.cell(),
                    launcher.cell(), launcher.perSecond() / plain.perSecond(), plain.memoryCell(), launcher.memoryCell());
        }
        System.out.println();
        System.out.println("Each transaction: TransactWriteItems with 2 Puts of new items (attribute_not_exists(pk)) into one");
        System.out.println("table with a NEW_IMAGE stream, preloaded with BatchWriteItem (so the table grows by 2 items per");
        System.out.println("transaction during a run); one client thread; warm-up transactions not counted: "
                + Budget.forRun(MotoServer.Variant.LAUNCHER, 0).warmUpTransactions() + " on the launcher, "
                + Budget.forRun(MotoServer.Variant.PLAIN, 0).warmUpTransactions() + " on plain moto.");
        System.out.println("Budget per cell: the launcher runs up to " + Budget.forRun(MotoServer.Variant.LAUNCHER, 0).maxTransactions()
                + " transactions or " + Budget.forRun(MotoServer.Variant.LAUNCHER, 0).maxTime().toSeconds() + " s; plain moto up to "
                + Budget.forRun(MotoServer.Variant.PLAIN, 1_000).maxTransactions() + " transactions or "
                + Budget.forRun(MotoServer.Variant.PLAIN, 1_000).maxTime().toSeconds() + " s at 1,000 items, and only "
                + Budget.forRun(MotoServer.Variant.PLAIN, 20_000).maxTransactions()
                + " transactions at 20,000 items (each takes seconds and grows the process), whichever comes first.");
    }

    private MotoTransactionBenchmark() {}

    private static AttributeDefinition attribute(String name, ScalarAttributeType type) {
        return AttributeDefinition.builder().attributeName(name).attributeType(type).build();
    }

    private static KeySchemaElement keyElement(String name, KeyType type) {
        return KeySchemaElement.builder().attributeName(name).keyType(type).build();
    }
}
