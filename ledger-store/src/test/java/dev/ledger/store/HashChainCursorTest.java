package dev.ledger.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.ledger.Ledger;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.store.HashChainCursor.Break;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The one walk of a hash chain, and the one as-of fold, over a log kept in memory. */
class HashChainCursorTest {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");

    private final MutableClock clock = new MutableClock(Instant.parse("2026-04-01T09:00:00Z"));
    private final InMemoryEventStore log = new InMemoryEventStore();
    private List<StoredEvent> alice;

    @BeforeEach
    void aliceHasThreeEvents() {
        append(l -> l.openAccount(new OpenAccount("bank", EUR, OverdraftLimit.UNLIMITED)));
        append(l -> l.openAccount(new OpenAccount("alice", EUR, OverdraftLimit.NONE)));
        append(l -> l.transfer("t-1", TransferRequest.posted("bank", "alice", Money.parse("10.00", EUR))));
        append(l -> l.transfer("t-2", TransferRequest.posted("bank", "alice", Money.parse("20.00", EUR))));
        alice = new ArrayList<>();
        log.readStream(StreamId.account("alice"), 1).forEachRemaining(alice::add);
    }

    @Test
    void anIntactStreamEndsAtItsHeadsHash() {
        HashChainCursor.Verification verification = HashChainCursor.verify(alice.iterator());

        assertThat(verification).isEqualTo(new HashChainCursor.Verification(3, log.readHead(StreamId.account("alice"))
                .orElseThrow().hash(), true, null));
    }

    @Test
    void anAlteredEventBreaksTheChainAtItsVersion() {
        alice.set(1, altered(alice.get(1)));
        HashChainCursor chain = HashChainCursor.fromGenesis();

        alice.forEach(chain::accept);

        assertThat(chain.intact()).isFalse();
        assertThat(chain.breakReason()).isEqualTo(Break.HASH_MISMATCH);
        assertThat(chain.firstBadVersion()).isEqualTo(2);
        assertThat(chain.badEvent()).isSameAs(alice.get(1));
        assertThat(chain.recomputedHash()).isNotEqualTo(alice.get(1).hash());
        assertThat(chain.version()).isEqualTo(1);
        assertThat(chain.headHash()).isEqualTo(alice.get(0).hash());
        assertThat(chain.finish()).isEqualTo(new HashChainCursor.Verification(2, alice.get(0).hash(), false, 2L));
    }

    @Test
    void aRemovedEventIsAMissingVersion() {
        alice.remove(1);

        HashChainCursor.Verification verification = HashChainCursor.verify(alice.iterator());

        assertThat(verification.valid()).isFalse();
        assertThat(verification.firstBadVersion()).isEqualTo(2L);
        assertThat(verification.events()).isEqualTo(2);
    }

    @Test
    void aCursorStartedPastAVersionChecksOnFromThere() {
        HashChainCursor chain = HashChainCursor.after(1, alice.get(0).hash());

        assertThat(chain.accept(alice.get(1))).isTrue();
        assertThat(chain.accept(alice.get(2))).isTrue();
        assertThat(chain.headHash()).isEqualTo(alice.get(2).hash());
    }

    @Test
    void theAsOfFoldStopsAtTheInstantAndAtTheVersion() {
        Instant beforeSecondDeposit = alice.get(2).recordedAt().minusMillis(1);

        AccountAsOf atInstant = AccountAsOf.fold(alice.iterator(), beforeSecondDeposit).orElseThrow();
        AccountAsOf atVersion = AccountAsOf.fold(alice.iterator(), null, 2L, HashChainCursor.fromGenesis()).orElseThrow();

        assertThat(atInstant.version()).isEqualTo(2);
        assertThat(atInstant.state().balance()).isEqualTo(1000);
        assertThat(atVersion).isEqualTo(atInstant);
        assertThat(AccountAsOf.fold(alice.iterator(), alice.get(0).recordedAt().minusSeconds(1))).isEmpty();
    }

    @Test
    void theCheckedAsOfFoldStopsBeforeABreakAndTheCursorSaysWhere() {
        alice.set(2, altered(alice.get(2)));
        HashChainCursor chain = HashChainCursor.fromGenesis();

        AccountAsOf stood = AccountAsOf.fold(alice.iterator(), null, null, chain).orElseThrow();

        assertThat(stood.version()).isEqualTo(2);
        assertThat(chain.firstBadVersion()).isEqualTo(3);
    }

    private void append(Function<Ledger, LedgerResult> command) {
        StoreSession session = log.session();
        session.append(command.apply(new Ledger(session, clock)), clock.instant(), "test");
        clock.advance(Duration.ofSeconds(5));
    }

    private static StoredEvent altered(StoredEvent event) {
        return new StoredEvent(event.stream(), event.version(), event.type(), event.schemaVersion(), event.recordedAt(),
                event.transferId(), event.correlationId(), event.data().replace("0.00", "9.00"), event.hash());
    }
}
