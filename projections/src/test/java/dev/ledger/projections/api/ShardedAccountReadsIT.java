package dev.ledger.projections.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent.KinesisEventRecord;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.AccountEvent.ShardFundsMoved;
import dev.ledger.domain.api.AccountShards;
import dev.ledger.domain.api.StreamId;
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
import dev.ledger.projections.ProjectionCatalog;
import dev.ledger.projections.ProjectionConsumer;
import dev.ledger.projections.TransfersProjection;
import dev.ledger.store.DynamoEventStore;
import dev.ledger.store.EventsTable;
import dev.ledger.store.EventsTableSchema;
import dev.ledger.store.MutableClock;
import dev.ledger.store.StoredEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A sharded account (issue 13) is one account to every reader of the read API: its balance, history,
 * balance as of an instant and hash-chain check add up or walk all its shard streams, over projections
 * fed from a real log. "hot" has 4 shards and a floor of zero: four deposits land one on each shard, then
 * a payment larger than any one shard holds gathers funds from the others (ShardFundsMoved) before a
 * deposit and a second payment.
 */
@ExtendWith(LocalAwsExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ShardedAccountReadsIT {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");
    private static final int SHARDS = 4;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-10-01T00:00:00Z"));
    private final List<String> transfersInOrder = new ArrayList<>();
    private DynamoDbClient dynamo;
    private DynamoEventStore store;
    private QueryApi api;
    private Instant lastDepositBeforePayment;

    @BeforeAll
    void aHotAccountOfFourShardsPaidIntoOnEachShardThenPayingMoreThanAnyShardHolds(AwsClients aws,
                                                                                     TestNames names) {
        dynamo = aws.dynamoDb();
        store = new DynamoEventStore(dynamo, names.table("events"));
        EventsTableSchema.create(dynamo, store.table());
        CommandService commands = new CommandService(store, clock, RetryPolicy.standard(new SplittableRandom(13)));
        run(commands, l -> l.openAccount(new OpenAccount("bank", EUR, OverdraftLimit.UNLIMITED), 1));
        run(commands, l -> l.openAccount(new OpenAccount("shop", EUR, OverdraftLimit.NONE), 1));
        run(commands, l -> l.openAccount(new OpenAccount("hot", EUR, OverdraftLimit.NONE), SHARDS));
        // "split" has a second shard whose stream the projections are not given: it is not projected yet.
        run(commands, l -> l.openAccount(new OpenAccount("split", EUR, OverdraftLimit.NONE), 2));
        run(commands, l -> l.transfer(landingOn(1, 2, "late"), TransferRequest.posted("bank", "split", eur("7.00"))));
        for (int shard = 0; shard < SHARDS; shard++) {
            lastDepositBeforePayment = transfer(commands, landingOn(shard, SHARDS, "in"), "bank", "hot", "30.00");
        }
        transfer(commands, "pay-1", "hot", "shop", "70.00");
        transfer(commands, "in-more", "bank", "hot", "5.00");
        transfer(commands, "pay-2", "hot", "shop", "10.00");
        assertThat(hotEvents().stream().filter(e -> e.event() instanceof ShardFundsMoved).count())
                .as("the 70.00 payment gathered funds across shards").isPositive();

        String balances = names.table("balances");
        String history = names.table("history");
        String transfers = names.table("transfers");
        ProjectionCatalog.BALANCES.createTable(dynamo, balances);
        ProjectionCatalog.HISTORY.createTable(dynamo, history);
        ProjectionCatalog.TRANSFERS.createTable(dynamo, transfers);
        List<KinesisEventRecord> records = new ArrayList<>();
        List<StreamId> streams = new ArrayList<>(List.of(StreamId.account("bank"), StreamId.account("shop"),
                StreamId.account("split")));
        for (int shard = 0; shard < SHARDS; shard++) {
            streams.add(StreamId.account(AccountShards.streamAccountId("hot", shard)));
        }
        for (StreamId stream : streams) {
            store.readStream(stream, 1).forEachRemaining(event -> records.add(KinesisRecords.of(event, records.size())));
        }
        DeadLetters deadLetters = new DeadLetters(aws.sqs(),
                aws.sqs().createQueue(r -> r.queueName(names.queue("dlq"))).queueUrl());
        BalancesProjection balancesProjection = new BalancesProjection(dynamo, balances);
        TransfersProjection transfersProjection = new TransfersProjection(dynamo, transfers);
        for (ProjectionConsumer consumer : List.of(new ProjectionConsumer(balancesProjection, deadLetters),
                new ProjectionConsumer(new HistoryProjection(dynamo, history), deadLetters))) {
            assertThat(consumer.consume(records).getBatchItemFailures()).isEmpty();
        }
        api = new QueryApi(balancesProjection, new HistoryReader(dynamo, history), transfersProjection, store,
                ApiTokens.parse("audit=auditor"));
    }

    @Test
    void theAccountAnswersItsShardsAddedUpAtTheSumOfTheirVersions() {
        JsonNode hot = get("/accounts/hot", Map.of());

        assertThat(hot.get("accountId").asText()).isEqualTo("hot");
        assertThat(hot.get("balance").asText()).as("120.00 in, 80.00 out").isEqualTo("45.00");
        assertThat(hot.get("creditsPosted").asText()).as("moves between shards taken out").isEqualTo("125.00");
        assertThat(hot.get("debitsPosted").asText()).isEqualTo("80.00");
        assertThat(hot.get("available").asText()).isEqualTo("45.00");
        assertThat(hot.get("shards").asInt()).isEqualTo(SHARDS);
        assertThat(hot.get("version").asLong()).isEqualTo(hotEvents().size());
    }

    @Test
    void aShardNotProjectedYetCountsAsEmptyAtVersionZero() {
        JsonNode split = get("/accounts/split", Map.of());

        // Shard 1 holds the 7.00 but its stream was never projected: only shard 0's two events count.
        assertThat(split.get("balance").asText()).isEqualTo("0.00");
        assertThat(split.get("version").asLong()).isEqualTo(2);
        assertThat(split.get("shards").asInt()).isEqualTo(2);
    }

    @Test
    void aShardsOwnIdIsNoAccountToTheReadApi() {
        for (String path : List.of("/accounts/hot%231", "/accounts/hot%231/history", "/accounts/hot%231/balance",
                "/audit/accounts/hot%231/verify")) {
            HttpResponse response = call(path, Map.of("asOf", clock.instant().toString()));

            assertThat(response.status()).as(path).isEqualTo(400);
            assertThat(response.errorCode()).as(path).isEqualTo("invalid_request");
        }
    }

    @Test
    void historyListsEveryTransferOnceInRecordedOrderAcrossPagesWithoutMovesOrShardIds() {
        List<JsonNode> entries = new ArrayList<>();
        List<String> cursors = new ArrayList<>();
        String cursor = null;
        do {
            Map<String, String> query = new HashMap<>(Map.of("limit", "2"));
            if (cursor != null) {
                query.put("cursor", cursor);
            }
            JsonNode page = get("/accounts/hot/history", query);
            assertThat(page.get("entries").size()).isBetween(1, 2);
            page.get("entries").forEach(entries::add);
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
            if (cursor != null) {
                cursors.add(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
            }
        } while (cursor != null);

        assertThat(entries).extracting(e -> e.get("type").asText()).containsExactly("AccountOpened", "EntryPosted",
                "EntryPosted", "EntryPosted", "EntryPosted", "EntryPosted", "EntryPosted", "EntryPosted");
        assertThat(entries.subList(1, entries.size())).extracting(e -> e.get("transferId").asText())
                .containsExactlyElementsOf(transfersInOrder);
        assertThat(entries).extracting(e -> e.get("balanceAfter").asText())
                .containsExactly("0.00", "30.00", "60.00", "90.00", "120.00", "50.00", "55.00", "45.00");
        assertThat(entries).extracting(e -> e.get("amount").asText(null))
                .containsExactly(null, "30.00", "30.00", "30.00", "30.00", "-70.00", "5.00", "-10.00");
        assertThat(entries.subList(1, 5)).extracting(e -> e.get("shard").asInt()).containsExactly(0, 1, 2, 3);
        assertThat(entries).extracting(e -> Instant.parse(e.get("recordedAt").asText())).isSorted();
        assertThat(entries).extracting(e -> e.get("counterpartyAccountId").asText(null))
                .containsExactly(null, "bank", "bank", "bank", "bank", "shop", "bank", "shop");
        assertThat(entries.toString()).doesNotContain("#").doesNotContain("ShardFundsMoved")
                .doesNotContain("ShardOpened").doesNotContain("AccountSharded");
        assertThat(cursors).hasSize(3).allSatisfy(decoded -> assertThat(decoded).startsWith("m1:"));
        assertThat(get("/accounts/hot/history", Map.of()).get("entries")).as("one page holds the same")
                .containsExactlyElementsOf(entries);
    }

    @Test
    void historyInATimeWindowAddsUpTheBalanceFromBeforeIt() {
        JsonNode entries = get("/accounts/hot/history", Map.of("from", lastDepositBeforePayment.plusMillis(1).toString()))
                .get("entries");

        assertThat(entries).extracting(e -> e.get("transferId").asText()).containsExactly("pay-1", "in-more", "pay-2");
        assertThat(entries).extracting(e -> e.get("balanceAfter").asText()).containsExactly("50.00", "55.00", "45.00");
    }

    @Test
    void anAccountThatIsNotShardedKeepsItsHistoryCursor() {
        JsonNode page = get("/accounts/shop/history", Map.of("limit", "1"));

        assertThat(new String(Base64.getUrlDecoder().decode(page.get("nextCursor").asText()), StandardCharsets.UTF_8))
                .isEqualTo("v1:2");
        assertThat(page.get("entries").get(0).has("shard")).isFalse();
    }

    @Test
    void theBalanceAsOfAnInstantAddsUpTheShardsAsTheyStoodThen() {
        JsonNode middle = get("/accounts/hot/balance", Map.of("asOf", lastDepositBeforePayment.toString()));
        JsonNode now = get("/accounts/hot/balance", Map.of("asOf", clock.instant().toString()));

        assertThat(middle.get("accountId").asText()).isEqualTo("hot");
        assertThat(middle.get("balance").asText()).isEqualTo("120.00");
        // Opening (own stream: opened and sharded; 3 shards opened) and one deposit per shard.
        assertThat(middle.get("version").asLong()).isEqualTo(2 + 3 + SHARDS);
        assertThat(now.get("balance").asText()).isEqualTo("45.00");
        assertThat(now.get("version").asLong()).isEqualTo(hotEvents().size());
    }

    @Test
    void theAuditCheckWalksEveryShardsChain() {
        JsonNode verified = get("/audit/accounts/hot/verify", Map.of());

        assertThat(verified.get("valid").asBoolean()).isTrue();
        assertThat(verified.get("firstBadVersion").isNull()).isTrue();
        assertThat(verified.get("events").asLong()).isEqualTo(hotEvents().size());
        assertThat(verified.get("shards")).hasSize(SHARDS)
                .allSatisfy(shard -> assertThat(shard.get("valid").asBoolean()).isTrue());
        assertThat(verified.get("shards")).extracting(shard -> shard.get("events").asLong())
                .containsExactlyElementsOf(shardVersions());
        assertThat(get("/audit/accounts/shop/verify", Map.of()).has("shards")).as("an unsharded answer keeps its shape")
                .isFalse();
    }

    @Test
    void theAuditCheckNamesTheShardWhoseChainBroke() {
        // Someone with write access to the events table turns shard 1's 7.00 deposit into 700.00 in place.
        StreamId shard = StreamId.account(AccountShards.streamAccountId("split", 1));
        Map<String, AttributeValue> item = new HashMap<>(dynamo.getItem(r -> r.tableName(store.table())
                .key(EventsTable.key(shard, 2))).item());
        item.put(EventsTable.DATA, AttributeValue.fromS(item.get(EventsTable.DATA).s().replace("7.00", "700.00")));
        dynamo.putItem(r -> r.tableName(store.table()).item(item));

        JsonNode verified = get("/audit/accounts/split/verify", Map.of());

        assertThat(verified.get("valid").asBoolean()).isFalse();
        assertThat(verified.get("firstBadShard").asInt()).isEqualTo(1);
        assertThat(verified.get("firstBadVersion").asLong()).isEqualTo(2);
        assertThat(verified.get("shards").get(0).get("valid").asBoolean()).as("shard 0 is as written").isTrue();
        assertThat(verified.get("shards").get(1).get("valid").asBoolean()).isFalse();
    }

    @Test
    void theExportGivesEveryShardsStreamAfterTheAccountsOwnAcrossPages() {
        List<String> lines = new ArrayList<>();
        Map<String, String> query = new HashMap<>(Map.of("limit", "3"));
        while (true) {
            JsonNode page = get("/audit/accounts/hot/events", query);
            page.get("lines").forEach(line -> lines.add(line.asText()));
            if (page.get("nextCursor").isNull()) {
                break;
            }
            query.put("cursor", page.get("nextCursor").asText());
        }

        // As replay export orders them: the account's own stream, then shard 1, 2, 3, each from version 1.
        assertThat(lines).isEqualTo(hotEvents().stream().map(StoredEvent::toJsonLine).toList());
        assertThat(get("/audit/accounts/shop/events", Map.of()).get("lines")).isNotEmpty();
    }

    /** Every event of every shard of "hot". */
    private List<StoredEvent> hotEvents() {
        List<StoredEvent> events = new ArrayList<>();
        for (int shard = 0; shard < SHARDS; shard++) {
            store.readStream(StreamId.account(AccountShards.streamAccountId("hot", shard)), 1)
                    .forEachRemaining(events::add);
        }
        return events;
    }

    private List<Long> shardVersions() {
        List<Long> versions = new ArrayList<>();
        for (int shard = 0; shard < SHARDS; shard++) {
            long[] last = {0};
            store.readStream(StreamId.account(AccountShards.streamAccountId("hot", shard)), 1)
                    .forEachRemaining(event -> last[0] = event.version());
            versions.add(last[0]);
        }
        return versions;
    }

    /** A transfer id whose credit or debit on an account of {@code shards} shards lands first on {@code shard}. */
    private static String landingOn(int shard, int shards, String prefix) {
        for (int n = 0; ; n++) {
            String id = prefix + "-" + n;
            if (AccountShards.pick(id, 1, shards) == shard) {
                return id;
            }
        }
    }

    private Instant transfer(CommandService commands, String transferId, String from, String to, String amount) {
        transfersInOrder.add(transferId);
        return run(commands, l -> l.transfer(transferId, TransferRequest.posted(from, to, eur(amount)))).events()
                .get(0).recordedAt();
    }

    private JsonNode get(String path, Map<String, String> query) {
        HttpResponse response = call(path, query);
        assertThat(response.status()).as(path + " " + response.body()).isEqualTo(200);
        return response.body();
    }

    /** A GET as the read API answers it, a refusal included (its Lambda handler turns ApiException into one). */
    private HttpResponse call(String path, Map<String, String> query) {
        try {
            return api.handle(new HttpRequest("GET", path, Map.of("authorization", "Bearer audit"), query, null, "r"),
                    "c").response();
        } catch (ApiException refused) {
            return refused.toResponse();
        }
    }

    private Committed run(CommandService commands, Function<Ledger, LedgerResult> command) {
        clock.advance(Duration.ofSeconds(1));
        Committed done = commands.execute("setup", command);
        assertThat(done.result().isRejected()).as(String.valueOf(done.result().rejection())).isFalse();
        return done;
    }

    private static Money eur(String amount) {
        return Money.parse(amount, EUR);
    }
}
