package dev.ledger.functions.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.time.Instant;

/**
 * One structured JSON line per request on standard output (CloudWatch Logs on AWS): route, status,
 * latency, transfer and correlation ids, the error code. Never a token, never a body.
 */
public final class RequestLog {

    private final PrintStream out;

    public RequestLog(PrintStream out) {
        this.out = out;
    }

    public void request(Instant at, String route, int status, long latencyMicros, String transferId,
                        String correlationId, String errorCode) {
        ObjectNode line = JsonNodeFactory.instance.objectNode();
        line.put("ts", at.toString());
        line.put("level", status >= 500 ? "ERROR" : "INFO");
        line.put("route", route);
        line.put("status", status);
        line.put("latencyMs", latencyMicros / 1000.0);
        if (transferId != null) {
            line.put("transferId", transferId);
        }
        line.put("correlationId", correlationId);
        if (errorCode != null) {
            line.put("error", errorCode);
        }
        out.println(line);
    }

    /** An unexpected failure: the type and message for operators, no stack trace in the response. */
    public void failure(Instant at, String route, String correlationId, Throwable failure) {
        ObjectNode line = JsonNodeFactory.instance.objectNode();
        line.put("ts", at.toString());
        line.put("level", "ERROR");
        line.put("route", route);
        line.put("correlationId", correlationId);
        line.put("exception", failure.getClass().getName());
        line.put("message", String.valueOf(failure.getMessage()));
        out.println(line);
    }
}
