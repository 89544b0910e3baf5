package dev.ledger.domain.ledger;

import dev.ledger.domain.Rejection;
import dev.ledger.domain.api.StreamId;
import java.util.List;

/**
 * The outcome of one ledger command: what to append (all or nothing, in one transaction) and what
 * to answer.
 *
 * <ul>
 *   <li>{@code APPLIED}: accepted; {@code changes} may be empty for a no-op such as freezing a frozen account.
 *   <li>{@code ALREADY_APPLIED}: the same request was accepted before; nothing to append.
 *   <li>{@code REJECTED}: refused. {@code changes} is empty, except that a transfer's first refusal
 *       is recorded in the transfer's own stream, and an overdue hold touched by a post or void is
 *       recorded as expired: never an account movement the client asked for.
 * </ul>
 *
 * @param subject the stream the answer is about (the account or transfer the client named)
 */
public record LedgerResult(Status status, StreamId subject, Rejection rejection, List<StreamChange> changes) {

    public enum Status { APPLIED, ALREADY_APPLIED, REJECTED }

    public LedgerResult {
        changes = List.copyOf(changes);
        if ((status == Status.REJECTED) != (rejection != null)) {
            throw new IllegalArgumentException("a rejection goes with REJECTED and only with it");
        }
    }

    static LedgerResult applied(StreamId subject, List<StreamChange> changes) {
        return new LedgerResult(Status.APPLIED, subject, null, changes);
    }

    static LedgerResult alreadyApplied(StreamId subject) {
        return new LedgerResult(Status.ALREADY_APPLIED, subject, null, List.of());
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
