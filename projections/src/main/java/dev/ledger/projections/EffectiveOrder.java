package dev.ledger.projections;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An account's history in effective order (issue 16, {@code order=effective}): every entry of the history
 * projection, sorted by when it counts ({@code effectiveAt}), then when it was recorded, then shard and
 * version, so the order is total and the same on every read. {@code from}/{@code to} bound the effective
 * instant. Each entry is the one the recorded order shows, {@code balanceAfter} included: the balance after
 * it in recorded order, which is what the log's hash chain vouches for; the balance on the effective basis
 * at an instant is {@code balance?asOf=&basis=effective}.
 *
 * <p>Served by reading the account's whole history and sorting it, a read proportional to the account's
 * history on every page; the history table is keyed by version, and a second key by effective instant
 * would be a new index. The cursor names the last entry given out; a later entry backdated before it is
 * not shown on the pages after it (it is there when the listing starts again).
 */
public final class EffectiveOrder {

    private static final String PREFIX = "effective|";
    private static final Pattern CURSOR = Pattern.compile(
            "effective\\|([0-9T:.Z+-]{1,40})\\|([0-9T:.Z+-]{1,40})\\|([0-9]{1,2})\\|([0-9]{1,19})");

    private EffectiveOrder() {
    }

    /** The position of one entry in effective order. */
    private record Key(Instant effectiveAt, Instant recordedAt, int shard, long version) implements Comparable<Key> {
        private static final Comparator<Key> ORDER = Comparator.comparing(Key::effectiveAt)
                .thenComparing(Key::recordedAt).thenComparingInt(Key::shard).thenComparingLong(Key::version);

        static Key of(ObjectNode entry) {
            return new Key(Instant.parse(entry.get("effectiveAt").asText()), Instant.parse(entry.get("recordedAt")
                    .asText()), entry.has("shard") ? entry.get("shard").asInt() : 0, entry.get("version").asLong());
        }

        @Override
        public int compareTo(Key other) {
            return ORDER.compare(this, other);
        }

        String encode() {
            return Base64.getUrlEncoder().withoutPadding().encodeToString((PREFIX + effectiveAt + "|" + recordedAt + "|"
                    + shard + "|" + version).getBytes(StandardCharsets.UTF_8));
        }

        static Key decode(String cursor) {
            try {
                Matcher parts = CURSOR.matcher(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
                if (parts.matches()) {
                    return new Key(Instant.parse(parts.group(1)), Instant.parse(parts.group(2)),
                            Integer.parseInt(parts.group(3)), Long.parseLong(parts.group(4)));
                }
            } catch (IllegalArgumentException | DateTimeException malformed) {
                // Not ours: refused below, as every other cursor this listing did not give out.
            }
            throw new IllegalArgumentException("query parameter 'cursor' is not a cursor this API gave out for"
                    + " order=effective");
        }
    }

    /**
     * A page of {@code accountId}'s history in effective order, after {@code cursor} (null: from the start).
     *
     * @throws IllegalArgumentException for a cursor this listing did not give out (the read API's 400)
     */
    public static HistoryReader.Page page(HistoryReader history, String accountId, String cursor, int limit,
                                          Optional<Instant> from, Optional<Instant> to) {
        Key after = cursor == null || cursor.isEmpty() ? null : Key.decode(cursor);
        List<ObjectNode> all = new ArrayList<>();
        HistoryReader.Cursor next = HistoryReader.Cursor.START;
        while (true) {
            HistoryReader.Page page = history.page(accountId, next, HistoryReader.MAX_PAGE, Optional.empty(),
                    Optional.empty());
            all.addAll(page.entries());
            if (page.nextCursor() == null) {
                break;
            }
            next = HistoryReader.Cursor.decode(page.nextCursor());
        }
        List<ObjectNode> sorted = all.stream()
                .filter(entry -> inRange(Instant.parse(entry.get("effectiveAt").asText()), from, to))
                .sorted(Comparator.comparing(Key::of))
                .filter(entry -> after == null || Key.of(entry).compareTo(after) > 0)
                .toList();
        List<ObjectNode> shown = sorted.subList(0, Math.min(limit, sorted.size()));
        String nextCursor = sorted.size() > limit ? Key.of(shown.get(shown.size() - 1)).encode() : null;
        return new HistoryReader.Page(List.copyOf(shown), nextCursor);
    }

    private static boolean inRange(Instant effectiveAt, Optional<Instant> from, Optional<Instant> to) {
        return from.map(start -> !effectiveAt.isBefore(start)).orElse(true)
                && to.map(end -> !effectiveAt.isAfter(end)).orElse(true);
    }
}
