package dev.ledger.functions.command;

import dev.ledger.domain.ledger.ShardCounts;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The shard counts one command Lambda container has seen, shared by its requests (issue 13): a payment
 * on a sharded account then reads only its shard, not also shard 0's head, which every payment of a
 * hot account would otherwise read. A count is forgotten {@link #REMEMBERED} after it was seen, so a raised
 * count reaches every container within that time, sooner through any command that reads shard 0 anyway
 * (one that picks it, gathers funds, or answers with the whole account); until then the old count is
 * safe: its shards all still exist. Time comes from the service's clock.
 */
final class RememberedShardCounts implements ShardCounts {

    /** How long a seen count is used before shard 0 is read again. */
    static final Duration REMEMBERED = Duration.ofSeconds(60);
    /** Past this many accounts the memory starts over, so a container never grows without bound. */
    static final int MOST_ACCOUNTS = 10_000;

    private record Seen(int shardCount, Instant at) {
    }

    private final Clock clock;
    private final Map<String, Seen> seen = new ConcurrentHashMap<>();

    RememberedShardCounts(Clock clock) {
        this.clock = clock;
    }

    @Override
    public OptionalInt known(String accountId) {
        Seen last = seen.get(accountId);
        if (last == null || !clock.instant().isBefore(last.at().plus(REMEMBERED))) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(last.shardCount());
    }

    @Override
    public void saw(String accountId, int shardCount) {
        if (shardCount <= 1) {
            return;
        }
        if (seen.size() >= MOST_ACCOUNTS && !seen.containsKey(accountId)) {
            seen.clear();
        }
        seen.put(accountId, new Seen(shardCount, clock.instant()));
    }
}
