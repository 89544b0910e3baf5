package dev.ledger.functions.api;

import static dev.ledger.functions.LedgerFixture.OPERATOR;
import static dev.ledger.functions.LedgerFixture.PAYMENTS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountShards;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.transfer.TransferState;
import dev.ledger.domain.transfer.TransferStatus;
import dev.ledger.functions.LedgerFixture;
import dev.ledger.functions.LedgerFixture.Reply;
import dev.ledger.functions.command.CommandService;
import dev.ledger.functions.command.RetryPolicy;
import dev.ledger.functions.sweeper.HoldExpirySweeper;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import dev.ledger.store.MutableClock;
import dev.ledger.store.PendingHolds;
import dev.ledger.store.StateCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Sharded accounts (issue 13) through the command Lambda's handler, against the emulator: one account
 * to its users (answers show it whole), holds settled and expired on the shard that holds them, a
 * freeze and a close that take every shard at once, and shards raised while payments flow.
 */
@ExtendWith(LocalAwsExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ShardedAccountsIT {

    private static final int CLIENTS = 8;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-29T10:00:00Z"));
    private final ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    private LedgerFixture ledger;
    private AwsClients aws;

    @BeforeAll
    void setUp(AwsClients aws, TestNames names) {
        this.aws = aws;
        ledger = new LedgerFixture(aws.dynamoDb(), names.table("events"), clock);
        assertThat(ledger.openAccount("bank", "EUR", "null").status()).isEqualTo(201);
        for (String customer : List.of("alice", "bob", "carol")) {
            assertThat(ledger.openAccount(customer, "EUR", null).status()).isEqualTo(201);
        }
    }

    @AfterAll
    void stopClients() {
        clients.shutdownNow();
    }

    @Test
    void aShardedAccountAnswersAsOneAccountAndItsShardsAreStreamsOfTheirOwn() {
        Reply opened = open("house-1", 4);
        assertThat(opened.status()).as(opened.body().toString()).isEqualTo(201);
        assertThat(opened.body().get("shards").asInt()).isEqualTo(4);
        assertThat(opened.body().get("accountId").asText()).isEqualTo("house-1");
        assertThat(opened.body().get("balance").asText()).isEqualTo("0.00");
        for (int shard = 1; shard < 4; shard++) {
            assertThat(shard("house-1", shard).currency().code()).isEqualTo("EUR");
        }
        for (int i = 0; i < 12; i++) {
            assertThat(ledger.transfer("in-1-" + i, "bank", "house-1", "10.00", "EUR").status()).isEqualTo(201);
        }
        Set<Integer> credited = new HashSet<>();
        for (int shard = 0; shard < 4; shard++) {
            if (shard("house-1", shard).balance() > 0) {
                credited.add(shard);
            }
        }
        assertThat(credited).as("twelve deposits spread over the shards").hasSizeGreaterThan(1);
        Reply again = open("house-1", 4);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body().get("balance").asText()).isEqualTo("120.00");
        assertThat(again.body().get("version").asLong()).as("the sum of the shards' versions: openings, "
                + "the count and twelve deposits").isEqualTo(4 + 1 + 12);
        assertThat(open("house-1", 8).error()).as("more shards than it has is other settings").isEqualTo("account_exists");
    }

    @Test
    void aDebitLargerThanAnyOneShardGathersTheFundsAndARefusalNamesTheWholeAccount() {
        open("house-2", 4);
        for (int i = 0; i < 8; i++) {
            ledger.transfer("in-2-" + i, "bank", "house-2", "5.00", "EUR");
        }
        long richest = 0;
        for (int shard = 0; shard < 4; shard++) {
            richest = Math.max(richest, shard("house-2", shard).balance());
        }
        assertThat(richest).isLessThan(3_500);

        Reply gathered = ledger.transfer("out-2", "house-2", "alice", "35.00", "EUR");
        assertThat(gathered.status()).as(gathered.body().toString()).isEqualTo(201);
        Reply refused = ledger.transfer("out-3", "house-2", "bob", "5.01", "EUR");
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.error()).isEqualTo("insufficient_funds");
        assertThat(refused.body().get("message").asText())
                .isEqualTo("account house-2 has 5.00 EUR available across its 4 shards but the transfer needs 5.01 EUR");
        Reply last = ledger.transfer("out-4", "house-2", "bob", "5.00", "EUR");
        assertThat(last.status()).isEqualTo(201);
        long total = 0;
        for (int shard = 0; shard < 4; shard++) {
            total += shard("house-2", shard).balance();
        }
        assertThat(total).isZero();
    }

    @Test
    void aHoldIsSettledAndExpiredOnTheShardThatHoldsIt() {
        open("house-3", 4);
        for (int i = 0; i < 8; i++) {
            ledger.transfer("in-3-" + i, "bank", "house-3", "10.00", "EUR");
        }
        for (String hold : List.of("hold-post", "hold-void", "hold-expire")) {
            Reply held = ledger.post("/transfers", "{\"transferId\":\"" + hold + "\",\"debitAccountId\":\"house-3\","
                    + "\"creditAccountId\":\"carol\",\"amount\":\"20.00\",\"currency\":\"EUR\",\"pending\":true,"
                    + "\"timeoutSeconds\":" + (hold.equals("hold-expire") ? 30 : 3600) + "}");
            assertThat(held.status()).as(held.body().toString()).isEqualTo(201);
            TransferState state = transfer(hold);
            assertThat(shard("house-3", state.debitShard()).debitsPending()).as(hold + " is held on its shard")
                    .isGreaterThanOrEqualTo(2_000);
        }
        assertThat(ledger.post("/transfers/hold-post/post", "{\"amount\":\"15.00\"}").status()).isEqualTo(200);
        assertThat(ledger.post("/transfers/hold-void/void", "").status()).isEqualTo(200);
        clock.advance(Duration.ofSeconds(31));
        HoldExpirySweeper sweeper = new HoldExpirySweeper(new PendingHolds(aws.dynamoDb(), ledger.table()),
                new CommandService(ledger.store(), clock, RetryPolicy.standard(new SplittableRandom(13))));
        assertThat(sweeper.sweep("sweep-3")).isEqualTo(1);
        assertThat(transfer("hold-expire").status()).isEqualTo(TransferStatus.EXPIRED);

        long pending = 0;
        long balance = 0;
        for (int shard = 0; shard < 4; shard++) {
            pending += shard("house-3", shard).debitsPending();
            balance += shard("house-3", shard).balance();
        }
        assertThat(pending).as("every hold settled where it was held").isZero();
        assertThat(balance).isEqualTo(8_000 - 1_500);
    }

    @Test
    void aFreezeStopsEveryShardAndACloseJudgesTheWholeAccount() {
        open("house-4", 4);
        for (int i = 0; i < 4; i++) {
            ledger.transfer("in-4-" + i, "bank", "house-4", "1.00", "EUR");
        }
        Reply frozen = ledger.post("/accounts/house-4/freeze", "");
        assertThat(frozen.body().get("status").asText()).isEqualTo("FROZEN");
        for (int shard = 0; shard < 4; shard++) {
            assertThat(shard("house-4", shard).status().name()).isEqualTo("FROZEN");
        }
        for (int i = 0; i < 8; i++) {
            assertThat(ledger.transfer("frozen-" + i, "house-4", "alice", "0.01", "EUR").error())
                    .as("whichever shard it picks").isEqualTo("account_frozen");
        }
        ledger.post("/accounts/house-4/unfreeze", "");
        Reply notEmpty = ledger.post("/accounts/house-4/close", "");
        assertThat(notEmpty.error()).isEqualTo("account_not_empty");
        assertThat(notEmpty.body().get("message").asText()).contains("4.00");
        assertThat(ledger.transfer("empty-4", "house-4", "alice", "4.00", "EUR").status()).isEqualTo(201);
        Reply closed = ledger.post("/accounts/house-4/close", "");
        assertThat(closed.status()).as(closed.body().toString()).isEqualTo(200);
        for (int shard = 0; shard < 4; shard++) {
            assertThat(shard("house-4", shard).status().name()).isEqualTo("CLOSED");
        }
        assertThat(ledger.call("POST", "/accounts/house-4/shards", OPERATOR, "{\"shards\":8}").error())
                .isEqualTo("account_closed");
    }

    @Test
    void aRaiseOpensTheNewShardsAsTheAccountStands() {
        open("house-6", 2);
        ledger.post("/accounts/house-6/freeze", "");
        Reply raised = ledger.call("POST", "/accounts/house-6/shards", OPERATOR, "{\"shards\":5}");
        assertThat(raised.status()).as(raised.body().toString()).isEqualTo(200);
        assertThat(raised.body().get("shards").asInt()).isEqualTo(5);
        assertThat(shard("house-6", 4).status().name()).as("a shard opened while frozen is frozen").isEqualTo("FROZEN");
        Reply same = ledger.call("POST", "/accounts/house-6/shards", OPERATOR, "{\"shards\":5}");
        assertThat(same.status()).isEqualTo(200);
        assertThat(same.body().get("version").asLong()).isEqualTo(raised.body().get("version").asLong());
    }

    @Test
    void anOperatorRaisesTheShardsWhilePaymentsFlowAndNoPaymentIsLost() throws Exception {
        open("house-5", 2);
        assertThat(ledger.call("POST", "/accounts/house-5/shards", PAYMENTS, "{\"shards\":4}").status())
                .as("only an operator raises shards").isEqualTo(403);
        AtomicBoolean raised = new AtomicBoolean();
        CyclicBarrier start = new CyclicBarrier(CLIENTS + 1);
        List<Future<List<Integer>>> payers = new ArrayList<>();
        for (int client = 0; client < CLIENTS; client++) {
            int id = client;
            payers.add(clients.submit(() -> {
                start.await(30, TimeUnit.SECONDS);
                List<Integer> statuses = new ArrayList<>();
                // Pay until the raise is in, then five more: payments flow before, during and after it.
                // A 409 is sent again as it says (this machine's load can outlast the retry budget on 2 shards).
                for (int i = 0, after = 0; after < 5; i++) {
                    boolean raisedBefore = raised.get();
                    int status;
                    int sent = 0;
                    do {
                        status = ledger.transfer("in-5-" + id + "-" + i, "bank", "house-5", "1.00", "EUR").status();
                    } while (status == 409 && ++sent < 20);
                    statuses.add(status);
                    after += raisedBefore ? 1 : 0;
                }
                return statuses;
            }));
        }
        start.await(30, TimeUnit.SECONDS);
        // The raise writes shard 0, which the payments write too: it may lose races for the whole retry
        // budget under this load, and is then sent again as the 409 says.
        Reply raise;
        int lost = 0;
        do {
            raise = ledger.call("POST", "/accounts/house-5/shards", OPERATOR, "{\"shards\":16}");
            lost += raise.status() == 409 ? 1 : 0;
        } while (raise.status() == 409 && lost < 20);
        raised.set(true);
        List<Integer> statuses = new ArrayList<>();
        for (Future<List<Integer>> payer : payers) {
            statuses.addAll(payer.get(300, TimeUnit.SECONDS));
        }
        assertThat(raise.status()).as(raise.body().toString()).isEqualTo(200);
        assertThat(raise.body().get("shards").asInt()).isEqualTo(16);
        assertThat(statuses).as("every payment recorded, none refused").containsOnly(201);
        long onNewShards = 0;
        for (int shard = 2; shard < 16; shard++) {
            onNewShards += shard("house-5", shard).creditsPosted();
        }
        assertThat(onNewShards).as("payments after the raise spread to the new shards").isPositive();
        assertThat(ledger.call("POST", "/accounts/house-5/shards", OPERATOR, "{\"shards\":4}").error())
                .isEqualTo("shards_cannot_decrease");
        JsonNode whole = open("house-5", 1).body();
        assertThat(whole.get("balance").asText()).isEqualTo(statuses.size() + ".00");
        assertThat(whole.get("shards").asInt()).isEqualTo(16);
        assertThat(ledger.call("POST", "/accounts/house-5/shards", OPERATOR, "{\"shards\":33}").error())
                .isEqualTo("invalid_request");
    }

    private Reply open(String accountId, int shards) {
        return ledger.post("/accounts", "{\"accountId\":\"" + accountId + "\",\"currency\":\"EUR\",\"shards\":"
                + shards + "}");
    }

    private AccountState shard(String accountId, int shard) {
        return StateCodec.decodeAccount(ledger.store().readHead(StreamId.account(
                AccountShards.streamAccountId(accountId, shard))).orElseThrow().state());
    }

    private TransferState transfer(String transferId) {
        return StateCodec.decodeTransfer(ledger.store().readHead(StreamId.transfer(transferId)).orElseThrow().state());
    }
}
