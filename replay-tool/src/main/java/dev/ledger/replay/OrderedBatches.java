package dev.ledger.replay;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Gathers projection items from many streams into batches of {@value ItemBatches#MAX_ITEMS} and
 * writes them in the order they were gathered: on one writer thread of its own, so that whoever
 * folds (a Scan segment) goes on reading while a batch is on its way, or on the caller. One key's later item always
 * lands after its earlier one: a batch holds a key once (the latest item), and batches are written
 * one after another. At most {@value #QUEUED} batches wait, so memory stays bounded.
 *
 * <p>Only for a table nobody else writes (see {@link ItemBatches}).
 */
final class OrderedBatches {

    /** Batches waiting for the writer: enough to ride out one slow call, few enough to stay small. */
    static final int QUEUED = 4;

    private final ItemBatches writer;
    private final ExecutorService lane;
    private final Semaphore room = new Semaphore(QUEUED);
    private final Map<String, Map<String, AttributeValue>> buffer = new LinkedHashMap<>();
    private volatile RuntimeException failed;

    private OrderedBatches(ItemBatches writer, ExecutorService lane) {
        this.writer = writer;
        this.lane = lane;
    }

    /** Written by a thread of its own, named {@code name}, while the caller goes on. */
    static OrderedBatches onWriterThread(ItemBatches writer, String name) {
        return new OrderedBatches(writer, Executors.newSingleThreadExecutor(EventLog.daemon(name)));
    }

    /** Written by the caller, when a batch fills and at {@link #finish}. */
    static OrderedBatches onCaller(ItemBatches writer) {
        return new OrderedBatches(writer, null);
    }

    /**
     * Adds one event's items (an item replaces a gathered one with the same key); writes the batch
     * first if they might not fit in it.
     */
    void add(List<Map<String, AttributeValue>> items) {
        if (buffer.size() + items.size() > ItemBatches.MAX_ITEMS) {
            flush();
        }
        items.forEach(item -> buffer.put(ItemBatches.key(item), item));
    }

    /** Hands the gathered items to the writer (waiting while {@value #QUEUED} batches wait already). */
    void flush() {
        rethrowFailure();
        if (buffer.isEmpty()) {
            return;
        }
        List<Map<String, AttributeValue>> batch = List.copyOf(buffer.values());
        buffer.clear();
        if (lane == null) {
            writer.write(batch);
            return;
        }
        try {
            room.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the writer", e);
        }
        lane.execute(() -> {
            try {
                if (failed == null) {
                    writer.write(batch);
                }
            } catch (RuntimeException e) {
                failed = e;
            } finally {
                room.release();
            }
        });
    }

    /** Writes what is gathered and waits until every batch is written; throws the writer's failure. */
    void finish() {
        flush();
        if (lane == null) {
            return;
        }
        lane.shutdown();
        try {
            while (!lane.awaitTermination(1, TimeUnit.MINUTES)) {
                // a throttled table can take a while; the writer either finishes or fails
            }
        } catch (InterruptedException e) {
            lane.shutdownNow();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the last batches were written", e);
        }
        rethrowFailure();
    }

    /** Stops writing: the fold failed, and what is waiting is not worth writing. */
    void abandon() {
        if (lane != null) {
            lane.shutdownNow();
        }
    }

    private void rethrowFailure() {
        RuntimeException failure = failed;
        if (failure != null) {
            throw new IllegalStateException("writing the projection failed: " + failure.getMessage(), failure);
        }
    }
}
