package dev.ledger.functions.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.functions.LedgerFixture;
import dev.ledger.functions.LedgerFixture.Reply;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import dev.ledger.store.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 12 §3: a client whose post or void timed out sends it again and learns what happened: the
 * same command that completed the hold answers 200 with the original body, also from a fresh
 * handler that holds nothing in memory (what it compares with is in the log); any other command on
 * the completed hold stays refused.
 */
@ExtendWith(LocalAwsExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RepeatedSettlementIT {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-06-01T08:00:00Z"));
    private LedgerFixture ledger;

    @BeforeAll
    void setUp(AwsClients aws, TestNames names) {
        ledger = new LedgerFixture(aws.dynamoDb(), names.table("events"), clock);
        assertThat(ledger.openAccount("bank", "EUR", "null").status()).isEqualTo(201);
        assertThat(ledger.openAccount("shop", "EUR", null).status()).isEqualTo(201);
        assertThat(ledger.openAccount("card", "EUR", null).status()).isEqualTo(201);
        assertThat(ledger.transfer("fund", "bank", "card", "100.00", "EUR").status()).isEqualTo(201);
    }

    @Test
    void aRepeatedPostAfterALostResponseGets200AndTheOriginalBody() {
        hold("cap-1", "30.00");
        clock.advance(Duration.ofSeconds(2));
        Reply lost = ledger.post("/transfers/cap-1/post", "{\"amount\":\"12.00\"}");
        assertThat(lost.status()).isEqualTo(200);
        long events = ledger.eventCount();

        clock.advance(Duration.ofMinutes(5));
        Reply retry = ledger.post("/transfers/cap-1/post", "{\"amount\":\"12.00\"}");

        assertThat(retry.status()).isEqualTo(200);
        assertThat(retry.body()).isEqualTo(lost.body());
        assertThat(retry.body().get("postedAmount").asText()).isEqualTo("12.00");
        assertThat(ledger.eventCount()).as("nothing new in the log").isEqualTo(events);
    }

    @Test
    void aRepeatedPostOfTheWholeHoldIsAnsweredByAFreshHandlerAsTheFirstWas() {
        hold("cap-2", "20.00");
        Reply lost = ledger.post("/transfers/cap-2/post", null);
        assertThat(lost.status()).isEqualTo(200);
        long events = ledger.eventCount();

        clock.advance(Duration.ofHours(2)); // past the hold's timeout too
        LedgerFixture coldStart = LedgerFixture.onExistingTable(ledger.dynamo(), ledger.table(), clock);
        Reply retry = coldStart.post("/transfers/cap-2/post", "");

        assertThat(retry.status()).isEqualTo(200);
        assertThat(retry.body()).isEqualTo(lost.body());
        Reply named = coldStart.post("/transfers/cap-2/post", "{\"amount\":\"20.00\"}");
        assertThat(named.status()).as("the first post named no amount").isEqualTo(422);
        assertThat(named.error()).isEqualTo("transfer_not_pending");
        assertThat(ledger.eventCount()).isEqualTo(events);
    }

    @Test
    void aRepeatedVoidGetsTheOriginalBodyAndAPostAfterItStaysRefused() {
        hold("cap-3", "5.00");
        Reply lost = ledger.post("/transfers/cap-3/void", "{}");
        assertThat(lost.status()).isEqualTo(200);

        clock.advance(Duration.ofSeconds(30));
        LedgerFixture coldStart = LedgerFixture.onExistingTable(ledger.dynamo(), ledger.table(), clock);
        Reply retry = coldStart.post("/transfers/cap-3/void", null);

        assertThat(retry.status()).isEqualTo(200);
        assertThat(retry.body()).isEqualTo(lost.body());
        Reply post = coldStart.post("/transfers/cap-3/post", null);
        assertThat(post.status()).isEqualTo(422);
        assertThat(post.error()).isEqualTo("transfer_not_pending");
    }

    @Test
    void aPostOfAnExpiredHoldStaysRefusedAsExpired() {
        hold("cap-4", "5.00");
        clock.advance(Duration.ofSeconds(3601));

        Reply late = ledger.post("/transfers/cap-4/post", null);
        Reply lateVoid = ledger.post("/transfers/cap-4/void", null);

        assertThat(late.error()).isEqualTo("transfer_expired");
        assertThat(lateVoid.error()).isEqualTo("transfer_expired");
    }

    private void hold(String id, String amount) {
        Reply held = ledger.post("/transfers", "{\"transferId\":\"" + id + "\",\"debitAccountId\":\"card\","
                + "\"creditAccountId\":\"shop\",\"amount\":\"" + amount + "\",\"currency\":\"EUR\",\"pending\":true,"
                + "\"timeoutSeconds\":3600}");
        assertThat(held.status()).as(held.body().toString()).isEqualTo(201);
    }
}
