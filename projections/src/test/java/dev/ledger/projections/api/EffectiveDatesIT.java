package dev.ledger.projections.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent.KinesisEventRecord;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ledger.domain.api.StreamId;
import dev.ledger.functions.LedgerFixture;
import dev.ledger.functions.LedgerFixture.Reply;
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
import dev.ledger.projections.ProjectionCatalog;
import dev.ledger.projections.ProjectionConsumer;
import dev.ledger.projections.TransfersProjection;
import dev.ledger.store.MutableClock;
import dev.ledger.store.StoredEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Effective dates (issue 16 §1) from the POST that names one to the balance that counts it: the window,
 * the idempotency comparison, the answers that show it, the stored event that carries it under the hash
 * chain, and the balance as of an instant on either basis. The command and read handlers share one log on
 * the emulator and one clock the test moves by hand.
 */
@ExtendWith(LocalAwsExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class EffectiveDatesIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The accounts open 40 days before NOW, so a backdated payment falls inside their life. */
    private static final Instant OPENED = Instant.parse("2026-08-01T09:00:00Z");
    private static final Instant NOW = OPENED.plus(Duration.ofDays(40));
    private static final Instant TEN_DAYS_AGO = NOW.minus(Duration.ofDays(10));
    private static final Instant TWO_DAYS_AGO = NOW.minus(Duration.ofDays(2));

    private MutableClock clock;
    private LedgerFixture ledger;
    private QueryApiHandler reads;
    private DynamoDbClient dynamo;
    private String historyTable;
    private TransfersProjection transfers;
    private BalancesProjection balances;

    @BeforeAll
    void setUp(AwsClients aws, TestNames names) {
        dynamo = aws.dynamoDb();
        clock = new MutableClock(OPENED);
        ledger = new LedgerFixture(dynamo, names.table("events"), clock);
        String balancesTable = names.table("balances");
        historyTable = names.table("history");
        String transfersTable = names.table("transfers");
        ProjectionCatalog.BALANCES.createTable(dynamo, balancesTable);
        ProjectionCatalog.HISTORY.createTable(dynamo, historyTable);
        ProjectionCatalog.TRANSFERS.createTable(dynamo, transfersTable);
        balances = new BalancesProjection(dynamo, balancesTable);
        transfers = new TransfersProjection(dynamo, transfersTable);
        reads = new QueryApiHandler(new QueryApi(balances, new HistoryReader(dynamo, historyTable), transfers,
                ledger.store(), ApiTokens.parse("audit=auditor")),
                new RequestLog(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)),
                Clock.systemUTC());

        assertThat(ledger.post("/accounts", "{\"accountId\":\"bank\",\"currency\":\"EUR\",\"overdraftLimit\":null}")
                .status()).isEqualTo(201);
        assertThat(ledger.post("/accounts", "{\"accountId\":\"alice\",\"currency\":\"EUR\"}").status()).isEqualTo(201);
        assertThat(ledger.post("/accounts", "{\"accountId\":\"bob\",\"currency\":\"EUR\"}").status()).isEqualTo(201);
        clock.advance(Duration.between(OPENED, NOW));

        // Recorded now, counting ten days ago; then part of it refunded, counting two days ago.
        assertThat(ledger.post("/transfers", transfer("t-back", "100.00", TEN_DAYS_AGO)).status()).isEqualTo(201);
        clock.advance(Duration.ofSeconds(1));
        assertThat(ledger.post("/transfers/t-back/reverse", "{\"reversalId\":\"r-back\",\"amount\":\"30.00\","
                + "\"effectiveAt\":\"" + TWO_DAYS_AGO + "\"}").status()).isEqualTo(201);
        clock.advance(Duration.ofSeconds(1));
        // A payment without a date counts when it is recorded.
        assertThat(ledger.post("/transfers", "{\"transferId\":\"t-now\",\"debitAccountId\":\"bank\","
                + "\"creditAccountId\":\"alice\",\"amount\":\"5.00\",\"currency\":\"EUR\"}").status()).isEqualTo(201);
        clock.advance(Duration.ofSeconds(1));
    }

    @Test
    void a_backdated_transfer_answers_with_its_effective_date_beside_when_it_was_recorded() {
        Reply again = ledger.post("/transfers", transfer("t-back", "100.00", TEN_DAYS_AGO));

        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body().get("effectiveAt").asText()).isEqualTo(TEN_DAYS_AGO.toString());
        assertThat(again.body().get("recordedAt").asText()).isEqualTo(NOW.toString());
    }

    @Test
    void a_request_without_an_effective_date_shows_its_recorded_instant_as_effective() {
        Reply answer = ledger.post("/transfers", "{\"transferId\":\"t-plain\",\"debitAccountId\":\"bank\","
                + "\"creditAccountId\":\"bob\",\"amount\":\"1.00\",\"currency\":\"EUR\"}");

        assertThat(answer.status()).isEqualTo(201);
        assertThat(answer.body().get("effectiveAt").asText()).isEqualTo(answer.body().get("recordedAt").asText());
        StoredEvent recorded = ledger.store().readEvent(StreamId.transfer("t-plain"), 1).orElseThrow();
        assertThat(recorded.effectiveAt()).isNull();
        assertThat(recorded.toJsonLine()).doesNotContain("effectiveAt");
    }

    @Test
    void the_same_id_with_another_effective_date_or_none_is_another_request() {
        Reply otherDate = ledger.post("/transfers", transfer("t-back", "100.00", TEN_DAYS_AGO.plusSeconds(1)));
        Reply noDate = ledger.post("/transfers", "{\"transferId\":\"t-back\",\"debitAccountId\":\"bank\","
                + "\"creditAccountId\":\"alice\",\"amount\":\"100.00\",\"currency\":\"EUR\"}");
        Reply sameInstantOtherSpelling = ledger.post("/transfers", transfer("t-back", "100.00", null)
                .replace("}", ",\"effectiveAt\":\"" + TEN_DAYS_AGO.toString().replace("Z", ".000Z") + "\"}"));

        assertThat(otherDate.status()).isEqualTo(409);
        assertThat(otherDate.error()).isEqualTo("idempotency_conflict");
        assertThat(noDate.status()).isEqualTo(409);
        assertThat(noDate.error()).isEqualTo("idempotency_conflict");
        assertThat(sameInstantOtherSpelling.status()).isEqualTo(200);
    }

    @Test
    void the_window_reaches_back_thirty_five_days_and_ahead_one_minute() {
        Instant now = clock.instant();
        // To bob: alice's balances are the subject of another test.
        Reply oldestAllowed = ledger.post("/transfers", toBob("w-past-edge", now.minus(Duration.ofDays(35))));
        Reply tooOld = ledger.post("/transfers", toBob("w-past-out", now.minus(Duration.ofDays(35)).minusSeconds(1)));
        Reply skew = ledger.post("/transfers", toBob("w-future-edge", now.plusSeconds(60)));
        Reply tooNew = ledger.post("/transfers", toBob("w-future-out", now.plusSeconds(61)));

        assertThat(oldestAllowed.status()).isEqualTo(201);
        assertThat(skew.status()).isEqualTo(201);
        assertThat(tooOld.status()).isEqualTo(422);
        assertThat(tooOld.error()).isEqualTo("effective_date_out_of_range");
        assertThat(tooOld.body().get("message").asText()).contains("within the last 35 days")
                .contains("at most 60 seconds after");
        assertThat(tooNew.status()).isEqualTo(422);
        assertThat(tooNew.error()).isEqualTo("effective_date_out_of_range");
        // Refused before the ledger decided anything: nothing is recorded under the ids.
        assertThat(ledger.store().readHead(StreamId.transfer("w-past-out"))).isEmpty();
        assertThat(ledger.store().readHead(StreamId.transfer("w-future-out"))).isEmpty();
    }

    @Test
    void a_transaction_and_a_reversal_carry_their_effective_dates_into_every_answer() {
        Instant yesterday = clock.instant().minus(Duration.ofDays(1));
        Reply transaction = ledger.post("/transactions", "{\"transactionId\":\"tx-back\",\"effectiveAt\":\""
                + yesterday + "\",\"entries\":[{\"accountId\":\"bank\",\"direction\":\"debit\",\"amount\":\"2.00\","
                + "\"currency\":\"EUR\"},{\"accountId\":\"bob\",\"direction\":\"credit\",\"amount\":\"2.00\","
                + "\"currency\":\"EUR\"}]}");
        Reply reversal = ledger.post("/transfers/t-back/reverse", "{\"reversalId\":\"r-back\",\"amount\":\"30.00\","
                + "\"effectiveAt\":\"" + TWO_DAYS_AGO + "\"}");
        Reply refund = ledger.post("/transactions/tx-back/reverse", "{\"reversalId\":\"txr-back\",\"effectiveAt\":\""
                + yesterday.plusSeconds(60) + "\"}");
        feedTransfers(StreamId.transfer("t-back"), StreamId.transaction("tx-back"));

        assertThat(transaction.status()).isEqualTo(201);
        assertThat(transaction.body().get("effectiveAt").asText()).isEqualTo(yesterday.toString());
        assertThat(reversal.status()).isEqualTo(200);
        assertThat(reversal.body().get("effectiveAt").asText()).isEqualTo(TWO_DAYS_AGO.toString());
        JsonNode transfer = get("/transfers/t-back").body();
        assertThat(transfer.get("effectiveAt").asText()).isEqualTo(TEN_DAYS_AGO.toString());
        assertThat(transfer.get("reversals").get(0).get("effectiveAt").asText()).isEqualTo(TWO_DAYS_AGO.toString());
        assertThat(refund.status()).as(refund.body().toString()).isEqualTo(201);
        assertThat(refund.body().get("effectiveAt").asText()).isEqualTo(yesterday.plusSeconds(60).toString());
        JsonNode read = get("/transactions/tx-back").body();
        assertThat(read.get("effectiveAt").asText()).isEqualTo(yesterday.toString());
        assertThat(read.get("reversal").get("effectiveAt").asText()).isEqualTo(yesterday.plusSeconds(60).toString());
    }

    @Test
    void every_event_of_a_backdated_append_carries_the_date_under_its_hash_and_the_chain_still_verifies() {
        List<StoredEvent> alice = new ArrayList<>();
        ledger.store().readStream(StreamId.account("alice"), 1).forEachRemaining(alice::add);

        assertThat(alice).extracting(StoredEvent::effectiveAt)
                .containsExactly(null, TEN_DAYS_AGO, TWO_DAYS_AGO, null);
        assertThat(alice.get(1).toJsonLine()).contains("\"effectiveAt\":\"" + TEN_DAYS_AGO + "\"");
        assertThat(StoredEvent.fromJsonLine(alice.get(1).toJsonLine())).isEqualTo(alice.get(1));
        assertThat(ledger.store().readEvent(StreamId.transfer("t-back"), 1).orElseThrow().effectiveAt())
                .isEqualTo(TEN_DAYS_AGO);
        JsonNode verify = get("/audit/accounts/alice/verify").body();
        assertThat(verify.get("valid").asBoolean()).isTrue();
    }

    @Test
    void a_backdated_payment_counts_at_its_effective_instant_on_the_effective_basis_and_at_its_recorded_one_on_the_recorded_basis() {
        Instant beforeItCounted = TEN_DAYS_AGO.minusSeconds(1);
        Instant afterItCountedBeforeTheRefund = TWO_DAYS_AGO.minusSeconds(1);
        Instant afterTheRefund = TWO_DAYS_AGO;
        Instant afterAll = NOW.plusSeconds(2);

        assertThat(balance(beforeItCounted, "effective")).isEqualTo("0.00");
        assertThat(balance(afterItCountedBeforeTheRefund, "effective")).isEqualTo("100.00");
        assertThat(balance(afterTheRefund, "effective")).isEqualTo("70.00");
        assertThat(balance(afterItCountedBeforeTheRefund, "recorded")).isEqualTo("0.00");
        assertThat(balance(afterItCountedBeforeTheRefund, null)).isEqualTo("0.00");
        assertThat(balance(NOW, "recorded")).isEqualTo("100.00");
        assertThat(balance(afterAll, "recorded")).isEqualTo("75.00");
        assertThat(balance(afterAll, "effective")).isEqualTo("75.00");
        assertThat(get("/accounts/alice/balance?asOf=" + afterTheRefund + "&basis=effective").body()
                .get("basis").asText()).isEqualTo("effective");
    }

    @Test
    void an_account_whose_first_movement_is_backdated_to_before_its_opening_exists_from_that_movement_on_the_effective_basis() {
        assertThat(ledger.post("/accounts", "{\"accountId\":\"late\",\"currency\":\"EUR\"}").status()).isEqualTo(201);
        clock.advance(Duration.ofSeconds(1));
        Instant threeDaysAgo = clock.instant().minus(Duration.ofDays(3));
        assertThat(ledger.post("/transfers", transfer("t-late", "9.00", threeDaysAgo).replace("\"alice\"", "\"late\""))
                .status()).isEqualTo(201);

        assertThat(get("/accounts/late/balance?asOf=" + threeDaysAgo + "&basis=recorded").status()).isEqualTo(404);
        assertThat(balance("late", threeDaysAgo, "effective")).isEqualTo("9.00");
        assertThat(get("/accounts/late/balance?asOf=" + threeDaysAgo.minusSeconds(1) + "&basis=effective").status())
                .isEqualTo(404);
    }

    @Test
    void history_lists_in_effective_order_when_asked_each_entry_showing_when_it_counts() {
        assertThat(ledger.post("/accounts", "{\"accountId\":\"carol\",\"currency\":\"EUR\"}").status()).isEqualTo(201);
        clock.advance(Duration.ofSeconds(1));
        Instant now = clock.instant();
        Instant fiveDaysAgo = now.minus(Duration.ofDays(5));
        Instant twentyDaysAgo = now.minus(Duration.ofDays(20));
        assertThat(ledger.post("/transfers", toCarol("c-1", null)).status()).isEqualTo(201);
        assertThat(ledger.post("/transfers", toCarol("c-2", fiveDaysAgo)).status()).isEqualTo(201);
        assertThat(ledger.post("/transfers", toCarol("c-3", twentyDaysAgo)).status()).isEqualTo(201);
        List<KinesisEventRecord> records = new ArrayList<>();
        ledger.store().readStream(StreamId.account("carol"), 1).forEachRemaining(event -> records.add(
                KinesisRecords.of(event, records.size())));
        new ProjectionConsumer(new HistoryProjection(dynamo, historyTable), new DeadLetters(null, null)).consume(records);

        JsonNode recorded = get("/accounts/carol/history").body().get("entries");
        Reply first = get("/accounts/carol/history?order=effective&limit=2");
        Reply second = get("/accounts/carol/history?order=effective&limit=2&cursor="
                + first.body().get("nextCursor").asText());
        Reply bounded = get("/accounts/carol/history?order=effective&from=" + fiveDaysAgo + "&to=" + now);

        assertThat(recorded).extracting(e -> e.get("version").asLong()).containsExactly(1L, 2L, 3L, 4L);
        assertThat(recorded).extracting(e -> e.get("effectiveAt").asText()).containsExactly(
                recorded.get(0).get("recordedAt").asText(), now.toString(), fiveDaysAgo.toString(),
                twentyDaysAgo.toString());
        assertThat(first.body().get("entries")).extracting(e -> e.get("version").asLong()).containsExactly(4L, 3L);
        assertThat(second.body().get("entries")).extracting(e -> e.get("version").asLong()).containsExactly(1L, 2L);
        assertThat(second.body().get("nextCursor").isNull()).isTrue();
        assertThat(bounded.body().get("entries")).extracting(e -> e.get("version").asLong()).containsExactly(3L, 1L, 2L);
        assertThat(get("/accounts/carol/history?order=effective&cursor=" + recorded.get(0).get("hash").asText())
                .status()).isEqualTo(400);
        assertThat(get("/accounts/carol/history?order=booked").status()).isEqualTo(400);
    }

    @Test
    void each_item_of_an_atomic_batch_keeps_its_own_effective_date_on_the_events_it_wrote() {
        Instant threeDaysAgo = clock.instant().minus(Duration.ofDays(3));
        Reply batch = ledger.post("/batches", "{\"batchId\":\"b-dated\",\"atomic\":true,\"items\":["
                + "{\"type\":\"transfer\"," + toBob("b-dated-1", threeDaysAgo).substring(1) + ","
                + "{\"type\":\"transfer\"," + toBob("b-undated-2", null).substring(1) + "]}");

        assertThat(batch.status()).as(batch.body().toString()).isEqualTo(201);
        assertThat(batch.body().get("items").get(0).get("body").get("effectiveAt").asText())
                .isEqualTo(threeDaysAgo.toString());
        assertThat(ledger.store().readEvent(StreamId.transfer("b-dated-1"), 1).orElseThrow().effectiveAt())
                .isEqualTo(threeDaysAgo);
        assertThat(ledger.store().readEvent(StreamId.transfer("b-undated-2"), 1).orElseThrow().effectiveAt()).isNull();
        List<StoredEvent> bob = new ArrayList<>();
        ledger.store().readStream(StreamId.account("bob"), 1).forEachRemaining(bob::add);
        assertThat(bob).filteredOn(e -> e.correlationId().equals(bob.get(bob.size() - 1).correlationId()))
                .extracting(StoredEvent::effectiveAt).containsExactly(threeDaysAgo, null);
    }

    @Test
    void a_basis_that_is_neither_recorded_nor_effective_is_refused() {
        Reply refused = get("/accounts/alice/balance?asOf=" + NOW + "&basis=booked");

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.body().get("message").asText()).contains("'basis'");
    }

    private String balance(Instant asOf, String basis) {
        return balance("alice", asOf, basis);
    }

    private String balance(String account, Instant asOf, String basis) {
        Reply reply = get("/accounts/" + account + "/balance?asOf=" + asOf + (basis == null ? "" : "&basis=" + basis));
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
        return reply.body().get("balance").asText();
    }

    private static String transfer(String id, String amount, Instant effectiveAt) {
        return "{\"transferId\":\"" + id + "\",\"debitAccountId\":\"bank\",\"creditAccountId\":\"alice\",\"amount\":\""
                + amount + "\",\"currency\":\"EUR\"" + (effectiveAt == null ? "" : ",\"effectiveAt\":\"" + effectiveAt
                + "\"") + "}";
    }

    private static String toCarol(String id, Instant effectiveAt) {
        return transfer(id, "1.00", effectiveAt).replace("\"alice\"", "\"carol\"");
    }

    private static String toBob(String id, Instant effectiveAt) {
        return transfer(id, "1.00", effectiveAt).replace("\"alice\"", "\"bob\"");
    }

    private void feedTransfers(StreamId... streams) {
        List<KinesisEventRecord> records = new ArrayList<>();
        for (StreamId stream : streams) {
            ledger.store().readStream(stream, 1).forEachRemaining(event -> records.add(KinesisRecords.of(event,
                    records.size())));
        }
        new ProjectionConsumer(transfers, new DeadLetters(null, null)).consume(records);
    }

    private Reply get(String pathAndQuery) {
        String path = pathAndQuery.contains("?") ? pathAndQuery.substring(0, pathAndQuery.indexOf('?')) : pathAndQuery;
        Map<String, String> query = new HashMap<>();
        if (pathAndQuery.contains("?")) {
            for (String pair : pathAndQuery.substring(pathAndQuery.indexOf('?') + 1).split("&")) {
                String[] kv = pair.split("=", 2);
                query.put(kv[0], kv[1]);
            }
        }
        APIGatewayV2HTTPEvent event = APIGatewayV2HTTPEvent.builder().withVersion("2.0").withRawPath(path)
                .withQueryStringParameters(query)
                .withHeaders(Map.of("authorization", "Bearer audit"))
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder().withRequestId("q")
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod("GET").withPath(path)
                                .build()).build())
                .build();
        APIGatewayV2HTTPResponse response = reads.handleRequest(event, null);
        try {
            return new Reply(response.getStatusCode(), JSON.readTree(response.getBody()));
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + response.getBody(), e);
        }
    }
}
