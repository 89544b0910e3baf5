package dev.ledger.projections;

import static dev.ledger.projections.HistoryItemCodec.AMOUNT;
import static dev.ledger.projections.HistoryItemCodec.BALANCE_AFTER;
import static dev.ledger.projections.HistoryItemCodec.COUNTERPARTY;
import static dev.ledger.projections.HistoryItemCodec.HASH;
import static dev.ledger.projections.HistoryItemCodec.RECORDED_AT;
import static dev.ledger.projections.HistoryItemCodec.TRANSFER_ID;
import static dev.ledger.projections.HistoryItemCodec.TYPE;
import static dev.ledger.projections.ProjectionTables.ID;
import static dev.ledger.projections.ProjectionTables.SK;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountShards;
import dev.ledger.domain.money.Money;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * Reads an account's history projection a page at a time, with an opaque cursor and an optional time
 * window. An account that is not sharded reads in version order, its cursor the next version to read
 * ({@code v1:N}). A sharded account (issue 13) reads its shard streams' entries merged in recorded order:
 * by {@code recordedAt}, then shard number, then version; its cursor holds the next version of every
 * shard ({@code m1:N0.N1...}), so a page never repeats or skips an entry, even one that reached its
 * shard's partition after an entry of another shard recorded later was read. Its entries carry their
 * {@code shard} and the account's balance after them, the shards' shares added up (see
 * {@link HistoryItemCodec}).
 */
public final class HistoryReader {

    public static final int MAX_PAGE = 1000;
    private static final String CURSOR_PREFIX = "v1:";
    private static final Pattern CURSOR = Pattern.compile(Pattern.quote(CURSOR_PREFIX) + "[0-9]{1,18}");
    private static final String MERGED_PREFIX = "m1:";
    /** Two to {@link AccountShards#MAX_SHARDS} versions, each at most 18 digits (so it fits a long). */
    private static final Pattern MERGED = Pattern.compile(Pattern.quote(MERGED_PREFIX) + "[0-9]{1,18}(\\.[0-9]{1,18}){1,"
            + (AccountShards.MAX_SHARDS - 1) + "}");
    private static final Comparator<Head> RECORDED_ORDER = Comparator.comparing(Head::recordedAt)
            .thenComparingInt(Head::shard).thenComparingLong(Head::version);

    private final DynamoDbClient dynamo;
    private final String table;

