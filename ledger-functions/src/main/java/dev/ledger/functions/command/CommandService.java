package dev.ledger.functions.command;

import dev.ledger.domain.api.AuditEvent.OperationFinished;
import dev.ledger.domain.api.AuditEvent.OperationPerformed;
import dev.ledger.domain.api.AuditEvent.OperationStarted;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.StreamState;
import dev.ledger.domain.ledger.InconsistentStreamsException;
import dev.ledger.domain.ledger.Ledger;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.domain.ledger.StreamChange;
import dev.ledger.domain.ledger.StreamFold;
import dev.ledger.store.AuditLog;
import dev.ledger.store.ConcurrentAppendException;
import dev.ledger.store.EventStore;
import dev.ledger.store.EventStore.Head;
import dev.ledger.store.StateCodec;
import dev.ledger.store.StoreSession;
import dev.ledger.store.StoredEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Runs one ledger command against the event log ({@link EventStore}): load, decide, append
 * atomically; and if another writer got in first (it appended first, or committed between two of this
 * command's reads), do it all again from a fresh read, until the {@link RetryPolicy}'s time budget is
 * spent.
 */
public final class CommandService {

    /**
     * Told of every race a command lost, an append refused or a read of heads that disagreed (for
     * metrics); {@code attempt} is the losing one.
     */
    public interface ConflictObserver {
        void conflicted(String correlationId, int attempt);
    }

    /**
     * Says what a command's result was as an operator action, for the audit trail (issue 15); null when
     * the result is nothing to record.
     */
    public interface Audit {
        Audit NONE = result -> null;

        OperationPerformed of(LedgerResult result);
    }

    private final EventStore store;
    private final Clock clock;
    private final AuditLog auditLog;
    private final RetryPolicy retries;
    private final ConflictObserver conflicts;
    /** Shared by every command this service runs, as a Lambda container shares it between requests. */
    private final RememberedShardCounts shardCounts;

    public CommandService(EventStore store, Clock clock, RetryPolicy retries) {
        this(store, clock, retries, (correlationId, attempt) -> { });
    }

    public CommandService(EventStore store, Clock clock, RetryPolicy retries, ConflictObserver conflicts) {
        this.store = store;
        this.clock = clock;
        this.auditLog = new AuditLog(store, clock);
        this.shardCounts = new RememberedShardCounts(clock);
        this.retries = retries;
        this.conflicts = conflicts;
    }

    /**
     * What a command did, with everything its answer needs (no reader has to go back to the log).
     *
     * @param result   the domain's decision
     * @param events   the events it stored, in append order (empty if it stored none)
     * @param subject  the stream the client named, as it stands after the command; empty if that stream
     *                 does not exist (the command was refused for it)
     * @param original for a request sent again ({@code ALREADY_APPLIED} with an original version): its
     *                 subject as the first attempt left it, the original answer; empty otherwise
     */
    public record Committed(LedgerResult result, List<StoredEvent> events, Optional<Subject> subject,
                            Optional<Recorded> original) {
    }

    /**
     * A stream after a command: its state and version (from the command's change to it, or else the head
     * the command read) and when the stream began.
     */
    public record Subject(StreamState state, long version, Instant createdAt) {
    }

    /**
     * A stream's state as one of its events left it: that event's version and when it was recorded, and
     * when the stream began.
     */
    public record Recorded(StreamState state, long version, Instant createdAt, Instant recordedAt) {
    }

    /**
     * Runs {@code command} until it commits. A command loses a race, and is decided again from a
     * fresh read after a backoff, when another writer appended to one of its streams first
     * ({@link ConcurrentAppendException}), or when another writer committed between two of its reads
     * so the heads it decided on disagree ({@link InconsistentStreamsException}); the observer hears of
     * both. Once the {@link RetryPolicy#budget()} is spent it gives up with a
     * {@link ConcurrentModificationException}. Heads that disagree in the same way on two fresh reads
     * were not raced: the log disagrees with itself, and that fails at once.
     */
    public Committed execute(String correlationId, Function<Ledger, LedgerResult> command) {
        return execute(correlationId, (id, attempt) -> { }, command);
    }

    /**
     * As {@link #execute(String, Function)}; {@code alsoTold} hears of this command's lost races as well
     * as the service's observer does (a request counts the races of its own commands with it).
     */
    public Committed execute(String correlationId, ConflictObserver alsoTold, Function<Ledger, LedgerResult> command) {
        return execute(correlationId, alsoTold, command, Audit.NONE);
    }

    /**
     * As {@link #execute(String, ConflictObserver, Function)}, and records the command as an operator action
     * on the audit trail: in the same atomic write as the command's own events, so the action and its
     * record stand or fall together (a lost race redoes both). A command too big to carry the two more items
     * (only a reversal of a transaction on the most accounts a reversal allows) records the action as
     * started, alone, before its append, and as finished after it: a crash between leaves the start on record.
     */
    public Committed execute(String correlationId, ConflictObserver alsoTold, Function<Ledger, LedgerResult> command,
                             Audit audit) {
        RuntimeException lastConflict;
        boolean startRecorded = false;
        Set<InconsistentStreamsException.View> disagreements = new HashSet<>();
        long started = retries.ticker().nanoTime();
        for (int attempt = 1; ; attempt++) {
            StoreSession session = store.session();
            try {
                LedgerResult result = command.apply(new Ledger(session, clock, attempt, shardCounts));
                Instant recordedAt = clock.instant();
                OperationPerformed action = audit.of(result);
                List<StoredEvent> events;
                if (action == null) {
                    events = session.append(result, recordedAt, correlationId);
                } else if (AuditLog.fitsWith(result)) {
                    events = session.append(AuditLog.with(result, AuditLog.change(session, action)), recordedAt,
                            correlationId).stream().filter(event -> !event.stream().equals(AuditLog.TRAIL)).toList();
                } else {
                    if (!startRecorded) {
                        auditLog.append(new OperationStarted(action.actionId(), action.action(), action.target(),
                                action.operator(), action.options()), correlationId);
                        startRecorded = true;
                    }
                    events = session.append(result, recordedAt, correlationId);
                    // Should this append fail, the command stands and its start is on record; the client's
                    // retry of the same request is answered as applied before, and records itself again.
                    auditLog.append(new OperationFinished(action.actionId(), action.action(), action.target(),
                            action.operator(), action.options(), action.outcome(), action.detail()), correlationId);
                }
                return new Committed(result, events, subject(result, session, recordedAt), original(result));
            } catch (ConcurrentAppendException conflict) {
                lastConflict = conflict;
            } catch (InconsistentStreamsException disagreement) {
                if (!disagreements.add(disagreement.view())) {
                    throw new IllegalStateException("the log disagrees with itself: a fresh read found the same heads "
                            + "at the same versions disagreeing again; " + disagreement.getMessage(), disagreement);
                }
                lastConflict = disagreement;
            }
            conflicts.conflicted(correlationId, attempt);
            alsoTold.conflicted(correlationId, attempt);
            Duration spent = Duration.ofNanos(retries.ticker().nanoTime() - started);
            Optional<Duration> pause = retries.pauseAfter(attempt, spent);
            if (pause.isEmpty()) {
                throw new ConcurrentModificationException("the command lost " + attempt + " races in a row in "
                        + spent.toMillis() + " ms (the last: " + lastConflict.getMessage() + ")", attempt, spent,
                        lastConflict);
            }
            pause(pause.get());
        }
    }

    /**
     * The subject after the command: the command's own change to it if it made one, else the head it
     * read (the domain loads the subject of every command, so this reads nothing new).
     */
    private static Optional<Subject> subject(LedgerResult result, StoreSession session, Instant recordedAt) {
        Optional<Head> head = session.head(result.subject());
        for (StreamChange change : result.changes()) {
            if (change.stream().equals(result.subject())) {
                Instant createdAt = head.map(Head::createdAt).orElse(recordedAt);
                return Optional.of(new Subject(change.stateAfter(), change.newVersion(), createdAt));
            }
        }
        return head.map(read -> new Subject(decode(read), read.version(), read.createdAt()));
    }

    /**
     * A request sent again ({@code ALREADY_APPLIED} with an original version) is answered as its first
     * attempt was: the subject's stream up to that version is read and folded, once, as part of the
     * command (its head holds the state now, which later commands may have changed).
     */
    private Optional<Recorded> original(LedgerResult result) {
        if (result.status() != LedgerResult.Status.ALREADY_APPLIED || result.originalVersion() == 0) {
            return Optional.empty();
        }
        return Optional.of(recorded(result.subject(), result.originalVersion()));
    }

    /**
     * A stream as its event {@code upTo} left it: the stream up to that version read and folded. For the
     * answers a request sent again repeats, and those of a batch's items recorded before it.
     */
    public Recorded recorded(StreamId stream, long upTo) {
        StreamState state = null;
        Instant createdAt = null;
        Instant recordedAt = null;
        Iterator<StoredEvent> events = store.readStream(stream, 1);
        for (long version = 1; version <= upTo; version++) {
            if (!events.hasNext()) {
                throw new IllegalStateException(stream + " has no event " + version);
            }
            StoredEvent event = events.next();
            state = StreamFold.evolve(state, event.event());
            createdAt = createdAt == null ? event.recordedAt() : createdAt;
            recordedAt = event.recordedAt();
        }
        return new Recorded(state, upTo, createdAt, recordedAt);
    }

    /**
     * Asks the ledger something of the log as it is now, with a fresh read and no append: whether a
     * batch id was used before, so that a batch whose items are their own commands is not run again.
     */
    public <T> T query(Function<Ledger, T> question) {
        return question.apply(new Ledger(store.session(), clock, 1, shardCounts));
    }

    private static StreamState decode(Head head) {
        return StateCodec.decode(head.stream(), head.state());
    }

    public Clock clock() {
        return clock;
    }

    private void pause(Duration duration) {
        try {
            retries.ticker().sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while backing off", e);
        }
    }
}
