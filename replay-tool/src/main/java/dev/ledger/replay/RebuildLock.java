package dev.ledger.replay;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * One rebuild of a projection at a time: an item {@code lock#<projection>} in the control table
 * with its owner and an expiry, taken with a conditional put (free, or expired), renewed while the
 * rebuild runs (every third of its time to live), released at the end or on Ctrl-C. A rebuild killed
 * outright leaves the lock until it expires; then the next rebuild takes it.
 */
final class RebuildLock implements AutoCloseable {

    static final String OWNER = "owner";
    static final String EXPIRES_AT = "expiresAtMillis";
    static final String ACQUIRED_AT = "acquiredAt";

    private final ControlTable control;
    private final String id;
    private final String owner;
    private final Duration ttl;
    private final Clock clock;
    private final ScheduledExecutorService heartbeat;
    private final Broken broke;
    private volatile boolean lost;
    private volatile boolean released;

    /** A lock another owner let expire, taken over by this one: whose it was and when it had expired. */
    record Broken(String previousOwner, Instant expiredAt) {
    }

    private RebuildLock(ControlTable control, String id, String owner, Duration ttl, Clock clock, Broken broke) {
        this.control = control;
        this.broke = broke;
        this.id = id;
        this.owner = owner;
        this.ttl = ttl;
        this.clock = clock;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(EventLog.daemon("lock-" + id));
        long every = Math.max(1, ttl.toMillis() / 3);
        heartbeat.scheduleAtFixedRate(this::renew, every, every, TimeUnit.MILLISECONDS);
    }

    /** Who holds the lock: user, host, pid and a random part. */
    String owner() {
        return owner;
    }

    /** Takes the lock or throws {@link LockedException} naming who holds it until when. */
    static RebuildLock acquire(ControlTable control, String projection, String owner, Duration ttl, Clock clock) {
        String id = "lock#" + projection;
        Instant now = clock.instant();
        Map<String, AttributeValue> before;
        try {
            // ALL_OLD: an item there before was an expired lock of another run, which this put breaks.
            before = control.dynamo().putItem(r -> r.tableName(control.table()).returnValues(ReturnValue.ALL_OLD)
                    .item(Map.of(ControlTable.ID, AttributeValue.fromS(id), OWNER, AttributeValue.fromS(owner),
                            EXPIRES_AT, AttributeValue.fromN(Long.toString(now.plus(ttl).toEpochMilli())),
                            ACQUIRED_AT, AttributeValue.fromS(now.toString())))
                    .conditionExpression("attribute_not_exists(#id) OR #exp < :now")
                    .expressionAttributeNames(Map.of("#id", ControlTable.ID, "#exp", EXPIRES_AT))
                    .expressionAttributeValues(Map.of(":now", AttributeValue.fromN(Long.toString(now.toEpochMilli())))))
                    .attributes();
        } catch (ConditionalCheckFailedException held) {
            var item = control.dynamo().getItem(r -> r.tableName(control.table()).consistentRead(true)
                    .key(Map.of(ControlTable.ID, AttributeValue.fromS(id)))).item();
            String holder = item == null || !item.containsKey(OWNER) ? "someone" : item.get(OWNER).s();
            String until = item == null || !item.containsKey(EXPIRES_AT) ? "?"
                    : Instant.ofEpochMilli(Long.parseLong(item.get(EXPIRES_AT).n())).toString();
            throw new LockedException("a rebuild of " + projection + " is already running: lock held by " + holder
                    + " until " + until + " (renewed while it runs; a killed rebuild's lock expires then)");
        }
        Broken broke = before == null || !before.containsKey(OWNER) ? null : new Broken(before.get(OWNER).s(),
                before.containsKey(EXPIRES_AT) ? Instant.ofEpochMilli(Long.parseLong(before.get(EXPIRES_AT).n())) : null);
        return new RebuildLock(control, id, owner, ttl, clock, broke);
    }

    /** The expired lock this one took over, if it did. */
    java.util.Optional<Broken> broke() {
        return java.util.Optional.ofNullable(broke);
    }

    /** Whether a renewal found the lock taken by another owner (the rebuild must stop). */
    boolean lost() {
        return lost;
    }

    private void renew() {
        if (released) {
            return;
        }
        try {
            control.dynamo().updateItem(r -> r.tableName(control.table())
                    .key(Map.of(ControlTable.ID, AttributeValue.fromS(id)))
                    .updateExpression("SET #exp = :exp")
                    .conditionExpression("#owner = :me")
                    .expressionAttributeNames(Map.of("#exp", EXPIRES_AT, "#owner", OWNER))
                    .expressionAttributeValues(Map.of(
                            ":exp", AttributeValue.fromN(Long.toString(clock.instant().plus(ttl).toEpochMilli())),
                            ":me", AttributeValue.fromS(owner))));
        } catch (ConditionalCheckFailedException taken) {
            lost = true;
        } catch (RuntimeException transientError) {
            // the next renewal tries again; the lock lives a whole ttl
        }
    }

    @Override
    public synchronized void close() {
        if (released) {
            return;
        }
        released = true;
        heartbeat.shutdownNow();
        try {
            control.dynamo().deleteItem(r -> r.tableName(control.table())
                    .key(Map.of(ControlTable.ID, AttributeValue.fromS(id)))
                    .conditionExpression("#owner = :me")
                    .expressionAttributeNames(Map.of("#owner", OWNER))
                    .expressionAttributeValues(Map.of(":me", AttributeValue.fromS(owner))));
        } catch (ConditionalCheckFailedException notOurs) {
            // it expired and someone else holds it now: leave theirs alone
        }
    }

    static final class LockedException extends RuntimeException {
        LockedException(String message) {
            super(message);
        }
    }
}
