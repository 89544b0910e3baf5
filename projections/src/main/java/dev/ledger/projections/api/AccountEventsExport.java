package dev.ledger.projections.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.domain.api.AccountShards;
import dev.ledger.domain.api.StreamId;
import dev.ledger.http.ApiException;
import dev.ledger.http.HttpRequest;
import dev.ledger.http.HttpResponse;
import dev.ledger.store.EventStore;
import dev.ledger.store.StoredEvent;
import java.util.Iterator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET /audit/accounts/{id}/events}: an account's events from the log, in pages, each event as the
 * line {@code replay export} writes ({@link StoredEvent#toJsonLine}: the form {@code docs/verify_chain.py}
 * checks). The account's own stream comes first from version 1, then each shard's stream of a sharded
 * account, as export orders them; so the pages' lines joined with newlines are the file
 * {@code replay export --accounts ID} writes, and check from genesis. The lines are JSON strings, not
 * objects, so that no client re-encodes what the hash covers.
 *
 * <p>The cursor is the last line given, {@code <shard>:<version>}: the log only grows at a stream's end,
 * so a page is the same whatever was appended meanwhile, and the last page ends at the head as read then.
 */
final class AccountEventsExport {

    /** Lines per page at most, and when the request does not say: ~1 KB each keeps a page well under 6 MB. */
    static final int MAX_PAGE = 1000;
    private static final Pattern CURSOR = Pattern.compile("([0-9]{1,2}):([0-9]{1,18})");

    private AccountEventsExport() {
    }

    static HttpResponse page(EventStore log, String accountId, HttpRequest request, int limit) {
        String cursor = request.query().get("cursor");
        int shard = 0;
        long after = 0;
        if (cursor != null && !cursor.isEmpty()) {
            Matcher m = CURSOR.matcher(cursor);
            if (!m.matches() || Integer.parseInt(m.group(1)) >= AccountShards.MAX_SHARDS) {
                throw ApiException.invalid("query parameter 'cursor' is not one this route gave");
            }
            shard = Integer.parseInt(m.group(1));
            after = Long.parseLong(m.group(2));
        } else if (log.readHead(StreamId.account(accountId)).isEmpty()) {
            throw new ApiException(404, "account_not_found", "account " + accountId + " does not exist");
        }
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("accountId", accountId);
        ArrayNode lines = body.putArray("lines");
        String next = null;
        while (true) {
            Iterator<StoredEvent> events = log.readStream(stream(accountId, shard), after + 1);
            while (lines.size() < limit && events.hasNext()) {
                StoredEvent event = events.next();
                lines.add(event.toJsonLine());
                after = event.version();
            }
            if (lines.size() == limit) {
                next = shard + ":" + after;
                break;
            }
            // This stream is done: a sharded account's next shard stream exists from its sharding on, and
            // the shards are numbered without gaps (AccountShards).
            if (shard + 1 >= AccountShards.MAX_SHARDS || log.readHead(stream(accountId, shard + 1)).isEmpty()) {
                break;
            }
            shard++;
            after = 0;
        }
        body.put("nextCursor", next);
        return new HttpResponse(200, body);
    }

    private static StreamId stream(String accountId, int shard) {
        return StreamId.account(AccountShards.streamAccountId(accountId, shard));
    }
}
