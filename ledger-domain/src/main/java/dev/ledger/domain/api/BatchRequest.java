package dev.ledger.domain.api;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a client asked of a batch: its items in order, and whether they stand or fall together.
 * The digests are of the request's canonical stored form, computed by the event store's codec (the
 * domain knows no serialisation): two requests under the same batch id are "the same request" exactly
 * when their digests are equal, and each item's digest lets {@code replay verify} check that an
 * item the batch lists was recorded with the content the batch was sent with.
 *
 * @param digest SHA-256 (64 lowercase hex digits) of the whole request
 * @param itemDigests SHA-256 of each item's own request (its id and content), in item order
 */
public record BatchRequest(boolean atomic, List<BatchItem> items, String digest, List<String> itemDigests) {

    /**
     * The most items of an atomic batch, checked where a batch comes in. An atomic batch is one
     * TransactWriteItems of at most 100 items, and the least any item writes is 4: its own stream's
     * first event and head, and one event on each of at least two accounts (a transfer has exactly two
     * accounts, a transaction at least two). The batch's own record is 2 more (its event and head), and
     * the accounts' heads at least 2 (accounts shared between items count once):
     * <pre>
     *   2 (batch) + 4N (items) + 2 (at least two account heads) <= 100  =>  N <= 24
     * </pre>
     * A batch under this bound may still write more (items on other accounts, transactions with more
     * accounts): the ledger counts what the decided batch writes and refuses it past 100
     * ({@code batch_too_large}).
     *
     * <p>DynamoDB's other limit, 4 MB per transaction, follows from the 100 items: the largest item any
     * command writes is a transaction's first event or head (100 entries of about 150 bytes and 16 metadata
     * values of 64 + 512 characters: under 25 KB), the batch's record under 24 * 300 B = 7 KB, so an atomic
     * batch writes at most 100 * 25 KB = 2.5 MB.
     */
    public static final int MAX_ATOMIC_ITEMS = (100 - 2 - 2) / 4;

    /**
     * The most items of a batch that is not atomic: each is its own command, decided independently. Its
     * record lists them all in one item (DynamoDB's limit: 400 KB): at most about 350 bytes an item (a
     * 64-character id, the outcome, and a refusal's code and sentence of under 200 characters), 1,000 * 350 B
     * = 350 KB.
     */
    public static final int MAX_ITEMS = 1_000;

    private static final Pattern SHA_256 = Pattern.compile("[0-9a-f]{64}");

    public BatchRequest {
        Objects.requireNonNull(items, "items");
        Objects.requireNonNull(digest, "digest");
        items = List.copyOf(items);
        itemDigests = List.copyOf(itemDigests);
        if (items.isEmpty()) {
            throw new IllegalArgumentException("a batch needs at least one item");
        }
        if (itemDigests.size() != items.size()) {
            throw new IllegalArgumentException("a batch has one digest per item");
        }
        if (!SHA_256.matcher(digest).matches() || !itemDigests.stream().allMatch(d -> SHA_256.matcher(d).matches())) {
            throw new IllegalArgumentException("a digest is 64 lowercase hex digits");
        }
        Set<StreamId> seen = new HashSet<>();
        for (BatchItem item : items) {
            if (!seen.add(item.stream())) {
                throw new IllegalArgumentException("the batch names " + item.stream() + " twice");
            }
        }
    }

    /** The most items a batch of this kind may have. */
    public int maxItems() {
        return atomic ? MAX_ATOMIC_ITEMS : MAX_ITEMS;
    }
}
