package dev.ledger.domain.ledger;

import dev.ledger.domain.Rejection;
import dev.ledger.domain.api.StreamId;
import java.util.ArrayList;
import java.util.List;

/**
 * The outcome of one ledger command: what to append (all or nothing, in one transaction) and what
 * to answer.
 *
 * <ul>
 *   <li>{@code APPLIED}: accepted; {@code changes} may be empty for a no-op such as freezing a frozen account.
 *   <li>{@code ALREADY_APPLIED}: the same request was accepted before; nothing to append. The answer
 *       is the subject as the first request left it: at {@code originalVersion} of its stream.
 *   <li>{@code REJECTED}: refused. {@code changes} is empty, except that a transfer's first refusal
 *       is recorded in the transfer's own stream, and an overdue hold touched by a post or void is
 *       recorded as expired: never an account movement the client asked for.
 * </ul>
 *
 * @param subject the stream the answer is about (the account, transfer or reversal the client named)
 * @param originalVersion for {@code ALREADY_APPLIED}: the version of the subject's stream that the first
 *     request wrote last, whose state the first answer showed (0 when the answer is the stream as it is
 *     now, as for an account opened again); 0 otherwise
 * @param checks streams the decision read and relied on without changing them: the append is
 *     conditional on each still standing at the version read (see {@link VersionCheck})
 */
public record LedgerResult(Status status, StreamId subject, Rejection rejection, List<StreamChange> changes,
                           long originalVersion, List<VersionCheck> checks) {

    public enum Status { APPLIED, ALREADY_APPLIED, REJECTED }

    public LedgerResult {
        changes = List.copyOf(changes);
        checks = List.copyOf(checks);
        for (VersionCheck check : checks) {
            if (changes.stream().anyMatch(change -> change.stream().equals(check.stream()))) {
                throw new IllegalArgumentException(check.stream() + " is both changed and only checked");
            }
        }
        if ((status == Status.REJECTED) != (rejection != null)) {
            throw new IllegalArgumentException("a rejection goes with REJECTED and only with it");
        }
        if (originalVersion != 0 && status != Status.ALREADY_APPLIED) {
            throw new IllegalArgumentException("only a request applied before has an original version");
        }
    }

    public LedgerResult(Status status, StreamId subject, Rejection rejection, List<StreamChange> changes) {
        this(status, subject, rejection, changes, 0, List.of());
    }

    public LedgerResult(Status status, StreamId subject, Rejection rejection, List<StreamChange> changes,
                        long originalVersion) {
        this(status, subject, rejection, changes, originalVersion, List.of());
    }

    /** This result, also conditional on {@code more} streams standing where they were read. */
    LedgerResult checking(List<VersionCheck> more) {
        if (more.isEmpty()) {
            return this;
        }
        List<VersionCheck> all = new ArrayList<>(checks);
        all.addAll(more);
        return new LedgerResult(status, subject, rejection, changes, originalVersion, all);
    }

    static LedgerResult applied(StreamId subject, List<StreamChange> changes) {
        return new LedgerResult(Status.APPLIED, subject, null, changes);
    }

    /** Applied before; answered with the subject as it is now. */
    static LedgerResult alreadyApplied(StreamId subject) {
        return new LedgerResult(Status.ALREADY_APPLIED, subject, null, List.of(), 0);
    }

    /** Applied before; answered with the subject as version {@code originalVersion} of its stream left it. */
    static LedgerResult alreadyApplied(StreamId subject, long originalVersion) {
        if (originalVersion < 1) {
            throw new IllegalArgumentException("an original answer is at version 1 or later");
        }
        return new LedgerResult(Status.ALREADY_APPLIED, subject, null, List.of(), originalVersion);
    }

    static LedgerResult rejected(StreamId subject, Rejection rejection) {
        return new LedgerResult(Status.REJECTED, subject, rejection, List.of());
    }

    static LedgerResult rejected(StreamId subject, Rejection rejection, List<StreamChange> recorded) {
        return new LedgerResult(Status.REJECTED, subject, rejection, recorded);
    }

    public boolean isRejected() {
        return status == Status.REJECTED;
    }
}
