package dev.ledger.functions.api;

import static dev.ledger.functions.LedgerFixture.AUDITOR;
import static dev.ledger.functions.LedgerFixture.OPERATOR;
import static dev.ledger.functions.LedgerFixture.PAYMENTS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.transfer.TransferState;
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
import java.util.List;
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

/** {@code POST /transfers/{id}/reverse} (issue 12 §2) through the Lambda handler, against the emulator. */
@ExtendWith(LocalAwsExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReversalIT {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");
    private static final int CLIENTS = 8;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-07-01T10:00:00Z"));
    private final ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    private LedgerFixture ledger;

    @BeforeAll
    void setUp(AwsClients aws, TestNames names) {
        ledger = new LedgerFixture(aws.dynamoDb(), names.table("events"), clock);
        assertThat(ledger.openAccount("bank", "EUR", "null").status()).isEqualTo(201);
        assertThat(ledger.openAccount("alice", "EUR", null).status()).isEqualTo(201);
        assertThat(ledger.openAccount("shop", "EUR", null).status()).isEqualTo(201);
        assertThat(ledger.transfer("fund", "bank", "alice", "500.00", "EUR").status()).isEqualTo(201);
    }

    @AfterAll
    void stopClients() {
        clients.shutdownNow();
    }

    @Test
    void aPartialThenAFullReversalGiveBackWhatWasPostedAndNothingMore() {
        pay("pay-1", "40.00");
        long events = ledger.eventCount();

        Reply partial = reverse("pay-1", "{\"reversalId\":\"r-1\",\"amount\":\"10.00\",\"metadata\":{\"case\":\"C-1\"}}");
        assertThat(partial.status()).as(partial.body().toString()).isEqualTo(201);
        assertThat(partial.body().get("amount").asText()).isEqualTo("10.00");
        assertThat(partial.body().get("originalKind").asText()).isEqualTo("transfer");
        assertThat(partial.body().get("originalId").asText()).isEqualTo("pay-1");
        assertThat(partial.body().get("forced").asBoolean()).isFalse();
        assertThat(partial.body().get("metadata").get("case").asText()).isEqualTo("C-1");
        assertThat(partial.body().get("legs")).extracting(l -> l.get("accountId").asText() + " " + l.get("side").asText())
                .containsExactly("shop DEBIT", "alice CREDIT");
        assertThat(ledger.eventCount()).as("reversal, transfer and both accounts").isEqualTo(events + 4);

        Reply rest = reverse("pay-1", "{\"reversalId\":\"r-2\"}");
        assertThat(rest.status()).isEqualTo(201);
        assertThat(rest.body().get("amount").asText()).isEqualTo("30.00");
        Reply more = reverse("pay-1", "{\"reversalId\":\"r-3\",\"amount\":\"0.01\"}");
        assertThat(more.status()).isEqualTo(422);
        assertThat(more.error()).isEqualTo("reversal_exceeds_posted");
        assertThat(transfer("pay-1").reversedAmount()).isEqualTo(Money.parse("40.00", EUR));
    }

    @Test
    void theSameReversalAgainGetsTheOriginalBodyAndOtherContentUnderItsIdIsAConflict() {
        pay("pay-2", "20.00");
        Reply first = reverse("pay-2", "{\"reversalId\":\"r-idem\",\"amount\":\"5.00\"}");
        assertThat(first.status()).isEqualTo(201);
        long events = ledger.eventCount();

        clock.advance(Duration.ofSeconds(30));
        Reply again = reverse("pay-2", "{\"reversalId\":\"r-idem\",\"amount\":\"5.00\"}");
        Reply other = reverse("pay-2", "{\"reversalId\":\"r-idem\",\"amount\":\"6.00\"}");
        Reply elsewhere = reverse("fund", "{\"reversalId\":\"r-idem\",\"amount\":\"5.00\"}");

        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(other.status()).isEqualTo(409);
        assertThat(other.error()).isEqualTo("idempotency_conflict");
        assertThat(elsewhere.status()).isEqualTo(409);
        assertThat(ledger.eventCount()).isEqualTo(events);
    }

    @Test
    void anOperatorForcesAReversalBelowTheFloorAndPaymentsMayNot() {
        pay("pay-3", "30.00");
        assertThat(ledger.transfer("shop-spends", "shop", "bank", "30.00", "EUR").status()).isEqualTo(201);

        Reply refused = reverse("pay-3", "{\"reversalId\":\"r-floor\",\"amount\":\"10.00\"}");
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.error()).isEqualTo("insufficient_funds");
        long events = ledger.eventCount();
        Reply notOperator = reverse("pay-3", "{\"reversalId\":\"r-forced\",\"amount\":\"10.00\",\"force\":true}");
        assertThat(notOperator.status()).isEqualTo(403);
        assertThat(notOperator.error()).isEqualTo("force_requires_operator");
        assertThat(ledger.eventCount()).as("a forbidden force records nothing").isEqualTo(events);

        Reply forced = ledger.call("POST", "/transfers/pay-3/reverse", OPERATOR,
                "{\"reversalId\":\"r-forced\",\"amount\":\"10.00\",\"force\":true}");

        assertThat(forced.status()).as(forced.body().toString()).isEqualTo(201);
        assertThat(forced.body().get("forced").asBoolean()).isTrue();
        assertThat(StateCodec.decodeAccount(ledger.store().readHead(StreamId.account("shop")).orElseThrow().state())
                .balance()).isEqualTo(-10_00);
        Reply auditor = ledger.call("POST", "/transfers/pay-3/reverse", AUDITOR, "{\"reversalId\":\"r-aud\"}");
        assertThat(auditor.status()).isEqualTo(403);
        assertThat(auditor.error()).isEqualTo("forbidden");
    }

    @Test
    void aPendingOrVoidedHoldIsNotPostedAndAReversalIsNotReversible() {
        Reply held = ledger.post("/transfers", "{\"transferId\":\"hold-r\",\"debitAccountId\":\"alice\","
                + "\"creditAccountId\":\"shop\",\"amount\":\"5.00\",\"currency\":\"EUR\",\"pending\":true,"
                + "\"timeoutSeconds\":600}");
        assertThat(held.status()).isEqualTo(201);
        assertThat(reverse("hold-r", "{\"reversalId\":\"r-p\"}").error()).isEqualTo("transfer_not_posted");
        assertThat(ledger.post("/transfers/hold-r/void", null).status()).isEqualTo(200);
        assertThat(reverse("hold-r", "{\"reversalId\":\"r-v\"}").error()).isEqualTo("transfer_not_posted");
        pay("pay-4", "3.00");
        assertThat(reverse("pay-4", "{\"reversalId\":\"r-4\"}").status()).isEqualTo(201);

        Reply ofReversal = reverse("r-4", "{\"reversalId\":\"r-5\"}");
        Reply unknown = reverse("nothing", "{\"reversalId\":\"r-6\"}");

        assertThat(ofReversal.status()).isEqualTo(422);
        assertThat(ofReversal.error()).isEqualTo("cannot_reverse_reversal");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.error()).isEqualTo("transfer_not_found");
    }

    @Test
    void eightClientsReversingOneTransferAtOnceNeverGiveBackMoreThanWasPosted() throws Exception {
        for (int round = 0; round < 3; round++) {
            String id = "race-" + round;
            pay(id, "40.00");
            CyclicBarrier start = new CyclicBarrier(CLIENTS);
            List<Future<Reply>> answers = new ArrayList<>();
            for (int client = 0; client < CLIENTS; client++) {
                String body = "{\"reversalId\":\"" + id + "-r" + client + "\",\"amount\":\"15.00\"}";
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
            assertThat(replies).filteredOn(reply -> reply.status() != 201).allSatisfy(reply ->
                    assertThat(List.of("422 reversal_exceeds_posted", "409 concurrent_modification"))
                            .contains(reply.status() + " " + reply.error()));
            long accepted = replies.stream().filter(reply -> reply.status() == 201).count();
            assertThat(accepted).as("15.00 twice fits in 40.00, three times does not").isBetween(1L, 2L);
            assertThat(transfer(id).reversedAmount()).isEqualTo(Money.of(accepted * 15_00, EUR));
        }
        assertThat(ledger.log()).doesNotContain("internal_error");
    }

    private void pay(String id, String amount) {
        Reply paid = ledger.transfer(id, "alice", "shop", amount, "EUR");
        assertThat(paid.status()).as(paid.body().toString()).isEqualTo(201);
    }

    private Reply reverse(String transferId, String body) {
        return ledger.call("POST", "/transfers/" + transferId + "/reverse", PAYMENTS, body);
    }

    private TransferState transfer(String id) {
        return StateCodec.decodeTransfer(ledger.store().readHead(StreamId.transfer(id)).orElseThrow().state());
    }
}
