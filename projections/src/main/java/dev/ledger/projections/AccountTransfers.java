package dev.ledger.projections;

import static dev.ledger.projections.ProjectionTables.ID;
import static dev.ledger.projections.ProjectionTables.SK;

import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountEvent;
import dev.ledger.domain.api.AccountShards;
import dev.ledger.domain.api.StreamId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * The transfers and multi-leg transactions of one account, newest first, read from its history (issue 16,
 * {@code GET /transfers?accountId=}): no table of its own. A transfer or transaction is listed once, at the
 * entry that opened it on the account (a posted entry or a placed hold, {@link #OPENING}); its later entries
 * (a post, a void, a reversal) are passed over. Each stream is read newest first from its last entry at or
 * before {@code to} (found by {@link HistoryReader#seek}), and a sharded account's shard streams are merged
 * by {@code recordedUpTo}, then shard, then version, all descending: a total order that new entries (always
 * at higher versions) never change, so a position (the next version to read of each shard) is a stable cursor.
 */
public final class AccountTransfers {

    /** The entry types that open a transfer or transaction on an account; each touches an account with one of them. */
    static final Set<String> OPENING = Set.of(AccountEvent.EntryPosted.class.getSimpleName(),
            AccountEvent.HoldPlaced.class.getSimpleName(), AccountEvent.TransactionEntriesPosted.class.getSimpleName(),
            AccountEvent.TransactionHoldPlaced.class.getSimpleName());
    /**
     * Entries one page may pass over: most entries open nothing (holds posted, metadata set, freezes), so a
     * page stops after this many with fewer rows and a position, rather than read a long history to fill
     * itself; and the partitions are read this many at a time at most, whatever the limit.
     */
    static final int EXAMINED_PER_PAGE = 1000;
    private static final int READ_PER_QUERY = 100;
    private static final Comparator<Head> NEWEST_FIRST = Comparator.comparing(Head::recordedUpTo)
            .thenComparingInt(Head::shard).thenComparingLong(Head::version).reversed();

    private final DynamoDbClient dynamo;
    private final String table;
    private final HistoryReader history;

    AccountTransfers(DynamoDbClient dynamo, String table, HistoryReader history) {
        this.dynamo = dynamo;
        this.table = table;
        this.history = history;
    }

    /**
     * One listed transfer or transaction, with the position that starts a page at it (so a page may end
     * before a row whose item is not projected yet, and the next page shows it).
     */
    public record Row(StreamId stream, List<Long> at) {
    }

    /**
     * @param rows    newest first
     * @param next    the position after the last row; null when the account has no more in the window
     * @param known   whether the account has a history at all (its shard 0 stream has a cursor item)
     */
    public record Page(List<Row> rows, List<Long> next, boolean known) {
    }

    /**
     * A page of the account's transfers and transactions recorded in the window, newest first: at most
     * {@code limit} rows, fewer (with a position to go on from) once {@link #EXAMINED_PER_PAGE} entries were
     * passed over.
     *
     * @param position the next version to read of each shard stream, shard 0 first (0: that stream is done);
     *                 empty for the first page. A shard the position does not name (one added since) is done:
     *                 its entries are newer than the page the position came from.
     * @throws IllegalArgumentException for a position naming more shards than the account has
     */
    public Page page(String accountId, List<Long> position, int limit, Optional<Instant> from, Optional<Instant> to) {
        Map<String, AttributeValue> own = head(accountId);
        if (own.isEmpty() || !own.containsKey(HistoryItemCodec.STATE)) {
            return new Page(List.of(), null, false);
        }
        AccountState account = HistoryItemCodec.account(own);
        int shards = Math.max(1, account.shardCount());
        if (position.size() > shards) {
            throw new IllegalArgumentException("query parameter 'cursor' is not a cursor this API gave out for this query");
        }
        long[] next = new long[shards];
        PriorityQueue<Head> heads = new PriorityQueue<>(NEWEST_FIRST);
        for (int shard = 0; shard < shards; shard++) {
            String stream = AccountShards.streamAccountId(accountId, shard);
            if (!position.isEmpty()) {
                next[shard] = shard < position.size() ? position.get(shard) : 0;
            } else {
                Map<String, AttributeValue> head = shard == 0 ? own : head(stream);
                long last = head.containsKey(ProjectionItems.VERSION) ? Long.parseLong(head.get(ProjectionItems.VERSION).n()) : 0;
                // The last version at or before `to`: one before the first whose recordedUpTo is after it.
                next[shard] = to.isEmpty() || last == 0 ? last : history.seek(stream, 1, last, to.get().plusNanos(1)) - 1;
            }
            if (next[shard] > 0) {
                Head.read(shard, new Partition(stream, next[shard], Math.max(READ_PER_QUERY, limit + 1)))
                        .ifPresent(heads::add);
            }
        }
        List<Row> rows = new ArrayList<>();
        int examined = 0;
        while (!heads.isEmpty()) {
            Head head = heads.poll();
            if (from.isPresent() && head.recordedUpTo().isBefore(from.get())) {
                // recordedUpTo never goes up as the version goes down: this shard has nothing more in the window.
                next[head.shard()] = 0;
                continue;
            }
            if (rows.size() == limit || examined++ == EXAMINED_PER_PAGE) {
                next[head.shard()] = head.version();
                return new Page(rows, positionOf(next), true);
            }
            // A position given out for another window may stand after `to`: nothing after it is in this one.
            Optional<StreamId> opened = to.isPresent() && head.recordedUpTo().isAfter(to.get()) ? Optional.empty()
                    : opened(head.item());
            if (opened.isPresent()) {
                next[head.shard()] = head.version();
                rows.add(new Row(opened.get(), positionOf(next)));
            }
            next[head.shard()] = head.version() - 1;
            Optional<Head> following = head.following();
            if (following.isPresent()) {
                heads.add(following.get());
            } else {
                next[head.shard()] = 0;
            }
        }
        return new Page(rows, null, true);
    }

    /** The transfer or transaction an entry opened on its account; empty for any other entry. */
    private static Optional<StreamId> opened(Map<String, AttributeValue> entry) {
        if (!OPENING.contains(entry.get(HistoryItemCodec.TYPE).s())) {
            return Optional.empty();
        }
        AttributeValue transaction = entry.get(HistoryItemCodec.TRANSACTION_ID);
        if (transaction != null) {
            return Optional.of(StreamId.transaction(transaction.s()));
        }
        return Optional.of(StreamId.transfer(entry.get(HistoryItemCodec.TRANSFER_ID).s()));
    }

    private static List<Long> positionOf(long[] next) {
        List<Long> position = new ArrayList<>();
        for (long version : next) {
            position.add(version);
        }
        return position;
    }

    /** A stream's cursor item ({@code sk = 0}); empty if the stream has none. */
    private Map<String, AttributeValue> head(String streamAccountId) {
        Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(table).consistentRead(true)
                .key(Map.of(ID, AttributeValue.fromS(streamAccountId), SK, AttributeValue.fromN("0")))).item();
        return item == null ? Map.of() : item;
    }

    /** One stream's entries from version {@code atMost} down to 1, read a page at a time as the merge takes them. */
    private final class Partition {
        private final String streamAccountId;
        private final long atMost;
        private final int pageSize;
        private Iterator<Map<String, AttributeValue>> page = List.<Map<String, AttributeValue>>of().iterator();
        private Map<String, AttributeValue> startKey;
        private boolean exhausted;

        Partition(String streamAccountId, long atMost, int pageSize) {
            this.streamAccountId = streamAccountId;
            this.atMost = atMost;
            this.pageSize = pageSize;
        }

        Optional<Map<String, AttributeValue>> next() {
            while (!page.hasNext() && !exhausted) {
                Map<String, AttributeValue> start = startKey;
                QueryResponse response = dynamo.query(r -> r.tableName(table).consistentRead(true)
                        .keyConditionExpression("#id = :id AND #sk BETWEEN :first AND :last")
                        .expressionAttributeNames(Map.of("#id", ID, "#sk", SK))
                        .expressionAttributeValues(Map.of(":id", AttributeValue.fromS(streamAccountId),
                                ":first", AttributeValue.fromN("1"), ":last", AttributeValue.fromN(Long.toString(atMost))))
                        .scanIndexForward(false).limit(pageSize).exclusiveStartKey(start));
                page = response.items().iterator();
                startKey = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                        ? response.lastEvaluatedKey() : null;
                exhausted = startKey == null;
            }
            return page.hasNext() ? Optional.of(page.next()) : Optional.empty();
        }
    }

    /** A stream's next entry (going back) in the merge. */
    private record Head(int shard, Map<String, AttributeValue> item, Instant recordedUpTo, long version,
                        Partition partition) {

        static Optional<Head> read(int shard, Partition partition) {
            return partition.next().map(item -> new Head(shard, item, HistoryItemCodec.recordedUpTo(item),
                    Long.parseLong(item.get(SK).n()), partition));
        }

        Optional<Head> following() {
            return read(shard, partition);
        }
    }
}
