package dev.ledger.domain.api;

import dev.ledger.domain.money.Money;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a client asked to move: the whole content of a transfer request. Two requests under the
 * same transfer id are "the same request" exactly when these records are equal.
 *
 * @param timeoutSeconds how long a pending hold lives; 0 when {@code pending} is false
 * @param metadata client labels, kept sorted so the stored form is deterministic
 * @param effectiveAt when the payment counts for the client (issue 16); null when the request named none,
 *     and then it counts when it is recorded. Part of the equality, so the same id with another effective
 *     date is another request
 */
public record TransferRequest(String debitAccountId, String creditAccountId, Money amount, boolean pending,
                              long timeoutSeconds, SortedMap<String, String> metadata, Instant effectiveAt) {

    /** A request without an effective date: it counts when it is recorded. */
    public TransferRequest(String debitAccountId, String creditAccountId, Money amount, boolean pending,
                           long timeoutSeconds, SortedMap<String, String> metadata) {
        this(debitAccountId, creditAccountId, amount, pending, timeoutSeconds, metadata, null);
    }

    public TransferRequest {
        Objects.requireNonNull(debitAccountId, "debitAccountId");
        Objects.requireNonNull(creditAccountId, "creditAccountId");
        Objects.requireNonNull(amount, "amount");
        if (!amount.isPositive()) {
            throw new IllegalArgumentException("a transfer amount must be greater than zero");
        }
        if (pending ? timeoutSeconds <= 0 : timeoutSeconds != 0) {
            throw new IllegalArgumentException(pending
                    ? "a pending transfer needs a timeout of at least one second"
                    : "only a pending transfer has a timeout");
        }
        metadata = Collections.unmodifiableSortedMap(new TreeMap<>(metadata == null ? Map.of() : metadata));
    }

    public static TransferRequest posted(String debitAccountId, String creditAccountId, Money amount) {
        return new TransferRequest(debitAccountId, creditAccountId, amount, false, 0, new TreeMap<>());
    }

    public static TransferRequest pending(String debitAccountId, String creditAccountId, Money amount,
                                          long timeoutSeconds) {
        return new TransferRequest(debitAccountId, creditAccountId, amount, true, timeoutSeconds, new TreeMap<>());
    }
}
