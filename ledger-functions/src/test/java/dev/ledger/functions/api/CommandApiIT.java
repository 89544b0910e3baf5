package dev.ledger.functions.api;

import static dev.ledger.functions.LedgerFixture.AUDITOR;
import static dev.ledger.functions.LedgerFixture.OPERATOR;
import static dev.ledger.functions.LedgerFixture.PAYMENTS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.domain.api.StreamId;
import dev.ledger.functions.LedgerFixture;
import dev.ledger.functions.LedgerFixture.Reply;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import dev.ledger.store.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** The payment API's write routes through the Lambda handler, against the emulator. */
@ExtendWith(LocalAwsExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CommandApiIT {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-05-01T12:00:00Z"));
    private LedgerFixture ledger;

    @BeforeAll
    void setUp(AwsClients aws, TestNames names) {
        ledger = new LedgerFixture(aws.dynamoDb(), names.table("events"), clock);
        assertThat(ledger.openAccount("bank", "EUR", "null").status()).isEqualTo(201);
        assertThat(ledger.openAccount("alice", "EUR", null).status()).isEqualTo(201);
        assertThat(ledger.openAccount("bob", "EUR", "\"25.00\"").status()).isEqualTo(201);
        assertThat(ledger.openAccount("yen", "JPY", null).status()).isEqualTo(201);
        assertThat(ledger.transfer("fund-alice", "bank", "alice", "100.00", "EUR").status()).isEqualTo(201);
    }

    @Test
    void healthNeedsNoToken() {
        Reply health = ledger.call("GET", "/health", (String) null, null);
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.body().get("status").asText()).isEqualTo("ok");
    }

    @Nested
    class Accounts {

        @Test
        void openingReturnsTheAccountAndTheSameRequestAgainReturnsTheSameBody() {
            Reply opened = ledger.openAccount("carol", "EUR", "\"10.00\"");
            assertThat(opened.status()).isEqualTo(201);
            assertThat(opened.body().toString()).isEqualTo("{\"accountId\":\"carol\",\"currency\":\"EUR\","
                    + "\"overdraftLimit\":\"10.00\",\"status\":\"OPEN\",\"balance\":\"0.00\",\"debitsPosted\":\"0.00\","
                    + "\"creditsPosted\":\"0.00\",\"debitsPending\":\"0.00\",\"creditsPending\":\"0.00\","
                    + "\"available\":\"10.00\",\"metadata\":{},\"version\":1}");

            Reply again = ledger.openAccount("carol", "EUR", "\"10.00\"");
            assertThat(again.status()).isEqualTo(200);
            assertThat(again.body()).isEqualTo(opened.body());

            Reply other = ledger.openAccount("carol", "USD", null);
            assertThat(other.status()).isEqualTo(409);
            assertThat(other.error()).isEqualTo("account_exists");
        }

        @Test
        void anOverdraftLimitAboveTheMaximumIsRefusedNamingTheMaximumInTheCurrency() {
            Reply huge = ledger.openAccount("huge", "EUR", "\"92233720368547758.00\"");
            assertThat(huge.status()).as(huge.body().toString()).isEqualTo(400);
            assertThat(huge.error()).isEqualTo("invalid_request");
            assertThat(huge.body().get("message").asText()).contains("overdraftLimit", "10000000000000000.00 EUR");

            Reply yen = ledger.openAccount("huge-yen", "JPY", "\"1000000000000000001\"");
            assertThat(yen.status()).isEqualTo(400);
            assertThat(yen.body().get("message").asText()).contains("1000000000000000000 JPY");
            Reply pastLong = ledger.openAccount("huge-bhd", "BHD", "\"9223372036854775.808\"");
            assertThat(pastLong.status()).isEqualTo(400);
            assertThat(pastLong.body().get("message").asText()).contains("1000000000000000.000 BHD");
        }

        @Test
        void anAccountAtTheMaximumLimitTakesADebitWithinItsFunds() {
            Reply opened = ledger.openAccount("at-max", "EUR", "\"10000000000000000.00\"");
            assertThat(opened.status()).as(opened.body().toString()).isEqualTo(201);
            assertThat(opened.body().get("available").asText()).isEqualTo("10000000000000000.00");
            assertThat(ledger.transfer("at-max-in", "bank", "at-max", "1.00", "EUR").status()).isEqualTo(201);

            Reply debit = ledger.transfer("at-max-out", "at-max", "bank", "0.50", "EUR");

            assertThat(debit.status()).as(debit.body().toString()).isEqualTo(201);
        }

        @Test
        void anUnlimitedOverdraftShowsAsNull() {
            Reply bank = ledger.openAccount("bank", "EUR", "null");
            assertThat(bank.body().get("overdraftLimit").isNull()).isTrue();
            assertThat(bank.body().get("available").isNull()).isTrue();
        }

        @Test
        void freezingStopsMoneyAndClosingNeedsAZeroBalance() {
            ledger.openAccount("dan", "EUR", null);
            assertThat(ledger.post("/accounts/dan/freeze", null).body().get("status").asText()).isEqualTo("FROZEN");
            Reply frozen = ledger.transfer("to-dan", "alice", "dan", "1.00", "EUR");
            assertThat(frozen.status()).isEqualTo(422);
            assertThat(frozen.error()).isEqualTo("account_frozen");
            assertThat(ledger.post("/accounts/dan/unfreeze", null).body().get("status").asText()).isEqualTo("OPEN");
            assertThat(ledger.transfer("to-dan-2", "alice", "dan", "1.00", "EUR").status()).isEqualTo(201);

            Reply notEmpty = ledger.post("/accounts/dan/close", null);
            assertThat(notEmpty.status()).isEqualTo(422);
            assertThat(notEmpty.error()).isEqualTo("account_not_empty");
            assertThat(ledger.transfer("from-dan", "dan", "alice", "1.00", "EUR").status()).isEqualTo(201);
            Reply closed = ledger.post("/accounts/dan/close", "");
            assertThat(closed.status()).isEqualTo(200);
            assertThat(closed.body().get("status").asText()).isEqualTo("CLOSED");
        }

        @Test
        void openingAClosedAccountAgainAnswersItAsItIsNowNotAsItWasOpened() {
            Reply opened = ledger.openAccount("erin", "EUR", null);
            assertThat(opened.body().get("status").asText()).isEqualTo("OPEN");
            assertThat(ledger.post("/accounts/erin/close", null).status()).isEqualTo(200);

            Reply again = ledger.openAccount("erin", "EUR", null);

            assertThat(again.status()).isEqualTo(200);
            assertThat(again.body().get("status").asText()).isEqualTo("CLOSED");
            assertThat(again.body().get("version").asLong()).isEqualTo(2);
        }

        @Test
        void anAccountOpenedWithMetadataShowsItAndRecordsItAsItsOwnEventInTheSameAppend() {
            Reply opened = ledger.post("/accounts", "{\"accountId\":\"meta-1\",\"currency\":\"EUR\","
                    + "\"metadata\":{\"customer\":\"c-42\",\"channel\":\"web\"}}");

            assertThat(opened.status()).isEqualTo(201);
            assertThat(opened.body().get("metadata").toString()).isEqualTo("{\"channel\":\"web\",\"customer\":\"c-42\"}");
            assertThat(opened.body().get("version").asLong()).isEqualTo(2);
            List<String> types = new ArrayList<>();
            ledger.store().readStream(StreamId.account("meta-1"), 1).forEachRemaining(e -> types.add(e.type()));
            assertThat(types).containsExactly("AccountOpened", "AccountMetadataSet");
            // The same request again is already done; other metadata under the same id is another account.
            Reply again = ledger.post("/accounts", "{\"accountId\":\"meta-1\",\"currency\":\"EUR\","
                    + "\"metadata\":{\"channel\":\"web\",\"customer\":\"c-42\"}}");
            assertThat(again.status()).isEqualTo(200);
            assertThat(again.body()).isEqualTo(opened.body());
            Reply other = ledger.post("/accounts", "{\"accountId\":\"meta-1\",\"currency\":\"EUR\","
                    + "\"metadata\":{\"customer\":\"c-43\"}}");
            assertThat(other.status()).isEqualTo(409);
            assertThat(other.error()).isEqualTo("account_exists");
            assertThat(other.body().get("message").asText()).contains("other metadata");
        }

        @Test
        void metadataIsReplacedWholeTheSameAgainRecordsNothingAndAClosedAccountsIsFinal() {
            assertThat(ledger.openAccount("meta-2", "EUR", null).status()).isEqualTo(201);

            Reply set = ledger.post("/accounts/meta-2/metadata", "{\"metadata\":{\"order\":\"o-1\",\"k\":\"v\"}}");
            Reply replaced = ledger.post("/accounts/meta-2/metadata", "{\"metadata\":{\"order\":\"o-2\"}}");
            long events = ledger.eventCount();
            Reply same = ledger.post("/accounts/meta-2/metadata", "{\"metadata\":{\"order\":\"o-2\"}}");

            assertThat(set.status()).isEqualTo(200);
            assertThat(set.body().get("metadata").toString()).isEqualTo("{\"k\":\"v\",\"order\":\"o-1\"}");
            assertThat(replaced.body().get("metadata").toString()).isEqualTo("{\"order\":\"o-2\"}");
            assertThat(replaced.body().get("version").asLong()).isEqualTo(3);
            assertThat(same.status()).isEqualTo(200);
            assertThat(same.body()).isEqualTo(replaced.body());
            assertThat(ledger.eventCount()).isEqualTo(events);

            Reply cleared = ledger.post("/accounts/meta-2/metadata", "{\"metadata\":{}}");
            assertThat(cleared.body().get("metadata").toString()).isEqualTo("{}");
            assertThat(ledger.post("/accounts/meta-2/close", null).status()).isEqualTo(200);
            Reply closed = ledger.post("/accounts/meta-2/metadata", "{\"metadata\":{\"order\":\"o-3\"}}");
            assertThat(closed.status()).isEqualTo(422);
            assertThat(closed.error()).isEqualTo("account_closed");
        }

        @Test
        void accountMetadataKeepsToTheLimitsOfATransfersMetadata() {
            assertThat(ledger.openAccount("meta-3", "EUR", null).status()).isEqualTo(201);
            String sixteen = java.util.stream.IntStream.range(0, 16).mapToObj(i -> "\"k" + i + "\":\"" + "x".repeat(512) + "\"")
                    .collect(java.util.stream.Collectors.joining(",", "{", "}"));
            String seventeen = java.util.stream.IntStream.range(0, 17).mapToObj(i -> "\"k" + i + "\":\"v\"")
                    .collect(java.util.stream.Collectors.joining(",", "{", "}"));

            Reply atTheLimits = ledger.post("/accounts/meta-3/metadata", "{\"metadata\":" + sixteen + "}");
            Reply overKeys = ledger.post("/accounts/meta-3/metadata", "{\"metadata\":" + seventeen + "}");
            Reply overValue = ledger.post("/accounts/meta-3/metadata",
                    "{\"metadata\":{\"k\":\"" + "x".repeat(513) + "\"}}");

            assertThat(atTheLimits.status()).isEqualTo(200);
            assertThat(atTheLimits.body().get("metadata").size()).isEqualTo(16);
            assertThat(overKeys.status()).isEqualTo(400);
            assertThat(overKeys.body().get("message").asText()).contains("at most 16");
            assertThat(overValue.status()).isEqualTo(400);
            assertThat(overValue.body().get("message").asText()).contains("at most 512 characters");
        }

        @Test
        void anUnknownAccountIsNotFound() {
            Reply missing = ledger.post("/accounts/nobody/freeze", null);
            assertThat(missing.status()).isEqualTo(404);
            assertThat(missing.error()).isEqualTo("account_not_found");
        }
    }

    @Nested
    class Transfers {

        @Test
        void aTransferIsCreatedAndItsRetryGetsTheOriginalAnswer() {
            long eventsBefore = ledger.eventCount();
            Reply created = ledger.transfer("pay-1", "alice", "bob", "12.34", "EUR");
            assertThat(created.status()).isEqualTo(201);
            assertThat(created.body().get("status").asText()).isEqualTo("POSTED");
            assertThat(created.body().get("postedAmount").asText()).isEqualTo("12.34");
            assertThat(created.body().get("recordedAt").asText()).isEqualTo(clock.instant().toString());
            assertThat(ledger.eventCount()).isEqualTo(eventsBefore + 3);

            clock.advance(Duration.ofSeconds(5));
            Reply retry = ledger.transfer("pay-1", "alice", "bob", "12.34", "EUR");
            assertThat(retry.status()).isEqualTo(200);
            assertThat(retry.body()).isEqualTo(created.body());
            assertThat(ledger.eventCount()).isEqualTo(eventsBefore + 3);

            Reply conflict = ledger.transfer("pay-1", "alice", "bob", "12.35", "EUR");
            assertThat(conflict.status()).isEqualTo(409);
            assertThat(conflict.error()).isEqualTo("idempotency_conflict");
        }

        @Test
        void aRefusedTransferStaysRefusedWithTheSameAnswer() {
            Reply refused = ledger.transfer("too-much", "alice", "bob", "1000.00", "EUR");
            assertThat(refused.status()).isEqualTo(422);
            assertThat(refused.error()).isEqualTo("insufficient_funds");
            long events = ledger.eventCount();

            Reply again = ledger.transfer("too-much", "alice", "bob", "1000.00", "EUR");
            assertThat(again.status()).isEqualTo(422);
            assertThat(again.body()).isEqualTo(refused.body());
            assertThat(ledger.eventCount()).isEqualTo(events);
        }

        @Test
        void refusalsHaveStableCodes() {
            assertThat(ledger.transfer("same", "alice", "alice", "1.00", "EUR").error()).isEqualTo("same_account");
            assertThat(ledger.transfer("mixed", "alice", "yen", "1.00", "EUR").error()).isEqualTo("currency_mismatch");
            Reply missing = ledger.transfer("ghost", "alice", "nobody", "1.00", "EUR");
            assertThat(missing.status()).isEqualTo(404);
            assertThat(missing.error()).isEqualTo("account_not_found");
            assertThat(ledger.post("/transfers/nothing/void", null).error()).isEqualTo("transfer_not_found");
        }

        @Test
        void aHoldIsPostedInPartAndTheRestIsReleased() {
            Reply held = ledger.post("/transfers", "{\"transferId\":\"hold-1\",\"debitAccountId\":\"alice\","
                    + "\"creditAccountId\":\"bob\",\"amount\":\"20.00\",\"currency\":\"EUR\",\"pending\":true,"
                    + "\"timeoutSeconds\":300,\"metadata\":{\"order\":\"A-17\"}}");
            assertThat(held.status()).isEqualTo(201);
            assertThat(held.body().get("status").asText()).isEqualTo("PENDING");
            assertThat(held.body().get("metadata").get("order").asText()).isEqualTo("A-17");

            Reply posted = ledger.post("/transfers/hold-1/post", "{\"amount\":\"7.50\"}");
            assertThat(posted.status()).isEqualTo(200);
            assertThat(posted.body().get("status").asText()).isEqualTo("POSTED");
            assertThat(posted.body().get("postedAmount").asText()).isEqualTo("7.50");

            clock.advance(Duration.ofSeconds(3));
            long events = ledger.eventCount();
            Reply again = ledger.post("/transfers/hold-1/post", "{\"amount\":\"7.50\"}");
            assertThat(again.status()).isEqualTo(200);
            assertThat(again.body()).as("the original answer").isEqualTo(posted.body());
            assertThat(ledger.eventCount()).isEqualTo(events);

            Reply wholeHold = ledger.post("/transfers/hold-1/post", null);
            assertThat(wholeHold.status()).isEqualTo(422);
            assertThat(wholeHold.error()).isEqualTo("transfer_not_pending");
            Reply otherAmount = ledger.post("/transfers/hold-1/post", "{\"amount\":\"7.49\"}");
            assertThat(otherAmount.status()).isEqualTo(422);
            assertThat(otherAmount.error()).isEqualTo("transfer_not_pending");
            Reply voidAfterPost = ledger.post("/transfers/hold-1/void", null);
            assertThat(voidAfterPost.status()).isEqualTo(422);
            assertThat(voidAfterPost.error()).isEqualTo("transfer_not_pending");
            assertThat(ledger.eventCount()).isEqualTo(events);
        }

        @Test
        void aHoldPastItsTimeoutCannotBePostedButVoidedHoldsAreReleased() {
            ledger.post("/transfers", "{\"transferId\":\"hold-2\",\"debitAccountId\":\"alice\",\"creditAccountId\":"
                    + "\"bob\",\"amount\":\"5.00\",\"currency\":\"EUR\",\"pending\":true,\"timeoutSeconds\":60}");
            ledger.post("/transfers", "{\"transferId\":\"hold-3\",\"debitAccountId\":\"alice\",\"creditAccountId\":"
                    + "\"bob\",\"amount\":\"5.00\",\"currency\":\"EUR\",\"pending\":true,\"timeoutSeconds\":600}");
            Reply voided = ledger.post("/transfers/hold-3/void", null);
            assertThat(voided.body().get("status").asText()).isEqualTo("VOIDED");
            clock.advance(Duration.ofSeconds(61));
            Reply voidedAgain = ledger.post("/transfers/hold-3/void", null);
            assertThat(voidedAgain.status()).isEqualTo(200);
            assertThat(voidedAgain.body()).isEqualTo(voided.body());
            assertThat(ledger.post("/transfers/hold-3/post", null).error()).isEqualTo("transfer_not_pending");

            Reply late = ledger.post("/transfers/hold-2/post", null);
            assertThat(late.status()).isEqualTo(422);
            assertThat(late.error()).isEqualTo("transfer_expired");
        }
    }

    @Nested
    class Authentication {

        @Test
        void aRequestWithoutOrWithAWrongTokenIsUnauthenticated() {
            String body = "{\"accountId\":\"eve\",\"currency\":\"EUR\"}";
            assertThat(ledger.call("POST", "/accounts", (String) null, body).status()).isEqualTo(401);
            assertThat(ledger.call("POST", "/accounts", "forged-token", body).status()).isEqualTo(401);
            assertThat(ledger.call("POST", "/accounts", Map.of("Authorization", "Basic " + PAYMENTS), body).status())
                    .isEqualTo(401);
            assertThat(ledger.call("POST", "/accounts", Map.of("Authorization", "Bearer"), body).error())
                    .isEqualTo("unauthenticated");
        }

        @Test
        void anAuditorOrOperatorCannotWrite() {
            String body = "{\"accountId\":\"eve\",\"currency\":\"EUR\"}";
            Reply auditor = ledger.call("POST", "/accounts", AUDITOR, body);
            assertThat(auditor.status()).isEqualTo(403);
            assertThat(auditor.error()).isEqualTo("forbidden");
            assertThat(ledger.call("POST", "/transfers/x/void", OPERATOR, null).status()).isEqualTo(403);
        }

        @Test
        void tokensNeverReachTheLog() {
            ledger.call("POST", "/accounts", "forged-token", "{}");
            assertThat(ledger.log()).doesNotContain(PAYMENTS, AUDITOR, OPERATOR, "forged-token").contains("\"route\"");
        }
    }

    @Test
    void everyRequestIsLoggedAsOneJsonLineWithoutItsBody() {
        ledger.transfer("logged-1", "alice", "bob", "0.01", "EUR");
        assertThat(ledger.log().lines().filter(line -> line.contains("\"transferId\":\"logged-1\"")))
                .singleElement().satisfies(line -> assertThat(line).contains("\"status\":201", "\"latencyMs\"")
                        .doesNotContain("0.01"));
    }
}
