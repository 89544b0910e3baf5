package dev.ledger.projections.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent.KinesisEventRecord;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.ledger.Ledger;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.domain.money.CurrencyUnit;
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
import dev.ledger.projections.HistoryReader;
import dev.ledger.projections.KinesisRecords;
import dev.ledger.projections.MetadataIndex;
import dev.ledger.projections.MetadataProjection;
import dev.ledger.projections.ProjectionCatalog;
import dev.ledger.projections.ProjectionConsumer;
import dev.ledger.projections.TransfersProjection;
import dev.ledger.store.DynamoEventStore;
import dev.ledger.store.EventsTableSchema;
import dev.ledger.store.TickingClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * {@code GET /accounts?metadata.<key>=<value>} through the read API's Lambda handler, over the balances
 * projection and the metadata index fed from a real log: newest account first, paged, replaced and
 * cleared metadata, and the combinations the index does not serve refused.
 */
@ExtendWith(LocalAwsExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccountMetadataListIT {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant START = Instant.parse("2026-09-01T00:00:00Z");

    private final Counted requests = new Counted();
    private AwsClients counted;
    private QueryApiHandler handler;
    private ProjectionConsumer balancesConsumer;
    private KinesisEventRecord b1Platinum;

    @BeforeAll
    void setUp(AwsClients aws, TestNames names) {
        DynamoDbClient dynamo = aws.dynamoDb();
        DynamoEventStore store = new DynamoEventStore(dynamo, names.table("events"));
        EventsTableSchema.create(dynamo, store.table());
        String balancesTable = names.table("balances");
        String metadataTable = names.table("metadata");
        ProjectionCatalog.BALANCES.createTable(dynamo, balancesTable);
        ProjectionCatalog.METADATA.createTable(dynamo, metadataTable);

        // Every command is recorded one second after the one before: a1 opens first, a6 last.
        Clock seconds = new TickingClock(START, Duration.ofSeconds(1));
        CommandService commands = new CommandService(store, seconds, RetryPolicy.standard(new SplittableRandom(16)));
        run(commands, l -> l.openAccount(open("a1", EUR, Map.of("tier", "gold", "customer", "c-1"))));
        run(commands, l -> l.openAccount(open("a2", EUR, Map.of("tier", "gold"))));
        run(commands, l -> l.openAccount(open("a3", EUR, Map.of("tier", "silver"))));
        run(commands, l -> l.openAccount(open("a4", EUR, Map.of("tier", "gold"))));
        run(commands, l -> l.openAccount(open("a5", CurrencyUnit.of("USD"), Map.of("tier", "gold"))));
        run(commands, l -> l.openAccount(open("a6", EUR, Map.of("ref", "a=b ü", "note", ""))));
        // Later changes: a3 becomes gold (it keeps its place as the third account opened), a4 is cleared.
        run(commands, l -> l.setAccountMetadata("a3", new TreeMap<>(Map.of("tier", "gold"))));
        run(commands, l -> l.setAccountMetadata("a4", new TreeMap<>()));
        run(commands, l -> l.freezeAccount("a5"));
        // b1 becomes platinum after b2 opened platinum; the balances projection will not have seen it yet.
        run(commands, l -> l.openAccount(open("b1", EUR, Map.of("tier", "bronze"))));
        run(commands, l -> l.openAccount(open("b2", EUR, Map.of("tier", "platinum"))));
        run(commands, l -> l.setAccountMetadata("b1", new TreeMap<>(Map.of("tier", "platinum"))));

        String queue = aws.sqs().createQueue(r -> r.queueName(names.queue("dlq"))).queueUrl();
        DeadLetters deadLetters = new DeadLetters(aws.sqs(), queue);
        BalancesProjection balances = new BalancesProjection(dynamo, balancesTable);
        List<KinesisEventRecord> records = new ArrayList<>();
        for (String account : List.of("a1", "a2", "a3", "a4", "a5", "a6", "b1", "b2")) {
            store.readStream(StreamId.account(account), 1).forEachRemaining(event -> {
                records.add(KinesisRecords.of(event, records.size()));
                if (account.equals("b1")) {
                    b1Platinum = records.get(records.size() - 1); // its last event: set platinum
                }
            });
        }
        balancesConsumer = new ProjectionConsumer(balances, deadLetters);
        balancesConsumer.consume(records.stream().filter(r -> r != b1Platinum).toList());
        new ProjectionConsumer(new MetadataProjection(dynamo, metadataTable), deadLetters).consume(records);

        // The read API's own client counts its requests.
        counted = AwsClients.forEndpoint(aws.endpoint(), List.of(requests));
        DynamoDbClient reads = counted.dynamoDb();
        handler = new QueryApiHandler(new QueryApi(new BalancesProjection(reads, balancesTable),
                new HistoryReader(reads, names.table("history")), new TransfersProjection(reads, names.table("transfers")),
                new MetadataIndex(reads, metadataTable), store,
                ApiTokens.parse("audit=auditor,pay=payments")),
                new RequestLog(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)),
                Clock.systemUTC());
    }

    @Test
    void anAccountWhoseBalanceHasNotCaughtUpWithTheIndexEndsThePageBeforeItAndIsListedOnceItHas() {
        // b2 is newer and shown; b1 has platinum in the index but not yet in balances: the page ends before it.
        Reply first = get("/accounts", Map.of("metadata.tier", "platinum", "limit", "10"), "audit");
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.body().get("accounts")).extracting(a -> a.get("accountId").asText()).containsExactly("b2");
        String cursor = first.body().get("nextCursor").asText();
        Reply waiting = get("/accounts", Map.of("metadata.tier", "platinum", "cursor", cursor), "audit");
        assertThat(waiting.body().get("accounts")).isEmpty();
        assertThat(waiting.body().get("nextCursor").asText()).isEqualTo(cursor);

        balancesConsumer.consume(List.of(b1Platinum));

        Reply caughtUp = get("/accounts", Map.of("metadata.tier", "platinum", "cursor", cursor), "audit");
        assertThat(caughtUp.body().get("accounts")).extracting(a -> a.get("accountId").asText()).containsExactly("b1");
        assertThat(caughtUp.body().get("nextCursor").isNull()).isTrue();
        assertThat(get("/accounts", Map.of("metadata.tier", "bronze"), "audit").body().get("accounts")).isEmpty();
    }

    @Test
    void accountsWithAPairAreListedNewestOpenedFirstAPageAtATimeEachAsItsOwnRouteShowsIt() {
        List<JsonNode> accounts = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Map<String, String> query = new LinkedHashMap<>(Map.of("metadata.tier", "gold", "limit", "2"));
            if (cursor != null) {
                query.put("cursor", cursor);
            }
            Reply page = get("/accounts", query, "audit");
            assertThat(page.status()).as(page.body().toString()).isEqualTo(200);
            page.body().get("accounts").forEach(accounts::add);
            cursor = page.body().get("nextCursor").isNull() ? null : page.body().get("nextCursor").asText();
            pages++;
        } while (cursor != null);

        // a4's metadata was cleared; a3 became gold after a4 and a5 opened but keeps its opening's place.
        assertThat(accounts).extracting(a -> a.get("accountId").asText()).containsExactly("a5", "a3", "a2", "a1");
        assertThat(pages).isBetween(2, 3);
        assertThat(accounts.get(0)).isEqualTo(get("/accounts/a5", Map.of(), "audit").body());
        assertThat(accounts.get(0).get("status").asText()).isEqualTo("FROZEN");
    }

    @AfterAll
    void closeClients() {
        counted.close();
    }

    @Test
    void aPageIsOneQueryOfTheIndexAndOneBatchReadOfItsAccounts() {
        requests.reset();

        Reply page = get("/accounts", Map.of("metadata.tier", "gold", "limit", "3"), "audit");

        assertThat(page.body().get("accounts")).hasSize(3);
        assertThat(requests.counts()).isEqualTo(Map.of("Query", 1, "BatchGetItem", 1));
    }

    @Test
    void aReplacedOrClearedPairFindsNothingAndValuesMatchExactly() {
        assertThat(ids(Map.of("metadata.tier", "silver"))).isEmpty();
        assertThat(ids(Map.of("metadata.customer", "c-1"))).containsExactly("a1");
        assertThat(ids(Map.of("metadata.customer", "C-1"))).isEmpty();
        assertThat(ids(Map.of("metadata.tier", "gol"))).isEmpty();
        // A value holding '=', a space and a non-ASCII letter, as the gateway hands it over decoded; an empty value.
        assertThat(ids(Map.of("metadata.ref", "a=b ü"))).containsExactly("a6");
        assertThat(ids(Map.of("metadata.note", ""))).containsExactly("a6");
        assertThat(ids(Map.of("metadata.nokey", "x"))).isEmpty();
    }

    @Test
    void anythingBesideOnePairLimitAndCursorIsRefusedNamingWhatIsIndexed() {
        for (Map<String, String> query : List.of(Map.of("metadata.tier", "gold", "metadata.customer", "c-1"),
                Map.of("metadata.tier", "gold", "currency", "EUR"), Map.of("metadata.tier", "gold", "status", "OPEN"),
                Map.of("metadata.tier", "gold", "idPrefix", "a"), Map.of("metadata.tier", "gold", "sort", "id"))) {
            Reply refused = get("/accounts", query, "audit");
            assertThat(refused.status()).as(query.toString()).isEqualTo(400);
            assertThat(refused.body().get("message").asText()).as(query.toString())
                    .contains("one metadata.<key> alone").contains("currency and status");
        }
        for (Map<String, String> query : List.of(Map.of("metadata.", "x"), Map.of("metadata.a b", "x"),
                Map.of("metadata.tier", "x".repeat(513)), Map.of("metadata.tier", "gold", "limit", "0"))) {
            assertThat(get("/accounts", query, "audit").status()).as(query.keySet().toString()).isEqualTo(400);
        }
        assertThat(get("/accounts", Map.of("metadata.tier", "x".repeat(512)), "audit").status()).isEqualTo(200);
    }

    @Test
    void aCursorContinuesOnlyTheQueryThatGaveIt() {
        String gold = get("/accounts", Map.of("metadata.tier", "gold", "limit", "1"), "audit").body()
                .get("nextCursor").asText();
        String byId = get("/accounts", Map.of("limit", "1"), "audit").body().get("nextCursor").asText();

        assertThat(get("/accounts", Map.of("metadata.tier", "gold", "cursor", gold), "audit").status()).isEqualTo(200);
        assertThat(get("/accounts", Map.of("metadata.tier", "silver", "cursor", gold), "audit").status()).isEqualTo(400);
        assertThat(get("/accounts", Map.of("metadata.tier", "gold", "cursor", byId), "audit").status()).isEqualTo(400);
        assertThat(get("/accounts", Map.of("cursor", gold), "audit").status()).isEqualTo(400);
        assertThat(get("/accounts", Map.of("metadata.tier", "gold", "cursor", "not-base64!"), "audit").status())
                .isEqualTo(400);
    }

    private List<String> ids(Map<String, String> query) {
        Reply reply = get("/accounts", query, "pay");
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        reply.body().get("accounts").forEach(a -> ids.add(a.get("accountId").asText()));
        return ids;
    }

    private record Reply(int status, JsonNode body) {
    }

    /** A GET as API Gateway hands it to the handler: the query's parameters already decoded. */
    private Reply get(String path, Map<String, String> query, String token) {
        APIGatewayV2HTTPEvent event = APIGatewayV2HTTPEvent.builder().withVersion("2.0").withRawPath(path)
                .withQueryStringParameters(query)
                .withHeaders(Map.of("authorization", "Bearer " + token))
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder().withRequestId("q")
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod("GET").withPath(path)
                                .build()).build())
                .build();
        APIGatewayV2HTTPResponse response = handler.handleRequest(event, null);
        try {
            return new Reply(response.getStatusCode(), JSON.readTree(response.getBody()));
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + response.getBody(), e);
        }
    }

    /** The requests of a client, by operation. */
    private static final class Counted implements ExecutionInterceptor {
        private final Map<String, Integer> counts = new TreeMap<>();

        @Override
        public synchronized void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
            counts.merge(context.request().getClass().getSimpleName().replaceFirst("Request$", ""), 1, Integer::sum);
        }

        synchronized Map<String, Integer> counts() {
            return Map.copyOf(counts);
        }

        synchronized void reset() {
            counts.clear();
        }
    }

    private static OpenAccount open(String id, CurrencyUnit currency, Map<String, String> metadata) {
        return new OpenAccount(id, currency, OverdraftLimit.NONE, new TreeMap<>(metadata));
    }

    private static void run(CommandService commands, Function<Ledger, LedgerResult> command) {
        assertThat(commands.execute("setup", command).result().isRejected()).isFalse();
    }
}
