package dev.ledger.domain.api;

import dev.ledger.domain.money.Money;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a client asked to reverse: the whole content of a reversal request. Two requests under the
 * same reversal id are "the same request" exactly when these records are equal.
 *
 * @param originalKind what is reversed: a transfer, or a multi-leg transaction
 * @param originalId the transfer's or transaction's id
 * @param amount how much to give back; null for all that is still reversible when the reversal is decided
 *     (always null for a transaction, which is reversed in full)
 * @param force an operator's reversal that may take the paying account below its floor or move a
 *     frozen account
 * @param metadata client labels, kept sorted so the stored form is deterministic
 * @param effectiveAt when the refund counts for the client (issue 16); null when the request named none,
 *     and then it counts when it is recorded. Part of the equality, as for a transfer
 */
public record ReversalRequest(OriginalKind originalKind, String originalId, Money amount, boolean force,
                              SortedMap<String, String> metadata, Instant effectiveAt) {

    /** A request without an effective date: it counts when it is recorded. */
    public ReversalRequest(OriginalKind originalKind, String originalId, Money amount, boolean force,
                           SortedMap<String, String> metadata) {
        this(originalKind, originalId, amount, force, metadata, null);
    }

    public ReversalRequest {
        Objects.requireNonNull(originalKind, "originalKind");
        Objects.requireNonNull(originalId, "originalId");
        if (amount != null && !amount.isPositive()) {
            throw new IllegalArgumentException("a reversal amount must be greater than zero");
        }
        metadata = Collections.unmodifiableSortedMap(new TreeMap<>(metadata == null ? Map.of() : metadata));
    }

    /** A reversal of a transfer, by a payments client (not forced), without labels. */
    public static ReversalRequest ofTransfer(String transferId, Money amount) {
        return new ReversalRequest(OriginalKind.TRANSFER, transferId, amount, false, new TreeMap<>());
    }
}
