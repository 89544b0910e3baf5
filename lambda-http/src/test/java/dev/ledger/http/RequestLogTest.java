package dev.ledger.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RequestLogTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant AT = Instant.parse("2026-05-01T00:00:00Z");
    private static final String CANARY = "canary3f9b2c";

    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    private final RequestLog log = new RequestLog(new PrintStream(written, true, StandardCharsets.UTF_8));

    @Test
    void a_failure_names_its_type_where_it_was_thrown_and_its_causes_but_never_a_message_that_may_quote_input()
            throws Exception {
        JsonParseException parser;
        try {
            JSON.readTree("{\"metadata\":{\"note\":" + CANARY + "}}");
            throw new AssertionError("the body is not JSON");
        } catch (JsonParseException e) {
            parser = e;
        }
        assertThat(parser.getMessage()).as("what a message would have leaked").contains(CANARY);

        log.failure(AT, "POST /transfers", "c-1", new IllegalStateException("refused " + CANARY,
                new UncheckedIOException(new java.io.IOException(parser))));

        String line = written.toString(StandardCharsets.UTF_8);
        assertThat(line).doesNotContain(CANARY).doesNotContain("refused");
        JsonNode json = JSON.readTree(line);
        assertThat(json.path("level").asText()).isEqualTo("ERROR");
        assertThat(json.path("exception").asText()).isEqualTo(IllegalStateException.class.getName());
        assertThat(json.path("thrownAt").asText()).contains(RequestLogTest.class.getName());
        assertThat(json.path("causes")).extracting(JsonNode::asText).containsExactly(
                UncheckedIOException.class.getName(), java.io.IOException.class.getName(),
                JsonParseException.class.getName());
        assertThat(json.has("message")).isFalse();
    }

    @Test
    void a_refusal_by_an_aws_service_names_its_error_code_status_and_request_id_not_its_message() throws Exception {
        DynamoDbException refusal = (DynamoDbException) DynamoDbException.builder()
                .message("One or more parameter values were invalid: " + CANARY)
                .statusCode(400).requestId("req-7")
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("ValidationException")
                        .errorMessage("One or more parameter values were invalid: " + CANARY).build())
                .build();

        log.failure(AT, "POST /transfers", "c-2", new IllegalStateException("append failed", refusal));

        String line = written.toString(StandardCharsets.UTF_8);
        assertThat(line).doesNotContain(CANARY);
        JsonNode json = JSON.readTree(line);
        assertThat(json.path("awsErrorCode").asText()).isEqualTo("ValidationException");
        assertThat(json.path("awsStatus").asInt()).isEqualTo(400);
        assertThat(json.path("awsRequestId").asText()).isEqualTo("req-7");
    }

    @Test
    void a_cause_chain_that_loops_ends() throws Exception {
        RuntimeException first = new RuntimeException("a");
        RuntimeException second = new RuntimeException("b", first);
        first.initCause(second);

        log.failure(AT, "GET /health", "c-3", new IllegalStateException("f", first));

        assertThat(JSON.readTree(written.toString(StandardCharsets.UTF_8)).path("causes").size())
                .isEqualTo(RequestLog.MAX_CAUSES);
    }
}
