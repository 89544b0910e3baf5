package dev.ledger.lambda.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * CloudWatch Embedded Metric Format: a JSON log line that also carries metrics. CloudWatch Logs
 * extracts them from the {@code _aws} member, so the handlers need no metrics client, no extra
 * request and no extra latency; locally the same lines simply land in the log.
 *
 * <p>The values are the line's own members: {@link #annotate} only declares which members are
 * dimensions and which are metrics (so the log line and the metric can never disagree).
 */
public final class EmbeddedMetrics {

    /** The CloudWatch namespace of every ledger metric. */
    public static final String NAMESPACE = "Ledger";

    /** The units the ledger uses. */
    public enum Unit {
        COUNT("Count"), MILLISECONDS("Milliseconds");

        private final String cloudWatchName;

        Unit(String cloudWatchName) {
            this.cloudWatchName = cloudWatchName;
        }
    }

    private EmbeddedMetrics() {
    }

    /**
     * Declares members of {@code line} as metrics, under one set of dimensions.
     *
     * @param dimensions names of text members of {@code line} (may be empty: the metric's total)
     * @param metrics    names of numeric members of {@code line} (a number, or an array of up to
     *                   100 numbers, which CloudWatch takes as that many values for percentiles)
     * @return {@code line}, with {@code _aws} added
     * @throws IllegalArgumentException if a named member is missing or of the wrong type
     */
    public static ObjectNode annotate(ObjectNode line, Instant at, List<String> dimensions, Map<String, Unit> metrics) {
        for (String dimension : dimensions) {
            if (!line.path(dimension).isTextual()) {
                throw new IllegalArgumentException("dimension " + dimension + " is not a text member of the line");
            }
        }
        ArrayNode declared = line.arrayNode();
        metrics.forEach((name, unit) -> {
            if (!isMetricValue(line.path(name))) {
                throw new IllegalArgumentException("metric " + name + " is not a number (or up to 100) in the line");
            }
            declared.addObject().put("Name", name).put("Unit", unit.cloudWatchName);
        });
        ObjectNode directive = line.objectNode().put("Namespace", NAMESPACE);
        ArrayNode dimensionSet = directive.putArray("Dimensions").addArray();
        dimensions.forEach(dimensionSet::add);
        directive.set("Metrics", declared);
        ObjectNode aws = line.objectNode().put("Timestamp", at.toEpochMilli());
        aws.putArray("CloudWatchMetrics").add(directive);
        line.set("_aws", aws);
        return line;
    }

    private static boolean isMetricValue(JsonNode value) {
        if (value.isNumber()) {
            return true;
        }
        if (!value.isArray() || value.isEmpty() || value.size() > 100) {
            return false;
        }
        for (JsonNode element : value) {
            if (!element.isNumber()) {
                return false;
            }
        }
        return true;
    }
}
