package dev.ledger.projections;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.lambda.metrics.EmbeddedMetrics;
import dev.ledger.lambda.metrics.EmbeddedMetrics.Unit;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One JSON line per batch a projection consumed, which is also a CloudWatch Embedded Metric Format
 * record by {@code projection}: {@code applied}, {@code duplicates}, {@code deadLettered}, and
 * {@code lagMs}, the time from each applied event's commit to its projection (up to 100 values per
 * line, so CloudWatch can give percentiles).
 */
public final class ProjectionLog {

    /** At most this many lag values per line (the format's limit). */
    static final int MAX_VALUES = 100;

    private final PrintStream out;
    private final Clock clock;

    public ProjectionLog(PrintStream out, Clock clock) {
        this.out = out;
        this.clock = clock;
    }

    /** A log that writes nowhere: for consumers built in tests and tools. */
    public static ProjectionLog discarding() {
        return new ProjectionLog(new PrintStream(OutputStream.nullOutputStream()), Clock.systemUTC());
    }

    /**
     * @param lagsMs the lag of each applied event, in order; the first {@value #MAX_VALUES} are kept
     */
    void batch(String projection, int records, int applied, int duplicates, int deadLettered, List<Long> lagsMs) {
        Instant at = clock.instant();
        ObjectNode line = JsonNodeFactory.instance.objectNode();
        line.put("ts", at.toString());
        line.put("level", deadLettered > 0 ? "WARN" : "INFO");
        line.put("projection", projection);
        line.put("records", records);
        line.put("applied", applied);
        line.put("duplicates", duplicates);
        line.put("deadLettered", deadLettered);
        Map<String, Unit> metrics = new LinkedHashMap<>();
        metrics.put("applied", Unit.COUNT);
        metrics.put("duplicates", Unit.COUNT);
        metrics.put("deadLettered", Unit.COUNT);
        if (!lagsMs.isEmpty()) {
            lagsMs.subList(0, Math.min(MAX_VALUES, lagsMs.size())).forEach(line.putArray("lagMs")::add);
            metrics.put("lagMs", Unit.MILLISECONDS);
        }
        out.println(EmbeddedMetrics.annotate(line, at, List.of("projection"), metrics));
    }

    /** The lag of an event committed at {@code recordedAt}, applied now; never negative (clock skew). */
    long lagMs(Instant recordedAt) {
        return Math.max(0, Duration.between(recordedAt, clock.instant()).toMillis());
    }
}
