package dev.ledger.functions.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.TransactionRequest;
import dev.ledger.domain.transaction.TransactionStatus;
import dev.ledger.functions.LedgerFixture.Reply;
import dev.ledger.functions.LedgerFixture;
import dev.ledger.functions.command.CommandService;
import dev.ledger.functions.command.RetryPolicy;
import dev.ledger.functions.sweeper.HoldExpirySweeper;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import dev.ledger.store.EventStore;
import dev.ledger.store.MutableClock;
import dev.ledger.store.PendingHolds;
import dev.ledger.store.StateCodec;
import dev.ledger.store.StoredEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** POST /transactions and its post and void, through the Lambda handler, against the emulator. */
@ExtendWith(LocalAwsExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TransactionsIT {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-06-01T12:00:00Z"));
    private LedgerFixture ledger;
    private AwsClients aws;

    @BeforeAll
    void setUp(AwsClients aws, TestNames names) {
        this.aws = aws;
        ledger = new LedgerFixture(aws.dynamoDb(), names.table("events"), clock);
        for (String funding : List.of("bank", "eur-pool", "usd-pool")) {
            assertThat(ledger.openAccount(funding, funding.startsWith("usd") ? "USD" : "EUR", "null").status())
                    .isEqualTo(201);
        }
        for (String account : List.of("card", "merchant", "fees", "frozen")) {
            assertThat(ledger.openAccount(account, "EUR", null).status()).isEqualTo(201);
        }
        assertThat(ledger.openAccount("wallet", "USD", null).status()).isEqualTo(201);
        assertThat(ledger.transfer("fund-card", "bank", "card", "1000.00", "EUR").status()).isEqualTo(201);
        assertThat(ledger.post("/accounts/frozen/freeze", "").status()).isEqualTo(200);
    }

    @Test
    void aCardPaymentWithItsFeeIsRecordedAndAnsweredWithEveryEntry() {
        long cardBefore = account("card").balance();

        Reply paid = ledger.post("/transactions", body("tx-card", false, null,
                entry("card", "debit", "100.00", "EUR"), entry("merchant", "credit", "97.10", "EUR"),
                entry("fees", "credit", "2.90", "EUR")));

        assertThat(paid.status()).as(paid.body().toString()).isEqualTo(201);
        assertThat(paid.body().toString()).isEqualTo("{\"transactionId\":\"tx-card\",\"status\":\"POSTED\",\"entries\":["
                + "{\"index\":0,\"accountId\":\"card\",\"direction\":\"debit\",\"amount\":\"100.00\",\"currency\":\"EUR\"},"
                + "{\"index\":1,\"accountId\":\"merchant\",\"direction\":\"credit\",\"amount\":\"97.10\",\"currency\":\"EUR\"},"
                + "{\"index\":2,\"accountId\":\"fees\",\"direction\":\"credit\",\"amount\":\"2.90\",\"currency\":\"EUR\"}],"
                + "\"recordedAt\":\"" + clock.instant() + "\",\"effectiveAt\":\"" + clock.instant() + "\","
                + "\"expiresAt\":null,\"metadata\":{\"order\":\"A-17\"},"
                + "\"version\":1,\"rejectionCode\":null,\"rejectionMessage\":null,\"failedEntry\":null}");
        assertThat(account("card").balance()).isEqualTo(cardBefore - 10000);
        assertThat(lastEvent("merchant").type()).isEqualTo("TransactionEntriesPosted");
        assertThat(lastEvent("merchant").body().get("entries")).hasSize(3);
        assertThat(lastEvent("fees").transferId()).isNull();
    }

    @Test
    void anExchangeThatBalancesPerCurrencyIsAcceptedAndOneThatDoesNotIsUnbalanced() {
        Reply exchanged = ledger.post("/transactions", body("fx-ok", false, null,
                entry("card", "debit", "50.00", "EUR"), entry("eur-pool", "credit", "50.00", "EUR"),
                entry("usd-pool", "debit", "54.00", "USD"), entry("wallet", "credit", "54.00", "USD")));
        assertThat(exchanged.status()).as(exchanged.body().toString()).isEqualTo(201);
        assertThat(account("wallet").balance()).isEqualTo(5400);

        Reply lopsided = ledger.post("/transactions", body("fx-bad", false, null,
                entry("card", "debit", "50.00", "EUR"), entry("eur-pool", "credit", "50.00", "EUR"),
                entry("usd-pool", "debit", "54.00", "USD"), entry("wallet", "credit", "53.99", "USD")));
        assertThat(lopsided.status()).isEqualTo(422);
        assertThat(lopsided.error()).isEqualTo("unbalanced");
        assertThat(lopsided.body().get("message").asText()).contains("USD", "0.01 USD");
        assertThat(account("wallet").balance()).isEqualTo(5400);
    }

    @Test
    void aRefusedTransactionLeavesEveryAccountsEventsAndHeadsUnchangedAndRepeatsItsRefusal() {
        List<String> accounts = List.of("card", "merchant", "fees", "frozen");
        Map<String, Object> before = snapshot(accounts);

        Reply refused = ledger.post("/transactions", body("tx-frozen", false, null,
                entry("card", "debit", "3.00", "EUR"), entry("merchant", "credit", "1.00", "EUR"),
                entry("fees", "credit", "1.00", "EUR"), entry("frozen", "credit", "1.00", "EUR")));

        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.error()).isEqualTo("account_frozen");
        assertThat(refused.body().get("failedEntry").asInt()).isEqualTo(3);
        assertThat(snapshot(accounts)).isEqualTo(before);
        Reply again = ledger.post("/transactions", body("tx-frozen", false, null,
                entry("card", "debit", "3.00", "EUR"), entry("merchant", "credit", "1.00", "EUR"),
                entry("fees", "credit", "1.00", "EUR"), entry("frozen", "credit", "1.00", "EUR")));
        assertThat(again).isEqualTo(refused);
    }

    @Test
    void theSameAccountInTwoEntriesMovesByItsNetWhichItsFloorSees() {
        assertThat(ledger.openAccount("small", "EUR", null).status()).isEqualTo(201);
        assertThat(ledger.transfer("fund-small", "bank", "small", "10.00", "EUR").status()).isEqualTo(201);

        Reply netted = ledger.post("/transactions", body("tx-net", false, null,
                entry("small", "debit", "25.00", "EUR"), entry("small", "credit", "20.00", "EUR"),
                entry("merchant", "credit", "5.00", "EUR")));
        assertThat(netted.status()).as(netted.body().toString()).isEqualTo(201);
        assertThat(account("small").balance()).isEqualTo(500);

        Reply belowFloor = ledger.post("/transactions", body("tx-net-2", false, null,
                entry("merchant", "credit", "6.00", "EUR"), entry("small", "credit", "1.00", "EUR"),
                entry("small", "debit", "7.00", "EUR")));
        assertThat(belowFloor.status()).isEqualTo(422);
        assertThat(belowFloor.error()).isEqualTo("insufficient_funds");
        assertThat(belowFloor.body().get("failedEntry").asInt()).isEqualTo(2);
        assertThat(account("small").balance()).isEqualTo(500);
    }

    @Test
    void theAccountLimitIsAcceptedPendingAndPostedAndOneMoreAccountIsTooManyEntries() {
        int limit = TransactionRequest.MAX_ACCOUNTS;
        List<String> entries = new ArrayList<>();
        entries.add(entry("bank", "debit", Long.toString(limit) + ".00", "EUR"));
        for (int i = 1; i <= limit; i++) {
            assertThat(ledger.openAccount("shop-" + i, "EUR", null).status()).isEqualTo(201);
            entries.add(entry("shop-" + i, "credit", "1.00", "EUR"));
        }
        Reply tooMany = ledger.post("/transactions", body("tx-too-many", false, null, entries.toArray(String[]::new)));
        assertThat(tooMany.status()).isEqualTo(400);
        assertThat(tooMany.error()).isEqualTo("too_many_entries");
        assertThat(tooMany.body().get("message").asText()).contains(Integer.toString(limit));

        entries.set(0, entry("bank", "debit", Long.toString(limit - 1) + ".00", "EUR"));
        entries.remove(entries.size() - 1);
        Reply atLimit = ledger.post("/transactions", body("tx-at-limit", true, 600L,
                entries.toArray(String[]::new)));
        assertThat(atLimit.status()).as(atLimit.body().toString()).isEqualTo(201);
        assertThat(account("shop-1").creditsPending()).isEqualTo(100);

        Reply posted = ledger.post("/transactions/tx-at-limit/post", "");
        assertThat(posted.status()).as(posted.body().toString()).isEqualTo(200);
        assertThat(posted.body().get("status").asText()).isEqualTo("POSTED");
        assertThat(posted.body().get("version").asLong()).isEqualTo(2);
        assertThat(account("shop-" + (limit - 1)).balance()).isEqualTo(100);
        assertThat(account("shop-" + (limit - 1)).creditsPending()).isZero();
    }

    @Test
    void aPendingTransactionHoldsUntilItIsPostedOrVoidedAndTheSweeperExpiresAnOverdueOne() {
        long available = account("card").available().orElseThrow().longValueExact();
        Reply held = ledger.post("/transactions", body("tx-hold", true, 60L,
                entry("card", "debit", "10.00", "EUR"), entry("merchant", "credit", "10.00", "EUR")));
        assertThat(held.status()).isEqualTo(201);
        assertThat(held.body().get("status").asText()).isEqualTo("PENDING");
        assertThat(held.body().get("expiresAt").asText()).isEqualTo(clock.instant().plusSeconds(60).toString());
        assertThat(account("card").available().orElseThrow().longValueExact()).isEqualTo(available - 1000);

        Reply voided = ledger.post("/transactions/tx-hold/void", "");
        assertThat(voided.status()).isEqualTo(200);
        assertThat(voided.body().get("status").asText()).isEqualTo("VOIDED");
        assertThat(account("card").available().orElseThrow().longValueExact()).isEqualTo(available);
        assertThat(ledger.post("/transactions/tx-hold/post", "").error()).isEqualTo("transaction_not_pending");

        Reply soon = ledger.post("/transactions", body("tx-soon", true, 30L,
                entry("card", "debit", "4.00", "EUR"), entry("fees", "credit", "4.00", "EUR")));
        Reply later = ledger.post("/transactions", body("tx-later", true, 3600L,
                entry("card", "debit", "5.00", "EUR"), entry("fees", "credit", "5.00", "EUR")));
        assertThat(List.of(soon.status(), later.status())).containsOnly(201);
        clock.advance(Duration.ofSeconds(31));
        HoldExpirySweeper sweeper = new HoldExpirySweeper(new PendingHolds(aws.dynamoDb(), ledger.table()),
                new CommandService(ledger.store(), clock, RetryPolicy.standard(new SplittableRandom(3))));

        assertThat(sweeper.sweep("sweep-1")).isEqualTo(1);

        assertThat(StateCodec.decodeTransaction(ledger.store().readHead(StreamId.transaction("tx-soon"))
                .orElseThrow().state()).status()).isEqualTo(TransactionStatus.EXPIRED);
        assertThat(account("fees").creditsPending()).isEqualTo(500);
        assertThat(account("card").available().orElseThrow().longValueExact()).isEqualTo(available - 500);
        assertThat(ledger.post("/transactions/tx-soon/post", "").error()).isEqualTo("transaction_expired");
        Reply postedLater = ledger.post("/transactions/tx-later/post", "{}");
        assertThat(postedLater.status()).isEqualTo(200);
        assertThat(account("fees").creditsPending()).isZero();
        assertThat(ledger.post("/transactions/nothing/void", "").status()).isEqualTo(404);
    }

    @Test
    void theSameRequestAgainAnswersTheOriginalBodyAndOtherContentIsAConflict() {
        String request = body("tx-again", true, 600L, entry("card", "debit", "1.00", "EUR"),
                entry("merchant", "credit", "1.00", "EUR"));
        Reply first = ledger.post("/transactions", request);
        assertThat(first.status()).isEqualTo(201);
        assertThat(ledger.post("/transactions/tx-again/post", "").status()).isEqualTo(200);
        long events = ledger.eventCount();

        Reply again = ledger.post("/transactions", request);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body()).isEqualTo(first.body());

        Reply other = ledger.post("/transactions", body("tx-again", true, 600L, entry("card", "debit", "1.01", "EUR"),
                entry("merchant", "credit", "1.01", "EUR")));
        assertThat(other.status()).isEqualTo(409);
        assertThat(other.error()).isEqualTo("idempotency_conflict");
        assertThat(ledger.eventCount()).isEqualTo(events);
        assertThat(ledger.log()).contains("\"route\":\"POST /transactions\"", "\"route\":\"POST /transactions/{id}/post\"",
                "\"transactionId\":\"tx-again\"");
    }

    private AccountState account(String id) {
        return StateCodec.decodeAccount(ledger.store().readHead(StreamId.account(id)).orElseThrow().state());
    }

    private StoredEvent lastEvent(String accountId) {
        EventStore.Head head = ledger.store().readHead(StreamId.account(accountId)).orElseThrow();
        return ledger.store().readEvent(StreamId.account(accountId), head.version()).orElseThrow();
    }

    /** Every account's head and events, as stored. */
    private Map<String, Object> snapshot(List<String> accounts) {
        Map<String, Object> state = new LinkedHashMap<>();
        for (String account : accounts) {
            state.put(account + " head", ledger.store().readHead(StreamId.account(account)).orElseThrow());
            List<StoredEvent> events = new ArrayList<>();
            ledger.store().readStream(StreamId.account(account), 1).forEachRemaining(events::add);
            state.put(account + " events", events);
        }
        return state;
    }

    static String entry(String account, String direction, String amount, String currency) {
        return "{\"accountId\":\"" + account + "\",\"direction\":\"" + direction + "\",\"amount\":\"" + amount
                + "\",\"currency\":\"" + currency + "\"}";
    }

    static String body(String id, boolean pending, Long timeoutSeconds, String... entries) {
        return "{\"transactionId\":\"" + id + "\",\"entries\":[" + String.join(",", entries) + "],\"pending\":"
                + pending + ",\"timeoutSeconds\":" + timeoutSeconds + ",\"metadata\":{\"order\":\"A-17\"}}";
    }

}