    public HistoryReader(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    /** The account's transfers and transactions, from the same table (GET /transfers?accountId=). */
    public AccountTransfers transfers() {
        return new AccountTransfers(dynamo, table, this);
    }

    /** @param nextCursor null on the last page */
    public record Page(List<ObjectNode> entries, String nextCursor) {
    }

    /**
     * Where a page starts: the next version of each shard stream, shard 0 first (one version for an
     * account that is not sharded; a shard it does not name starts at version 1).
     */
    public record Cursor(List<Long> next) {

        public static final Cursor START = new Cursor(List.of(1L));

        public Cursor {
            next = List.copyOf(next);
        }

        long next(int shard) {
            return shard < next.size() ? next.get(shard) : 1;
        }

        /** Whether the page starts at the account's first entry. */
        public boolean atStart() {
            return next.stream().allMatch(version -> version == 1);
        }

        /**
         * The cursor of a {@code cursor} query parameter; {@link #START} without one.
         *
         * @throws IllegalArgumentException for a cursor this reader did not give out (the read API's 400)
         */
        public static Cursor decode(String cursor) {
            if (cursor == null || cursor.isEmpty()) {
                return START;
            }
            try {
                String decoded = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
                if (MERGED.matcher(decoded).matches()) {
                    List<Long> next = new ArrayList<>();
                    for (String version : decoded.substring(MERGED_PREFIX.length()).split("\\.")) {
                        next.add(Long.parseLong(version));
                    }
                    if (next.stream().allMatch(version -> version >= 1)) {
                        return new Cursor(next);
                    }
                    throw new IllegalArgumentException("query parameter 'cursor' is not a cursor this API gave out");
                }
            } catch (IllegalArgumentException malformed) {
                throw new IllegalArgumentException("query parameter 'cursor' is not a cursor this API gave out");
            }
            return new Cursor(List.of(decodeCursor(cursor)));
        }
    }

    /**
     * A page of an account's history from {@code cursor}: its one stream's entries in version order, or
     * for a sharded account its shards' entries merged in recorded order. A window ({@code from},
     * {@code to}) is sought, not scanned for: each stream's first entry at or after {@code from} is found
     * by a binary search over its versions (see {@link #seek}), and reading stops at its first entry
     * after {@code to}. An entry's time for the window is its {@code recordedUpTo} (see
     * {@link HistoryItemCodec}), which is its {@code recordedAt} unless a writer's clock ran behind an
     * earlier one's.
     */
    public Page page(String accountId, Cursor cursor, int limit, Optional<Instant> from, Optional<Instant> to) {
        Map<String, AttributeValue> own = head(accountId);
        Optional<AccountState> account = own.isEmpty() || !own.containsKey(HistoryItemCodec.STATE)
                ? Optional.empty() : Optional.of(HistoryItemCodec.account(own));
        int shards = Math.max(account.map(AccountState::shardCount).orElse(1), cursor.next().size());
        if (shards <= 1) {
            return single(accountId, start(accountId, own, cursor.next(0), from), limit, to);
        }
        int minorDigits = account.map(a -> a.currency().minorDigits()).orElse(2);
        return merged(accountId, shards, minorDigits, cursor, limit, from, to);
    }

    /** One stream's entries in version order, from {@code fromVersion} (an account that is not sharded). */
    public Page page(String accountId, long fromVersion, int limit, Optional<Instant> from, Optional<Instant> to) {
        long start = from.isEmpty() ? Math.max(1, fromVersion) : start(accountId, head(accountId), fromVersion, from);
        return single(accountId, start, limit, to);
    }

    /** A stream's cursor item ({@code sk = 0}); empty if the stream has none. */
    private Map<String, AttributeValue> head(String streamAccountId) {
        Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(table).consistentRead(true)
                .key(Map.of(ID, AttributeValue.fromS(streamAccountId), SK, AttributeValue.fromN("0")))).item();
        return item == null ? Map.of() : item;
    }

    /** Where a stream's read starts: the cursor's version, or later if the window's start is later. */
    private long start(String streamAccountId, Map<String, AttributeValue> head, long next, Optional<Instant> from) {
        long first = Math.max(1, next);
        if (from.isEmpty() || head.isEmpty() || !head.containsKey(ProjectionItems.VERSION)) {
            return first;
        }
        return seek(streamAccountId, first, Long.parseLong(head.get(ProjectionItems.VERSION).n()), from.get());
    }

    /**
     * The first version in {@code [first, last]} from which every entry is at or after {@code from}
     * ({@code last + 1} if none is), by a binary search: about log2(last - first) one-item queries, so a
     * window late in a long history costs about 17 reads at 100,000 events, not 100. Sound because an
     * entry's {@code recordedUpTo} never goes down as its version goes up; a version with no entry (a
     * shard's upkeep) is passed over by reading the first entry at or after the probe.
     */
    long seek(String streamAccountId, long first, long last, Instant from) {
        long low = first;
        long high = last + 1;
        while (low < high) {
            long probe = low + (high - low) / 2;
            Optional<Map<String, AttributeValue>> entry = firstEntry(streamAccountId, probe, high - 1);
            if (entry.isPresent() && HistoryItemCodec.recordedUpTo(entry.get()).isBefore(from)) {
                low = Long.parseLong(entry.get().get(SK).n()) + 1;
            } else {
                // No entry in [probe, high) is before `from`: the answer is at most probe.
                high = probe;
            }
        }
        return low;
    }

