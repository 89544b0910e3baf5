package dev.ledger.functions.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ledger.domain.RejectionCode;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.ledger.Ledger;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.domain.ledger.LedgerResult.Status;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.domain.transfer.TransferState;
import dev.ledger.domain.transfer.TransferStatus;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import dev.ledger.store.DynamoEventStore;
import dev.ledger.store.EventsTable;
import dev.ledger.store.EventsTableSchema;
import dev.ledger.store.MutableClock;
import dev.ledger.store.StateCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Two commands over one hold, interleaved by hand instead of by timing: the losing command reads
 * the transfer's head while it is still pending, the winner commits, and only then does the loser
 * read the accounts, which no longer hold the money. The loser must retry from a fresh read and
 * get the documented refusal, never an internal error.
 */
@ExtendWith(LocalAwsExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HoldRaceIT {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");

    private final MutableClock clock = new MutableClock(Instant.parse("2026-06-01T08:00:00Z"));
    private final List<String> conflicts = new CopyOnWriteArrayList<>();
    /** The loser's retries pause in this time, which passes only when they pause or a test says so. */
    private final FakeTicker loserTime = new FakeTicker();
    private DynamoDbClient dynamo;
    private DynamoEventStore store;
    private CommandService winner;
    private CommandService loser;
    private int holds;

    @BeforeAll
    void createTable(AwsClients aws, TestNames names) {
        dynamo = aws.dynamoDb();
        String table = names.table("events");
        EventsTableSchema.create(dynamo, table);
        store = new DynamoEventStore(dynamo, table);
        winner = new CommandService(store, clock, RetryPolicy.standard(new SplittableRandom(3)));
        loser = new CommandService(store, clock, RetryPolicy.standard(new SplittableRandom(4)).withTicker(loserTime),
                (correlationId, attempt) -> conflicts.add(correlationId + "#" + attempt));
        run(ledger -> ledger.openAccount(new OpenAccount("bank", EUR, OverdraftLimit.UNLIMITED)));
        run(ledger -> ledger.openAccount(new OpenAccount("alice", EUR, OverdraftLimit.NONE)));
        run(ledger -> ledger.openAccount(new OpenAccount("bob", EUR, OverdraftLimit.NONE)));
        run(ledger -> ledger.transfer("fund-alice", TransferRequest.posted("bank", "alice", eur("1000.00"))));
    }

    @Test
    void aPostThatReadTheHoldBeforeAVoidIsRefusedAsNotPending() {
        Hold hold = newHold("40.00");

        LedgerResult late = racing("post-after-void", hold,
                () -> run(ledger -> ledger.voidPendingTransfer(hold.id())),
                ledger -> ledger.postPendingTransfer(hold.id(), null));

        assertRefused(late, RejectionCode.TRANSFER_NOT_PENDING, "post-after-void");
        assertSettled(hold, TransferStatus.VOIDED, "0.00");
    }

    @Test
    void aVoidThatReadTheHoldBeforeAPostIsRefusedAsNotPending() {
        Hold hold = newHold("40.00");

        LedgerResult late = racing("void-after-post", hold,
                () -> run(ledger -> ledger.postPendingTransfer(hold.id(), null)),
                ledger -> ledger.voidPendingTransfer(hold.id()));

        assertRefused(late, RejectionCode.TRANSFER_NOT_PENDING, "void-after-post");
        assertSettled(hold, TransferStatus.POSTED, "40.00");
    }

    @Test
    void aPartialPostThatReadTheHoldBeforeAnotherPartialPostIsRefusedAsNotPending() {
        Hold hold = newHold("40.00");

        LedgerResult late = racing("partial-after-partial", hold,
                () -> run(ledger -> ledger.postPendingTransfer(hold.id(), eur("10.00"))),
                ledger -> ledger.postPendingTransfer(hold.id(), eur("25.00")));

        assertRefused(late, RejectionCode.TRANSFER_NOT_PENDING, "partial-after-partial");
        assertSettled(hold, TransferStatus.POSTED, "10.00");
    }

    @Test
    void aPostOfAnExpiredUnsweptHoldWhoseExpiryAnotherPostRecordedIsRefusedAsExpired() {
        Hold hold = newHold("40.00");
        clock.advance(Duration.ofSeconds(61));

        // The first late post records the expiry the sweeper has not written yet, and is refused.
        LedgerResult late = racing("post-after-expiry", hold,
                () -> assertThat(run(ledger -> ledger.postPendingTransfer(hold.id(), null)).rejection().code())
                        .isEqualTo(RejectionCode.TRANSFER_EXPIRED),
                ledger -> ledger.postPendingTransfer(hold.id(), null));

        assertRefused(late, RejectionCode.TRANSFER_EXPIRED, "post-after-expiry");
        assertThat(late.changes()).as("the expiry is recorded once, by the first post").isEmpty();
        assertSettled(hold, TransferStatus.EXPIRED, "0.00");
    }

    @Test
    void theSweepersExpiryThatReadTheHoldBeforeALateVoidRecordedItsExpiryLeavesItAlone() {
        Hold hold = newHold("40.00");
        clock.advance(Duration.ofSeconds(61));

        // What HoldExpirySweeper runs for each overdue head it finds, beside a void that got there first.
        LedgerResult sweep = racing("sweep-after-void", hold,
                () -> run(ledger -> ledger.voidPendingTransfer(hold.id())),
                ledger -> ledger.expirePendingTransfer(hold.id()));

        assertThat(sweep.status()).isEqualTo(Status.APPLIED);
        assertThat(sweep.changes()).isEmpty();
        assertThat(conflicts).containsExactly("sweep-after-void#1");
        assertSettled(hold, TransferStatus.EXPIRED, "0.00");
    }

    @Test
    void aCommandThatKeepsSeeingDisagreeingHeadsGivesUpAsAConcurrentModificationOnceItsBudgetIsSpent() {
        Hold[] holds = new Hold[5];
        for (int i = 0; i < holds.length; i++) {
            holds[i] = newHold("1.00");
        }
        int[] attempt = {0};

        // Every attempt loses a new read race, on another hold each time: a hot spot, not corruption. Each
        // takes 400 ms of the two-second budget, so the fifth ends with the budget spent.
        assertThatThrownBy(() -> loser.execute("always-late", ledger -> {
            Hold hold = holds[attempt[0]++];
            loserTime.advance(Duration.ofMillis(400));
            ledger.transfer(hold.id(), hold.request());
            run(other -> other.voidPendingTransfer(hold.id()));
            return ledger.voidPendingTransfer(hold.id());
        })).isInstanceOfSatisfying(ConcurrentModificationException.class,
                gaveUp -> assertThat(gaveUp.attempts()).isEqualTo(5));

        assertThat(attempt[0]).isEqualTo(5);
        assertThat(conflicts).containsExactly("always-late#1", "always-late#2", "always-late#3", "always-late#4",
                "always-late#5");
    }

    @Test
    void headsThatStillDisagreeOnAFreshReadAreCorruptionNotARace() {
        Hold hold = newHold("40.00");
        // Someone with write access to the table drops the hold from bob's head, and only there.
        StreamId bob = StreamId.account("bob");
        AccountState bobNow = StateCodec.decodeAccount(store.readHead(bob).orElseThrow().state());
        AccountState withoutHold = new AccountState(bobNow.accountId(), bobNow.currency(), bobNow.overdraftLimit(),
                bobNow.status(), bobNow.debitsPosted(), bobNow.creditsPosted(), bobNow.debitsPending(),
                bobNow.creditsPending() - 4000);
        dynamo.updateItem(request -> request.tableName(store.table())
                .key(Map.of(EventsTable.PK, AttributeValue.fromS(EventsTable.pk(bob)),
                        EventsTable.SK, AttributeValue.fromN(Long.toString(EventsTable.HEAD_SK))))
                .updateExpression("SET #s = :s")
                .expressionAttributeNames(Map.of("#s", EventsTable.STATE))
                .expressionAttributeValues(Map.of(":s", AttributeValue.fromS(StateCodec.encode(withoutHold)))));
        try {
            assertThatThrownBy(() -> loser.execute("corrupt", ledger -> ledger.postPendingTransfer(hold.id(), null)))
                    .isExactlyInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("the log disagrees with itself")
                    .hasMessageContaining("account bob");
            assertThat(conflicts).as("the first disagreement is taken for a race").containsExactly("corrupt#1");
            assertThat(store.readHead(StreamId.transfer(hold.id())).orElseThrow().version()).isEqualTo(1);
        } finally {
            dynamo.updateItem(request -> request.tableName(store.table())
                    .key(Map.of(EventsTable.PK, AttributeValue.fromS(EventsTable.pk(bob)),
                            EventsTable.SK, AttributeValue.fromN(Long.toString(EventsTable.HEAD_SK))))
                    .updateExpression("SET #s = :s")
                    .expressionAttributeNames(Map.of("#s", EventsTable.STATE))
                    .expressionAttributeValues(Map.of(":s", AttributeValue.fromS(StateCodec.encode(bobNow)))));
            run(ledger -> ledger.voidPendingTransfer(hold.id()));
        }
    }

    /** A pending transfer and the request that created it. */
    private record Hold(String id, TransferRequest request) {
    }

    /**
     * Runs {@code command} through the losing service. Its first attempt reads the hold's transfer
     * head (and only that: the same request again answers from the transfer's head), then lets
     * {@code meanwhile} commit through another service, then runs {@code command}, which reads the
     * account heads as they are now.
     */
    private LedgerResult racing(String correlationId, Hold hold, Runnable meanwhile,
                                Function<Ledger, LedgerResult> command) {
        int[] attempts = {0};
        CommandService.Committed done = loser.execute(correlationId, ledger -> {
            if (++attempts[0] == 1) {
                assertThat(ledger.transfer(hold.id(), hold.request()).status()).isEqualTo(Status.ALREADY_APPLIED);
                meanwhile.run();
            }
            return command.apply(ledger);
        });
        assertThat(attempts[0]).as("attempts of %s", correlationId).isEqualTo(2);
        return done.result();
    }

    private Hold newHold(String amount) {
        conflicts.clear();
        String id = "hold-" + ++holds;
        Hold hold = new Hold(id, TransferRequest.pending("alice", "bob", eur(amount), 60));
        assertThat(run(ledger -> ledger.transfer(id, hold.request())).status()).isEqualTo(Status.APPLIED);
        return hold;
    }

    private void assertRefused(LedgerResult result, RejectionCode code, String correlationId) {
        assertThat(result.status()).isEqualTo(Status.REJECTED);
        assertThat(result.rejection().code()).isEqualTo(code);
        assertThat(conflicts).as("the read race counts as a conflict").containsExactly(correlationId + "#1");
    }

    private void assertSettled(Hold hold, TransferStatus status, String posted) {
        TransferState transfer = StateCodec.decodeTransfer(
                store.readHead(StreamId.transfer(hold.id())).orElseThrow().state());
        assertThat(transfer.status()).isEqualTo(status);
        assertThat(transfer.postedAmount()).isEqualTo(eur(posted));
        assertThat(store.readHead(StreamId.transfer(hold.id())).orElseThrow().version()).isEqualTo(2);
        for (String id : List.of("alice", "bob")) {
            AccountState account = StateCodec.decodeAccount(store.readHead(StreamId.account(id)).orElseThrow().state());
            assertThat(account.hasPendingHolds()).as("%s holds nothing once the hold is settled", id).isFalse();
        }
    }

    private LedgerResult run(Function<Ledger, LedgerResult> command) {
        return winner.execute("winner", command).result();
    }

    private static Money eur(String amount) {
        return Money.parse(amount, EUR);
    }
}
