package dev.ledger.functions.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.transfer.TransferStatus;
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
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Ten clients post, partially post or void one hold at the same moment, through the Lambda handler.
 * Which one wins is up to the race; what is asserted is not: exactly one settles it, every other
 * answer is a documented refusal, and none is a server error.
 */
@ExtendWith(LocalAwsExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HoldRaceOverHttpIT {

    private static final int CLIENTS = 10;
    private static final int ROUNDS = 4;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-07-01T08:00:00Z"));
    private final ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    private LedgerFixture ledger;

    @BeforeAll
    void setUp(AwsClients aws, TestNames names) {
        ledger = new LedgerFixture(aws.dynamoDb(), names.table("events"), clock);
        assertThat(ledger.openAccount("bank", "EUR", "null").status()).isEqualTo(201);
        assertThat(ledger.openAccount("alice", "EUR", null).status()).isEqualTo(201);
        assertThat(ledger.openAccount("bob", "EUR", null).status()).isEqualTo(201);
        assertThat(ledger.transfer("fund-alice", "bank", "alice", "1000.00", "EUR").status()).isEqualTo(201);
    }

    @AfterAll
    void stopClients() {
        clients.shutdownNow();
    }

    @Test
    void oneClientSettlesAPendingHoldAndTheOthersAreRefusedNeverAServerError() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            String hold = placeHold("pending-" + round);

            List<Reply> replies = allAtOnce(hold);

            assertThat(replies).as("server errors in round %s: %s", round, replies)
                    .noneMatch(reply -> reply.status() >= 500);
            // The hold ends settled (below), and only these clients wrote: the one whose append won answers
            // 200, and so does every client that sent that very command (issue 12: a repeat of the command
            // that completed the hold gets its answer), with the same body.
            List<Integer> winners = IntStream.range(0, CLIENTS).filter(c -> replies.get(c).status() == 200).boxed().toList();
            assertThat(winners).as("winners in round %s", round).isNotEmpty();
            assertThat(winners).as("the 200s all sent the winning command")
                    .allSatisfy(c -> assertThat(command(c)).isEqualTo(command(winners.get(0))));
            assertThat(winners).allSatisfy(c -> assertThat(replies.get(c).body()).isEqualTo(replies.get(winners.get(0)).body()));
            assertThat(IntStream.range(0, CLIENTS).filter(c -> !command(c).equals(command(winners.get(0)))))
                    .as("clients that sent another command").allSatisfy(c ->
                    assertThat(List.of("422 transfer_not_pending", "409 concurrent_modification"))
                            .contains(replies.get(c).status() + " " + replies.get(c).error()));
            assertSettledOnce(hold);
        }
        assertThat(ledger.log()).doesNotContain("internal_error");
    }

    @Test
    void clientsSettlingAnExpiredUnsweptHoldAreAllRefusedAsExpiredAndTheExpiryIsRecordedOnce() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            String hold = placeHold("overdue-" + round);
            clock.advance(Duration.ofSeconds(61));

            List<Reply> replies = allAtOnce(hold);

            assertThat(replies).as("answers in round %s", round).allSatisfy(reply ->
                    assertThat(List.of("422 transfer_expired", "409 concurrent_modification"))
                            .contains(reply.status() + " " + reply.error()));
            assertThat(StateCodec.decodeTransfer(ledger.store().readHead(StreamId.transfer(hold)).orElseThrow().state())
                    .status()).isEqualTo(TransferStatus.EXPIRED);
            assertSettledOnce(hold);
        }
        assertThat(ledger.log()).doesNotContain("internal_error");
    }

    private String placeHold(String id) {
        Reply placed = ledger.post("/transfers", "{\"transferId\":\"" + id + "\",\"debitAccountId\":\"alice\","
                + "\"creditAccountId\":\"bob\",\"amount\":\"40.00\",\"currency\":\"EUR\",\"pending\":true,"
                + "\"timeoutSeconds\":60}");
        assertThat(placed.status()).as("placing %s: %s", id, placed.body()).isEqualTo(201);
        return id;
    }

    /** Every client posts (in full or in part) or voids the hold, all released by one barrier. */
    private List<Reply> allAtOnce(String hold) throws Exception {
        CyclicBarrier start = new CyclicBarrier(CLIENTS);
        List<Future<Reply>> answers = new ArrayList<>();
        for (int client = 0; client < CLIENTS; client++) {
            String action = command(client).substring(0, command(client).indexOf(' '));
            String body = command(client).substring(command(client).indexOf(' ') + 1);
            answers.add(clients.submit(() -> {
                start.await(30, TimeUnit.SECONDS);
                return ledger.post("/transfers/" + hold + "/" + action, body);
            }));
        }
        List<Reply> replies = new ArrayList<>();
        for (Future<Reply> answer : answers) {
            replies.add(answer.get(60, TimeUnit.SECONDS));
        }
        return replies;
    }

    /** What a client sends: its action and body. */
    private static String command(int client) {
        return (client % 3 == 0 ? "void" : "post") + " " + (client % 3 == 1 ? "{\"amount\":\"25.00\"}" : "{}");
    }

    /** The transfer changed once after it was recorded, and neither account holds anything any more. */
    private void assertSettledOnce(String hold) {
        assertThat(ledger.store().readHead(StreamId.transfer(hold)).orElseThrow().version()).isEqualTo(2);
        for (String id : List.of("alice", "bob")) {
            AccountState account = StateCodec.decodeAccount(
                    ledger.store().readHead(StreamId.account(id)).orElseThrow().state());
            assertThat(account.hasPendingHolds()).as("%s after %s", id, hold).isFalse();
        }
    }
}
