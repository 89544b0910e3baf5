package dev.ledger.projections.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent.KinesisEventRecord;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.BatchItem;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.TransactionEntry;
import dev.ledger.domain.api.TransactionRequest;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.ledger.Ledger;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.functions.command.CommandService;
import dev.ledger.functions.command.RetryPolicy;
import dev.ledger.http.ApiTokens;
import dev.ledger.http.RequestLog;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import dev.ledger.projections.BalancesProjection;
import dev.ledger.projections.DeadLetters;
import dev.ledger.projections.HistoryProjection;
import dev.ledger.projections.HistoryReader;
import dev.ledger.projections.KinesisRecords;
import dev.ledger.projections.MetadataIndex;
import dev.ledger.projections.MetadataProjection;
import dev.ledger.projections.ProjectionCatalog;
import dev.ledger.projections.ProjectionConsumer;
import dev.ledger.projections.TransfersProjection;
import dev.ledger.store.BatchDigest;
import dev.ledger.store.DynamoEventStore;
import dev.ledger.store.EventsTableSchema;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Issue 16 §4: with one projection's table dropped, every read route still answers honestly. Those that
 * need the missing read model answer 503 {@code projection_unavailable} naming it, with {@code Retry-After};
 * those that read the log (balance as of, verify, batches, the audit trail) answer as before.
 */
