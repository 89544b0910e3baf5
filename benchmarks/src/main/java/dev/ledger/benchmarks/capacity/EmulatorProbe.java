package dev.ledger.benchmarks.capacity;

import dev.ledger.benchmarks.RawTransferItems;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/**
 * Measures, from one thread, the two DynamoDB requests a command makes, on the stack's own events
 * table: a consistent GetItem of a head (the funding account's, a real item) and a TransactWriteItems
 * of a transfer's six items (a new transfer stream and two probe accounts, with the ledger's
 * conditions and items of the ledger's sizes: {@link RawTransferItems}). The samples feed the model's
 * emulator mode.
 */
final class EmulatorProbe {

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
    private final RawTransferItems items;
    private int transfers;

    EmulatorProbe(DynamoDbClient dynamo, String table) {
        this(dynamo, table, "");
    }

    private EmulatorProbe(DynamoDbClient dynamo, String table, String suffix) {
        this.dynamo = dynamo;
        this.table = table;
        this.suffix = suffix;
        this.items = new RawTransferItems(table);
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
        dynamo.getItem(r -> r.tableName(table).consistentRead(true).key(RawTransferItems.headKey(stream)));
    }

    private void transfer() {
        List<TransactWriteItem> items = transferItems();
        dynamo.transactWriteItems(r -> r.transactItems(items));
    }

    /** The six items of one transfer on this probe's own streams, each conditioned on its version. */
    private List<TransactWriteItem> transferItems() {
        return items.transfer("transfer:capacity-probe" + suffix + "-" + (++transfers),
                "account:capacity-probe-debit" + suffix, "account:capacity-probe-credit" + suffix);
    }
}
