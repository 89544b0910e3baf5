package dev.ledger.benchmarks.capacity;

import static dev.ledger.store.EventsTable.HEAD_SK;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/**
 * Measures, from one thread, the two DynamoDB requests a command makes, on the stack's own events
 * table: a consistent GetItem of a head (the funding account's, a real item) and a TransactWriteItems
 * of a transfer's six items (a new transfer stream and two probe accounts, with the ledger's
 * conditions and items of the ledger's sizes). The samples feed the model's emulator mode.
 */
final class EmulatorProbe {

    private static final String HASH = "0".repeat(64);

    /**
     * Measured latencies (milliseconds, one thread) and saturated rates (requests/s, {@code threads}
     * threads at once, each transaction on its own streams so none conflicts).
     */
    record Measured(double[] getItemMs, double[] transactWriteMs, int threads, double getItemsPerSecond,
                    double transactionsPerSecond) {

        /** The part of a request's latency the emulator's one server is busy with it: (1 / rate) / mean latency. */
        double[] serverShare() {
            return new double[] {share(getItemsPerSecond, getItemMs), share(transactionsPerSecond, transactWriteMs)};
        }

        private static double share(double rate, double[] latencies) {
            double mean = Arrays.stream(latencies).average().orElseThrow();
            return Math.min(1, 1000.0 / rate / mean);
        }
    }

    private final DynamoDbClient dynamo;
    private final String table;
    private final String suffix;
    private final Map<String, Long> versions = new HashMap<>();
    private int transfers;

    EmulatorProbe(DynamoDbClient dynamo, String table) {
        this(dynamo, table, "");
    }

    private EmulatorProbe(DynamoDbClient dynamo, String table, String suffix) {
        this.dynamo = dynamo;
        this.table = table;
        this.suffix = suffix;
    }

    /**
     * @param headStream a stream whose head exists (read by the GetItems), e.g. {@code account:bank}
     */
    Measured measure(String headStream, int warmup, int gets, int transactions, int threads) throws Exception {
        for (int i = 0; i < warmup; i++) {
            getHead(headStream);
            transfer();
        }
        double[] getMs = new double[gets];
        for (int i = 0; i < gets; i++) {
            long started = System.nanoTime();
            getHead(headStream);
            getMs[i] = (System.nanoTime() - started) / 1e6;
        }
        double[] transactMs = new double[transactions];
        for (int i = 0; i < transactions; i++) {
            List<TransactWriteItem> items = transferItems();
            long started = System.nanoTime();
            dynamo.transactWriteItems(r -> r.transactItems(items));
            transactMs[i] = (System.nanoTime() - started) / 1e6;
        }
        double getRate = saturated(threads, gets / threads, probe -> probe.getHead(headStream));
        double transactRate = saturated(threads, transactions / threads, EmulatorProbe::transfer);
        return new Measured(getMs, transactMs, threads, getRate, transactRate);
    }

    /** Requests per second with {@code threads} threads sending {@code each} requests back to back. */
    private double saturated(int threads, int each, Consumer<EmulatorProbe> request)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            long started = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                EmulatorProbe own = new EmulatorProbe(dynamo, table, suffix + "-t" + t);
                done.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        request.accept(own);
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            return threads * each / ((System.nanoTime() - started) / 1e9);
        } finally {
            pool.shutdownNow();
        }
    }

    private void getHead(String stream) {
        dynamo.getItem(r -> r.tableName(table).consistentRead(true).key(key(stream, HEAD_SK)));
    }

    private void transfer() {
        List<TransactWriteItem> items = transferItems();
        dynamo.transactWriteItems(r -> r.transactItems(items));
    }

    /** The six items of one transfer: each stream's next event and its head, conditioned on the version. */
    private List<TransactWriteItem> transferItems() {
        String transfer = "transfer:capacity-probe" + suffix + "-" + (++transfers);
        List<TransactWriteItem> items = new ArrayList<>();
        for (String stream : List.of(transfer, "account:capacity-probe-debit" + suffix,
                "account:capacity-probe-credit" + suffix)) {
            long version = versions.getOrDefault(stream, 0L);
            items.add(put(event(stream, version + 1), "attribute_not_exists(pk)", Map.of()));
            items.add(put(head(stream, version + 1), version == 0 ? "attribute_not_exists(pk)" : "version = :v",
                    version == 0 ? Map.of() : Map.of(":v", AttributeValue.fromN(Long.toString(version)))));
            versions.put(stream, version + 1);
        }
        return items;
    }

    private TransactWriteItem put(Map<String, AttributeValue> item, String condition, Map<String, AttributeValue> values) {
        Put.Builder put = Put.builder().tableName(table).item(item).conditionExpression(condition);
        if (!values.isEmpty()) {
            put.expressionAttributeValues(values);
        }
        return TransactWriteItem.builder().put(put.build()).build();
    }

    private static Map<String, AttributeValue> key(String stream, long sk) {
        Map<String, AttributeValue> key = new HashMap<>();
        key.put("pk", AttributeValue.fromS(stream));
        key.put("sk", AttributeValue.fromN(Long.toString(sk)));
        return key;
    }

    private static Map<String, AttributeValue> event(String stream, long version) {
        Map<String, AttributeValue> item = key(stream, version);
        item.put("type", AttributeValue.fromS("EntryPosted"));
        item.put("schemaVersion", AttributeValue.fromN("1"));
        item.put("recordedAt", AttributeValue.fromS("2026-11-29T05:00:00.123456Z"));
        item.put("transferId", AttributeValue.fromS("capacity-probe-transfer"));
        item.put("correlationId", AttributeValue.fromS("00000000-0000-0000-0000-000000000000"));
        item.put("data", AttributeValue.fromS("{\"accountId\":\"c1\",\"amount\":\"1.00\",\"counterpartyAccountId\":"
                + "\"bank\",\"currency\":\"EUR\",\"side\":\"CREDIT\",\"transferId\":\"capacity-probe-transfer\"}"));
        item.put("hash", AttributeValue.fromS(HASH));
        return item;
    }

    private static Map<String, AttributeValue> head(String stream, long version) {
        Map<String, AttributeValue> item = key(stream, HEAD_SK);
        item.put("version", AttributeValue.fromN(Long.toString(version)));
        item.put("hash", AttributeValue.fromS(HASH));
        item.put("state", AttributeValue.fromS("{\"accountId\":\"c1\",\"creditsPending\":0,\"creditsPosted\":100,"
                + "\"currency\":\"EUR\",\"debitsPending\":0,\"debitsPosted\":0,\"overdraftLimit\":0,"
                + "\"status\":\"OPEN\"}"));
        item.put("createdAt", AttributeValue.fromS("2026-11-29T05:00:00.123456Z"));
        return item;
    }
}
