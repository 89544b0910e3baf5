package dev.ledger.functions.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.ledger.functions.LedgerFixture;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.SystemProperties;
import dev.ledger.localaws.TestNames;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * SnapStart priming of the command handler as Lambda runs it: built by its no-arg constructor from
 * the configuration (system properties here, environment variables on AWS), primed, then serving.
 */
@ExtendWith(LocalAwsExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CommandApiPrimingIT {

    private SystemProperties configured;
    private LedgerFixture ledger;
    private DynamoDbClient dynamo;

    @BeforeAll
    void configureTheHandlerAsLambdaWould(AwsClients aws, TestNames names) {
        dynamo = aws.dynamoDb();
        ledger = new LedgerFixture(dynamo, names.table("events"), Clock.systemUTC());
        assertThat(ledger.openAccount("bank", "EUR", "null").status()).isEqualTo(201);
        assertThat(ledger.openAccount("alice", "EUR", null).status()).isEqualTo(201);
        Map<String, String> configuration = Map.of("LEDGER_EVENTS_TABLE", ledger.table(),
                "LEDGER_AWS_ENDPOINT", aws.endpoint().toString(),
                "aws.region", AwsClients.REGION.id(), "aws.accessKeyId", "local", "aws.secretAccessKey", "local");
        configured = SystemProperties.set(configuration);
    }

    @AfterAll
    void restore() {
        if (configured != null) {
            configured.restore();
        }
    }

    @Test
    void primingWritesNothingLogsNothingAndLeavesTheHandlerServingRequests() {
        long itemsBefore = items();
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        PrintStream original = System.out;
        CommandApiHandler handler;
        System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
        try {
            handler = new CommandApiHandler();
            handler.beforeCheckpoint(null);
        } finally {
            System.setOut(original);
        }

        assertThat(items()).as("items of the events table, heads included").isEqualTo(itemsBefore);
        assertThat(stdout.toString(StandardCharsets.UTF_8)).as("the request log").isEmpty();

        APIGatewayV2HTTPResponse transfer = handler.handleRequest(transfer("primed-1", "bank", "alice"), null);
        assertThat(transfer.getStatusCode()).as(transfer.getBody()).isEqualTo(201);
        assertThat(ledger.eventCount()).as("two accounts opened, and one transfer's three events").isEqualTo(5);
        assertThat(stdout.toString(StandardCharsets.UTF_8).lines()).as("the request log: the transfer alone")
                .singleElement().asString().contains("primed-1");
    }

    private long items() {
        return dynamo.scan(request -> request.tableName(ledger.table())).count();
    }

    private static APIGatewayV2HTTPEvent transfer(String id, String debit, String credit) {
        return APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0")
                .withRouteKey("$default")
                .withRawPath("/transfers")
                .withHeaders(Map.of("content-type", "application/json"))
                .withBody("{\"transferId\":\"" + id + "\",\"debitAccountId\":\"" + debit + "\",\"creditAccountId\":\""
                        + credit + "\",\"amount\":\"1.00\",\"currency\":\"EUR\"}")
                .withIsBase64Encoded(false)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withRequestId(id)
                        // What the API's authorizer passes on: the handler holds no tokens of its own.
                        .withAuthorizer(APIGatewayV2HTTPEvent.RequestContext.Authorizer.builder()
                                .withLambda(Map.of("role", "payments", "subject", "payments-client")).build())
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder()
                                .withMethod("POST").withPath("/transfers").withSourceIp("127.0.0.1").build())
                        .build())
                .build();
    }
}
