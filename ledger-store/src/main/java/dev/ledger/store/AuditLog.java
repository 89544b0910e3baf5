package dev.ledger.store;

import dev.ledger.domain.api.AuditEvent;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.audit.AuditTrail;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.domain.ledger.StreamChange;
import dev.ledger.store.EventStore.Head;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * The audit trail of operator actions (issue 15): one stream, {@code audit:operations}, in the events
 * table, appended to through the same {@link StoreSession} and {@link StreamAppend} as every other stream,
 * so its events are hash chained and its head moves under the same conditions. Every writer of the trail
 * (the replay tool, the command API) and every reader of it (the replay tool, the query API) goes through here.
 */
public final class AuditLog {

    /** The trail's stream: its partition key in the events table is {@code audit:operations}. */
    public static final StreamId TRAIL = StreamId.audit(AuditEvent.OPERATIONS);

    /**
     * How often a lone append is tried before it gives up: each try reads the head again, and only another
     * operator action appending at the same moment makes one lose.
     */
    static final int ATTEMPTS = 10;

    /** The most entries one page may ask for. */
    public static final int MAX_PAGE = 100;

    private final EventStore store;
    private final Clock clock;

    public AuditLog(EventStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /**
     * The change that appends {@code event} to the trail where {@code session} found it: for an action
     * recorded in the same atomic write as its own events (the command API's).
     */
    public static StreamChange change(StoreSession session, AuditEvent event) {
        Optional<Head> head = session.head(TRAIL);
        long version = head.map(Head::version).orElse(0L);
        AuditTrail before = head.map(read -> StateCodec.decodeAuditTrail(read.state())).orElse(null);
        return new StreamChange(TRAIL, version, List.of(event), AuditTrail.evolve(Optional.ofNullable(before), event));
    }

    /**
     * Whether {@code result}'s append can also carry one audit entry (its event and the trail's head) within
     * one TransactWriteItems. Only the largest commands cannot: a reversal of a transaction on the most
     * accounts a reversal allows fills all 100 items by itself.
     */
    public static boolean fitsWith(LedgerResult result) {
        int items = result.checks().size();
        for (StreamChange change : result.changes()) {
            items += change.events().size() + 1;
        }
        return items + 2 <= DynamoEventStore.MAX_TRANSACTION_ITEMS;
    }

    /** {@code result} with the audit {@code change} appended in the same atomic write. */
    public static LedgerResult with(LedgerResult result, StreamChange change) {
        List<StreamChange> changes = new java.util.ArrayList<>(result.changes());
        changes.add(change);
        return new LedgerResult(result.status(), result.subject(), result.rejection(), changes,
                result.originalVersion(), result.checks());
    }

    /** The result that appends only {@code event}: what a lone append, or a command that wrote nothing, hands the session. */
    public static LedgerResult alone(StreamChange change) {
        return new LedgerResult(LedgerResult.Status.APPLIED, TRAIL, null, List.of(change));
    }

    /**
     * Appends {@code event} on its own, at the clock's time, reading the trail's head again if another
     * action appended first.
     *
     * @return the event as stored
     */
    public StoredEvent append(AuditEvent event, String correlationId) {
        ConcurrentAppendException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            StoreSession session = store.session();
            try {
                return session.append(alone(change(session, event)), clock.instant(), correlationId).get(0);
            } catch (ConcurrentAppendException raced) {
                last = raced;
            }
        }
        throw new IllegalStateException("the audit trail moved under " + ATTEMPTS + " appends in a row", last);
    }

    /**
     * One page of the trail, newest first.
     *
     * @param before only entries older than this version (the previous page's cursor); null for the newest
     * @return the entries and, when older ones may remain, the cursor for the next page
     */
    public static Page page(EventStore store, int limit, Long before) {
        if (limit < 1 || limit > MAX_PAGE) {
            throw new IllegalArgumentException("a page holds 1 to " + MAX_PAGE + " entries, not " + limit);
        }
        if (before != null && before < 1) {
            throw new IllegalArgumentException("a cursor is a version of the trail, 1 or more");
        }
        List<StoredEvent> entries = store.readBackward(TRAIL, before == null ? Long.MAX_VALUE : before, limit);
        // The trail only grows at its end, so a version is a cursor that never moves: the next page starts
        // below the oldest entry of this one, whatever was appended since.
        long oldest = entries.isEmpty() ? 1 : entries.get(entries.size() - 1).version();
        return new Page(entries, entries.size() == limit && oldest > 1 ? Long.valueOf(oldest) : null);
    }

    /**
     * A page of the trail.
     *
     * @param next the cursor for older entries: the oldest version on this page; null when none are older
     */
    public record Page(List<StoredEvent> entries, Long next) {
    }
}
