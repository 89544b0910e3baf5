package dev.ledger.projections;

import dev.ledger.domain.api.StreamId;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * Reads the metadata index ({@link MetadataProjection}): the accounts, or the transfers and
 * transactions, whose metadata has one {@code key=value}, newest first (by the stream's first
 * recorded time), a page at a time, by key on the index {@value MetadataProjection#BY_PAIR}: one Query
 * per page, never a scan.
 *
 * <p>The index is eventually consistent (every GSI is) and keys only: a page names streams, which the
 * caller reads from their own projection. An account whose metadata changed a moment ago may still be
 * named under its old pair; the caller that shows it can check the pair against what it read.
 */
public final class MetadataIndex {

    private final DynamoDbClient dynamo;
    private final String table;

    public MetadataIndex(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    /**
     * Each stream's metadata as the projection has it now, from its cursor item (strongly consistent, in
     * batches), unlike the index, which is a moment behind: whether a stream the index names under a pair
     * still has it. A stream the projection has not seen is left out.
     */
    public Map<StreamId, SortedMap<String, String>> metadataNow(List<StreamId> streams) {
        Map<String, Map<String, AttributeValue>> cursors = new ProjectionItems(dynamo, table, true)
                .readAll(streams.stream().map(MetadataProjection::itemId).distinct().toList());
        Map<StreamId, SortedMap<String, String>> now = new LinkedHashMap<>();
        for (StreamId stream : streams) {
            Map<String, AttributeValue> cursor = cursors.get(MetadataProjection.itemId(stream));
            if (cursor != null) {
                now.put(stream, MetadataProjection.metadataOf(cursor));
            }
        }
        return now;
    }

    /**
     * One stream a page names, with its index key ({@code id}, {@code sk}, {@code pair}, {@code at}): the key
     * a caller starts the next page after when it ends a page before the next stream (a row its own
     * projection has not written yet).
     */
    public record Hit(StreamId stream, Map<String, AttributeValue> key) {
        public Hit {
            key = Map.copyOf(key);
        }
    }

    /**
     * One page of a listing.
     *
     * @param hits the streams found, newest first
     * @param next the key to start the next page after (the index's LastEvaluatedKey: {@code id},
     *             {@code sk}, {@code pair}, {@code at}); null on the last page
     */
    public record Page(List<Hit> hits, Map<String, AttributeValue> next) {
        public Page {
            hits = List.copyOf(hits);
            next = next == null ? null : Map.copyOf(next);
        }

        /** The streams found, newest first. */
        public List<StreamId> streams() {
            return hits.stream().map(Hit::stream).toList();
        }
    }

    /** Accounts whose metadata has {@code key} = {@code value}; {@code startKey} null for the first page. */
    public Page accounts(String key, String value, int limit, Map<String, AttributeValue> startKey) {
        return page(MetadataProjection.pair(MetadataProjection.ACCOUNT_KIND, key, value), null, null, limit, startKey);
    }

    /**
     * Transfers and transactions whose metadata has {@code key} = {@code value}, recorded (their first
     * event) between {@code from} and {@code to} inclusive (either may be null: unbounded).
     */
    public Page transfers(String key, String value, Instant from, Instant to, int limit,
                          Map<String, AttributeValue> startKey) {
        return page(MetadataProjection.pair(MetadataProjection.TRANSFER_KIND, key, value), from, to, limit, startKey);
    }

    /** The index's hash key a page of this listing reads: a cursor of another pair is not this query's. */
    public static String accountPair(String key, String value) {
        return MetadataProjection.pair(MetadataProjection.ACCOUNT_KIND, key, value);
    }

    /** @see #accountPair */
    public static String transferPair(String key, String value) {
        return MetadataProjection.pair(MetadataProjection.TRANSFER_KIND, key, value);
    }

    private Page page(String pair, Instant from, Instant to, int limit, Map<String, AttributeValue> startKey) {
        Map<String, String> names = new HashMap<>(Map.of("#p", MetadataProjection.PAIR));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":p", AttributeValue.fromS(pair)));
        String condition = SortableTime.condition("#p = :p", MetadataProjection.AT, Optional.ofNullable(from),
                Optional.ofNullable(to), names, values);
        QueryResponse response = dynamo.query(QueryRequest.builder().tableName(table)
                .indexName(MetadataProjection.BY_PAIR).keyConditionExpression(condition)
                .expressionAttributeNames(names).expressionAttributeValues(values)
                .scanIndexForward(false).limit(limit).exclusiveStartKey(startKey).build());
        // A stream is in one slot per key, but while the index catches up with a slot moved from one key to
        // another (a key removed and another added in one run) it can be named twice for a moment: once here.
        Set<StreamId> seen = new HashSet<>();
        List<Hit> hits = response.items().stream()
                .map(item -> new Hit(MetadataProjection.stream(item.get(ProjectionTables.ID).s()), item))
                .filter(hit -> seen.add(hit.stream())).toList();
        Map<String, AttributeValue> next = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                ? response.lastEvaluatedKey() : null;
        return new Page(hits, next);
    }
}
