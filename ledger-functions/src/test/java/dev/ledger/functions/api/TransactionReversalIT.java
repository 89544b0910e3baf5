package dev.ledger.functions.api;

import static dev.ledger.functions.LedgerFixture.AUDITOR;
import static dev.ledger.functions.LedgerFixture.OPERATOR;
import static dev.ledger.functions.LedgerFixture.PAYMENTS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.transaction.TransactionState;
import dev.ledger.functions.LedgerFixture;
import dev.ledger.functions.LedgerFixture.Reply;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import dev.ledger.store.MutableClock;
import dev.ledger.store.StateCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code POST /transactions/{id}/reverse} (issue 12 §2: a whole transaction, once) and the repeatable
 * post and void of a pending transaction (§3), through the Lambda handler, against the emulator.
 */
@ExtendWith(LocalAwsExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TransactionReversalIT {

    private static final int CLIENTS = 8;
    private static final List<String> ACCOUNTS = List.of("card", "merchant", "fees");

    private final MutableClock clock = new MutableClock(Instant.parse("2026-07-01T10:00:00Z"));
    private final ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    private LedgerFixture ledger;

    @BeforeAll
    void setUp(AwsClients aws, TestNames names) {
        ledger = new LedgerFixture(aws.dynamoDb(), names.table("events"), clock);
        assertThat(ledger.openAccount("bank", "EUR", "null").status()).isEqualTo(201);
        for (String id : ACCOUNTS) {
            assertThat(ledger.openAccount(id, "EUR", null).status()).isEqualTo(201);
        }
        assertThat(ledger.transfer("fund", "bank", "card", "5000.00", "EUR").status()).isEqualTo(201);
    }

    @AfterAll
    void stopClients() {
        clients.shutdownNow();
    }

    @Test
    void reversingAThreeEntryCardPaymentPutsEveryAccountBackAndConservesTheMoney() {
        Map<String, Long> before = balances();
        pay("tx-1", false);
        long events = ledger.eventCount();

        Reply reversed = reverse("tx-1", "{\"reversalId\":\"r-1\",\"metadata\":{\"case\":\"C-1\"}}");

        assertThat(reversed.status()).as(reversed.body().toString()).isEqualTo(201);
        JsonNode body = reversed.body();
        assertThat(body.get("originalKind").asText()).isEqualTo("transaction");
        assertThat(body.get("originalId").asText()).isEqualTo("tx-1");
        assertThat(body.get("amount").isNull()).as("a transaction has no single amount").isTrue();
        assertThat(body.get("forced").asBoolean()).isFalse();
        assertThat(body.get("metadata").get("case").asText()).isEqualTo("C-1");
        assertThat(body.get("legs")).extracting(l -> l.get("accountId").asText() + " " + l.get("side").asText() + " "
                + l.get("amount").asText() + " " + l.get("currency").asText())
                .containsExactly("card CREDIT 100.00 EUR", "merchant DEBIT 97.10 EUR", "fees DEBIT 2.90 EUR");
        assertThat(ledger.eventCount()).as("the reversal, the transaction and three accounts").isEqualTo(events + 5);
        assertThat(balances()).as("every account is back where it was").isEqualTo(before);
        assertThat(totalOfEveryAccount()).as("the money is conserved").isZero();
        TransactionState transaction = transaction("tx-1");
        assertThat(transaction.reversedBy()).isEqualTo(new TransactionState.ReversedBy("r-1", false));
    }

    @Test
    void theSameReversalAgainGetsTheOriginalBodyOtherContentIsAConflictAndAnotherIdFindsNothingLeft() {
        pay("tx-2", false);
        Reply first = reverse("tx-2", "{\"reversalId\":\"r-2\"}");
        assertThat(first.status()).isEqualTo(201);
        long events = ledger.eventCount();

        clock.advance(Duration.ofSeconds(30));
        Reply again = reverse("tx-2", "{\"reversalId\":\"r-2\"}");
        Reply other = reverse("tx-2", "{\"reversalId\":\"r-2\",\"metadata\":{\"k\":\"v\"}}");
        Reply elsewhere = reverse("tx-1", "{\"reversalId\":\"r-2\"}");
        Reply ofTransferReversal = ledger.call("POST", "/transfers/fund/reverse", PAYMENTS, "{\"reversalId\":\"r-2\"}");

        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(List.of(other, elsewhere, ofTransferReversal)).allSatisfy(reply -> {
            assertThat(reply.status()).isEqualTo(409);
            assertThat(reply.error()).isEqualTo("idempotency_conflict");
        });
        assertThat(ledger.eventCount()).isEqualTo(events);

        Reply second = reverse("tx-2", "{\"reversalId\":\"r-2b\"}");
        assertThat(second.status()).isEqualTo(422);
        assertThat(second.error()).isEqualTo("reversal_exceeds_posted");
        assertThat(second.body().get("message").asText()).contains("already reversed", "r-2");
        assertThat(reverse("tx-2", "{\"reversalId\":\"r-2b\"}").body()).as("the refusal stays")
                .isEqualTo(second.body());
    }

    @Test
    void eightClientsReversingOneTransactionAtOnceGiveItBackExactlyOnce() throws Exception {
        // Whatever the other tests left on them, merchant and fees can pay back.
        assertThat(ledger.transfer("race-merchant", "bank", "merchant", "1000.00", "EUR").status()).isEqualTo(201);
        assertThat(ledger.transfer("race-fees", "bank", "fees", "100.00", "EUR").status()).isEqualTo(201);
        for (int round = 0; round < 2; round++) {
            String id = "race-" + round;
            pay(id, false);
            Map<String, Long> paid = balances();
            CyclicBarrier start = new CyclicBarrier(CLIENTS);
            List<Future<Reply>> answers = new ArrayList<>();
            for (int client = 0; client < CLIENTS; client++) {
                String body = "{\"reversalId\":\"" + id + "-r" + client + "\"}";
                answers.add(clients.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    return reverse(id, body);
                }));
            }
            List<Reply> replies = new ArrayList<>();
            for (Future<Reply> answer : answers) {
                replies.add(answer.get(120, TimeUnit.SECONDS));
            }

            assertThat(replies).as("round %s: %s", round, replies).noneMatch(reply -> reply.status() >= 500);
            assertThat(replies.stream().filter(reply -> reply.status() == 201).count()).as("round %s: %s", round,
                    replies).isEqualTo(1);
            assertThat(replies).filteredOn(reply -> reply.status() != 201).allSatisfy(reply ->
                    assertThat(List.of("422 reversal_exceeds_posted", "409 concurrent_modification"))
                            .contains(reply.status() + " " + reply.error()));
            Map<String, Long> after = balances();
            assertThat(after.get("card")).isEqualTo(paid.get("card") + 100_00);
            assertThat(after.get("merchant")).isEqualTo(paid.get("merchant") - 97_10);
            assertThat(after.get("fees")).isEqualTo(paid.get("fees") - 2_90);
        }
        assertThat(ledger.log()).doesNotContain("internal_error");
    }

    @Test
    void anOperatorForcesAReversalBelowTheFloorAndPaymentsOrAuditorsMayNot() {
        pay("tx-3", false);
        String all = dev.ledger.domain.money.Money.of(balances().get("merchant"),
                dev.ledger.domain.money.CurrencyUnit.of("EUR")).toDecimalString();
        assertThat(ledger.transfer("merchant-spends", "merchant", "bank", all, "EUR").status()).isEqualTo(201);

        Reply refused = reverse("tx-3", "{\"reversalId\":\"r-floor\"}");
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.error()).isEqualTo("insufficient_funds");
        assertThat(refused.body().get("message").asText()).startsWith("entry 1 (account merchant): ");
        long events = ledger.eventCount();
        Reply notOperator = reverse("tx-3", "{\"reversalId\":\"r-forced\",\"force\":true}");
        assertThat(notOperator.status()).isEqualTo(403);
        assertThat(notOperator.error()).isEqualTo("force_requires_operator");
        Reply auditor = ledger.call("POST", "/transactions/tx-3/reverse", AUDITOR, "{\"reversalId\":\"r-aud\"}");
        assertThat(auditor.status()).isEqualTo(403);
        assertThat(auditor.error()).isEqualTo("forbidden");
        assertThat(ledger.eventCount()).as("a forbidden force records nothing").isEqualTo(events);
        long merchant = balances().get("merchant");

        Reply forced = ledger.call("POST", "/transactions/tx-3/reverse", OPERATOR,
                "{\"reversalId\":\"r-forced\",\"force\":true}");

        assertThat(forced.status()).as(forced.body().toString()).isEqualTo(201);
        assertThat(forced.body().get("forced").asBoolean()).isTrue();
        assertThat(merchant).isZero();
        assertThat(balances().get("merchant")).isEqualTo(-97_10);
        assertThat(transaction("tx-3").reversedBy().forced()).isTrue();
    }

    @Test
    void aPendingVoidedOrExpiredTransactionIsNotPostedAndAnAmountIsRefused() {
        pay("tx-held", true);
        assertThat(reverse("tx-held", "{\"reversalId\":\"r-held\"}").error()).isEqualTo("transaction_not_posted");
        pay("tx-voided", true);
        assertThat(ledger.post("/transactions/tx-voided/void", null).status()).isEqualTo(200);
        Reply voided = reverse("tx-voided", "{\"reversalId\":\"r-voided\"}");
        assertThat(voided.status()).isEqualTo(422);
        assertThat(voided.error()).isEqualTo("transaction_not_posted");
        assertThat(voided.body().get("message").asText()).contains("VOIDED");

        long events = ledger.eventCount();
        Reply amount = reverse("tx-1", "{\"reversalId\":\"r-part\",\"amount\":\"10.00\"}");
        assertThat(amount.status()).isEqualTo(400);
        assertThat(amount.error()).isEqualTo("invalid_request");
        assertThat(amount.body().get("message").asText()).contains("in full", "'amount'");
        assertThat(ledger.eventCount()).isEqualTo(events);
    }

    @Test
    void aReversalOfAReversalOrOfNoTransactionIsRefusedWithoutARecord() {
        pay("tx-4", false);
        assertThat(reverse("tx-4", "{\"reversalId\":\"r-4\"}").status()).isEqualTo(201);
        long events = ledger.eventCount();

        Reply ofReversal = reverse("r-4", "{\"reversalId\":\"r-4b\"}");
        Reply unknown = reverse("nothing", "{\"reversalId\":\"r-4c\"}");

        assertThat(ofReversal.status()).isEqualTo(422);
        assertThat(ofReversal.error()).isEqualTo("cannot_reverse_reversal");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.error()).isEqualTo("transaction_not_found");
        assertThat(ledger.eventCount()).isEqualTo(events);
    }

    @Test
    void aTransactionOn48AccountsIsReversedInOneAppendOfAHundredItemsAndOneOn49IsRefusedNamingTheLimit() {
        StringBuilder wide = new StringBuilder();
        for (int i = 1; i <= 48; i++) {
            assertThat(ledger.openAccount("w" + i, "EUR", null).status()).isEqualTo(201);
            wide.append(",{\"accountId\":\"w").append(i)
                    .append("\",\"direction\":\"credit\",\"amount\":\"1.00\",\"currency\":\"EUR\"}");
        }
        Reply on49 = ledger.post("/transactions", "{\"transactionId\":\"wide-49\",\"entries\":[{\"accountId\":"
                + "\"bank\",\"direction\":\"debit\",\"amount\":\"48.00\",\"currency\":\"EUR\"}" + wide + "]}");
        assertThat(on49.status()).as(on49.body().toString()).isEqualTo(201);
        String on48Entries = wide.substring(0, wide.lastIndexOf(",{"));
        Reply on48 = ledger.post("/transactions", "{\"transactionId\":\"wide-48\",\"entries\":[{\"accountId\":"
                + "\"bank\",\"direction\":\"debit\",\"amount\":\"47.00\",\"currency\":\"EUR\"}" + on48Entries + "]}");
        assertThat(on48.status()).as(on48.body().toString()).isEqualTo(201);

        Reply refused = reverse("wide-49", "{\"reversalId\":\"r-wide-49\"}");
        long events = ledger.eventCount();
        Reply reversed = reverse("wide-48", "{\"reversalId\":\"r-wide-48\"}");

        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.error()).isEqualTo("reversal_too_large");
        assertThat(refused.body().get("message").asText()).contains("49 distinct accounts", "at most 48");
        assertThat(reversed.status()).as(reversed.body().toString()).isEqualTo(201);
        assertThat(ledger.eventCount()).as("2 + 2 + 48 * 2 = 100 items: 50 events").isEqualTo(events + 50);
        assertThat(account("w1").balance()).as("w1 got 1.00 twice and gave one back").isEqualTo(1_00);
        assertThat(account("w48").balance()).as("only wide-49 reached w48").isEqualTo(1_00);
    }

    @Test
    void aPostOrVoidSentAgainGetsTheOriginalBodyFromAnyHandlerAndTheOtherCommandStaysRefused(AwsClients aws) {
        pay("held-post", true);
        pay("held-void", true);
        clock.advance(Duration.ofSeconds(5));
        Reply posted = ledger.post("/transactions/held-post/post", null);
        Reply voided = ledger.post("/transactions/held-void/void", "{}");
        assertThat(posted.status()).isEqualTo(200);
        assertThat(voided.status()).isEqualTo(200);
        assertThat(posted.body().get("version").asLong()).isEqualTo(2);
        assertThat(reverse("held-post", "{\"reversalId\":\"r-held-post\"}").status()).isEqualTo(201);
        long events = ledger.eventCount();

        clock.advance(Duration.ofSeconds(30));
        LedgerFixture fresh = LedgerFixture.onExistingTable(aws.dynamoDb(), ledger.table(), clock);
        for (LedgerFixture handler : List.of(ledger, fresh)) {
            Reply postAgain = handler.post("/transactions/held-post/post", null);
            Reply voidAgain = handler.post("/transactions/held-void/void", null);
            assertThat(postAgain.status()).isEqualTo(200);
            assertThat(postAgain.body()).as("as that post left it, though reversed since").isEqualTo(posted.body());
            assertThat(voidAgain.status()).isEqualTo(200);
            assertThat(voidAgain.body()).isEqualTo(voided.body());
            Reply voidAfterPost = handler.post("/transactions/held-post/void", null);
            Reply postAfterVoid = handler.post("/transactions/held-void/post", null);
            assertThat(List.of(voidAfterPost, postAfterVoid)).allSatisfy(reply -> {
                assertThat(reply.status()).isEqualTo(422);
                assertThat(reply.error()).isEqualTo("transaction_not_pending");
            });
        }
        assertThat(ledger.eventCount()).as("repeats write nothing").isEqualTo(events);
        pay("posted-now", false);
        Reply postOfPostedAtOnce = ledger.post("/transactions/posted-now/post", null);
        assertThat(postOfPostedAtOnce.error()).as("a transaction posted at once was never pending")
                .isEqualTo("transaction_not_pending");
    }

    @Test
    void aPostOrVoidAfterTheTimeoutStaysExpired() {
        pay("held-late", true);
        clock.advance(Duration.ofSeconds(601));

        Reply post = ledger.post("/transactions/held-late/post", null);
        Reply postAgain = ledger.post("/transactions/held-late/post", null);
        Reply voidIt = ledger.post("/transactions/held-late/void", null);

        assertThat(List.of(post, postAgain, voidIt)).allSatisfy(reply -> {
            assertThat(reply.status()).isEqualTo(422);
            assertThat(reply.error()).isEqualTo("transaction_expired");
        });
    }

    private void pay(String id, boolean pending) {
        Reply paid = ledger.post("/transactions", "{\"transactionId\":\"" + id + "\",\"entries\":["
                + "{\"accountId\":\"card\",\"direction\":\"debit\",\"amount\":\"100.00\",\"currency\":\"EUR\"},"
                + "{\"accountId\":\"merchant\",\"direction\":\"credit\",\"amount\":\"97.10\",\"currency\":\"EUR\"},"
                + "{\"accountId\":\"fees\",\"direction\":\"credit\",\"amount\":\"2.90\",\"currency\":\"EUR\"}]"
                + (pending ? ",\"pending\":true,\"timeoutSeconds\":600" : "") + ",\"metadata\":{\"order\":\"A-17\"}}");
        assertThat(paid.status()).as(paid.body().toString()).isEqualTo(201);
    }

    private Reply reverse(String transactionId, String body) {
        return ledger.call("POST", "/transactions/" + transactionId + "/reverse", PAYMENTS, body);
    }

    private Map<String, Long> balances() {
        Map<String, Long> balances = new LinkedHashMap<>();
        ACCOUNTS.forEach(id -> balances.put(id, account(id).balance()));
        return balances;
    }

    /** The balances of every account this class opens (the wide ones if they are open yet) sum to zero. */
    private long totalOfEveryAccount() {
        long total = account("bank").balance();
        for (String id : ACCOUNTS) {
            total += account(id).balance();
        }
        for (int i = 1; i <= 48; i++) {
            var head = ledger.store().readHead(StreamId.account("w" + i));
            if (head.isPresent()) {
                total += StateCodec.decodeAccount(head.get().state()).balance();
            }
        }
        return total;
    }

    private AccountState account(String id) {
        return StateCodec.decodeAccount(ledger.store().readHead(StreamId.account(id)).orElseThrow().state());
    }

    private TransactionState transaction(String id) {
        return StateCodec.decodeTransaction(ledger.store().readHead(StreamId.transaction(id)).orElseThrow().state());
    }
}
