package dev.ledger.functions.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.store.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RememberedShardCountsTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-29T12:00:00Z"));
    private final RememberedShardCounts counts = new RememberedShardCounts(clock);

    @Test
    void aCountSeenIsUsedForAMinuteThenShardZeroIsReadAgain() {
        counts.saw("house", 16);
        assertThat(counts.known("house")).hasValue(16);
        clock.advance(RememberedShardCounts.REMEMBERED.minusMillis(1));
        assertThat(counts.known("house")).hasValue(16);
        clock.advance(Duration.ofMillis(1));
        assertThat(counts.known("house")).isEmpty();
    }

    @Test
    void anAccountThatIsNotShardedIsNotRemembered() {
        counts.saw("alice", 1);
        assertThat(counts.known("alice")).isEmpty();
        assertThat(counts.known("nobody")).isEmpty();
    }

    @Test
    void pastTheMostAccountsTheMemoryStartsOver() {
        for (int i = 0; i < RememberedShardCounts.MOST_ACCOUNTS; i++) {
            counts.saw("account-" + i, 2);
        }
        assertThat(counts.known("account-0")).hasValue(2);
        counts.saw("one-more", 4);
        assertThat(counts.known("account-0")).isEmpty();
        assertThat(counts.known("one-more")).hasValue(4);
    }
}
