package dev.ledger.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ledger.functions.api.CommandApi;
import dev.ledger.functions.api.CommandApiHandler;
import dev.ledger.functions.command.CommandService;
import dev.ledger.functions.command.RetryPolicy;
import dev.ledger.http.ApiTokens;
import dev.ledger.http.RequestLog;
import dev.ledger.store.DynamoEventStore;
import dev.ledger.store.EventsTableSchema;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.Select;

/**
 * An events table of its own on the emulator, and the command handler over it, called with the
 * same {@link APIGatewayV2HTTPEvent} API Gateway sends.
 */
public final class LedgerFixture implements LedgerWrites {

    public static final String PAYMENTS = "pay-token-1";
    public static final String AUDITOR = "audit-token-1";
    public static final String OPERATOR = "ops-token-1";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicLong REQUESTS = new AtomicLong();

    private final DynamoDbClient dynamo;
    private final String table;
    private final DynamoEventStore store;
    private final CommandApiHandler handler;
    private final ByteArrayOutputStream logLines = new ByteArrayOutputStream();

    public LedgerFixture(DynamoDbClient dynamo, String table, Clock clock) {
        this(dynamo, table, clock, true, LedgerFixture::standardCommands);
    }

    /**
     * A new events table and the command handler over the command service {@code commands} builds on its
     * store: a retry policy of the test's own, or a store that makes commands lose races on purpose.
     */
    public static LedgerFixture withCommands(DynamoDbClient dynamo, String table, Clock clock,
                                             BiFunction<DynamoEventStore, Clock, CommandService> commands) {
        return new LedgerFixture(dynamo, table, clock, true, commands);
    }

    /**
     * A fresh command handler (a cold start: nothing in memory) over an events table that exists
     * already, such as another fixture's.
     */
    public static LedgerFixture onExistingTable(DynamoDbClient dynamo, String table, Clock clock) {
        return new LedgerFixture(dynamo, table, clock, false, LedgerFixture::standardCommands);
    }

    private static CommandService standardCommands(DynamoEventStore store, Clock clock) {
        return new CommandService(store, clock, RetryPolicy.standard(new SplittableRandom(7)));
    }

    private LedgerFixture(DynamoDbClient dynamo, String table, Clock clock, boolean createTable,
                          BiFunction<DynamoEventStore, Clock, CommandService> commandsOver) {
        this.dynamo = dynamo;
        this.table = table;
        if (createTable) {
            EventsTableSchema.create(dynamo, table);
        }
        this.store = new DynamoEventStore(dynamo, table);
        CommandService commands = commandsOver.apply(store, clock);
        this.handler = new CommandApiHandler(new CommandApi(commands,
                ApiTokens.parse(PAYMENTS + "=payments," + AUDITOR + "=auditor," + OPERATOR + "=operator")),
                new RequestLog(new PrintStream(logLines, true, StandardCharsets.UTF_8)), clock);
    }

    /** An answer: its status, its JSON body and its headers (names as the handler wrote them). */
    public record Reply(int status, JsonNode body, Map<String, String> headers) {

        public Reply(int status, JsonNode body) {
            this(status, body, Map.of());
        }

        public String error() {
            return body.path("error").asText(null);
        }
    }

    public Reply call(String method, String path, String token, String body) {
        return call(method, path, token == null ? Map.of() : Map.of("Authorization", "Bearer " + token), body);
    }

    public Reply call(String method, String path, Map<String, String> headers, String body) {
        APIGatewayV2HTTPEvent event = APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0")
                .withRouteKey("$default")
                .withRawPath(path)
                .withHeaders(new HashMap<>(headers))
                .withBody(body)
                .withIsBase64Encoded(false)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withRequestId("req-" + REQUESTS.incrementAndGet())
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder()
                                .withMethod(method).withPath(path).withSourceIp("127.0.0.1").build())
                        .build())
                .build();
        APIGatewayV2HTTPResponse response = handler.handleRequest(event, null);
        try {
            return new Reply(response.getStatusCode(), JSON.readTree(response.getBody()),
                    response.getHeaders() == null ? Map.of() : Map.copyOf(response.getHeaders()));
        } catch (IOException e) {
            throw new UncheckedIOException("the handler answered something that is not JSON: " + response.getBody(), e);
        }
    }

    /** The handler's own answer to an event built elsewhere (the hostile-input corpus builds its own). */
    public APIGatewayV2HTTPResponse handle(APIGatewayV2HTTPEvent event) {
        return handler.handleRequest(event, null);
    }

    @Override
    public Reply post(String path, String body) {
        return call("POST", path, PAYMENTS, body);
    }

    /** Every item of the events table except heads and checkpoints: the log itself. */
    public long eventCount() {
        long count = 0;
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            ScanResponse page = dynamo.scan(request -> request.tableName(table).select(Select.COUNT)
                    .filterExpression("sk > :zero AND NOT begins_with(pk, :checkpoint)")
                    .expressionAttributeValues(Map.of(":zero", AttributeValue.fromN("0"),
                            ":checkpoint", AttributeValue.fromS(dev.ledger.store.EventsTable.CHECKPOINT_PREFIX)))
                    .exclusiveStartKey(from));
            count += page.count();
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return count;
    }

    public DynamoEventStore store() {
        return store;
    }

    public DynamoDbClient dynamo() {
        return dynamo;
    }

    public String table() {
        return table;
    }

    public String log() {
        return logLines.toString(StandardCharsets.UTF_8);
    }
}
