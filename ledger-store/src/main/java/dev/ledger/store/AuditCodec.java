package dev.ledger.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.domain.api.AuditEvent;
import dev.ledger.domain.api.AuditEvent.OperationFinished;
import dev.ledger.domain.api.AuditEvent.OperationPerformed;
import dev.ledger.domain.api.AuditEvent.OperationStarted;
import dev.ledger.domain.api.AuditEvent.Operator;
import dev.ledger.domain.api.AuditEvent.Outcome;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The stored form of the audit trail's events (issue 15), for {@link EventCodec}: three new types and
 * nothing else of the log changed. The body is
 * {@code {"actionId","action","target","operator":{"principal","role","osUser","host"},"options":{...}}}, plus
 * {@code "outcome"} (lower case) and {@code "detail"} for a finished or performed action; absent parts are
 * null, so every body of a type has the same keys.
 */
final class AuditCodec {

    static final String STARTED = "OperationStarted";
    static final String FINISHED = "OperationFinished";
    static final String PERFORMED = "OperationPerformed";

    private AuditCodec() {
    }

    static String typeOf(AuditEvent event) {
        if (event instanceof OperationStarted) {
            return STARTED;
        }
        return event instanceof OperationFinished ? FINISHED : PERFORMED;
    }

    static boolean isAuditType(String type) {
        return STARTED.equals(type) || FINISHED.equals(type) || PERFORMED.equals(type);
    }

    static void encode(AuditEvent event, ObjectNode body) {
        body.put("actionId", event.actionId());
        body.put("action", event.action());
        body.put("target", event.target());
        ObjectNode operator = body.putObject("operator");
        operator.put("principal", event.operator().principal());
        operator.put("role", event.operator().role());
        operator.put("osUser", event.operator().osUser());
        operator.put("host", event.operator().host());
        ObjectNode options = body.putObject("options");
        event.options().forEach(options::put);
        if (event instanceof OperationFinished e) {
            putOutcome(body, e.outcome(), e.detail());
        } else if (event instanceof OperationPerformed e) {
            putOutcome(body, e.outcome(), e.detail());
        }
    }

    static AuditEvent decode(String type, JsonNode body) {
        String actionId = body.get("actionId").asText();
        String action = body.get("action").asText();
        String target = body.get("target").asText();
        JsonNode who = body.get("operator");
        Operator operator = new Operator(who.get("principal").asText(), orNull(who, "role"), orNull(who, "osUser"),
                orNull(who, "host"));
        Map<String, String> options = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> fields = body.get("options").fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            options.put(field.getKey(), field.getValue().asText());
        }
        if (STARTED.equals(type)) {
            return new OperationStarted(actionId, action, target, operator, new TreeMap<>(options));
        }
        Outcome outcome = Outcome.valueOf(body.get("outcome").asText().toUpperCase(Locale.ROOT));
        String detail = orNull(body, "detail");
        return FINISHED.equals(type)
                ? new OperationFinished(actionId, action, target, operator, new TreeMap<>(options), outcome, detail)
                : new OperationPerformed(actionId, action, target, operator, new TreeMap<>(options), outcome, detail);
    }

    /** The outcome's stored name: {@code succeeded}, {@code refused}, {@code already_applied}, {@code failed}. */
    static String stored(Outcome outcome) {
        return outcome.name().toLowerCase(Locale.ROOT);
    }

    private static void putOutcome(ObjectNode body, Outcome outcome, String detail) {
        body.put("outcome", stored(outcome));
        body.put("detail", detail);
    }

    private static String orNull(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    /** An empty body to fill: for {@link EventCodec#encode}. */
    static ObjectNode body() {
        return JsonNodeFactory.instance.objectNode();
    }
}
