package dev.ledger.domain.api;

import java.util.Locale;
import java.util.Objects;

/**
 * Names one event stream of the log: an account's, a transfer's, a multi-leg transaction's, a
 * reversal's or a batch's, or the audit trail of operator actions (issue 15). Each kind has its own id
 * space, so an account, a transfer, a transaction and a reversal may share an id.
 */
public record StreamId(StreamType type, String id) implements Comparable<StreamId> {

    public enum StreamType { ACCOUNT, TRANSFER, TRANSACTION, REVERSAL, BATCH, AUDIT }

    public StreamId {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(id, "id");
    }

    public static StreamId account(String accountId) {
        return new StreamId(StreamType.ACCOUNT, accountId);
    }

    public static StreamId transfer(String transferId) {
        return new StreamId(StreamType.TRANSFER, transferId);
    }

    public static StreamId transaction(String transactionId) {
        return new StreamId(StreamType.TRANSACTION, transactionId);
    }

    public static StreamId reversal(String reversalId) {
        return new StreamId(StreamType.REVERSAL, reversalId);
    }

    public static StreamId batch(String batchId) {
        return new StreamId(StreamType.BATCH, batchId);
    }

    /** The audit trail {@code id}: operator actions, hash chained like every other stream. */
    public static StreamId audit(String trailId) {
        return new StreamId(StreamType.AUDIT, trailId);
    }

    @Override
    public int compareTo(StreamId other) {
        int byType = type.compareTo(other.type);
        return byType != 0 ? byType : id.compareTo(other.id);
    }

    @Override
    public String toString() {
        return type.name().toLowerCase(Locale.ROOT) + ":" + id;
    }
}