    /** A stream's first entry with a version in {@code [from, last]}, if it has one. */
    private Optional<Map<String, AttributeValue>> firstEntry(String streamAccountId, long from, long last) {
        QueryResponse response = dynamo.query(r -> r.tableName(table).consistentRead(true)
                .keyConditionExpression("#id = :id AND #sk BETWEEN :first AND :last")
                .expressionAttributeNames(Map.of("#id", ID, "#sk", SK))
                .expressionAttributeValues(Map.of(":id", AttributeValue.fromS(streamAccountId),
                        ":first", AttributeValue.fromN(Long.toString(from)),
                        ":last", AttributeValue.fromN(Long.toString(last))))
                .limit(1));
        return response.items().stream().findFirst();
    }

    /** One stream's entries in version order from {@code start}, up to the window's end. */
    private Page single(String accountId, long start, int limit, Optional<Instant> to) {
        List<ObjectNode> entries = new ArrayList<>();
        Map<String, AttributeValue> startKey = null;
        do {
            Map<String, AttributeValue> exclusiveStart = startKey;
            QueryResponse response = dynamo.query(r -> r.tableName(table).consistentRead(true)
                    .keyConditionExpression("#id = :id AND #sk >= :from")
                    .expressionAttributeNames(Map.of("#id", ID, "#sk", SK))
                    .expressionAttributeValues(Map.of(":id", AttributeValue.fromS(accountId),
                            ":from", AttributeValue.fromN(Long.toString(start))))
                    .limit(Math.min(MAX_PAGE, limit + 1)).exclusiveStartKey(exclusiveStart));
            for (Map<String, AttributeValue> item : response.items()) {
                if (to.isPresent() && HistoryItemCodec.recordedUpTo(item).isAfter(to.get())) {
                    // Every later entry is after `to` too: the window has no more.
                    return new Page(entries, null);
                }
                if (entries.size() == limit) {
                    return new Page(entries, encodeCursor(Long.parseLong(item.get(SK).n())));
                }
                entries.add(entry(item));
            }
            startKey = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                    ? response.lastEvaluatedKey() : null;
        } while (startKey != null);
        return new Page(entries, null);
    }

    /**
     * A sharded account's page: the shards' entries from the cursor's versions (or each shard's first at
     * or after {@code from}), merged in recorded order. The balance after each entry is the sum of every
     * shard's share after its last entry so far (its balance less what moves between shards brought it:
     * see {@link HistoryItemCodec}), starting from each shard's last entry before where it starts. A
     * shard whose next entry is after {@code to} is done.
     */
    private Page merged(String accountId, int shards, int minorDigits, Cursor cursor, int limit,
                        Optional<Instant> from, Optional<Instant> to) {
        long[] shares = new long[shards];
        long[] next = new long[shards];
        PriorityQueue<Head> heads = new PriorityQueue<>(RECORDED_ORDER);
        for (int shard = 0; shard < shards; shard++) {
            String streamAccountId = AccountShards.streamAccountId(accountId, shard);
            next[shard] = from.isEmpty() ? cursor.next(shard)
                    : start(streamAccountId, head(streamAccountId), cursor.next(shard), from);
            shares[shard] = next[shard] <= 1 ? 0 : lastBefore(streamAccountId, next[shard])
                    .map(item -> share(item, minorDigits)).orElse(0L);
            Partition partition = new Partition(streamAccountId, next[shard], Math.min(MAX_PAGE, limit + 1));
            Head.read(shard, partition).ifPresent(heads::add);
        }
        List<ObjectNode> entries = new ArrayList<>();
        while (!heads.isEmpty()) {
            Head head = heads.poll();
            if (to.isPresent() && HistoryItemCodec.recordedUpTo(head.item()).isAfter(to.get())) {
                // This shard has nothing more in the window; it starts here again if a later page reads it.
                next[head.shard()] = head.version();
                continue;
            }
            if (entries.size() == limit) {
                next[head.shard()] = head.version();
                return new Page(entries, encodeMergedCursor(next));
            }
            shares[head.shard()] = share(head.item(), minorDigits);
            next[head.shard()] = head.version() + 1;
            long balance = 0;
            for (long share : shares) {
                balance = Math.addExact(balance, share);
            }
            entries.add(entry(head.item(), head.shard(), Money.toDecimalString(balance, minorDigits)));
            head.following().ifPresent(heads::add);
        }
        return new Page(entries, null);
    }

