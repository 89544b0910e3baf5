package dev.ledger.domain.api;

import java.util.Locale;
import java.util.Objects;

/**
 * Names one event stream of the log: an account's, a transfer's or a multi-leg transaction's. Each
 * has its own id space, so an account, a transfer and a transaction may share an id.
 */
public record StreamId(StreamType type, String id) implements Comparable<StreamId> {

    public enum StreamType { ACCOUNT, TRANSFER, TRANSACTION }

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
