package dev.ledger.domain;

import java.util.Objects;

/**
 * A business refusal: a stable code and a sentence a person understands.
 *
 * @param failedEntry for a multi-leg transaction, the index of the first entry that failed; null for
 *     every other refusal, and for one about a transaction as a whole
 * @param failedItem for a batch, the index of the item that refused it; null for every other refusal
 */
public record Rejection(RejectionCode code, String message, Integer failedEntry, Integer failedItem) {

    public Rejection {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
        if (failedEntry != null && failedEntry < 0) {
            throw new IllegalArgumentException("an entry index is never negative");
        }
        if (failedItem != null && failedItem < 0) {
            throw new IllegalArgumentException("an item index is never negative");
        }
    }

    public Rejection(RejectionCode code, String message, Integer failedEntry) {
        this(code, message, failedEntry, null);
    }

    public Rejection(RejectionCode code, String message) {
        this(code, message, null, null);
    }

    /** The same refusal, naming the transaction entry that failed. */
    public Rejection atEntry(int index) {
        return new Rejection(code, message, index, failedItem);
    }

    /** The same refusal, as the refusal of a batch by its item {@code index}. */
    public Rejection atItem(int index) {
        return new Rejection(code, message, failedEntry, index);
    }
}
