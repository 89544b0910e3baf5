package dev.ledger.lambda.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.http.RequestLog;
import dev.ledger.lambda.metrics.EmbeddedMetrics.Unit;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The Embedded Metric Format lines the handlers write: what CloudWatch needs to extract metrics. */
class EmbeddedMetricsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant AT = Instant.parse("2026-11-27T08:00:00.123Z");

    @Test
    void aRequestLineDeclaresRequestsAndLatencyByRouteAndOutcome() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RequestLog log = new RequestLog(new PrintStream(out, true, StandardCharsets.UTF_8));

        log.request(AT, "POST /transfers", 422, 12_500, "t-1", "corr-1", "insufficient_funds");

        JsonNode line = JSON.readTree(out.toString(StandardCharsets.UTF_8));
        assertValidEmf(line);
        JsonNode directive = line.path("_aws").path("CloudWatchMetrics").get(0);
        assertThat(line.path("_aws").path("Timestamp").asLong()).isEqualTo(AT.toEpochMilli());
        assertThat(directive.path("Namespace").asText()).isEqualTo("Ledger");
        assertThat(directive.path("Dimensions").get(0)).containsExactly(JSON.readTree("\"route\""),
                JSON.readTree("\"outcome\""));
        assertThat(line.path("outcome").asText()).isEqualTo("insufficient_funds");
        assertThat(line.path("requests").asInt()).isEqualTo(1);
        assertThat(line.path("latencyMs").asDouble()).isEqualTo(12.5);
    }

    @Test
    void aTransactionsRequestLineNamesTheTransactionAndKeepsTheSameDimensions() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RequestLog log = new RequestLog(new PrintStream(out, true, StandardCharsets.UTF_8));

        log.request(AT, "POST /transactions", 422, 4_000, null, "tx-1", "corr-4", "unbalanced");

        JsonNode line = JSON.readTree(out.toString(StandardCharsets.UTF_8));
        assertValidEmf(line);
        assertThat(line.path("transactionId").asText()).isEqualTo("tx-1");
        assertThat(line.has("transferId")).isFalse();
        assertThat(line.path("route").asText()).isEqualTo("POST /transactions");
        assertThat(line.path("outcome").asText()).isEqualTo("unbalanced");
    }

    @Test
    void aSuccessfulRequestHasOutcomeOkAndAConflictLineCountsOneConflict() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RequestLog log = new RequestLog(new PrintStream(out, true, StandardCharsets.UTF_8));

        log.request(AT, "POST /accounts", 201, 3_000, null, "corr-2", null);
        log.appendConflict(AT, "corr-3", 2);

        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        JsonNode request = JSON.readTree(lines.get(0));
        JsonNode conflict = JSON.readTree(lines.get(1));
        assertValidEmf(request);
        assertValidEmf(conflict);
        assertThat(request.path("outcome").asText()).isEqualTo("ok");
        assertThat(conflict.path("appendConflicts").asInt()).isEqualTo(1);
        assertThat(conflict.path("attempt").asInt()).isEqualTo(2);
        assertThat(conflict.path("_aws").path("CloudWatchMetrics").get(0).path("Dimensions").get(0)).isEmpty();
    }

    @Test
    void aCommandRequestLineCountsTheRacesItsCommandsLostAndAReadLineHasNoSuchMetric() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RequestLog log = new RequestLog(new PrintStream(out, true, StandardCharsets.UTF_8));

        log.request(AT, "POST /transfers", 409, 2_000_000, "t-9", null, "corr-5", "concurrent_modification",
                OptionalInt.of(7));
        log.request(AT, "POST /transfers", 201, 9_000, "t-10", null, "corr-6", null, OptionalInt.of(0));
        log.request(AT, "GET /accounts/{id}", 200, 1_000, null, null, "corr-7", null, OptionalInt.empty());

        List<JsonNode> lines = out.toString(StandardCharsets.UTF_8).lines().map(EmbeddedMetricsTest::parse).toList();
        lines.forEach(EmbeddedMetricsTest::assertValidEmf);
        assertThat(lines.get(0).path("Conflicts").asInt()).isEqualTo(7);
        assertThat(lines.get(1).path("Conflicts").isInt()).as("0 is a value, not an absence").isTrue();
        assertThat(lines.get(1).path("Conflicts").asInt()).isZero();
        assertThat(metricNames(lines.get(0))).containsExactlyInAnyOrder("requests", "latencyMs", "Conflicts");
        assertThat(metricNames(lines.get(1))).contains("Conflicts");
        assertThat(lines.get(2).has("Conflicts")).isFalse();
        assertThat(metricNames(lines.get(2))).containsExactlyInAnyOrder("requests", "latencyMs");
    }

    private static List<String> metricNames(JsonNode line) {
        return line.path("_aws").path("CloudWatchMetrics").get(0).path("Metrics").findValuesAsText("Name");
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aDimensionOrMetricTheLineDoesNotCarryIsRefused() {
        ObjectNode line = JsonNodeFactory.instance.objectNode().put("projection", "balances").put("applied", 3);
        line.putArray("lagMs").add(1).add("two");

        assertThatThrownBy(() -> EmbeddedMetrics.annotate(line, AT, List.of("route"), Map.of("applied", Unit.COUNT)))
                .hasMessageContaining("dimension route");
        assertThatThrownBy(() -> EmbeddedMetrics.annotate(line, AT, List.of("projection"),
                Map.of("lagMs", Unit.MILLISECONDS))).hasMessageContaining("metric lagMs");
        assertThatThrownBy(() -> EmbeddedMetrics.annotate(line, AT, List.of("applied"), Map.of()))
                .as("a dimension must be text").hasMessageContaining("dimension applied");
    }

    /** Every dimension names a text member, every metric a number or a non-empty array of numbers. */
    static void assertValidEmf(JsonNode line) {
        JsonNode aws = line.path("_aws");
        assertThat(aws.path("Timestamp").isIntegralNumber()).isTrue();
        assertThat(aws.path("CloudWatchMetrics")).isNotEmpty();
        for (JsonNode directive : aws.path("CloudWatchMetrics")) {
            assertThat(directive.path("Namespace").asText()).isNotBlank();
            for (JsonNode set : directive.path("Dimensions")) {
                set.forEach(name -> assertThat(line.path(name.asText()).isTextual()).as(name.asText()).isTrue());
            }
            assertThat(directive.path("Metrics")).isNotEmpty();
            for (JsonNode metric : directive.path("Metrics")) {
                JsonNode value = line.path(metric.path("Name").asText());
                assertThat(value.isNumber() || value.isArray() && !value.isEmpty())
                        .as(metric.toString()).isTrue();
                assertThat(metric.path("Unit").asText()).isIn("Count", "Milliseconds");
            }
        }
    }
}