    /** A shard's last entry before version {@code before}, if it has one. */
    private Optional<Map<String, AttributeValue>> lastBefore(String streamAccountId, long before) {
        QueryResponse response = dynamo.query(r -> r.tableName(table).consistentRead(true)
                .keyConditionExpression("#id = :id AND #sk BETWEEN :first AND :last")
                .expressionAttributeNames(Map.of("#id", ID, "#sk", SK))
                .expressionAttributeValues(Map.of(":id", AttributeValue.fromS(streamAccountId),
                        ":first", AttributeValue.fromN("1"), ":last", AttributeValue.fromN(Long.toString(before - 1))))
                .scanIndexForward(false).limit(1));
        return response.items().stream().findFirst();
    }

    /** A shard's share of its account's balance after an entry, in minor units. */
    private static long share(Map<String, AttributeValue> item, int minorDigits) {
        long balance = minorUnits(item.get(BALANCE_AFTER).s(), minorDigits);
        String moves = text(item, HistoryItemCodec.SHARD_MOVES);
        return moves == null ? balance : Math.subtractExact(balance, minorUnits(moves, minorDigits));
    }

    private static long minorUnits(String decimal, int minorDigits) {
        return new BigDecimal(decimal).movePointRight(minorDigits).longValueExact();
    }

    /** One shard stream's entries in version order, read a page at a time as the merge takes them. */
    private final class Partition {
        private final String streamAccountId;
        private final int pageSize;
        private Iterator<Map<String, AttributeValue>> page = List.<Map<String, AttributeValue>>of().iterator();
        private Map<String, AttributeValue> startKey;
        private final long fromVersion;
        private boolean exhausted;

        Partition(String streamAccountId, long fromVersion, int pageSize) {
            this.streamAccountId = streamAccountId;
            this.fromVersion = fromVersion;
            this.pageSize = pageSize;
        }

        Optional<Map<String, AttributeValue>> next() {
            while (!page.hasNext() && !exhausted) {
                Map<String, AttributeValue> start = startKey;
                QueryResponse response = dynamo.query(r -> r.tableName(table).consistentRead(true)
                        .keyConditionExpression("#id = :id AND #sk >= :from")
                        .expressionAttributeNames(Map.of("#id", ID, "#sk", SK))
                        .expressionAttributeValues(Map.of(":id", AttributeValue.fromS(streamAccountId),
                                ":from", AttributeValue.fromN(Long.toString(Math.max(1, fromVersion)))))
                        .limit(pageSize).exclusiveStartKey(start));
                page = response.items().iterator();
                startKey = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                        ? response.lastEvaluatedKey() : null;
                exhausted = startKey == null;
            }
            return page.hasNext() ? Optional.of(page.next()) : Optional.empty();
        }
    }

    /** A shard's next entry in the merge. */
    private record Head(int shard, Map<String, AttributeValue> item, Instant recordedAt, long version,
                        Partition partition) {

        /** The partition's next entry, if it has one more. */
        static Optional<Head> read(int shard, Partition partition) {
            return partition.next().map(item -> new Head(shard, item, Instant.parse(item.get(RECORDED_AT).s()),
                    Long.parseLong(item.get(SK).n()), partition));
        }

        Optional<Head> following() {
            return read(shard, partition);
        }
    }

