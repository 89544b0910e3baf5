package dev.ledger.functions.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.ledger.Ledger;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.domain.transfer.TransferStatus;
import dev.ledger.functions.command.CommandService;
import dev.ledger.functions.command.RetryPolicy;
import dev.ledger.functions.sweeper.HoldExpirySweeper;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

@ExtendWith(LocalAwsExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EventStoreIT {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");

    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T09:00:00Z"));
    private DynamoDbClient dynamo;
    private DynamoEventStore store;
    private CommandService commands;

    @BeforeAll
    void createTable(AwsClients aws, TestNames names) {
        dynamo = aws.dynamoDb();
        String table = names.table("events");
        EventsTableSchema.create(dynamo, table);
        store = new DynamoEventStore(dynamo, table);
        commands = new CommandService(store, clock, RetryPolicy.standard(new SplittableRandom(1)));
        run(ledger -> ledger.openAccount(new OpenAccount("bank", EUR, OverdraftLimit.UNLIMITED)));
        for (String id : List.of("alice", "bob", "carol")) {
            run(ledger -> ledger.openAccount(new OpenAccount(id, EUR, OverdraftLimit.NONE)));
        }
        run(ledger -> ledger.transfer("fund-alice", TransferRequest.posted("bank", "alice", eur("100.00"))));
    }

    @Test
    void twoWritersDecidingOnTheSameVersionLeaveOneWinner() {
        run(ledger -> ledger.openAccount(new OpenAccount("racer", EUR, OverdraftLimit.NONE)));
        StoreSession first = store.session();
        StoreSession second = store.session();
        LedgerResult toBob = new Ledger(first, clock).transfer("race-1", TransferRequest.posted("alice", "bob", eur("1.00")));
        LedgerResult toCarol = new Ledger(second, clock).transfer("race-2",
                TransferRequest.posted("alice", "racer", eur("1.00")));

        first.commit(toBob, clock.instant(), "c1");

        assertThatThrownBy(() -> second.commit(toCarol, clock.instant(), "c2"))
                .isInstanceOf(ConcurrentAppendException.class);
        assertThat(store.readHead(StreamId.transfer("race-2"))).isEmpty();
        assertThat(store.readHead(StreamId.account("racer")).orElseThrow().version()).isEqualTo(1);
    }

    @Test
    void aCommandThatLosesAnAppendRaceIsRetriedFromAFreshReadAndTheObserverIsTold() {
        run(ledger -> ledger.openAccount(new OpenAccount("contested", EUR, OverdraftLimit.NONE)));
        List<String> conflicts = new ArrayList<>();
        CommandService observed = new CommandService(store, clock, RetryPolicy.standard(new SplittableRandom(2)),
                (correlationId, attempt) -> conflicts.add(correlationId + "#" + attempt));
        int[] attempts = {0};

        CommandService.Committed done = observed.execute("c-raced", ledger -> {
            LedgerResult decided = ledger.transfer("raced", TransferRequest.posted("bank", "contested", eur("1.00")));
            if (++attempts[0] == 1) {
                // Another writer appends to the same account between this attempt's read and its commit.
                run(other -> other.transfer("interloper", TransferRequest.posted("bank", "contested", eur("5.00"))));
            }
            return decided;
        });

        assertThat(done.result().isRejected()).isFalse();
        assertThat(attempts[0]).isEqualTo(2);
        assertThat(conflicts).containsExactly("c-raced#1");
        assertThat(store.readHead(StreamId.account("contested")).orElseThrow().version()).isEqualTo(3);
    }

    @Test
    void aTransferAppendsItsOwnStreamAndBothLegsTogether() {
        long aliceBefore = store.readHead(StreamId.account("alice")).orElseThrow().version();

        List<StoredEvent> stored = run(ledger -> ledger.transfer("together",
                TransferRequest.posted("alice", "bob", eur("2.50")))).events();

        assertThat(stored).extracting(e -> e.stream().toString())
                .containsExactly("transfer:together", "account:alice", "account:bob");
        assertThat(stored).allSatisfy(e -> assertThat(e.transferId()).isEqualTo("together"));
        assertThat(store.readHead(StreamId.account("alice")).orElseThrow().version()).isEqualTo(aliceBefore + 1);
        assertThat(store.readEvent(StreamId.account("alice"), aliceBefore + 1).orElseThrow().hash())
                .isEqualTo(store.readHead(StreamId.account("alice")).orElseThrow().hash());
    }

    @Test
    void theHeadSnapshotEqualsTheFoldOfTheStream() {
        run(ledger -> ledger.transfer("fold-1", TransferRequest.posted("alice", "carol", eur("3.00"))));
        AccountState folded = null;
        for (Iterator<StoredEvent> events = store.readStream(StreamId.account("carol"), 1); events.hasNext(); ) {
            folded = AccountState.evolve(java.util.Optional.ofNullable(folded),
                    (dev.ledger.domain.api.AccountEvent) events.next().event());
        }
        assertThat(StateCodec.decodeAccount(store.readHead(StreamId.account("carol")).orElseThrow().state()))
                .isEqualTo(folded);
    }

    @Test
    void anAlteredEventIsFoundByRecomputingTheHashChain() {
        run(ledger -> ledger.openAccount(new OpenAccount("dave", EUR, OverdraftLimit.NONE)));
        run(ledger -> ledger.transfer("tamper-1", TransferRequest.posted("bank", "dave", eur("10.00"))));
        run(ledger -> ledger.transfer("tamper-2", TransferRequest.posted("bank", "dave", eur("20.00"))));
        assertThat(ChainVerifier.verify(store.readStream(StreamId.account("dave"), 1)).valid()).isTrue();

        // Someone with write access to the table turns 10.00 into 1000.00 in place.
        Map<String, AttributeValue> item = new java.util.HashMap<>(dynamo.getItem(r -> r.tableName(store.table())
                .key(DynamoEventStore.key(StreamId.account("dave"), 2))).item());
        item.put(EventsTable.DATA, AttributeValue.fromS(item.get(EventsTable.DATA).s().replace("10.00", "1000.00")));
        dynamo.putItem(r -> r.tableName(store.table()).item(item));

        ChainVerifier.Verification verification = ChainVerifier.verify(store.readStream(StreamId.account("dave"), 1));
        assertThat(verification.valid()).isFalse();
        assertThat(verification.firstBadVersion()).isEqualTo(2L);
    }

    @Test
    void aRemovedEventIsFoundAsAGap() {
        run(ledger -> ledger.openAccount(new OpenAccount("erin", EUR, OverdraftLimit.NONE)));
        run(ledger -> ledger.transfer("gap-1", TransferRequest.posted("bank", "erin", eur("1.00"))));
        run(ledger -> ledger.transfer("gap-2", TransferRequest.posted("bank", "erin", eur("1.00"))));
        dynamo.deleteItem(r -> r.tableName(store.table()).key(DynamoEventStore.key(StreamId.account("erin"), 2)));

        assertThat(ChainVerifier.verify(store.readStream(StreamId.account("erin"), 1)).firstBadVersion())
                .isEqualTo(2L);
    }

    @Test
    void theSweeperRecordsTheExpiryOfOverdueHoldsOnly() {
        run(ledger -> ledger.openAccount(new OpenAccount("frank", EUR, OverdraftLimit.NONE)));
        run(ledger -> ledger.transfer("hold-soon", TransferRequest.pending("bank", "frank", eur("5.00"), 30)));
        run(ledger -> ledger.transfer("hold-later", TransferRequest.pending("bank", "frank", eur("7.00"), 3600)));
        clock.advance(Duration.ofSeconds(31));

        int expired = new HoldExpirySweeper(dynamo, commands).sweep("test-sweep");

        assertThat(expired).isEqualTo(1);
        assertThat(StateCodec.decodeTransfer(store.readHead(StreamId.transfer("hold-soon")).orElseThrow().state())
                .status()).isEqualTo(TransferStatus.EXPIRED);
        AccountState frank = StateCodec.decodeAccount(store.readHead(StreamId.account("frank")).orElseThrow().state());
        assertThat(frank.creditsPending()).isEqualTo(700);
        assertThat(new HoldExpirySweeper(dynamo, commands).sweep("again")).isZero();
    }

    private CommandService.Committed run(java.util.function.Function<Ledger, LedgerResult> command) {
        CommandService.Committed done = commands.execute("test", command);
        assertThat(done.result().isRejected()).as("%s", done.result().rejection()).isFalse();
        return done;
    }

    private static Money eur(String amount) {
        return Money.parse(amount, EUR);
    }

}
