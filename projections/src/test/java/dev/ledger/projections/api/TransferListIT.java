package dev.ledger.projections.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent.KinesisEventRecord;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.AccountShards;
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
import dev.ledger.functions.command.CommandService.Committed;
import dev.ledger.functions.command.RetryPolicy;
import dev.ledger.http.ApiException;
import dev.ledger.http.ApiTokens;
import dev.ledger.http.HttpRequest;
import dev.ledger.http.HttpResponse;
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
import dev.ledger.store.DynamoEventStore;
import dev.ledger.store.EventsTableSchema;
import dev.ledger.store.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * {@code GET /transfers} (issue 16) over projections fed from a real log: an account's transfers and
 * transactions from its history (a sharded account's shards merged), a status's from the transfers table's
 * index, a metadata pair's from the metadata index, newest first, a page at a time with a cursor that new transfers do not disturb. Every command is
 * recorded one second after the one before; the setup ends before {@link #setUpEnd}, and the tests that add
 * transfers (after it) read windows or accounts of their own, so the tests do not depend on their order.
 */
@ExtendWith(LocalAwsExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TransferListIT {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");
    private static final int SHARDS = 3;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-01T00:00:00Z"));
    private final Set<StreamId> streams = new LinkedHashSet<>();
    private final List<String> hotTransfers = new ArrayList<>();
    private CommandService commands;
    private DynamoEventStore store;
    private List<ProjectionConsumer> consumers;
    private QueryApi api;
    private TransfersProjection transfersProjection;
    private Instant setUpEnd;
    private Instant t3At;
    private Instant t5At;

    @BeforeAll
    void setUp(AwsClients aws, TestNames names) {
        DynamoDbClient dynamo = aws.dynamoDb();
        store = new DynamoEventStore(dynamo, names.table("events"));
        EventsTableSchema.create(dynamo, store.table());
        commands = new CommandService(store, clock, RetryPolicy.standard(new SplittableRandom(17)));
        String balances = names.table("balances");
        String history = names.table("history");
        String transfers = names.table("transfers");
        ProjectionCatalog.BALANCES.createTable(dynamo, balances);
        ProjectionCatalog.HISTORY.createTable(dynamo, history);
        ProjectionCatalog.TRANSFERS.createTable(dynamo, transfers);
        String metadata = names.table("metadata");
        ProjectionCatalog.METADATA.createTable(dynamo, metadata);
        DeadLetters deadLetters = new DeadLetters(aws.sqs(),
                aws.sqs().createQueue(r -> r.queueName(names.queue("dlq"))).queueUrl());
        BalancesProjection balancesProjection = new BalancesProjection(dynamo, balances);
        transfersProjection = new TransfersProjection(dynamo, transfers);
        consumers = List.of(new ProjectionConsumer(balancesProjection, deadLetters),
                new ProjectionConsumer(new HistoryProjection(dynamo, history), deadLetters),
                new ProjectionConsumer(transfersProjection, deadLetters),
                new ProjectionConsumer(new MetadataProjection(dynamo, metadata), deadLetters));
        api = new QueryApi(balancesProjection, new HistoryReader(dynamo, history), transfersProjection,
                new MetadataIndex(dynamo, metadata), store, ApiTokens.parse("audit=auditor,pay=payments,ops=operator"));

        for (String account : List.of("bank", "alice", "bob", "shop", "carol", "dave")) {
            open(account, account.equals("bank") ? OverdraftLimit.UNLIMITED : OverdraftLimit.NONE, 1);
        }
        open("hot", OverdraftLimit.NONE, SHARDS);
        for (int n = 1; n <= 6; n++) {
            // t1, t3 and t5 belong to order A-1, like tx-1; the others to B-2.
            Instant at = transfer("t" + n, new TransferRequest("bank", "alice", eur(n + ".00"), false, 0,
                    new TreeMap<>(Map.of("order", n % 2 == 1 ? "A-1" : "B-2"))));
            t3At = n == 3 ? at : t3At;
            t5At = n == 5 ? at : t5At;
        }
        transfer("hold-1", TransferRequest.pending("alice", "bob", eur("5.00"), 600));
        run(l -> l.transaction("tx-1", new TransactionRequest(List.of(
                new TransactionEntry(0, "bank", Side.DEBIT, eur("10.00")),
                new TransactionEntry(1, "alice", Side.CREDIT, eur("7.00")),
                new TransactionEntry(2, "bob", Side.CREDIT, eur("3.00"))), false, 0, new TreeMap<>(Map.of("order", "A-1")))));
        streams.add(StreamId.transaction("tx-1"));
        for (int shard = 0; shard < SHARDS; shard++) {
            hotTransfers.add(landingOn(shard));
            transfer(hotTransfers.get(shard), TransferRequest.posted("bank", "hot", eur("30.00")));
        }
        hotTransfers.add("pay-1");
        transfer("pay-1", TransferRequest.posted("hot", "shop", eur("70.00")));
        project();
        setUpEnd = clock.instant();
    }

    @Test
    void anAccountsTransfersAndTransactionsAreListedNewestFirstEachAsItsOwnRouteShowsIt() {
        List<JsonNode> rows = all("accountId=alice&to=" + setUpEnd, 3);

        assertThat(rows).extracting(TransferListIT::idOf)
                .containsExactly("tx-1", "hold-1", "t6", "t5", "t4", "t3", "t2", "t1");
        assertThat(rows.get(0).get("kind").asText()).isEqualTo("transaction");
        assertThat(rows.get(1).get("kind").asText()).isEqualTo("transfer");
        ObjectNode transaction = ((ObjectNode) rows.get(0).deepCopy());
        transaction.remove("kind");
        assertThat(transaction).isEqualTo(get("/transactions/tx-1", Map.of()));
        ObjectNode hold = ((ObjectNode) rows.get(1).deepCopy());
        hold.remove("kind");
        assertThat(hold).isEqualTo(get("/transfers/hold-1", Map.of()));
        assertThat(all("accountId=bob&to=" + setUpEnd, 50)).extracting(TransferListIT::idOf)
                .containsExactly("tx-1", "hold-1");
    }

    @Test
    void anAccountsWindowIsSoughtByTime() {
        assertThat(all("accountId=alice&from=" + t3At + "&to=" + t5At, 2)).extracting(TransferListIT::idOf)
                .containsExactly("t5", "t4", "t3");
    }

    @Test
    void aShardedAccountMergesItsShardsNewestFirst() {
        List<String> newestFirst = new ArrayList<>(hotTransfers);
        java.util.Collections.reverse(newestFirst);

        assertThat(all("accountId=hot&to=" + setUpEnd, 1)).extracting(TransferListIT::idOf)
                .containsExactlyElementsOf(newestFirst);
        assertThat(all("accountId=hot&to=" + setUpEnd, 10)).extracting(TransferListIT::idOf)
                .containsExactlyElementsOf(newestFirst);
    }

    @Test
    void aStatusListsItsTransfersAndTransactionsNewestFirst() {
        List<JsonNode> posted = all("status=POSTED&to=" + setUpEnd, 4);

        List<String> expected = new ArrayList<>(List.of("pay-1"));
        for (int shard = SHARDS - 1; shard >= 0; shard--) {
            expected.add(hotTransfers.get(shard));
        }
        expected.addAll(List.of("tx-1", "t6", "t5", "t4", "t3", "t2", "t1"));
        assertThat(posted).extracting(TransferListIT::idOf).containsExactlyElementsOf(expected);
        assertThat(all("status=PENDING&to=" + setUpEnd, 10)).extracting(TransferListIT::idOf).containsExactly("hold-1");
        assertThat(all("status=POSTED&from=" + t3At + "&to=" + t5At, 10)).extracting(TransferListIT::idOf)
                .containsExactly("t5", "t4", "t3");
        assertThat(get("/transfers", Map.of("status", "VOIDED")).get("transfers")).isEmpty();
    }

    @Test
    void aMetadataPairListsItsTransfersAndTransactionsNewestFirstWithinAWindow() {
        List<JsonNode> orderA = all("metadata.order=A-1&to=" + setUpEnd, 1);

        assertThat(orderA).extracting(TransferListIT::idOf).containsExactly("tx-1", "t5", "t3", "t1");
        assertThat(orderA.get(0).get("kind").asText()).isEqualTo("transaction");
        ObjectNode t5 = ((ObjectNode) orderA.get(1).deepCopy());
        t5.remove("kind");
        assertThat(t5).isEqualTo(get("/transfers/t5", Map.of()));
        assertThat(all("metadata.order=A-1&to=" + setUpEnd, 50)).extracting(TransferListIT::idOf)
                .containsExactly("tx-1", "t5", "t3", "t1");
        assertThat(all("metadata.order=B-2&from=" + t3At + "&to=" + t5At, 1)).extracting(TransferListIT::idOf)
                .containsExactly("t4");
        assertThat(all("metadata.order=C-3", 10)).isEmpty();

        String cursor = get("/transfers", Map.of("metadata.order", "A-1", "limit", "1")).get("nextCursor").asText();
        for (Map<String, String> refused : List.of(Map.of("metadata.order", "B-2", "cursor", cursor),
                Map.of("metadata.order", "A-1", "to", "2026-01-01T00:00:00Z", "cursor", cursor),
                Map.of("status", "POSTED", "cursor", cursor), Map.of("accountId", "alice", "cursor", cursor))) {
            assertThat(call("/transfers", refused, "audit").status()).as(refused.toString()).isEqualTo(400);
        }
    }

    @Test
    void aMetadataListWhoseNewestRowIsNotProjectedYetSaysSoRatherThanEndEmpty() {
        Instant from = clock.instant().plusSeconds(1);
        transfer("late-1", new TransferRequest("bank", "carol", eur("1.00"), false, 0,
                new TreeMap<>(Map.of("order", "L-1"))));
        // Only the metadata index has seen it: the transfers projection is behind.
        project(List.of(consumers.get(consumers.size() - 1)));

        HttpResponse behind = call("/transfers", Map.of("metadata.order", "L-1", "from", from.toString()), "audit");

        assertThat(behind.status()).isEqualTo(503);
        assertThat(behind.body().get("error").asText()).isEqualTo("projection_behind");
        assertThat(behind.headers()).containsEntry("Retry-After", "1");

        project();
        assertThat(all("metadata.order=L-1&from=" + from, 10)).extracting(TransferListIT::idOf).containsExactly("late-1");
    }

    @Test
    void aTransferBlockedBeforeItsFirstEventIsPassedOverNotWaitedFor() {
        open("erin", OverdraftLimit.NONE, 1);
        for (String id : List.of("e-1", "blk-1", "e-2")) {
            transfer(id, new TransferRequest("bank", "erin", eur("1.00"), false, 0, new TreeMap<>(Map.of("order", "E-5"))));
        }
        // As the consumer blocks a stream whose first event it cannot apply: an item holding only why.
        transfersProjection.block(StreamId.transfer("blk-1"), "event transfer:blk-1 v1 cannot be applied (the test)");
        project();

        assertThat(all("accountId=erin", 1)).extracting(TransferListIT::idOf).containsExactly("e-2", "e-1");
        assertThat(all("metadata.order=E-5", 1)).extracting(TransferListIT::idOf).containsExactly("e-2", "e-1");
        assertThat(call("/transfers/blk-1", Map.of(), "audit").status()).isEqualTo(404);
    }

    @Test
    void anAccountCursorGivenOutForAnotherWindowShowsNothingAfterThisOnesEnd() {
        String afterNewest = get("/transfers", Map.of("accountId", "alice", "to", setUpEnd.toString(), "limit", "1"))
                .get("nextCursor").asText();

        List<String> ids = new ArrayList<>();
        get("/transfers", Map.of("accountId", "alice", "to", t3At.toString(), "cursor", afterNewest, "limit", "50"))
                .get("transfers").forEach(row -> ids.add(idOf(row)));

        assertThat(ids).containsExactly("t3", "t2", "t1");
    }

    @Test
    void aPostedHoldMovesFromThePendingListToThePostedListAtThePlaceOfItsRecording() {
        Instant from = clock.instant().plusSeconds(1);
        transfer("hold-2", TransferRequest.pending("bank", "dave", eur("0.01"), 600));
        project();
        assertThat(all("status=PENDING&from=" + from, 10)).extracting(TransferListIT::idOf).containsExactly("hold-2");
        assertThat(all("status=POSTED&from=" + from, 10)).isEmpty();

        run(l -> l.postPendingTransfer("hold-2", eur("0.01")));
        project();

        assertThat(all("status=PENDING&from=" + from, 10)).isEmpty();
        List<JsonNode> posted = all("status=POSTED&from=" + from, 10);
        assertThat(posted).extracting(TransferListIT::idOf).containsExactly("hold-2");
        assertThat(posted.get(0).get("status").asText()).isEqualTo("POSTED");
    }

    @Test
    void aCursorContinuesWhereItWasWhileNewTransfersArrive() {
        JsonNode firstAccountPage = get("/transfers", Map.of("accountId", "shop", "limit", "1"));
        JsonNode firstStatusPage = get("/transfers", Map.of("status", "POSTED", "limit", "2"));
        Instant arrived = clock.instant().plusSeconds(1);
        transfer("new-1", TransferRequest.posted("bank", "shop", eur("1.00")));
        transfer("new-2", TransferRequest.posted("bank", "shop", eur("2.00")));
        project();

        List<String> shop = new ArrayList<>(List.of(idOf(firstAccountPage.get("transfers").get(0))));
        shop.addAll(rest("accountId=shop&limit=1", firstAccountPage));
        List<String> posted = new ArrayList<>();
        firstStatusPage.get("transfers").forEach(row -> posted.add(idOf(row)));
        posted.addAll(rest("status=POSTED&limit=2", firstStatusPage));

        assertThat(shop).containsExactly("pay-1");
        assertThat(posted).doesNotContain("new-1", "new-2").doesNotHaveDuplicates().contains("t1", "tx-1");
        assertThat(all("accountId=shop", 1)).extracting(TransferListIT::idOf).containsExactly("new-2", "new-1", "pay-1");
        assertThat(all("status=POSTED&from=" + arrived, 1)).extracting(TransferListIT::idOf)
                .containsExactly("new-2", "new-1");
    }

    @Test
    void everyRoleThatReadsMayList() {
        for (String token : List.of("audit", "pay", "ops")) {
            assertThat(call("/transfers", Map.of("accountId", "bob"), token).status()).as(token).isEqualTo(200);
        }
        assertThat(call("/transfers", Map.of("accountId", "bob"), "nobody").status()).isEqualTo(401);
    }

    @Test
    void aListThatNoIndexServesIsRefusedNamingTheOnesThatDo() {
        String statusCursor = get("/transfers", Map.of("status", "POSTED", "limit", "1")).get("nextCursor").asText();
        String aliceCursor = get("/transfers", Map.of("accountId", "alice", "limit", "1")).get("nextCursor").asText();
        List<Map<String, String>> refused = List.of(Map.of(), Map.of("accountId", "alice", "status", "POSTED"),
                Map.of("status", "posted"), Map.of("status", "OPEN"), Map.of("accountId", "a/b"),
                Map.of("accountId", "alice", "sort", "id"), Map.of("accountId", "alice", "from", "yesterday"),
                Map.of("accountId", "alice", "from", "2026-11-02T00:00:00Z", "to", "2026-11-01T00:00:00Z"),
                Map.of("accountId", "alice", "limit", "0"), Map.of("accountId", "alice", "limit", "101"),
                Map.of("status", "POSTED", "to", "+10000-01-01T00:00:00Z"),
                Map.of("accountId", "alice", "to", "+1000000000-12-31T23:59:59.999999999Z"),
                Map.of("metadata.order", "A-1", "from", "-0001-01-01T00:00:00Z"),
                Map.of("status", "POSTED", "from", "2026-01-01T00:00:00Z", "cursor", Base64.getUrlEncoder().withoutPadding()
                        .encodeToString("t1:s:POSTED:+10000-01-01T00:00:00.000000000Z#transfer#x".getBytes(StandardCharsets.UTF_8))),
                Map.of("metadata.order", "A-1", "accountId", "alice"), Map.of("metadata.order", "A-1", "status", "POSTED"),
                Map.of("metadata.order", "A-1", "metadata.shop", "s"), Map.of("metadata.bad key", "x"),
                Map.of("accountId", "alice", "cursor", statusCursor), Map.of("accountId", "bob", "cursor", aliceCursor),
                Map.of("status", "POSTED", "cursor", aliceCursor), Map.of("status", "PENDING", "cursor", statusCursor),
                Map.of("status", "POSTED", "to", "2026-01-01T00:00:00Z", "cursor", statusCursor),
                Map.of("accountId", "alice", "cursor", "not-a-cursor!"));
        for (Map<String, String> query : refused) {
            HttpResponse answer = call("/transfers", query, "audit");
            assertThat(answer.status()).as(query.toString()).isEqualTo(400);
            assertThat(answer.body().get("error").asText()).isEqualTo("invalid_request");
        }
        assertThat(call("/transfers", Map.of("metadata.order", "A-1", "status", "POSTED"), "audit").body()
                .get("message").asText()).contains("accountId, or status").contains("or one metadata.<key>");
        assertThat(call("/transfers", Map.of(), "audit").body().get("message").asText()).contains("accountId, or status");
        assertThat(call("/transfers", Map.of("accountId", "nobody"), "audit").status()).isEqualTo(404);
    }

    /** Every row of a list, read {@code limit} at a time. */
    private List<JsonNode> all(String query, int limit) {
        List<JsonNode> rows = new ArrayList<>();
        String cursor = null;
        do {
            Map<String, String> parameters = parameters(query);
            parameters.put("limit", Integer.toString(limit));
            if (cursor != null) {
                parameters.put("cursor", cursor);
            }
            JsonNode page = get("/transfers", parameters);
            assertThat(page.get("transfers").size()).isLessThanOrEqualTo(limit);
            page.get("transfers").forEach(rows::add);
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
        } while (cursor != null);
        return rows;
    }

    /** The ids of the pages after {@code first}. */
    private List<String> rest(String query, JsonNode first) {
        List<String> ids = new ArrayList<>();
        String cursor = first.get("nextCursor").isNull() ? null : first.get("nextCursor").asText();
        while (cursor != null) {
            Map<String, String> parameters = parameters(query);
            parameters.put("cursor", cursor);
            JsonNode page = get("/transfers", parameters);
            page.get("transfers").forEach(row -> ids.add(idOf(row)));
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
        }
        return ids;
    }

    private static Map<String, String> parameters(String query) {
        Map<String, String> parameters = new HashMap<>();
        for (String pair : query.split("&")) {
            String[] kv = pair.split("=", 2);
            parameters.put(kv[0], kv[1]);
        }
        return parameters;
    }

    private static String idOf(JsonNode row) {
        return row.get("kind").asText().equals("transaction") ? row.get("transactionId").asText()
                : row.get("transferId").asText();
    }

    private JsonNode get(String path, Map<String, String> query) {
        HttpResponse response = call(path, query, "audit");
        assertThat(response.status()).as(path + query + " " + response.body()).isEqualTo(200);
        return response.body();
    }

    private HttpResponse call(String path, Map<String, String> query, String token) {
        try {
            return api.handle(new HttpRequest("GET", path, Map.of("authorization", "Bearer " + token), query, null, "r"),
                    "c").response();
        } catch (ApiException refused) {
            return refused.toResponse();
        }
    }

    /** Feeds every stream's events to the four projections (what they already applied is passed over). */
    private void project() {
        project(consumers);
    }

    /** Feeds every stream's events to these projections only (the others then lag, as they may in a stack). */
    private void project(List<ProjectionConsumer> only) {
        List<KinesisEventRecord> records = new ArrayList<>();
        for (StreamId stream : streams) {
            store.readStream(stream, 1).forEachRemaining(event -> records.add(KinesisRecords.of(event, records.size())));
        }
        for (ProjectionConsumer consumer : only) {
            assertThat(consumer.consume(records).getBatchItemFailures()).isEmpty();
        }
    }

    private void open(String account, OverdraftLimit limit, int shards) {
        run(l -> l.openAccount(new OpenAccount(account, EUR, limit), shards));
        for (int shard = 0; shard < shards; shard++) {
            streams.add(StreamId.account(AccountShards.streamAccountId(account, shard)));
        }
    }

    private Instant transfer(String transferId, TransferRequest request) {
        streams.add(StreamId.transfer(transferId));
        return run(l -> l.transfer(transferId, request)).events().get(0).recordedAt();
    }

    private static String landingOn(int shard) {
        for (int n = 0; ; n++) {
            String id = "in-" + n;
            if (AccountShards.pick(id, 1, SHARDS) == shard) {
                return id;
            }
        }
    }

    private Committed run(Function<Ledger, LedgerResult> command) {
        clock.advance(Duration.ofSeconds(1));
        Committed done = commands.execute("setup", command);
        assertThat(done.result().isRejected()).as(String.valueOf(done.result().rejection())).isFalse();
        return done;
    }

    private static Money eur(String amount) {
        return Money.parse(amount, EUR);
    }
}