    private static ObjectNode entry(Map<String, AttributeValue> item) {
        return entry(item, null, item.get(BALANCE_AFTER).s());
    }

    /**
     * @param shard null for an account that is not sharded (the entry has no {@code shard})
     * @param balanceAfter the account's balance after the entry
     */
    private static ObjectNode entry(Map<String, AttributeValue> item, Integer shard, String balanceAfter) {
        ObjectNode entry = JsonNodeFactory.instance.objectNode();
        entry.put("version", Long.parseLong(item.get(SK).n()));
        if (shard != null) {
            entry.put("shard", shard);
        }
        entry.put("type", item.get(TYPE).s());
        entry.put("transferId", text(item, TRANSFER_ID));
        entry.put("counterpartyAccountId", text(item, COUNTERPARTY));
        entry.put("amount", text(item, AMOUNT));
        entry.put("balanceAfter", balanceAfter);
        entry.put("recordedAt", item.get(RECORDED_AT).s());
        // Issue 16: when the entry counts for the client; when it was recorded unless its request named a date.
        AttributeValue effectiveAt = item.get(HistoryItemCodec.EFFECTIVE_AT);
        entry.put("effectiveAt", effectiveAt == null ? item.get(RECORDED_AT).s() : effectiveAt.s());
        entry.put("hash", item.get(HASH).s());
        if (item.containsKey(HistoryItemCodec.TRANSACTION_ID)) {
            // A multi-leg transaction's leg: the transaction and every entry of it, this account's and its counterparts'.
            entry.put("transactionId", item.get(HistoryItemCodec.TRANSACTION_ID).s());
            entry.set("entries", entries(item.get(HistoryItemCodec.ENTRIES).s()));
        }
        // A reversal's entry also names the reversal, and says whether an operator forced it.
        if (item.containsKey(HistoryItemCodec.REVERSAL_ID)) {
            entry.put("reversalId", text(item, HistoryItemCodec.REVERSAL_ID));
            entry.put("forced", item.get(HistoryItemCodec.FORCED).bool());
        }
        return entry;
    }

    /** The stored entries with directions as the API writes them ("debit", "credit"). */
    private static ArrayNode entries(String json) {
        ArrayNode entries = ItemJson.readArray(json, "a history entry's transaction entries");
        entries.forEach(entry -> ((ObjectNode) entry).put("direction",
                entry.get("direction").asText().toLowerCase(java.util.Locale.ROOT)));
        return entries;
    }

    private static String text(Map<String, AttributeValue> item, String name) {
        return HistoryItemCodec.text(item, name);
    }

    /** A sharded account's cursor: the next version of each of its shards, shard 0 first. */
    static String encodeMergedCursor(long[] next) {
        StringBuilder decoded = new StringBuilder(MERGED_PREFIX);
        for (int shard = 0; shard < next.length; shard++) {
            decoded.append(shard == 0 ? "" : ".").append(next[shard]);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(decoded.toString().getBytes(StandardCharsets.UTF_8));
    }

    public static String encodeCursor(long nextVersion) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((CURSOR_PREFIX + nextVersion).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The version a cursor points at; 1 without a cursor.
     *
     * @throws IllegalArgumentException for a cursor this reader did not give out (the read API's 400)
     */
    public static long decodeCursor(String cursor) {
        if (cursor == null || cursor.isEmpty()) {
            return 1;
        }
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            // Exactly what encodeCursor writes: Long.parseLong alone would also take a sign or non-ASCII digits.
            if (CURSOR.matcher(decoded).matches()) {
                long version = Long.parseLong(decoded.substring(CURSOR_PREFIX.length()));
                if (version >= 1) {
                    return version;
                }
            }
        } catch (IllegalArgumentException malformed) {
            // refused below
        }
        throw new IllegalArgumentException("query parameter 'cursor' is not a cursor this API gave out");
    }
}
