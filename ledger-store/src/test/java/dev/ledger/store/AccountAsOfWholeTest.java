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
import java.util.Collections;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A sharded account (issue 13) as of an instant: its shards folded to the instant and added up. */
class AccountAsOfWholeTest {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");
    private static final int SHARDS = 3;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-04-01T09:00:00Z"));
    private final InMemoryEventStore log = new InMemoryEventStore();
    private Instant afterDeposits;

    @BeforeEach
    void hotHasThreeShardsEachPaidIntoThenPaysMoreThanAnyOneHolds() {
        append(l -> l.openAccount(new OpenAccount("bank", EUR, OverdraftLimit.UNLIMITED), 1));
        append(l -> l.openAccount(new OpenAccount("shop", EUR, OverdraftLimit.NONE), 1));
        append(l -> l.openAccount(new OpenAccount("hot", EUR, OverdraftLimit.NONE), SHARDS));
        for (int shard = 0; shard < SHARDS; shard++) {
            String id = landingOn(shard);
            append(l -> l.transfer(id, TransferRequest.posted("bank", "hot", eur("10.00"))));
        }
        afterDeposits = clock.instant().minusSeconds(1);
        append(l -> l.transfer("pay", TransferRequest.posted("hot", "shop", eur("25.00"))));
    }

    @Test
    void theShardsAreAddedUpAsTheyStoodAtTheInstantAtTheSumOfTheirVersions() {
        AccountAsOf middle = AccountAsOf.whole(stream -> log.readStream(stream, 1), "hot", afterDeposits).orElseThrow();
        AccountAsOf now = AccountAsOf.whole(stream -> log.readStream(stream, 1), "hot", clock.instant()).orElseThrow();

        assertThat(middle.state().accountId()).isEqualTo("hot");
        assertThat(middle.state().balance()).isEqualTo(3000);
        // Own stream: opened and sharded; two shards opened; one deposit on each shard.
        assertThat(middle.version()).isEqualTo(2 + 2 + SHARDS);
        assertThat(now.state().balance()).as("the moves between shards taken out").isEqualTo(500);
        assertThat(now.state().creditsPosted()).isEqualTo(3000);
        assertThat(now.state().shardCount()).isEqualTo(SHARDS);
        assertThat(now.version()).isEqualTo(versions());
    }

    @Test
    void aShardNotToBeSeenCountsAsEmptyAtVersionZero() {
        StreamId hidden = StreamId.account(AccountShards.streamAccountId("hot", 2));

        AccountAsOf withoutShard2 = AccountAsOf.whole(stream -> stream.equals(hidden)
                ? Collections.emptyIterator() : log.readStream(stream, 1), "hot", afterDeposits).orElseThrow();

        assertThat(withoutShard2.state().balance()).isEqualTo(2000);
        assertThat(withoutShard2.version()).isEqualTo(2 + 1 + 2);
    }

    @Test
    void beforeItsOpeningTheAccountDidNotExist() {
        assertThat(AccountAsOf.whole(stream -> log.readStream(stream, 1), "hot",
                Instant.parse("2026-04-01T09:00:00Z"))).isEmpty();
    }

    private long versions() {
        long sum = 0;
        for (int shard = 0; shard < SHARDS; shard++) {
            sum += log.readHead(StreamId.account(AccountShards.streamAccountId("hot", shard))).orElseThrow().version();
        }
        return sum;
    }

    private static String landingOn(int shard) {
        for (int n = 0; ; n++) {
            if (AccountShards.pick("in-" + n, 1, SHARDS) == shard) {
                return "in-" + n;
            }
        }
    }

    private void append(Function<Ledger, LedgerResult> command) {
        StoreSession session = log.session();
        session.append(command.apply(new Ledger(session, clock)), clock.instant(), "test");
        clock.advance(Duration.ofSeconds(5));
    }

    private static Money eur(String amount) {
        return Money.parse(amount, EUR);
    }
}