@ExtendWith(LocalAwsExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ProjectionUnavailableIT {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant START = Instant.parse("2026-08-01T00:00:00Z");

    /** Every read route, and the projections it needs (none: it reads the log). */
    private static final Map<String, Set<ProjectionCatalog>> ROUTES = new LinkedHashMap<>();

    static {
        ROUTES.put("/accounts/alice", Set.of(ProjectionCatalog.BALANCES));
        ROUTES.put("/accounts/alice/history", Set.of(ProjectionCatalog.HISTORY));
        ROUTES.put("/accounts/alice/balance?asOf=2026-08-01T00:00:03Z", Set.of());
        ROUTES.put("/transfers/t-1", Set.of(ProjectionCatalog.TRANSFERS));
        ROUTES.put("/transactions/tx-1", Set.of(ProjectionCatalog.TRANSFERS));
        // An account's list reads its history, then the rows' items; a status's list the transfers table alone.
        ROUTES.put("/transfers?accountId=alice", Set.of(ProjectionCatalog.HISTORY, ProjectionCatalog.TRANSFERS));
        ROUTES.put("/transfers?status=POSTED", Set.of(ProjectionCatalog.TRANSFERS));
        // A metadata pair's lists read the metadata index, then the rows' items.
        ROUTES.put("/accounts?metadata.kind=customer", Set.of(ProjectionCatalog.METADATA, ProjectionCatalog.BALANCES));
        ROUTES.put("/transfers?metadata.order=o-1", Set.of(ProjectionCatalog.METADATA, ProjectionCatalog.TRANSFERS));
        ROUTES.put("/audit/accounts/alice/verify", Set.of());
        ROUTES.put("/audit/operations", Set.of());
        ROUTES.put("/batches/batch-1", Set.of());
    }

    private DynamoDbClient dynamo;
    private TestNames names;
    private DynamoEventStore store;
    private final List<KinesisEventRecord> records = new ArrayList<>();

    @BeforeAll
    void recordAWorkload(AwsClients aws, TestNames names) {
        this.dynamo = aws.dynamoDb();
        this.names = names;
        store = new DynamoEventStore(dynamo, names.table("events"));
        EventsTableSchema.create(dynamo, store.table());
        CommandService commands = new CommandService(store, Clock.fixed(START, ZoneOffset.UTC), RetryPolicy.standard(new SplittableRandom(16)));
        run(commands, l -> l.openAccount(new OpenAccount("bank", EUR, OverdraftLimit.UNLIMITED)));
        run(commands, l -> l.openAccount(new OpenAccount("alice", EUR, OverdraftLimit.NONE,
                new TreeMap<>(Map.of("kind", "customer")))));
        run(commands, l -> l.transfer("t-1", new TransferRequest("bank", "alice", Money.parse("5.00", EUR), false, 0,
                new TreeMap<>(Map.of("order", "o-1")))));
        run(commands, l -> l.transaction("tx-1", new TransactionRequest(List.of(
                new TransactionEntry(0, "bank", Side.DEBIT, Money.parse("2.00", EUR)),
                new TransactionEntry(1, "alice", Side.CREDIT, Money.parse("2.00", EUR))), false, 0, null)));
        run(commands, l -> l.atomicBatch("batch-1", BatchDigest.request(true, List.of(
                new BatchItem.TransferItem("bt-1", TransferRequest.posted("bank", "alice", Money.parse("1.00", EUR)))))));
        for (StreamId stream : List.of(StreamId.account("bank"), StreamId.account("alice"), StreamId.transfer("t-1"),
                StreamId.transaction("tx-1"), StreamId.transfer("bt-1"))) {
            store.readStream(stream, 1).forEachRemaining(event -> records.add(KinesisRecords.of(event, records.size())));
        }
    }

    @ParameterizedTest
    @EnumSource(ProjectionCatalog.class)
    void with_one_projection_dropped_its_routes_answer_503_and_the_others_answer_as_before(ProjectionCatalog dropped,
                                                                                         AwsClients aws) {
        // Given every projection built from the log, on tables of this round's own
        Map<ProjectionCatalog, String> tables = new EnumMap<>(ProjectionCatalog.class);
        for (ProjectionCatalog projection : ProjectionCatalog.values()) {
            tables.put(projection, names.table(projection.label() + "-without-" + dropped.label()));
            projection.createTable(dynamo, tables.get(projection));
        }
        DeadLetters deadLetters = new DeadLetters(aws.sqs(),
                aws.sqs().createQueue(r -> r.queueName(names.queue("dlq-" + dropped.label()))).queueUrl());
        BalancesProjection balances = new BalancesProjection(dynamo, tables.get(ProjectionCatalog.BALANCES));
        TransfersProjection transfers = new TransfersProjection(dynamo, tables.get(ProjectionCatalog.TRANSFERS));
        new ProjectionConsumer(balances, deadLetters).consume(records);
        new ProjectionConsumer(new HistoryProjection(dynamo, tables.get(ProjectionCatalog.HISTORY)), deadLetters)
                .consume(records);
        new ProjectionConsumer(transfers, deadLetters).consume(records);
        new ProjectionConsumer(new MetadataProjection(dynamo, tables.get(ProjectionCatalog.METADATA)), deadLetters)
                .consume(records);
        QueryApiHandler handler = new QueryApiHandler(new QueryApi(balances,
                new HistoryReader(dynamo, tables.get(ProjectionCatalog.HISTORY)), transfers,
                new MetadataIndex(dynamo, tables.get(ProjectionCatalog.METADATA)), store, ApiTokens.parse("audit=auditor")),
                new RequestLog(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)),
                Clock.systemUTC());

        // When one of them is dropped (as the demo does)
        dynamo.deleteTable(r -> r.tableName(tables.get(dropped)));

        // Then every route that needs it says so, and every other route answers as before
        for (Map.Entry<String, Set<ProjectionCatalog>> route : ROUTES.entrySet()) {
            APIGatewayV2HTTPResponse response = get(handler, route.getKey());
            JsonNode body = json(response);
            if (route.getValue().contains(dropped)) {
                assertThat(response.getStatusCode()).as(route.getKey()).isEqualTo(503);
                assertThat(body.get("error").asText()).as(route.getKey()).isEqualTo("projection_unavailable");
                assertThat(body.get("message").asText()).as(route.getKey())
                        .contains("the " + dropped.label() + " projection");
                assertThat(response.getHeaders()).as(route.getKey()).containsEntry("Retry-After", "30");
            } else {
                assertThat(response.getStatusCode()).as(route.getKey() + " " + body).isEqualTo(200);
                if (route.getValue().contains(ProjectionCatalog.METADATA)) {
                    JsonNode rows = body.has("accounts") ? body.get("accounts") : body.get("transfers");
                    assertThat(rows).as(route.getKey() + " lists what the pair names").hasSize(1);
                }
            }
        }
    }

    private static APIGatewayV2HTTPResponse get(QueryApiHandler handler, String pathAndQuery) {
        String path = pathAndQuery.contains("?") ? pathAndQuery.substring(0, pathAndQuery.indexOf('?')) : pathAndQuery;
        Map<String, String> query = new LinkedHashMap<>();
        if (pathAndQuery.contains("?")) {
            String[] kv = pathAndQuery.substring(pathAndQuery.indexOf('?') + 1).split("=", 2);
            query.put(kv[0], kv[1]);
        }
        APIGatewayV2HTTPEvent event = APIGatewayV2HTTPEvent.builder().withVersion("2.0").withRawPath(path)
                .withQueryStringParameters(query).withHeaders(Map.of("authorization", "Bearer audit"))
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder().withRequestId("q")
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod("GET").withPath(path)
                                .build()).build())
                .build();
        return handler.handleRequest(event, null);
    }

    private static JsonNode json(APIGatewayV2HTTPResponse response) {
        try {
            return JSON.readTree(response.getBody());
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + response.getBody(), e);
        }
    }

    private static void run(CommandService commands, Function<Ledger, LedgerResult> command) {
        assertThat(commands.execute("setup", command).result().isRejected()).isFalse();
    }
}
