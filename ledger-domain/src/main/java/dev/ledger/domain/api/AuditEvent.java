package dev.ledger.domain.api;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Events of the audit trail (issue 15): what an operator did to the ledger, by whom, with which options
 * and with what outcome. They move no money and no projection follows them; they sit in the events
 * table, hash chained like every other stream, so an auditor can prove none was changed or dropped.
 *
 * <p>A long action (a rebuild, which may run for hours) writes {@link OperationStarted} before it begins and
 * {@link OperationFinished} with the same {@code actionId} when it ends, so a crash midway leaves its start
 * on record; a short one (a route switch, a lock, an API command) writes one {@link OperationPerformed}.
 */
public sealed interface AuditEvent extends LedgerEvent {

    /** The one trail every operator action is appended to: {@code audit:operations}. */
    String OPERATIONS = "operations";

    /** One id shared by an action's started and finished events (or its one performed event). */
    String actionId();

    /** What was done: {@code rebuild}, {@code route_switch}, {@code shards_raised}... (see {@code AuditActions}). */
    String action();

    /** What it was done to: {@code projection:balances}, {@code account:acme}, {@code transfer:t-1}. */
    String target();

    Operator operator();

    /** The options the action ran with, by name, as text. */
    SortedMap<String, String> options();

    @Override
    default StreamId streamId() {
        return StreamId.audit(OPERATIONS);
    }

    /** How an action ended. */
    enum Outcome { SUCCEEDED, REFUSED, ALREADY_APPLIED, FAILED }

    /**
     * Who acted.
     *
     * @param principal the identity AWS or the API vouched for: the STS caller ARN of the replay tool's
     *     credentials, or the API caller's subject
     * @param role the API role the action was allowed under; null for the replay tool (AWS IAM decides there)
     * @param osUser the local user running the replay tool; null for the API
     * @param host the host the replay tool ran on; null for the API
     */
    record Operator(String principal, String role, String osUser, String host) {
        public Operator {
            Objects.requireNonNull(principal, "principal");
        }
    }

    record OperationStarted(String actionId, String action, String target, Operator operator,
                            SortedMap<String, String> options) implements AuditEvent {
        public OperationStarted {
            options = copy(actionId, action, target, operator, options);
        }
    }

    /** @param detail what the outcome was about (a refusal's code, a failure's message, a summary); may be null */
    record OperationFinished(String actionId, String action, String target, Operator operator,
                             SortedMap<String, String> options, Outcome outcome, String detail) implements AuditEvent {
        public OperationFinished {
            options = copy(actionId, action, target, operator, options);
            Objects.requireNonNull(outcome, "outcome");
        }
    }

    /** @param detail what the outcome was about (a refusal's code, a failure's message, a summary); may be null */
    record OperationPerformed(String actionId, String action, String target, Operator operator,
                              SortedMap<String, String> options, Outcome outcome, String detail) implements AuditEvent {
        public OperationPerformed {
            options = copy(actionId, action, target, operator, options);
            Objects.requireNonNull(outcome, "outcome");
        }
    }

    private static SortedMap<String, String> copy(String actionId, String action, String target, Operator operator,
                                                  Map<String, String> options) {
        Objects.requireNonNull(actionId, "actionId");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(operator, "operator");
        return Collections.unmodifiableSortedMap(new TreeMap<>(options == null ? Map.of() : options));
    }
}
