package dev.ledger.replay;

import dev.ledger.domain.api.StreamId;
import dev.ledger.store.EventsTable;
import dev.ledger.store.HashChainCursor;
import dev.ledger.store.StoredEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntFunction;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/**
 * Folds every stream of some kinds straight from a parallel Scan of the events table: no Query per
 * stream, so a log of many short streams (a transfer holds one event or three) reads at the Scan's
 * own rate. Memory holds a page per segment and one open stream per segment, never the log.
 *
 * <p>It leans on how DynamoDB (and moto) lay a table out, but never trusts it. A segment is a
 * range of partition keys, and the Scan returns one partition's items together, in sort-key order:
 * a stream's head ({@code sk = 0}) and then its events 1, 2, 3..., a <i>run</i> that may straddle
 * pages but not segments. Each run is checked as it is folded: it must open with the head, each
 * event must be the next version and chain from the one before ({@link HashChainCursor}), and it
 * must reach the head's version. A run that does not hold to that (an event out of place, or fewer
 * events than the head says) is finished by a Query of the stream from the first version it lacks,
 * as the rebuild read every stream before; if the log does not have a version up to the head, the
 * rebuild stops. Items of a partition met before its head are skipped: the stream is folded from
 * where its head is met (every stream has a head, written with its first event).
 *
 * <p>A stream appended to while the Scan passes is folded as far as the Scan (or the Query that
 * finishes it) read, at least up to the head the Scan met, as a Query-per-stream rebuild did: the
 * projection's consumers, or the catch-up around a swap, carry it on from there.
 */
final class StreamRuns {

    /** What folds the streams of one segment. */
    interface SegmentFolds {
        StreamFold open(StreamId stream);

        /** Every stream of the segment is folded: write what waits. */
        void finish();

        /** The fold failed: drop what waits. */
        void abandon();
    }

    record Totals(long streams, long events) {
    }

    private final DynamoDbClient dynamo;
    private final EventLog log;
    private final int segments;

    StreamRuns(DynamoDbClient dynamo, EventLog log, int segments) {
        this.dynamo = dynamo;
        this.log = log;
        this.segments = segments;
    }

    /**
     * Folds every stream of {@code types}, {@code segments} Scan segments at once, each with the
     * folds {@code folds} gives for it; returns when all are folded, or throws the first failure.
     */
    Totals fold(Set<StreamId.StreamType> types, IntFunction<SegmentFolds> folds, RebuildLock lock,
                Rebuilder.Listener listener) {
        ExecutorService scanners = Executors.newFixedThreadPool(segments, EventLog.daemon("rebuild-scan"));
        CompletionService<Totals> done = new ExecutorCompletionService<>(scanners);
        try {
            for (int segment = 0; segment < segments; segment++) {
                int s = segment;
                done.submit(() -> new Segment(s, types, folds.apply(s), lock, listener).fold());
            }
            long streams = 0;
            long events = 0;
            for (int finished = 0; finished < segments; finished++) {
                Totals segment = done.take().get(); // the first failure, as soon as it happens
                streams += segment.streams();
                events += segment.events();
            }
            listener.allFound();
            return new Totals(streams, events);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            scanners.shutdownNow(); // the other segments stop at their next page
        }
    }

    /** One segment's Scan, its runs folded as they come. */
    private final class Segment {
        private final int segment;
        private final Set<StreamId.StreamType> types;
        private final SegmentFolds folds;
        private final RebuildLock lock;
        private final Rebuilder.Listener listener;
        private String runKey;
        private Run run;
        private long streams;
        private long events;

        Segment(int segment, Set<StreamId.StreamType> types, SegmentFolds folds, RebuildLock lock,
                Rebuilder.Listener listener) {
            this.segment = segment;
            this.types = types;
            this.folds = folds;
            this.lock = lock;
            this.listener = listener;
        }

        Totals fold() {
            try {
                Map<String, AttributeValue> start = null;
                do {
                    if (Thread.currentThread().isInterrupted()) {
                        throw new IllegalStateException("stopped: another segment of the rebuild failed");
                    }
                    ScanResponse page = dynamo.scan(scanFrom(start));
                    page.items().forEach(this::take);
                    start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty()
                            ? page.lastEvaluatedKey() : null;
                } while (start != null);
                closeRun();
                folds.finish();
                return new Totals(streams, events);
            } catch (RuntimeException e) {
                folds.abandon();
                throw e;
            }
        }

        /**
         * The segment's next page: only the streams of {@code types} (a filter on the key's prefix,
         * which spares the transfer and the parsing of the others; DynamoDB still reads them).
         */
        private ScanRequest scanFrom(Map<String, AttributeValue> start) {
            List<String> prefixes = new ArrayList<>();
            Map<String, AttributeValue> values = new HashMap<>();
            for (StreamId.StreamType type : types) {
                String name = ":p" + values.size();
                values.put(name, AttributeValue.fromS(EventsTable.pk(new StreamId(type, ""))));
                prefixes.add("begins_with(#pk, " + name + ")");
            }
            return ScanRequest.builder().tableName(log.store().table())
                    .segment(segment).totalSegments(segments).filterExpression(String.join(" OR ", prefixes))
                    .expressionAttributeNames(Map.of("#pk", EventsTable.PK)).expressionAttributeValues(values)
                    .exclusiveStartKey(start).build();
        }

        private void take(Map<String, AttributeValue> item) {
            String key = item.get(EventsTable.PK).s();
            long sk = Long.parseLong(item.get(EventsTable.SK).n());
            if (key.equals(runKey)) {
                if (run != null) {
                    run.take(item, sk);
                }
                return;
            }
            closeRun();
            runKey = key;
            if (sk == EventsTable.HEAD_SK) {
                StreamId stream = EventsTable.streamOf(key);
                long head = Long.parseLong(item.get(EventsTable.VERSION).n());
                listener.found(head);
                run = new Run(stream, head, folds.open(stream));
                streams++;
            }
        }

        private void closeRun() {
            if (run != null) {
                run.close();
                run = null;
            }
        }

        /** One stream's run of the Scan, folded as it comes. */
        private final class Run {
            private final StreamId stream;
            private final long head;
            private final StreamFold fold;
            private final HashChainCursor chain = HashChainCursor.fromGenesis();
            private boolean finishByQuery;

            Run(StreamId stream, long head, StreamFold fold) {
                this.stream = stream;
                this.head = head;
                this.fold = fold;
            }

            void take(Map<String, AttributeValue> item, long sk) {
                if (finishByQuery) {
                    return;
                }
                if (sk != chain.version() + 1) {
                    finishByQuery = true; // not the next version here: read the rest in version order
                    return;
                }
                apply(EventsTable.toEvent(item));
            }

            void close() {
                if (finishByQuery || chain.version() < head) {
                    for (Iterator<StoredEvent> rest = log.store().readStream(stream, chain.version() + 1);
                         rest.hasNext(); ) {
                        apply(rest.next());
                    }
                }
                if (chain.version() < head) {
                    throw new IllegalStateException(stream + " v" + (chain.version() + 1) + " is missing from the log"
                            + " (its head is at v" + head + "): run `replay verify` and repair the log before"
                            + " rebuilding");
                }
                fold.end();
            }

            private void apply(StoredEvent event) {
                Rebuilder.checkLock(lock);
                Rebuilder.checkChain(chain, stream, event);
                if (fold.next(event)) {
                    events++;
                    listener.applied(event);
                }
            }
        }
    }
}
