package dev.ledger.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.AccountShards;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.ledger.Ledger;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 16 §3: a balance as of an instant from the last checkpoint recorded by then is the balance folded
 * from version 1, at every instant, for a plain account and a sharded one, and checkpoints are written every
 * {@link AccountCheckpoint#EVERY} versions with the state the events give there.
 */
class AccountAsOfSeekTest {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");
    private static final Instant START = Instant.parse("2026-04-01T09:00:00Z");

    private final MutableClock clock = new MutableClock(START);
    private final InMemoryEventStore log = new InMemoryEventStore();
    private final List<Instant> recorded = new ArrayList<>();

    @BeforeEach
    void aBusyAccountAndAShardedOne() {
        append(l -> l.openAccount(new OpenAccount("bank", EUR, OverdraftLimit.UNLIMITED), 1));
        append(l -> l.openAccount(new OpenAccount("busy", EUR, OverdraftLimit.NONE), 1));
        append(l -> l.openAccount(new OpenAccount("hot", EUR, OverdraftLimit.NONE), 3));
        for (int i = 0; i < 520; i++) {
            int n = i;
            append(l -> l.transfer("t-" + n, TransferRequest.posted("bank", n % 5 == 0 ? "busy" : "hot",
                    Money.parse((n % 7 + 1) + ".00", EUR))));
        }
    }

    @Test
    void everyInstantReadsAsTheFoldFromVersionOne() {
        for (String account : List.of("bank", "busy", "hot")) {
            for (Instant at : instants()) {
                Optional<AccountAsOf> folded = AccountAsOf.whole(stream -> log.readStream(stream, 1), account, at);
                Optional<AccountAsOf> sought = AccountAsOf.whole(log, account, at);
                assertThat(sought.map(AccountAsOf::version)).as(account + " at " + at)
                        .isEqualTo(folded.map(AccountAsOf::version));
                assertThat(sought.map(AccountAsOf::state)).as(account + " at " + at)
                        .isEqualTo(folded.map(AccountAsOf::state));
            }
        }
    }

    @Test
    void aCheckpointStandsAtEveryHundredVersionsWithTheFoldedStateAndTheEventsHash() {
        StreamId bank = StreamId.account("bank");
        long head = log.readHead(bank).orElseThrow().version();
        List<AccountCheckpoint> checkpoints = new ArrayList<>();
        log.checkpoints(bank).forEachRemaining(checkpoints::add);

        assertThat(checkpoints).extracting(AccountCheckpoint::version)
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, head / AccountCheckpoint.EVERY)
                        .map(n -> n * AccountCheckpoint.EVERY).boxed().toList());
        for (AccountCheckpoint checkpoint : checkpoints) {
            StoredEvent event = log.readEvent(bank, checkpoint.version()).orElseThrow();
            assertThat(checkpoint.hash()).isEqualTo(event.hash());
            assertThat(checkpoint.recordedAt()).isEqualTo(event.recordedAt());
            assertThat(checkpoint.state()).isEqualTo(AccountAsOf.fold(log.readStream(bank, 1), null,
                    checkpoint.version(), null).orElseThrow().state());
        }
    }

    @Test
    void aShardStreamHasCheckpointsOfItsOwn() {
        StreamId shard1 = StreamId.account(AccountShards.streamAccountId("hot", 1));
        long head = log.readHead(shard1).orElseThrow().version();
        Iterator<AccountCheckpoint> checkpoints = log.checkpoints(shard1);
        assertThat(head).as("the workload is long enough to checkpoint a shard").isGreaterThanOrEqualTo(
                AccountCheckpoint.EVERY);
        assertThat(checkpoints.hasNext()).isTrue();
        assertThat(checkpoints.next().stream()).isEqualTo(shard1);
    }

    /**
     * Before the first append, the first appends' instants, then every third recorded instant and the moment
     * after it (each fold from version 1 is the slow reference), and the last.
     */
    private List<Instant> instants() {
        List<Instant> instants = new ArrayList<>(List.of(START.minusSeconds(1)));
        for (int i = 0; i < recorded.size(); i++) {
            if (i < 5 || i % 3 == 0 || i == recorded.size() - 1) {
                instants.add(recorded.get(i));
                instants.add(recorded.get(i).plusMillis(500));
            }
        }
        return instants;
    }

    private void append(Function<Ledger, LedgerResult> command) {
        StoreSession session = log.session();
        session.append(command.apply(new Ledger(session, clock)), clock.instant(), "test");
        recorded.add(clock.instant());
        clock.advance(Duration.ofSeconds(1));
    }
}
