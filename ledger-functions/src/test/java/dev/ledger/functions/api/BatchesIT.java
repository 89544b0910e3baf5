package dev.ledger.functions.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.batch.BatchState;
import dev.ledger.functions.LedgerFixture;
import dev.ledger.functions.LedgerFixture.Reply;
import dev.ledger.functions.LogScan;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import dev.ledger.store.EventStore;
import dev.ledger.store.EventsTable;
import dev.ledger.store.HashChain;
import dev.ledger.store.MutableClock;
import dev.ledger.store.StateCodec;
import dev.ledger.store.StoredEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** POST /batches through the Lambda handler, against the emulator. */
@ExtendWith(LocalAwsExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BatchesIT {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-07-01T12:00:00Z"));
    private LedgerFixture ledger;

    @BeforeAll
    void setUp(AwsClients aws, TestNames names) {
        ledger = new LedgerFixture(aws.dynamoDb(), names.table("events"), clock);
        assertThat(ledger.openAccount("bank", "EUR", "null").status()).isEqualTo(201);
        for (String account : List.of("alice", "bob", "carol", "frozen")) {
            assertThat(ledger.openAccount(account, "EUR", null).status()).isEqualTo(201);
        }
        assertThat(ledger.transfer("fund-alice", "bank", "alice", "100.00", "EUR").status()).isEqualTo(201);
        assertThat(ledger.post("/accounts/frozen/freeze", "").status()).isEqualTo(200);
    }

    @Test
    void anAtomicBatchOfATransferAndATransactionOnASharedAccountCommitsAllAtOnceWithGapFreeVersionsAndChains() {
        long aliceBefore = head("account:alice").version();
        long aliceBalance = StateCodec.decodeAccount(head("account:alice").state()).balance();
        clock.advance(Duration.ofSeconds(1));

        Reply done = ledger.post("/batches", batch("b-shared", true,
                transfer("bt-1", "alice", "bob", "10.00"),
                transaction("btx-1", entry("alice", "debit", "30.00"), entry("bob", "credit", "20.00"),
                        entry("carol", "credit", "10.00"))));

        assertThat(done.status()).as(done.body().toString()).isEqualTo(201);
        assertThat(done.body().get("items")).extracting(item -> item.get("status").asInt()).containsExactly(201, 201);
        assertThat(done.body().get("items").get(0).get("body").get("transferId").asText()).isEqualTo("bt-1");
        assertThat(done.body().get("items").get(1).get("body").get("transactionId").asText()).isEqualTo("btx-1");
        List<StoredEvent> appended = LogScan.of(ledger.dynamo(), ledger.table()).events().stream()
                .filter(event -> event.recordedAt().equals(clock.instant())).toList();
        assertThat(appended).extracting(event -> event.stream().toString()).containsExactlyInAnyOrder(
                "account:alice", "account:alice", "account:bob", "account:bob", "account:carol",
                "transfer:bt-1", "transaction:btx-1", "batch:b-shared");
        assertThat(appended).extracting(StoredEvent::correlationId).containsOnly(appended.get(0).correlationId());
        EventStore.Head alice = head("account:alice");
        assertThat(alice.version()).isEqualTo(aliceBefore + 2);
        assertThat(StateCodec.decodeAccount(alice.state()).balance()).isEqualTo(aliceBalance - 4000);
        for (String stream : List.of("account:alice", "account:bob", "account:carol", "batch:b-shared")) {
            assertChainsToItsHead(stream);
        }
    }

    @Test
    void aRefusedAtomicBatchLeavesEveryAccountsEventsAndHeadsUnchangedAndRecordsOnlyItsRefusal() {
        List<Map<String, AttributeValue>> before = items();

        Reply refused = ledger.post("/batches", batch("b-refused", true,
                transfer("rt-1", "alice", "bob", "1.00"),
                transaction("rtx-1", entry("bob", "debit", "1.00"), entry("frozen", "credit", "1.00"))));

        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.error()).isEqualTo("account_frozen");
        assertThat(refused.body().get("failedItem").asInt()).isEqualTo(1);
        assertThat(refused.body().get("failedEntry").asInt()).isEqualTo(1);
        List<Map<String, AttributeValue>> after = items();
        List<Map<String, AttributeValue>> added = new ArrayList<>(after);
        added.removeAll(before);
        assertThat(after).as("every item that was there, heads included, is as it was").containsAll(before);
        assertThat(added).extracting(item -> item.get(EventsTable.PK).s()).containsOnly("batch:b-refused");
        assertThat(added).extracting(item -> item.get(EventsTable.SK).n()).containsExactlyInAnyOrder("0", "1");
        Reply again = ledger.post("/batches", batch("b-refused", true,
                transfer("rt-1", "alice", "bob", "1.00"),
                transaction("rtx-1", entry("bob", "debit", "1.00"), entry("frozen", "credit", "1.00"))));
        assertThat(again).isEqualTo(refused);
        assertThat(items()).isEqualTo(after);
    }

    @Test
    void anItemRecordedBeforeWithTheSameContentCountsAsDoneWithItsOriginalAnswer() {
        Reply single = ledger.transfer("done-1", "alice", "carol", "2.00", "EUR");
        long carol = head("account:carol").version();
        clock.advance(Duration.ofSeconds(1));

        Reply done = ledger.post("/batches", batch("b-done", true,
                transfer("done-1", "alice", "carol", "2.00"), transfer("done-2", "alice", "carol", "3.00")));

        assertThat(done.status()).as(done.body().toString()).isEqualTo(201);
        assertThat(done.body().get("items").get(0).get("status").asInt()).isEqualTo(200);
        assertThat(done.body().get("items").get(0).get("body")).isEqualTo(single.body());
        assertThat(done.body().get("items").get(1).get("status").asInt()).isEqualTo(201);
        assertThat(head("account:carol").version()).isEqualTo(carol + 1);
        assertThat(head("transfer:done-1").version()).isEqualTo(1);
    }

    @Test
    void anItemIdUsedForOtherContentRefusesTheBatchWith409NamingTheItem() {
        assertThat(ledger.transfer("used-1", "alice", "carol", "1.00", "EUR").status()).isEqualTo(201);
        List<Map<String, AttributeValue>> before = items();

        Reply conflict = ledger.post("/batches", batch("b-conflict", true,
                transfer("fresh-1", "alice", "carol", "1.00"), transfer("used-1", "alice", "carol", "9.00")));

        assertThat(conflict.status()).isEqualTo(409);
        assertThat(conflict.error()).isEqualTo("idempotency_conflict");
        assertThat(conflict.body().get("failedItem").asInt()).isEqualTo(1);
        assertThat(conflict.body().get("message").asText()).contains("transfer used-1");
        assertThat(items()).isEqualTo(before);
    }

    @Test
    void anAtomicBatchIsTooLargeAtTheLimitPlusOneAndSucceedsAtTheLimit() {
        List<String> atTheLimit = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            atTheLimit.add(transfer("lim-" + i, "bank", "bob", "0.01"));
        }
        List<String> pastIt = new ArrayList<>(atTheLimit);
        pastIt.add(transfer("lim-24", "bank", "bob", "0.01"));

        Reply tooLarge = ledger.post("/batches", batch("b-25", true, pastIt.toArray(String[]::new)));
        Reply fits = ledger.post("/batches", batch("b-24", true, atTheLimit.toArray(String[]::new)));

        assertThat(tooLarge.status()).isEqualTo(400);
        assertThat(tooLarge.error()).isEqualTo("batch_too_large");
        assertThat(tooLarge.body().get("message").asText()).contains("24");
        assertThat(fits.status()).as(fits.body().toString()).isEqualTo(201);
        assertThat(fits.body().get("items")).hasSize(24);
    }

    @Test
    void anAtomicBatchWhoseItemsWouldWriteMoreThanOneTransactionHoldsIsTooLarge() {
        List<String> spread = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            assertThat(ledger.openAccount("spread-" + i, "EUR", null).status()).isEqualTo(201);
            spread.add(transfer("spread-t-" + i, "bank", "spread-" + i, "1.00"));
        }
        List<Map<String, AttributeValue>> before = items();

        Reply tooLarge = ledger.post("/batches", batch("b-spread", true, spread.toArray(String[]::new)));

        // 2 for the batch + 20 * (transfer event and head, two account events, the customer's head) + the bank's head
        assertThat(tooLarge.status()).as(tooLarge.body().toString()).isEqualTo(400);
        assertThat(tooLarge.error()).isEqualTo("batch_too_large");
        assertThat(tooLarge.body().get("message").asText()).contains("103 items", "100");
        assertThat(items()).isEqualTo(before);
    }

    @Test
    void aBatchThatIsNotAtomicAnswersEachItemInOrderWithMixedOutcomes() {
        Reply done = ledger.post("/batches", batch("b-mixed", false,
                transfer("mx-1", "alice", "bob", "1.00"),
                transfer("mx-2", "bob", "carol", "1000000.00"),
                transfer("mx-3", "alice", "nobody", "1.00"),
                transaction("mx-4", entry("alice", "debit", "2.00"), entry("carol", "credit", "2.00")),
                transfer("mx-1", "alice", "bob", "1.00").replace("mx-1", "fund-alice")));

        assertThat(done.status()).as(done.body().toString()).isEqualTo(201);
        JsonNode items = done.body().get("items");
        assertThat(items).extracting(item -> item.get("index").asInt()).containsExactly(0, 1, 2, 3, 4);
        assertThat(items).extracting(item -> item.get("status").asInt()).containsExactly(201, 422, 404, 201, 409);
        assertThat(items.get(1).get("body").get("error").asText()).isEqualTo("insufficient_funds");
        assertThat(items.get(2).get("body").get("error").asText()).isEqualTo("account_not_found");
        assertThat(items.get(4).get("body").get("error").asText()).isEqualTo("idempotency_conflict");
        assertThat(head("transfer:mx-1").version()).isEqualTo(1);
        assertThat(head("transfer:mx-2").version()).as("a refused item is recorded, as on its own").isEqualTo(1);

        Reply again = ledger.post("/batches", batch("b-mixed", false,
                transfer("mx-1", "alice", "bob", "1.00"),
                transfer("mx-2", "bob", "carol", "1000000.00"),
                transfer("mx-3", "alice", "nobody", "1.00"),
                transaction("mx-4", entry("alice", "debit", "2.00"), entry("carol", "credit", "2.00")),
                transfer("mx-1", "alice", "bob", "1.00").replace("mx-1", "fund-alice")));
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body()).isEqualTo(done.body());
    }

    @Test
    void theSameBatchAgainIsAnswered200WithTheOriginalBodyAndOtherContentUnderItsIdIs409() {
        Reply first = ledger.post("/batches", batch("b-idem", true, transfer("idem-1", "alice", "bob", "1.00")));
        clock.advance(Duration.ofSeconds(5));
        List<Map<String, AttributeValue>> before = items();

        Reply again = ledger.post("/batches", batch("b-idem", true, transfer("idem-1", "alice", "bob", "1.00")));
        Reply other = ledger.post("/batches", batch("b-idem", true, transfer("idem-1", "alice", "bob", "1.01")));
        Reply notAtomic = ledger.post("/batches", batch("b-idem", false, transfer("idem-1", "alice", "bob", "1.00")));

        assertThat(first.status()).isEqualTo(201);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(other.status()).isEqualTo(409);
        assertThat(other.error()).isEqualTo("idempotency_conflict");
        assertThat(other.body().has("failedItem")).isFalse();
        assertThat(notAtomic.status()).isEqualTo(409);
        assertThat(items()).isEqualTo(before);
        BatchState recorded = StateCodec.decodeBatch(head("batch:b-idem").state());
        assertThat(recorded.items()).singleElement().satisfies(item -> assertThat(item.id()).isEqualTo("idem-1"));
    }

    @Test
    void concurrentAtomicBatchesOverTheSameAccountsNeverBreakConservationOrFloors() throws Exception {
        for (String account : List.of("race-a", "race-b", "race-c")) {
            assertThat(ledger.openAccount(account, "EUR", null).status()).isEqualTo(201);
        }
        assertThat(ledger.transfer("race-fund", "bank", "race-a", "10.00", "EUR").status()).isEqualTo(201);
        ExecutorService threads = Executors.newFixedThreadPool(6);
        List<Future<Reply>> replies = new ArrayList<>();
        try {
            for (int i = 0; i < 18; i++) {
                int n = i;
                replies.add(threads.submit(() -> ledger.post("/batches", batch("race-" + n, true,
                        transfer("race-t-" + n, "race-a", "race-b", "3.00"),
                        transaction("race-x-" + n, entry("race-b", "debit", "3.00"), entry("race-c", "credit", "2.00"),
                                entry("race-a", "credit", "1.00"))))));
            }
            Set<Integer> statuses = new java.util.TreeSet<>();
            for (Future<Reply> reply : replies) {
                Reply answered = reply.get();
                statuses.add(answered.status());
                assertThat(answered.status()).as(answered.body().toString()).isIn(201, 409, 422);
            }
            assertThat(statuses).contains(201);
        } finally {
            threads.shutdownNow();
        }
        Map<String, AccountState> accounts = LogScan.of(ledger.dynamo(), ledger.table()).accounts();
        assertThat(accounts.values().stream().mapToLong(AccountState::balance).sum()).isZero();
        assertThat(accounts.values()).filteredOn(account -> !account.overdraftLimit().unlimited())
                .allSatisfy(account -> assertThat(account.balance()).isNotNegative());
        long a = accounts.get("race-a").balance();
        long c = accounts.get("race-c").balance();
        assertThat(a + accounts.get("race-b").balance() + c).isEqualTo(1000);
        assertThat(c % 200).isZero();
        for (String stream : List.of("account:race-a", "account:race-b", "account:race-c")) {
            assertChainsToItsHead(stream);
        }
    }

    private void assertChainsToItsHead(String stream) {
        List<StoredEvent> events = LogScan.of(ledger.dynamo(), ledger.table()).events().stream()
                .filter(event -> event.stream().toString().equals(stream)).toList();
        String hash = HashChain.GENESIS;
        for (int i = 0; i < events.size(); i++) {
            assertThat(events.get(i).version()).as(stream + " has no gap").isEqualTo(i + 1);
            hash = HashChain.next(hash, events.get(i).canonicalBytes());
            assertThat(events.get(i).hash()).as(stream + " v" + (i + 1)).isEqualTo(hash);
        }
        EventStore.Head head = head(stream);
        assertThat(head.version()).isEqualTo(events.size());
        assertThat(head.hash()).isEqualTo(hash);
    }

    private EventStore.Head head(String stream) {
        return ledger.store().readHead(EventsTable.streamOf(stream)).orElseThrow();
    }

    private List<Map<String, AttributeValue>> items() {
        return LogScan.of(ledger.dynamo(), ledger.table()).items();
    }

    static String batch(String id, boolean atomic, String... items) {
        return "{\"batchId\":\"" + id + "\",\"atomic\":" + atomic + ",\"items\":["
                + String.join(",", items) + "]}";
    }

    static String transfer(String id, String debit, String credit, String amount) {
        return "{\"type\":\"transfer\",\"transferId\":\"" + id + "\",\"debitAccountId\":\"" + debit
                + "\",\"creditAccountId\":\"" + credit + "\",\"amount\":\"" + amount + "\",\"currency\":\"EUR\"}";
    }

    static String transaction(String id, String... entries) {
        return "{\"type\":\"transaction\",\"transactionId\":\"" + id + "\",\"entries\":[" + String.join(",", entries)
                + "]}";
    }

    static String entry(String account, String direction, String amount) {
        return "{\"accountId\":\"" + account + "\",\"direction\":\"" + direction + "\",\"amount\":\"" + amount
                + "\",\"currency\":\"EUR\"}";
    }
}
