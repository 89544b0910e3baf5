package dev.ledger.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.lambda.metrics.EmbeddedMetrics;
import dev.ledger.lambda.metrics.EmbeddedMetrics.Unit;
import java.io.PrintStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/**
 * One structured JSON line per request on standard output (CloudWatch Logs on AWS): route, status,
 * latency, transfer and correlation ids, the error code. Never a token, never a body, never a
 * metadata value: nothing the caller sent but the route and ids the API checked.
 *
 * <p>Each line is also a CloudWatch Embedded Metric Format record: {@code requests} (1) and
 * {@code latencyMs} by {@code route} and {@code outcome} (the error code, or {@code ok}), which for
 * the POST routes is commands by outcome. A lost race (an append refused because another writer
 * got there first, or heads of one hold read on either side of another writer's commit) gets a line
 * of its own with the metric {@code appendConflicts}; and every line of the command API carries
 * {@code Conflicts}, the races that request's commands lost (0 when none), by the same dimensions.
 */
public final class RequestLog {

    /** Causes named on a failure's line, at most: a chain is seldom deeper, and a cycle must end. */
    static final int MAX_CAUSES = 8;

    private final PrintStream out;

    public RequestLog(PrintStream out) {
        this.out = out;
    }

    public void request(Instant at, String route, int status, long latencyMicros, String transferId,
                        String correlationId, String errorCode) {
        request(at, route, status, latencyMicros, transferId, null, correlationId, errorCode);
    }

    /** As above, naming the multi-leg transaction the request was about ({@code transactionId}, when not null). */
    public void request(Instant at, String route, int status, long latencyMicros, String transferId,
                        String transactionId, String correlationId, String errorCode) {
        request(at, route, status, latencyMicros, transferId, transactionId, correlationId, errorCode,
                OptionalInt.empty());
    }

    /**
     * As above, for a request of routes that run commands: {@code conflicts} is the races they lost, the
     * metric {@code Conflicts}; empty for routes that run none (the line then has no such metric).
     */
    public void request(Instant at, String route, int status, long latencyMicros, String transferId,
                        String transactionId, String correlationId, String errorCode, OptionalInt conflicts) {
        ObjectNode line = JsonNodeFactory.instance.objectNode();
        line.put("ts", at.toString());
        line.put("level", status >= 500 ? "ERROR" : "INFO");
        line.put("route", route);
        line.put("status", status);
        line.put("latencyMs", latencyMicros / 1000.0);
        if (transferId != null) {
            line.put("transferId", transferId);
        }
        if (transactionId != null) {
            line.put("transactionId", transactionId);
        }
        line.put("correlationId", correlationId);
        if (errorCode != null) {
            line.put("error", errorCode);
        }
        line.put("outcome", errorCode == null ? "ok" : errorCode);
        line.put("requests", 1);
        Map<String, Unit> metrics = new LinkedHashMap<>();
        metrics.put("requests", Unit.COUNT);
        metrics.put("latencyMs", Unit.MILLISECONDS);
        if (conflicts.isPresent()) {
            line.put("Conflicts", conflicts.getAsInt());
            metrics.put("Conflicts", Unit.COUNT);
        }
        out.println(EmbeddedMetrics.annotate(line, at, List.of("route", "outcome"), metrics));
    }

    /** A command lost a race (an append, or a read of one hold) and is retried ({@code attempt} lost). */
    public void appendConflict(Instant at, String correlationId, int attempt) {
        ObjectNode line = JsonNodeFactory.instance.objectNode();
        line.put("ts", at.toString());
        line.put("level", "WARN");
        line.put("event", "append_conflict");
        line.put("correlationId", correlationId);
        line.put("attempt", attempt);
        line.put("appendConflicts", 1);
        out.println(EmbeddedMetrics.annotate(line, at, List.of(), Map.of("appendConflicts", Unit.COUNT)));
    }

    /**
     * An unexpected failure, for operators: the exception's type and where it was thrown, the types of
     * its causes, and for a refusal by an AWS service its error code, status and request id (enough to
     * find the call in the service's own logs). Never a message: an exception's message may quote what
     * the request carried (a JSON parser's quotes the token it choked on, a validation message the
     * value it refused), and the log must hold no metadata value, token or body.
     */
    public void failure(Instant at, String route, String correlationId, Throwable failure) {
        ObjectNode line = JsonNodeFactory.instance.objectNode();
        line.put("ts", at.toString());
        line.put("level", "ERROR");
        line.put("route", route);
        line.put("correlationId", correlationId);
        line.put("exception", failure.getClass().getName());
        StackTraceElement[] trace = failure.getStackTrace();
        if (trace.length > 0) {
            line.put("thrownAt", trace[0].toString());
        }
        ArrayNode causes = line.putArray("causes");
        AwsServiceException refusal = failure instanceof AwsServiceException service ? service : null;
        Throwable cause = failure.getCause();
        for (int depth = 0; cause != null && cause != failure && depth < MAX_CAUSES; depth++, cause = cause.getCause()) {
            causes.add(cause.getClass().getName());
            if (refusal == null && cause instanceof AwsServiceException service) {
                refusal = service;
            }
        }
        if (refusal != null) {
            line.put("awsErrorCode", refusal.awsErrorDetails() == null ? null : refusal.awsErrorDetails().errorCode());
            line.put("awsStatus", refusal.statusCode());
            line.put("awsRequestId", refusal.requestId());
        }
        out.println(line);
    }
}
