package dev.ledger.views;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.domain.api.AuditEvent;
import dev.ledger.domain.api.AuditEvent.OperationFinished;
import dev.ledger.domain.api.AuditEvent.OperationPerformed;
import dev.ledger.domain.api.AuditEvent.OperationStarted;
import java.time.Instant;
import java.util.Locale;

/**
 * How an entry of the audit trail (issue 15) is shown, by {@code GET /audit/operations} and by
 * {@code replay audit}: one shape for both.
 */
public final class AuditView {

    private AuditView() {
    }

    /**
     * {@code {"version","recordedAt","actionId","action","phase","target","operator":{"principal","role","osUser",
     * "host"},"options":{},"outcome","detail","hash"}}; {@code phase} is {@code started}, {@code finished} or
     * {@code performed}; a started action has no outcome yet (null).
     *
     * @param version the entry's version in the trail (the listing's cursor counts down by it)
     * @param recordedAt when the entry was appended, as the hash chain covers it
     * @param hash the entry's link of the trail's hash chain
     */
    public static ObjectNode entry(long version, Instant recordedAt, String hash, AuditEvent event) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("version", version);
        node.put("recordedAt", recordedAt.toString());
        node.put("actionId", event.actionId());
        node.put("action", event.action());
        node.put("phase", phase(event));
        node.put("target", event.target());
        ObjectNode operator = node.putObject("operator");
        operator.put("principal", event.operator().principal());
        operator.put("role", event.operator().role());
        operator.put("osUser", event.operator().osUser());
        operator.put("host", event.operator().host());
        ObjectNode options = node.putObject("options");
        event.options().forEach(options::put);
        AuditEvent.Outcome outcome = outcome(event);
        node.put("outcome", outcome == null ? null : outcome.name().toLowerCase(Locale.ROOT));
        node.put("detail", detail(event));
        node.put("hash", hash);
        return node;
    }

    /** One line for a terminal: version, time, action and phase, outcome, target, who, options, detail. */
    public static String line(long version, Instant recordedAt, AuditEvent event) {
        AuditEvent.Outcome outcome = outcome(event);
        String who = event.operator().principal()
                + (event.operator().role() == null ? "" : " as " + event.operator().role())
                + (event.operator().osUser() == null ? "" : " (" + event.operator().osUser() + "@"
                + event.operator().host() + ")");
        String detail = detail(event);
        return String.format(Locale.ROOT, "%6d %s %s %s%s %s by %s %s [%s]%s", version, recordedAt, event.action(),
                phase(event), outcome == null ? "" : " " + outcome.name().toLowerCase(Locale.ROOT), event.target(), who,
                event.options(), event.actionId(), detail == null ? "" : ": " + detail);
    }

    private static String phase(AuditEvent event) {
        if (event instanceof OperationStarted) {
            return "started";
        }
        return event instanceof OperationFinished ? "finished" : "performed";
    }

    private static AuditEvent.Outcome outcome(AuditEvent event) {
        if (event instanceof OperationFinished finished) {
            return finished.outcome();
        }
        return event instanceof OperationPerformed performed ? performed.outcome() : null;
    }

    private static String detail(AuditEvent event) {
        if (event instanceof OperationFinished finished) {
            return finished.detail();
        }
        return event instanceof OperationPerformed performed ? performed.detail() : null;
    }
}
