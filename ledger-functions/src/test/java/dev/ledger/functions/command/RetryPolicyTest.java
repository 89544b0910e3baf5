package dev.ledger.functions.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** When a command that lost a race pauses, and when it gives up: a pure function of the attempt and the time spent. */
class RetryPolicyTest {

    private final RetryPolicy policy = RetryPolicy.standard(new SplittableRandom(11)).withTicker(new FakeTicker());

    @Test
    void thePausesDoubleFromFiveMillisecondsAndStopDoublingAtAHundred() {
        for (int attempt = 1; attempt <= 40; attempt++) {
            Duration ceiling = Duration.ofMillis(Math.min(100, 5L << (attempt - 1)));
            for (int draw = 0; draw < 50; draw++) {
                assertThat(policy.pauseAfter(attempt, Duration.ZERO)).get()
                        .satisfies(pause -> assertThat(pause).isGreaterThanOrEqualTo(Duration.ZERO).isLessThan(ceiling));
            }
        }
    }

    @Test
    void thePausesAreJitteredNotInStep() {
        long distinct = IntStream.range(0, 50)
                .mapToObj(draw -> policy.pauseAfter(8, Duration.ZERO).orElseThrow()).distinct().count();

        assertThat(distinct).as("distinct pauses of 50 after the same attempt").isGreaterThan(40);
    }

    @Test
    void noPauseRunsPastTheBudgetAndASpentBudgetEndsTheRetries() {
        Duration threeMillisecondsLeft = RetryPolicy.DEFAULT_BUDGET.minusMillis(3);

        List<Duration> pauses = IntStream.range(0, 50)
                .mapToObj(draw -> policy.pauseAfter(30, threeMillisecondsLeft).orElseThrow()).toList();

        assertThat(pauses).allSatisfy(pause -> assertThat(pause).isLessThanOrEqualTo(Duration.ofMillis(3)));
        assertThat(pauses).as("a pause longer than what is left ends where the budget does")
                .contains(Duration.ofMillis(3));
        assertThat(policy.pauseAfter(2, RetryPolicy.DEFAULT_BUDGET)).isEmpty();
        assertThat(policy.pauseAfter(2, RetryPolicy.DEFAULT_BUDGET.plusMillis(300))).isEmpty();
    }

    @Test
    void theSafetyNetOnAttemptsHoldsWhenTimeStandsStill() {
        assertThat(policy.pauseAfter(RetryPolicy.MAX_ATTEMPTS - 1, Duration.ZERO)).isPresent();
        assertThat(policy.pauseAfter(RetryPolicy.MAX_ATTEMPTS, Duration.ZERO)).isEmpty();
    }

    @Test
    void aZeroBudgetMeansOneAttempt() {
        RetryPolicy none = RetryPolicy.within(Duration.ZERO, new SplittableRandom(1));

        assertThat(none.pauseAfter(1, Duration.ZERO)).isEqualTo(Optional.empty());
    }

    @Test
    void aPolicyThatCannotBeFollowedIsRefused() {
        assertThatThrownBy(() -> RetryPolicy.within(Duration.ofMillis(-1), new SplittableRandom(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetryPolicy(Duration.ofSeconds(1), Duration.ofMillis(200), Duration.ofMillis(100),
                10, new SplittableRandom(1), RetryPolicy.Ticker.SYSTEM)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetryPolicy(Duration.ofSeconds(1), Duration.ZERO, Duration.ZERO, 0,
                new SplittableRandom(1), RetryPolicy.Ticker.SYSTEM)).isInstanceOf(IllegalArgumentException.class);
    }
}
