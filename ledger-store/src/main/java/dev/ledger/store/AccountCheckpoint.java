package dev.ledger.store;

import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.ledger.StreamChange;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * An account stream's state at one of its versions, written in the same atomic append as the event of that
 * version (issue 16 §3): a balance as of an instant starts from the last checkpoint recorded by then and
 * folds at most the events after it, so it reads a bounded number of items however long the history. A
 * checkpoint is never the truth: it repeats what the events say, names the event's hash, and
 * {@code replay verify} recomputes every one from the events. One that is missing only costs reads.
 *
 * @param version the stream's version the state is at (the last event of the append that wrote it)
 * @param recordedAt that append's recorded time, which orders checkpoints for the seek
 * @param hash the hash chain's link at {@code version}: the checkpoint names the event it stands on
 */
public record AccountCheckpoint(StreamId stream, long version, Instant recordedAt, String hash, AccountState state) {

    /**
     * A checkpoint is due when an append takes an account stream past a multiple of this many versions. At
     * 100 a checkpoint costs one item per 100 events written (about 1% more write units), and an as-of read
     * folds at most about 200 events (one Query page of about 120 KB); docs/as-of.md weighs it.
     */
    public static final int EVERY = 100;

    /**
     * The checkpoint an append owes, if any: an account stream whose versions pass a multiple of
     * {@link #EVERY} gets one at the append's last event, holding the state the head also gets.
     *
     * @param versionBefore where the stream stood before the append (0 for a new stream)
     * @param appended the change's events as they are stored
     */
    public static Optional<AccountCheckpoint> due(StreamChange change, long versionBefore, List<StoredEvent> appended) {
        if (change.stream().type() != StreamId.StreamType.ACCOUNT || !(change.stateAfter() instanceof AccountState state)) {
            return Optional.empty();
        }
        return due(versionBefore, appended, state);
    }

    /**
     * The same rule for an append already in the log, read back ({@code replay checkpoints --backfill}): the
     * checkpoint an account stream's append owed, from the state its events fold to. Given the same events
     * and that state, it is the checkpoint the append wrote or would have written, to the byte.
     *
     * @param appended one append's events of one account stream, in version order
     * @param stateAfter the stream's state after the last of them
     */
    public static Optional<AccountCheckpoint> due(long versionBefore, List<StoredEvent> appended, AccountState stateAfter) {
        if (appended.isEmpty()) {
            return Optional.empty();
        }
        StoredEvent last = appended.get(appended.size() - 1);
        if (last.version() / EVERY == versionBefore / EVERY) {
            return Optional.empty();
        }
        return Optional.of(new AccountCheckpoint(last.stream(), last.version(), last.recordedAt(), last.hash(), stateAfter));
    }
}
