package dev.ledger.functions.command;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * How long a command keeps retrying after losing a race, and how long it waits in between. A time
 * budget governs, not a number of attempts: a command on a hot account waits its turn for up to
 * {@link #budget} instead of being refused after a few quick losses, and a client's wait stays
 * bounded however slow each attempt is. The pauses are exponential backoff with full jitter, capped
 * at {@link #maxDelay}, so writers that collided do not collide again in step, and none sleeps long
 * after the account became free.
 *
 * @param budget      how long after its first attempt began a command may still start another one
 * @param baseDelay   the ceiling of the pause after the first lost race; it doubles with each loss
 * @param maxDelay    the ceiling the doubling stops at
 * @param maxAttempts a safety net only (a time source that stands still must not make a command loop for
 *                    ever); the budget runs out long before it in real time
 * @param random      the jitter
 * @param ticker      where the budget is measured and the pauses are spent
 */
public record RetryPolicy(Duration budget, Duration baseDelay, Duration maxDelay, int maxAttempts,
                          RandomGenerator random, Ticker ticker) {

    /** Two seconds: well inside what a client waits for a payment, far below the function's timeout. */
    public static final Duration DEFAULT_BUDGET = Duration.ofSeconds(2);
    static final Duration BASE_DELAY = Duration.ofMillis(5);
    /** A pause is at most this: an account that became free is tried again within a tenth of a second. */
    static final Duration MAX_DELAY = Duration.ofMillis(100);
    /** At the capped pauses' mean of 50 ms, two seconds take about 40 attempts. */
    static final int MAX_ATTEMPTS = 64;

    /**
     * Monotonic time in nanoseconds and a way to let it pass: the system's ({@link #SYSTEM}) in the
     * functions, a fake one in tests, so that a test of the budget never waits.
     */
    public interface Ticker {
        Ticker SYSTEM = new Ticker() {
            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public void sleep(Duration pause) throws InterruptedException {
                Thread.sleep(pause.toMillis(), pause.toNanosPart() % 1_000_000);
            }
        };

        long nanoTime();

        void sleep(Duration pause) throws InterruptedException;
    }

    public RetryPolicy {
        Objects.requireNonNull(random, "random");
        Objects.requireNonNull(ticker, "ticker");
        if (budget.isNegative() || baseDelay.isNegative() || maxDelay.compareTo(baseDelay) < 0) {
            throw new IllegalArgumentException("a retry policy needs 0 <= budget, 0 <= base delay <= max delay");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("a command makes at least one attempt");
        }
    }

    /** The standard policy with the {@link #DEFAULT_BUDGET}, in real time. */
    public static RetryPolicy standard(RandomGenerator random) {
        return within(DEFAULT_BUDGET, random);
    }

    /** The standard backoff, retrying for up to {@code budget}, in real time. */
    public static RetryPolicy within(Duration budget, RandomGenerator random) {
        return new RetryPolicy(budget, BASE_DELAY, MAX_DELAY, MAX_ATTEMPTS, random, Ticker.SYSTEM);
    }

    /** This policy, measuring and waiting with {@code other}. */
    public RetryPolicy withTicker(Ticker other) {
        return new RetryPolicy(budget, baseDelay, maxDelay, maxAttempts, random, other);
    }

    /**
     * What to do after attempt {@code attempt} lost, {@code spent} after the first attempt began: pause
     * this long and try again, or give up (empty) because the budget is spent or the safety net reached.
     * The pause is uniform in [0, min(maxDelay, baseDelay * 2^(attempt-1))), and never runs past the
     * budget, so the last attempt starts by the time the budget ends.
     */
    Optional<Duration> pauseAfter(int attempt, Duration spent) {
        if (attempt >= maxAttempts || spent.compareTo(budget) >= 0) {
            return Optional.empty();
        }
        long ceiling = Math.min(maxDelay.toNanos(), baseDelay.toNanos() << Math.min(attempt - 1, 20));
        Duration jittered = Duration.ofNanos(ceiling <= 0 ? 0 : random.nextLong(ceiling));
        Duration left = budget.minus(spent);
        return Optional.of(jittered.compareTo(left) < 0 ? jittered : left);
    }
}
