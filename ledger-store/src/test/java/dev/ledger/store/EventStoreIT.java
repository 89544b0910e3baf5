package dev.ledger.store;

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
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
    private LedgerWriter commands;

    @BeforeAll
    void createTable(AwsClients aws, TestNames names) {
        dynamo = aws.dynamoDb();
        String table = names.table("events");
        EventsTableSchema.create(dynamo, table);
        store = new DynamoEventStore(dynamo, table);
        commands = new LedgerWriter(store, clock);
        run(ledger -> ledger.openAccount(new OpenAccount("bank", EUR, OverdraftLimit.UNLIMITED)));
        for (String id : List.of("alice", "bob", "carol")) {
            run(ledger -> ledger.openAccount(new OpenAccount(id, EUR, OverdraftLimit.NONE)));
        }
        run(ledger -> ledger.transfer("fund-alice", TransferRequest.posted("bank", "alice", eur("100.00"))));
    }

    @Test
    void headsReadTogetherAreTheHeadsReadOneByOne() {
        List<StreamId> streams = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            streams.add(StreamId.account("nobody-" + i));
        }
        streams.add(3, StreamId.account("alice"));
        streams.add(110, StreamId.account("bank"));
        streams.add(StreamId.transfer("fund-alice"));

        Map<StreamId, Optional<EventStore.Head>> together = store.readHeads(streams);

        assertThat(together.keySet()).as("every stream asked, in order, past one request's 100 keys")
                .containsExactlyElementsOf(streams);
        for (StreamId stream : streams) {
            assertThat(together.get(stream)).as(stream.toString()).isEqualTo(store.readHead(stream));
        }
        assertThat(together.values().stream().filter(Optional::isPresent).count()).isEqualTo(3);
    }

    @Test
    void aCommandThatGathersFundsCommitsOnlyIfNoShardItReadMoved() {
        run(ledger -> ledger.openAccount(new OpenAccount("pooled", EUR, OverdraftLimit.NONE), 4));
        for (int i = 0; i < 8; i++) {
            String id = "pool-in-" + i;
            run(ledger -> ledger.transfer(id, TransferRequest.posted("bank", "pooled", eur("1.00"))));
        }
        StoreSession refusing = store.session();
        LedgerResult refused = new Ledger(refusing, clock).transfer("pool-out-big",
                TransferRequest.posted("pooled", "bob", eur("8.01")));
        assertThat(refused.rejection().code().code()).isEqualTo("insufficient_funds");
        assertThat(refused.checks()).as("the refusal rests on the shards it read").hasSizeGreaterThanOrEqualTo(3);
        run(ledger -> ledger.transfer("pool-in-late", TransferRequest.posted("bank", "pooled", eur("5.00"))));

        assertThatThrownBy(() -> refusing.append(refused, clock.instant(), "c-refused"))
                .as("a deposit landed on a shard the refusal read").isInstanceOf(ConcurrentAppendException.class);
        assertThat(store.readHead(StreamId.transfer("pool-out-big"))).isEmpty();
    }

    @Test
    void twoWritersDecidingOnTheSameVersionLeaveOneWinner() {
        run(ledger -> ledger.openAccount(new OpenAccount("racer", EUR, OverdraftLimit.NONE)));
        StoreSession first = store.session();
        StoreSession second = store.session();
        LedgerResult toBob = new Ledger(first, clock).transfer("race-1", TransferRequest.posted("alice", "bob", eur("1.00")));
        LedgerResult toCarol = new Ledger(second, clock).transfer("race-2",
                TransferRequest.posted("alice", "racer", eur("1.00")));

        first.append(toBob, clock.instant(), "c1");

        assertThatThrownBy(() -> second.append(toCarol, clock.instant(), "c2"))
                .isInstanceOf(ConcurrentAppendException.class);
        assertThat(store.readHead(StreamId.transfer("race-2"))).isEmpty();
        assertThat(store.readHead(StreamId.account("racer")).orElseThrow().version()).isEqualTo(1);
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
        assertThat(HashChainCursor.verify(store.readStream(StreamId.account("dave"), 1)).valid()).isTrue();

        // Someone with write access to the table turns 10.00 into 1000.00 in place.
        Map<String, AttributeValue> item = new java.util.HashMap<>(dynamo.getItem(r -> r.tableName(store.table())
                .key(EventsTable.key(StreamId.account("dave"), 2))).item());
        item.put(EventsTable.DATA, AttributeValue.fromS(item.get(EventsTable.DATA).s().replace("10.00", "1000.00")));
        dynamo.putItem(r -> r.tableName(store.table()).item(item));

        HashChainCursor.Verification verification = HashChainCursor.verify(store.readStream(StreamId.account("dave"), 1));
        assertThat(verification.valid()).isFalse();
        assertThat(verification.firstBadVersion()).isEqualTo(2L);
    }

    @Test
    void aRemovedEventIsFoundAsAGap() {
        run(ledger -> ledger.openAccount(new OpenAccount("erin", EUR, OverdraftLimit.NONE)));
        run(ledger -> ledger.transfer("gap-1", TransferRequest.posted("bank", "erin", eur("1.00"))));
        run(ledger -> ledger.transfer("gap-2", TransferRequest.posted("bank", "erin", eur("1.00"))));
        dynamo.deleteItem(r -> r.tableName(store.table()).key(EventsTable.key(StreamId.account("erin"), 2)));

        assertThat(HashChainCursor.verify(store.readStream(StreamId.account("erin"), 1)).firstBadVersion())
                .isEqualTo(2L);
    }

    private LedgerWriter.Written run(java.util.function.Function<Ledger, LedgerResult> command) {
        LedgerWriter.Written done = commands.execute("test", command);
        assertThat(done.result().isRejected()).as("%s", done.result().rejection()).isFalse();
        return done;
    }

    private static Money eur(String amount) {
        return Money.parse(amount, EUR);
    }

}
