package dev.ledger.benchmarks.metering;

import dev.ledger.store.ItemSize;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;

/**
 * Counts the DynamoDB request units every successful call of a client would be billed on demand,
 * computed from the items it sends and receives (the emulator reports no consumed capacity): a
 * write is 1 unit per started KB of each item, twice that inside a transaction; a read is 1 unit
 * per started 4 KB strongly consistent, half eventually consistent; a Query or Scan page is billed
 * on the total size of the items it returns. Add it to a client with
 * {@code overrideConfiguration(c -> c.addExecutionInterceptor(meter))}.
 */
public final class RequestUnitMeter implements ExecutionInterceptor {

    private final DoubleAdder readUnits = new DoubleAdder();
    private final DoubleAdder writeUnits = new DoubleAdder();
    private final Map<String, DoubleAdder> byOperation = new ConcurrentHashMap<>();
    private final LongAdder itemsWritten = new LongAdder();
    private final LongAccumulator largestItemWritten = new LongAccumulator(Math::max, 0);
    private final LongAdder requests = new LongAdder();

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        requests.increment();
        Object request = context.request();
        Object response = context.response();
        if (request instanceof PutItemRequest put) {
            write("PutItem", kilobytes(written(put.item())));
        } else if (request instanceof TransactWriteItemsRequest transaction) {
            double units = 0;
            for (TransactWriteItem item : transaction.transactItems()) {
                if (item.put() != null) {
                    units += 2 * kilobytes(written(item.put().item()));
                } else if (item.update() != null || item.delete() != null || item.conditionCheck() != null) {
                    itemsWritten.increment();
                    units += 2;
                }
            }
            write("TransactWriteItems", units);
        } else if (request instanceof BatchWriteItemRequest batch) {
            double units = batch.requestItems().values().stream().flatMap(List::stream)
                    .mapToDouble(w -> {
                        if (w.putRequest() == null) {
                            itemsWritten.increment();
                            return 1;
                        }
                        return kilobytes(written(w.putRequest().item()));
                    })
                    .sum();
            write("BatchWriteItem", units);
        } else if (request instanceof GetItemRequest get && response instanceof GetItemResponse got) {
            long size = got.hasItem() ? ItemSize.of(got.item()) : 0;
            read("GetItem", fourKilobytes(size) * (Boolean.TRUE.equals(get.consistentRead()) ? 1 : 0.5));
        } else if (request instanceof BatchGetItemRequest batch && response instanceof BatchGetItemResponse got) {
            // Billed per item returned, as GetItem (an absent item still costs its minimum unit).
            double units = 0;
            for (Map.Entry<String, KeysAndAttributes> asked : batch.requestItems().entrySet()) {
                double share = Boolean.TRUE.equals(asked.getValue().consistentRead()) ? 1 : 0.5;
                List<Map<String, AttributeValue>> items = got.responses().getOrDefault(asked.getKey(), List.of());
                for (Map<String, AttributeValue> item : items) {
                    units += fourKilobytes(ItemSize.of(item)) * share;
                }
                units += (asked.getValue().keys().size() - items.size()) * share;
            }
            read("BatchGetItem", units);
        } else if (request instanceof QueryRequest query && response instanceof QueryResponse page) {
            long size = page.items().stream().mapToLong(ItemSize::of).sum();
            read("Query", fourKilobytes(size) * (Boolean.TRUE.equals(query.consistentRead()) ? 1 : 0.5));
        } else if (request instanceof ScanRequest scan && response instanceof ScanResponse page) {
            long size = page.items().stream().mapToLong(ItemSize::of).sum();
            read("Scan", fourKilobytes(size) * (Boolean.TRUE.equals(scan.consistentRead()) ? 1 : 0.5));
        }
    }

    public double readUnits() {
        return readUnits.sum();
    }

    public double writeUnits() {
        return writeUnits.sum();
    }

    /** Units per operation name, reads and writes together. */
    public Map<String, Double> byOperation() {
        Map<String, Double> snapshot = new TreeMap<>();
        byOperation.forEach((operation, units) -> snapshot.put(operation, units.sum()));
        return snapshot;
    }

    /** Items put, updated, deleted or condition-checked by the writes counted (a BatchWriteItem's too). */
    public long itemsWritten() {
        return itemsWritten.sum();
    }

    /** The billed size in bytes of the largest item put by the writes counted; 0 if none. */
    public long largestItemWritten() {
        return largestItemWritten.get();
    }

    /** DynamoDB calls that succeeded: round trips. */
    public long requests() {
        return requests.sum();
    }

    public void reset() {
        requests.reset();
        readUnits.reset();
        writeUnits.reset();
        byOperation.clear();
        itemsWritten.reset();
        largestItemWritten.reset();
    }

    private long written(Map<String, AttributeValue> item) {
        long size = ItemSize.of(item);
        itemsWritten.increment();
        largestItemWritten.accumulate(size);
        return size;
    }

    private void read(String operation, double units) {
        readUnits.add(units);
        byOperation.computeIfAbsent(operation, o -> new DoubleAdder()).add(units);
    }

    private void write(String operation, double units) {
        writeUnits.add(units);
        byOperation.computeIfAbsent(operation, o -> new DoubleAdder()).add(units);
    }

    private static double kilobytes(long bytes) {
        return Math.max(1, Math.ceil(bytes / 1024.0));
    }

    private static double fourKilobytes(long bytes) {
        return Math.max(1, Math.ceil(bytes / 4096.0));
    }
}
