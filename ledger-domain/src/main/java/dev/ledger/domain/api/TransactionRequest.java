package dev.ledger.domain.api;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a client asked a multi-leg transaction to move: its entries in order, whether it is a hold,
 * and its labels. Two requests under the same transaction id are "the same request" exactly when these
 * records are equal.
 *
 * @param timeoutSeconds how long a pending transaction's holds live; 0 when {@code pending} is false
 * @param metadata client labels, kept sorted so the stored form is deterministic
 * @param effectiveAt when the transaction counts for the client (issue 16); null when the request named
 *     none, and then it counts when it is recorded. Part of the equality, as for a transfer
 */
public record TransactionRequest(List<TransactionEntry> entries, boolean pending, long timeoutSeconds,
                                 SortedMap<String, String> metadata, Instant effectiveAt) {

    /** A request without an effective date: it counts when it is recorded. */
    public TransactionRequest(List<TransactionEntry> entries, boolean pending, long timeoutSeconds,
                              SortedMap<String, String> metadata) {
        this(entries, pending, timeoutSeconds, metadata, null);
    }

    /**
     * The most distinct accounts one transaction may touch. Every command on a transaction is one
     * atomic append of at most 100 items (DynamoDB's TransactWriteItems limit), and the biggest of them
     * writes, for N distinct accounts:
     * <pre>
     *   1 event + 1 head   the transaction's own stream (TransactionRecorded, or the post/void/expiry)
     * + N events + N heads one event and one head per account
     * = 2 + 2N <= 100  =>  N <= 49
     * </pre>
     * The pending-holds index costs no item: it is a sparse index over the transaction's head, whose
     * keys the head carries. No command on a transaction writes anything else (a post or void that
     * finds the hold overdue writes the expiry instead, with the same items).
     */
    public static final int MAX_ACCOUNTS = (100 - 2) / 2;

    /**
     * The most distinct accounts a transaction may have for its reversal to fit one atomic append. A
     * reversal writes more than the transaction did, for N distinct accounts:
     * <pre>
     *   1 event + 1 head   the reversal's own stream (ReversalRecorded: its idempotency record)
     * + 1 event + 1 head   the transaction's stream (TransactionReversed, conditional on its version)
     * + N events + N heads one TransactionEntriesReversed and one head per account
     * = 4 + 2N <= 100  =>  N <= 48
     * </pre>
     * So a transaction on {@link #MAX_ACCOUNTS} = 49 accounts (102 items) is refused a reversal with
     * {@code reversal_too_large}; it is refunded by a new transaction with the opposite entries.
     */
    public static final int MAX_REVERSIBLE_ACCOUNTS = (100 - 4) / 2;

    /**
     * The most entries one transaction may have. It bounds the stored sizes: every account event carries
     * all entries (about 150 bytes each in the stored form: a 64-character id, a 19-digit amount, the
     * currency, the direction and the index), so an account event stays under 100 * 150 B = 15 KB, the
     * transaction's first event and head under 15 KB + 16 metadata values of 64 + 512 characters (9.2 KB),
     * and a whole append under 49 * (15 KB + 1 KB head) + 2 * 25 KB, about 0.85 MB: below DynamoDB's
     * 400 KB per item and 4 MB per transaction.
     */
    public static final int MAX_ENTRIES = 100;

    public TransactionRequest {
        Objects.requireNonNull(entries, "entries");
        entries = List.copyOf(entries);
        if (entries.size() < 2) {
            throw new IllegalArgumentException("a transaction needs at least two entries");
        }
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).index() != i) {
                throw new IllegalArgumentException("entry " + i + " carries index " + entries.get(i).index());
            }
        }
        if (pending ? timeoutSeconds <= 0 : timeoutSeconds != 0) {
            throw new IllegalArgumentException(pending
                    ? "a pending transaction needs a timeout of at least one second"
                    : "only a pending transaction has a timeout");
        }
        metadata = Collections.unmodifiableSortedMap(new TreeMap<>(metadata == null ? Map.of() : metadata));
    }

    /**
     * Refuses a request past {@link #MAX_ENTRIES} or {@link #MAX_ACCOUNTS}, as every new transaction must
     * be refused. Checked where a transaction comes in (the API, with a 400, and the ledger), never by
     * the constructor: a log keeps what the limits of its day allowed, and must decode whatever the
     * limits become.
     */
    public TransactionRequest requireWithinLimits() {
        if (entries.size() > MAX_ENTRIES) {
            throw new IllegalArgumentException("a transaction has at most " + MAX_ENTRIES + " entries");
        }
        if (accountIds().size() > MAX_ACCOUNTS) {
            throw new IllegalArgumentException("a transaction touches at most " + MAX_ACCOUNTS + " accounts");
        }
        return this;
    }

    /**
     * The entries as a reversal books them: the same index, account and amount, the other direction.
     * Each account's net is then exactly the opposite of the original's.
     */
    public List<TransactionEntry> reversedEntries() {
        return entries.stream().map(entry -> new TransactionEntry(entry.index(), entry.accountId(),
                entry.direction() == Side.DEBIT ? Side.CREDIT : Side.DEBIT, entry.amount())).toList();
    }

    /** The distinct accounts, in the order of their first entry. */
    public List<String> accountIds() {
        return accountIds(entries);
    }

    /** The entries of one account, in order. */
    public List<TransactionEntry> entriesOf(String accountId) {
        List<TransactionEntry> own = new ArrayList<>();
        for (TransactionEntry entry : entries) {
            if (entry.accountId().equals(accountId)) {
                own.add(entry);
            }
        }
        return own;
    }

    static List<String> accountIds(List<TransactionEntry> entries) {
        LinkedHashSet<String> ids = new LinkedHashSet<>();
        entries.forEach(entry -> ids.add(entry.accountId()));
        return List.copyOf(ids);
    }
}
