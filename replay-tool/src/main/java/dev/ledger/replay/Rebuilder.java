package dev.ledger.replay;

import dev.ledger.domain.api.AccountEvent.TransactionLeg;
import dev.ledger.domain.api.AccountEvent.TransferLeg;
import dev.ledger.domain.api.LedgerEvent;
import dev.ledger.domain.api.StreamId;
import dev.ledger.store.HashChainCursor;
import dev.ledger.store.StoredEvent;
import dev.ledger.projections.Projection;
import dev.ledger.projections.Projection.Position;
import dev.ledger.projections.ProjectionCatalog;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Folds the log into a fresh projection table with the projections' own {@code next}/{@code apply}
 * (so a rebuilt item is exactly what the stream consumers write), each stream in version order, many
 * streams at once: a whole projection straight from a parallel Scan ({@link StreamRuns}), some
 * accounts by a Query per stream. The hash chain is checked on the way and a broken one, or a
 * version missing below a stream's head, stops the rebuild.
 *
 * <p>Every rebuild writes a new table and records it in the control table as BUILDING, then
 * COMPLETE once every stream is folded. A rebuild that dies leaves its record BUILDING; the next
 * rebuild of that projection (under the same lock) deletes such tables and starts afresh, so a
 * partial table is never completed, compared as complete, or swapped in.
 *
 * <p>{@link #catchUp} continues an existing table instead: each stream from the version after the
 * one its item holds. It brings a finished shadow table level with the log around a swap, and
 * repairs a live table that stopped at a gap the stream no longer holds.
 */
final class Rebuilder {

    /** Called once per event applied (progress; tests use it to interrupt a rebuild). */
    interface Listener {
        void applied(StoredEvent event);

        /** A stream to fold was found with this many events (its head's version). */
        default void found(long events) {
        }

        /** Every stream to fold is found. */
        default void allFound() {
        }
    }

    record Outcome(ProjectionCatalog kind, String table, long streams, long events, double seconds) {
        double eventsPerSecond() {
            return seconds <= 0 ? 0 : events / seconds;
        }
    }

    static final String STATUS = "status";
    static final String BUILDING = "BUILDING";
    static final String COMPLETE = "COMPLETE";
    static final String ABANDONED = "ABANDONED";

    private final DynamoDbClient dynamo;
    private final EventLog log;
    private final ControlTable control;
    private final Clock clock;
    private final int segments;
    private final int threads;

    Rebuilder(DynamoDbClient dynamo, EventLog log, ControlTable control, Clock clock, int segments, int threads) {
        this.dynamo = dynamo;
        this.log = log;
        this.control = control;
        this.clock = clock;
        this.segments = segments;
        this.threads = threads;
    }

    /**
     * The next free {@code <live>-rebuild-<n>}: after the highest number the control table's rebuild
     * records name, the first that is not a table. It asks for those names one by one (DescribeTable)
     * rather than listing the account's tables: ListTables cannot be scoped to this stack's tables in
     * IAM, so the operator's policy (LedgerOperatorPolicy) does not grant it.
     */
    String nextShadowName(String live) {
        Pattern numbered = Pattern.compile(Pattern.quote(live) + "-rebuild-(\\d+)");
        long max = 0;
        for (Map<String, AttributeValue> record : control.withPrefix("rebuild#")) {
            String id = record.get(ControlTable.ID).s();
            Matcher m = numbered.matcher(id.substring(id.lastIndexOf('#') + 1));
            if (m.matches()) {
                max = Math.max(max, Long.parseLong(m.group(1)));
            }
        }
        long next = max + 1;
        while (ControlTable.Tables.exists(dynamo, live + "-rebuild-" + next)) {
            next++;
        }
        return live + "-rebuild-" + next;
    }

    /**
     * Deletes the tables of this projection's rebuilds that never completed. Call under the lock.
     *
     * @return the tables deleted
     */
    List<String> abandonUnfinished(ProjectionCatalog kind) {
        List<String> deleted = new ArrayList<>();
        for (Map<String, AttributeValue> record : control.withPrefix("rebuild#" + kind.label() + "#")) {
            if (BUILDING.equals(record.get(STATUS).s())) {
                String id = record.get(ControlTable.ID).s();
                String table = id.substring(id.lastIndexOf('#') + 1);
                ControlTable.Tables.delete(dynamo, table);
                Map<String, AttributeValue> abandoned = new java.util.HashMap<>(record);
                abandoned.put(STATUS, AttributeValue.fromS(ABANDONED));
                abandoned.put("abandonedAt", AttributeValue.fromS(clock.instant().toString()));
                control.put(abandoned);
                deleted.add(table);
            }
        }
        return deleted;
    }

    /**
     * Creates {@code table} (unless it exists, empty) and folds into it every stream the projection
     * follows, straight from a parallel Scan of the log ({@link StreamRuns}), or only the streams of
     * {@code accounts} when not null, each read by a Query.
     *
     * @param exclusive whether nothing else writes {@code table} meanwhile (a new shadow table): then
     *                  each stream is folded in memory and written in batches; otherwise (a live
     *                  table its consumers also write) every event is applied with a conditional write
     */
    Outcome rebuild(ProjectionCatalog kind, String table, List<String> accounts, boolean exclusive, RebuildLock lock,
                    Listener listener) {
        long started = System.nanoTime();
        String recordId = "rebuild#" + kind.label() + "#" + table;
        control.put(Map.of(ControlTable.ID, AttributeValue.fromS(recordId), STATUS, AttributeValue.fromS(BUILDING),
                "startedAt", AttributeValue.fromS(clock.instant().toString())));
        if (!ControlTable.Tables.exists(dynamo, table)) {
            kind.createTable(dynamo, table);
        }
        Projection projection = kind.projection(dynamo, table);
        ItemBatches writer = new ItemBatches(dynamo, table);
        long[] totals;
        if (accounts == null) {
            StreamRuns.Totals folded = new StreamRuns(dynamo, log, segments).fold(kind.streams(),
                    segment -> exclusive ? batchedFolds(projection, OrderedBatches.onWriterThread(writer,
                            "rebuild-" + kind.label() + "-write-" + segment)) : liveFolds(projection), lock, listener);
            totals = new long[] {folded.streams(), folded.events()};
        } else {
            totals = foldAll(kind, accounts, listener, exclusive
                    ? stream -> foldIntoNewTable(projection, writer, stream, lock, listener)
                    : stream -> fold(projection, stream, Position.NONE, lock, listener));
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        control.put(Map.of(ControlTable.ID, AttributeValue.fromS(recordId), STATUS, AttributeValue.fromS(COMPLETE),
                "finishedAt", AttributeValue.fromS(clock.instant().toString()),
                "streams", AttributeValue.fromN(Long.toString(totals[0])),
                "events", AttributeValue.fromN(Long.toString(totals[1])),
                "scope", AttributeValue.fromS(accounts == null ? "all" : String.join(",", accounts))));
        return new Outcome(kind, table, totals[0], totals[1], seconds);
    }

    /** A segment's streams into a new table, sharing its batches. */
    private static StreamRuns.SegmentFolds batchedFolds(Projection projection, OrderedBatches batches) {
        return new StreamRuns.SegmentFolds() {
            @Override
            public StreamFold open(StreamId stream) {
                return StreamFold.intoNewTable(projection, batches);
            }

            @Override
            public void finish() {
                batches.finish();
            }

            @Override
            public void abandon() {
                batches.abandon();
            }
        };
    }

    /** A segment's streams into a live table, each event a conditional write. */
    private static StreamRuns.SegmentFolds liveFolds(Projection projection) {
        return new StreamRuns.SegmentFolds() {
            @Override
            public StreamFold open(StreamId stream) {
                return StreamFold.intoLiveTable(projection, stream, Position.NONE);
            }

            @Override
            public void finish() {
                // nothing waits: each write was made with its event
            }

            @Override
            public void abandon() {
                // nothing waits
            }
        };
    }

    /**
     * Continues the existing {@code table}: folds each stream the projection follows (or those of
     * {@code accounts}) from the version after the one its item holds, reading the log from no
     * earlier than {@code fromVersion}. Safe beside live consumers writing the same table: every
     * write is conditional on the version read.
     *
     * @throws IllegalStateException naming the streams whose item holds less than
     *                               {@code fromVersion - 1} (events the log was not asked for), or is
     *                               blocked by a dead-lettered event
     */
    Outcome catchUp(ProjectionCatalog kind, String table, List<String> accounts, long fromVersion, RebuildLock lock,
                    Listener listener) {
        long started = System.nanoTime();
        Projection projection = kind.projection(dynamo, table);
        List<String> refused = java.util.Collections.synchronizedList(new ArrayList<>());
        long[] totals = foldAll(kind, accounts, null, stream -> {
            Position position = projection.position(stream);
            if (position.blocked()) {
                refused.add(stream + " is blocked in " + table + " (a dead-lettered event)");
                return 0L;
            }
            if (position.version() < fromVersion - 1) {
                refused.add(stream + " holds v" + position.version() + " in " + table + ", so v"
                        + (position.version() + 1) + " to v" + (fromVersion - 1) + " would be skipped");
                return 0L;
            }
            return fold(projection, stream, position, lock, listener);
        });
        if (!refused.isEmpty()) {
            List<String> sorted = refused.stream().sorted().toList();
            throw new IllegalStateException(sorted.size() + " streams were not continued: "
                    + String.join("; ", sorted.subList(0, Math.min(10, sorted.size())))
                    + (sorted.size() > 10 ? "; ..." : "")
                    + " (rebuild them from an earlier version, or into a new table)");
        }
        return new Outcome(kind, table, totals[0], totals[1], (System.nanoTime() - started) / 1e9);
    }

    /** One fold of a stream, read by a Query; returns the events it applied. */
    private interface QueriedFold {
        long fold(StreamId stream);
    }

    /**
     * Runs {@code fold} on every stream of the projection, many at once; returns {streams, events}.
     * Tells {@code found} (when not null) the events of each stream the scan finds.
     */
    private long[] foldAll(ProjectionCatalog kind, List<String> accounts, Listener found, QueriedFold fold) {
        ExecutorService workers = EventLog.boundedPool(threads, "rebuild-" + kind.label());
        List<Future<Long>> done = new ArrayList<>();
        try {
            if (accounts == null) {
                log.forEachHead(segments, head -> {
                    if (kind.follows(head.stream())) {
                        if (found != null) {
                            found.found(head.version());
                        }
                        Future<Long> f = workers.submit(() -> fold.fold(head.stream()));
                        synchronized (done) {
                            done.add(f);
                        }
                    }
                });
                if (found != null) {
                    found.allFound();
                }
            } else {
                for (StreamId stream : streamsOf(kind, accounts)) {
                    done.add(workers.submit(() -> fold.fold(stream)));
                }
            }
            EventLog.await(done);
        } finally {
            workers.shutdownNow();
        }
        long events = 0;
        for (Future<Long> f : done) {
            try {
                events += f.get();
            } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("a finished fold has no result", e);
            }
        }
        return new long[] {done.size(), events};
    }

    /**
     * The streams of some accounts: the accounts (each shard of a sharded one), or for transfers (and
     * transactions) those their legs name.
     */
    List<StreamId> streamsOf(ProjectionCatalog kind, List<String> accounts) {
        List<StreamId> accountStreams = accounts.stream().flatMap(account -> log.accountStreams(account).stream())
                .toList();
        if (kind.streams().contains(StreamId.StreamType.ACCOUNT)) {
            return accountStreams;
        }
        Set<StreamId> named = new LinkedHashSet<>();
        for (StreamId accountStream : accountStreams) {
            for (Iterator<StoredEvent> events = log.events(accountStream); events.hasNext(); ) {
                LedgerEvent event = events.next().event();
                if (event instanceof TransferLeg leg) {
                    named.add(StreamId.transfer(leg.transferId()));
                } else if (event instanceof TransactionLeg leg) {
                    named.add(StreamId.transaction(leg.transactionId()));
                }
            }
        }
        return named.stream().filter(kind::follows).toList();
    }

    /**
     * Folds one stream into the projection from the version after {@code start}, where the
     * projection stands; returns the events applied. The hash chain is checked from there on.
     */
    private long fold(Projection projection, StreamId stream, Position start, RebuildLock lock, Listener listener) {
        long from = start.version() + 1;
        HashChainCursor chain = from == 1 ? HashChainCursor.fromGenesis()
                : HashChainCursor.after(from - 1, previousHash(stream, from));
        return foldByQuery(stream, from, chain, StreamFold.intoLiveTable(projection, stream, start), lock, listener);
    }

    /**
     * Folds one whole stream in memory into a table nobody else writes (a new shadow table): the
     * same items {@link Projection#apply} would write, but only each key's last one, unconditional
     * and {@value ItemBatches#MAX_ITEMS} to a call. A balance or transfer is one write per stream
     * instead of one per event.
     */
    private long foldIntoNewTable(Projection projection, ItemBatches writer, StreamId stream, RebuildLock lock,
                                  Listener listener) {
        OrderedBatches batches = OrderedBatches.onCaller(writer);
        long applied = foldByQuery(stream, 1, HashChainCursor.fromGenesis(), StreamFold.intoNewTable(projection, batches),
                lock, listener);
        batches.finish();
        return applied;
    }

    /** Reads a stream by Query from {@code from} on, checks its chain and folds it; returns the events applied. */
    private long foldByQuery(StreamId stream, long from, HashChainCursor chain, StreamFold fold, RebuildLock lock,
                             Listener listener) {
        long applied = 0;
        for (Iterator<StoredEvent> events = log.store().readStream(stream, from); events.hasNext(); ) {
            StoredEvent event = events.next();
            checkLock(lock);
            checkChain(chain, stream, event);
            if (fold.next(event)) {
                applied++;
                listener.applied(event);
            }
        }
        fold.end();
        return applied;
    }

    static void checkLock(RebuildLock lock) {
        if (lock.lost()) {
            throw new IllegalStateException("the rebuild lock was taken over by another owner; stopping");
        }
    }

    /** Each event must be the next version and chain from the one before: else the rebuild stops. */
    static void checkChain(HashChainCursor chain, StreamId stream, StoredEvent event) {
        if (chain.accept(event)) {
            return;
        }
        throw new IllegalStateException(stream + " v" + chain.firstBadVersion()
                + (chain.breakReason() == HashChainCursor.Break.MISSING_VERSION ? " is missing from the log: "
                        : " does not match its hash: ")
                + "run `replay verify` and repair the log before rebuilding");
    }

    /** The hash of version {@code from - 1}, which version {@code from}'s hash chains from. */
    private String previousHash(StreamId stream, long from) {
        return log.store().readEvent(stream, from - 1).map(StoredEvent::hash).orElseThrow(() ->
                new IllegalStateException(stream + " v" + (from - 1) + " is missing from the log: "
                        + "run `replay verify` and repair the log before rebuilding"));
    }
}
