package dev.ledger.replay;

import dev.ledger.domain.api.AccountShards;
import dev.ledger.domain.api.StreamId;
import dev.ledger.store.DynamoEventStore;
import dev.ledger.store.EventsTable;
import dev.ledger.store.StateCodec;
import dev.ledger.store.StoredEvent;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/**
 * The replay tool's reads of the events table: a parallel Scan that finds the streams' heads
 * ({@code sk = 0}, a few attributes each), then each stream read in version order with a Query on
 * its own partition ({@link DynamoEventStore#readStream}). Memory holds a page per worker, never the
 * log. (A whole-projection rebuild reads the events from the Scan itself: {@link StreamRuns}.)
 */
final class EventLog {

    /** A stream's head as the scan returns it: where the stream says it stands. */
    record HeadRef(StreamId stream, long version, String hash) {
    }

    private final DynamoDbClient dynamo;
    private final DynamoEventStore store;

    EventLog(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.store = new DynamoEventStore(dynamo, table);
    }

    DynamoEventStore store() {
        return store;
    }

    Iterator<StoredEvent> events(StreamId stream) {
        return store.readStream(stream, 1);
    }

    /**
     * The streams of an account as its head says it stands: its own, then each shard k >= 1 of a sharded
     * account (issue 13); just its own if the log does not have it (the caller reports that).
     */
    List<StreamId> accountStreams(String accountId) {
        StreamId own = StreamId.account(accountId);
        int shards = AccountShards.shardOf(accountId) != 0 ? 1 : store.readHead(own)
                .map(head -> StateCodec.decodeAccount(head.state()).shardCount()).orElse(1);
        List<StreamId> streams = new ArrayList<>();
        streams.add(own);
        AccountShards.otherShards(accountId, shards).forEach(shard -> streams.add(StreamId.account(shard)));
        return streams;
    }

    /** Approximate number of items (DynamoDB updates it every few hours): for ETAs only. */
    long approximateItems() {
        Long count = dynamo.describeTable(r -> r.tableName(store.table())).table().itemCount();
        return count == null ? 0 : count;
    }

    /**
     * Calls {@code sink} for every head, from {@code segments} threads at once (a parallel Scan with
     * a filter on {@code sk = 0}); returns when all segments are done.
     */
    void forEachHead(int segments, Consumer<HeadRef> sink) {
        ExecutorService scanners = Executors.newFixedThreadPool(segments, daemon("scan"));
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int segment = 0; segment < segments; segment++) {
                int s = segment;
                done.add(scanners.submit(() -> scanSegment(s, segments, sink)));
            }
            await(done);
        } finally {
            scanners.shutdownNow();
        }
    }

    private void scanSegment(int segment, int segments, Consumer<HeadRef> sink) {
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            ScanResponse page = dynamo.scan(r -> r.tableName(store.table()).segment(segment).totalSegments(segments)
                    .filterExpression("#sk = :head")
                    .projectionExpression("#pk, #sk, #v, #h")
                    .expressionAttributeNames(Map.of("#pk", EventsTable.PK, "#sk", EventsTable.SK,
                            "#v", EventsTable.VERSION, "#h", EventsTable.HASH))
                    .expressionAttributeValues(Map.of(":head", AttributeValue.fromN("0")))
                    .exclusiveStartKey(from));
            for (Map<String, AttributeValue> item : page.items()) {
                sink.accept(new HeadRef(EventsTable.streamOf(item.get(EventsTable.PK).s()),
                        Long.parseLong(item.get(EventsTable.VERSION).n()), item.get(EventsTable.HASH).s()));
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
    }

    /**
     * A pool whose queue is bounded: when workers fall behind, the submitting (scanning) thread runs
     * the task itself, so the number of streams waiting in memory stays bounded.
     */
    static ExecutorService boundedPool(int threads, String name) {
        return new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(threads * 4), daemon(name), new ThreadPoolExecutor.CallerRunsPolicy());
    }

    static void await(List<? extends Future<?>> futures) {
        for (Future<?> future : futures) {
            try {
                future.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException runtime) {
                    throw runtime;
                }
                throw new IllegalStateException(cause);
            }
        }
    }

    static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread thread = new Thread(r, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
