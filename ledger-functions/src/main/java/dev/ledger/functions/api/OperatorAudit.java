package dev.ledger.functions.api;

import dev.ledger.domain.api.AuditEvent.OperationPerformed;
import dev.ledger.domain.api.AuditEvent.Operator;
import dev.ledger.domain.api.AuditEvent.Outcome;
import dev.ledger.domain.api.OperatorAction;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.functions.command.CommandService;
import dev.ledger.http.Role;
import dev.ledger.http.Route.Call;
import java.util.SortedMap;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The audit entry of an operator's command on the API (issue 15): who (the caller's subject, under the
 * operator role the route or the {@code force} flag required), what, on which stream, with which options,
 * and the ledger's answer. Request bodies' metadata is never copied into it.
 */
final class OperatorAudit {

    private OperatorAudit() {
    }

    /**
     * @param target the stream acted on, as the log names it ({@code account:acme}, {@code transfer:t-1})
     * @param options read once the command has run, so a field it refused is never read for the entry
     */
    static CommandService.Audit of(Call call, OperatorAction action, String target,
                                   Supplier<SortedMap<String, String>> options) {
        // One id for every attempt of this request: a lost race redoes the command and its entry together.
        String actionId = UUID.randomUUID().toString();
        Operator operator = new Operator(call.caller().subject(), Role.OPERATOR.label(), null, null);
        return result -> new OperationPerformed(actionId, action.stored(), target, operator, options.get(),
                outcome(result), result.isRejected() ? result.rejection().code().code() : null);
    }

    private static Outcome outcome(LedgerResult result) {
        return switch (result.status()) {
            case APPLIED -> Outcome.SUCCEEDED;
            case ALREADY_APPLIED -> Outcome.ALREADY_APPLIED;
            case REJECTED -> Outcome.REFUSED;
        };
    }
}
