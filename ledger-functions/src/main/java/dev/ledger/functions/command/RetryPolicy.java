package dev.ledger.functions.command;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * How often a command is retried after losing an append race, and how long it waits in between:
 * exponential backoff with full jitter, so writers that collided do not collide again in step.
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, RandomGenerator random) {

    public static RetryPolicy standard(RandomGenerator random) {
        return new RetryPolicy(6, Duration.ofMillis(5), random);
    }

    /** The pause before attempt {@code attempt + 1}: uniform in [0, base * 2^attempt). */
    Duration pauseAfter(int attempt) {
        long ceiling = baseDelay.toMillis() << Math.min(attempt, 10);
        return Duration.ofMillis(ceiling <= 0 ? 0 : random.nextLong(ceiling));
    }
}
