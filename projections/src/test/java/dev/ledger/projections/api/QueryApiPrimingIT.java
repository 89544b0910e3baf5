package dev.ledger.projections.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.SystemProperties;
import dev.ledger.localaws.TestNames;
import dev.ledger.projections.ProjectionCatalog;
import dev.ledger.store.EventsTableSchema;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * SnapStart priming of the query handler as Lambda runs it: built by its no-arg constructor from
 * the configuration (system properties here, environment variables on AWS), primed, then serving.
 */
@ExtendWith(LocalAwsExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueryApiPrimingIT {


    private SystemProperties configured;
    private DynamoDbClient dynamo;
    private List<String> tables;

    @BeforeAll
    void configureTheHandlerAsLambdaWould(AwsClients aws, TestNames names) {
        dynamo = aws.dynamoDb();
        Map<String, String> configuration = new LinkedHashMap<>();
        String events = names.table("events");
        EventsTableSchema.create(dynamo, events);
        configuration.put("LEDGER_EVENTS_TABLE", events);
        for (ProjectionCatalog projection : ProjectionCatalog.values()) {
            String table = names.table(projection.label());
            projection.createTable(dynamo, table);
            configuration.put(projection.environmentVariable(), table);
        }
        tables = List.copyOf(configuration.values());
        configuration.put("LEDGER_AWS_ENDPOINT", aws.endpoint().toString());
        configuration.put("aws.region", AwsClients.REGION.id());
        configuration.put("aws.accessKeyId", "local");
        configuration.put("aws.secretAccessKey", "local");
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
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        PrintStream original = System.out;
        QueryApiHandler handler;
        System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
        try {
            handler = new QueryApiHandler();
            handler.beforeCheckpoint(null);
        } finally {
            System.setOut(original);
        }

        for (String table : tables) {
            assertThat(dynamo.scan(request -> request.tableName(table)).count()).as(table).isZero();
        }
        assertThat(stdout.toString(StandardCharsets.UTF_8)).as("the request log").isEmpty();

        APIGatewayV2HTTPResponse account = handler.handleRequest(get("/accounts/alice"), null);
        assertThat(account.getStatusCode()).as(account.getBody()).isEqualTo(404);
        assertThat(stdout.toString(StandardCharsets.UTF_8).lines()).as("the request log: the read alone")
                .singleElement().asString().contains("/accounts");
    }

    private static APIGatewayV2HTTPEvent get(String path) {
        return APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0")
                .withRouteKey("$default")
                .withRawPath(path)
                .withHeaders(Map.of("accept", "application/json"))
                .withIsBase64Encoded(false)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withRequestId("read-1")
                        // What the API's authorizer passes on: the handler holds no tokens of its own.
                        .withAuthorizer(APIGatewayV2HTTPEvent.RequestContext.Authorizer.builder()
                                .withLambda(Map.of("role", "auditor", "subject", "auditor-client")).build())
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder()
                                .withMethod("GET").withPath(path).withSourceIp("127.0.0.1").build())
                        .build())
                .build();
    }
}
