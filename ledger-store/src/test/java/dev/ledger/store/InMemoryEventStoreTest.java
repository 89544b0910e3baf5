package dev.ledger.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.ledger.Ledger;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The in-memory log keeps the DynamoDB store's promises (EventStoreIT checks the same of the real one). */
class InMemoryEventStoreTest {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");

    private final MutableClock clock = new MutableClock(Instant.parse("2026-04-01T09:00:00Z"));
    private final InMemoryEventStore store = new InMemoryEventStore();

    @BeforeEach
    void openAccounts() {
        for (OpenAccount open : new OpenAccount[] {new OpenAccount("bank", EUR, OverdraftLimit.UNLIMITED),
                new OpenAccount("alice", EUR, OverdraftLimit.NONE), new OpenAccount("bob", EUR, OverdraftLimit.NONE)}) {
            StoreSession session = store.session();
            session.append(new Ledger(session, clock).openAccount(open), clock.instant(), "open");
        }
    }

    @Test
    void twoWritersDecidingOnTheSameVersionLeaveOneWinnerAndNothingOfTheLoser() {
        // given two sessions that read bank at the same version
        StoreSession first = store.session();
        StoreSession second = store.session();
        LedgerResult toAlice = new Ledger(first, clock).transfer("t-1", TransferRequest.posted("bank", "alice", eur("1.00")));
        LedgerResult toBob = new Ledger(second, clock).transfer("t-2", TransferRequest.posted("bank", "bob", eur("1.00")));

        // when both append
        first.append(toAlice, clock.instant(), "c1");

        // then the second lost, and none of its streams moved
        assertThatThrownBy(() -> second.append(toBob, clock.instant(), "c2"))
                .isInstanceOf(ConcurrentAppendException.class)
                .hasMessage("appending to " + toBob.subject() + " lost a race with another writer");
        assertThat(store.readHead(StreamId.transfer("t-2"))).isEmpty();
        assertThat(store.readHead(StreamId.account("bob")).orElseThrow().version()).isEqualTo(1);
    }

    @Test
    void appendedEventsAreChainedAndTheHeadCarriesTheSnapshotAndTheLastHash() {
        // when
        StoreSession session = store.session();
        session.append(new Ledger(session, clock).transfer("t-1",
                TransferRequest.posted("bank", "alice", eur("2.50"))), clock.instant(), "c1");

        // then
        EventStore.Head head = store.readHead(StreamId.account("alice")).orElseThrow();
        HashChainCursor.Verification chain = HashChainCursor.verify(store.readStream(StreamId.account("alice"), 1));
        assertThat(chain.valid()).isTrue();
        assertThat(chain.headHash()).isEqualTo(head.hash());
        assertThat(head.version()).isEqualTo(2);
        assertThat(StateCodec.decodeAccount(head.state()).balance()).isEqualTo(250);
        assertThat(store.readEvent(StreamId.account("alice"), 2).orElseThrow().hash()).isEqualTo(head.hash());
        assertThat(store.readStream(StreamId.account("alice"), 2)).toIterable().hasSize(1);
    }

    private static Money eur(String amount) {
        return Money.parse(amount, EUR);
    }
}
