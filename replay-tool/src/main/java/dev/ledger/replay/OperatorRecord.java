package dev.ledger.replay;

import dev.ledger.domain.api.AuditEvent.OperationFinished;
import dev.ledger.domain.api.AuditEvent.OperationPerformed;
import dev.ledger.domain.api.AuditEvent.OperationStarted;
import dev.ledger.domain.api.AuditEvent.Operator;
import dev.ledger.domain.api.AuditEvent.Outcome;
import dev.ledger.domain.api.OperatorAction;
import dev.ledger.store.AuditLog;
import dev.ledger.store.DynamoEventStore;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * What this run of the replay tool puts on the audit trail (issue 15): each action with who ran it (the
 * AWS identity STS names for the tool's credentials, and the local user and host), when (the clock), the
 * options and the outcome. A long action is recorded as started before it begins and finished when it
 * ends, under one action id; a short one as performed.
 */
final class OperatorRecord {

    private final AuditLog trail;
    private final Operator operator;

    OperatorRecord(DynamoDbClient dynamo, String eventsTable, Operator operator, Clock clock) {
        this.trail = new AuditLog(new DynamoEventStore(dynamo, eventsTable), clock);
        this.operator = operator;
    }

    /**
     * Who runs this tool: the caller identity's ARN (as AWS authenticated the credentials, not as the
     * operator says), the OS user and the host. Asked before any action, so an action nobody can be named
     * for is not taken.
     */
    static Operator whoRuns(Target target) {
        try (StsClient sts = target.sts()) {
            String arn = sts.getCallerIdentity().arn();
            return new Operator(arn, null, System.getProperty("user.name", "?"), host());
        }
    }

    Operator operator() {
        return operator;
    }

    /** @return the action id its {@link #finished} must name */
    String started(OperatorAction action, String target, SortedMap<String, String> options) {
        String actionId = UUID.randomUUID().toString();
        trail.append(new OperationStarted(actionId, action.stored(), target, operator, options), actionId);
        return actionId;
    }

    void finished(String actionId, OperatorAction action, String target, SortedMap<String, String> options,
                  Outcome outcome, String detail) {
        trail.append(new OperationFinished(actionId, action.stored(), target, operator, options, outcome, detail),
                actionId);
    }

    void performed(OperatorAction action, String target, SortedMap<String, String> options, Outcome outcome,
                   String detail) {
        String actionId = UUID.randomUUID().toString();
        trail.append(new OperationPerformed(actionId, action.stored(), target, operator, options, outcome, detail),
                actionId);
    }

    /**
     * Takes a projection's rebuild lock, on the record: taken (with its owner and ttl), refused (held by
     * whom), and when it took over another run's expired lock, broken (whose it was, when it expired).
     */
    RebuildLock lock(ControlTable control, String projection, String owner, Duration ttl, Clock clock) {
        String subject = "lock#" + projection;
        SortedMap<String, String> options = new TreeMap<>(Map.of("owner", owner,
                "ttlSeconds", Long.toString(ttl.toSeconds())));
        RebuildLock lock;
        try {
            lock = RebuildLock.acquire(control, projection, owner, ttl, clock);
        } catch (RebuildLock.LockedException held) {
            performed(OperatorAction.REBUILD_LOCK_TAKEN, subject, options, Outcome.REFUSED, held.getMessage());
            throw held;
        }
        try {
            performed(OperatorAction.REBUILD_LOCK_TAKEN, subject, options, Outcome.SUCCEEDED, null);
            lock.broke().ifPresent(broken -> {
                SortedMap<String, String> what = new TreeMap<>(options);
                what.put("previousOwner", broken.previousOwner());
                what.put("previousExpiredAt", String.valueOf(broken.expiredAt()));
                performed(OperatorAction.REBUILD_LOCK_BROKEN, subject, what, Outcome.SUCCEEDED, null);
            });
        } catch (RuntimeException unrecorded) {
            lock.close(); // a lock taken off the record is given back
            throw unrecorded;
        }
        return lock;
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown-host";
        }
    }
}
