package dev.ledger.infra.local.streams;

import java.time.Duration;

/**
 * How long a shard waits before retrying a failed batch: {@code initial} after the first failure,
 * doubling with each further retry, at most {@code max}. (Lambda backs off exponentially too; its
 * exact delays are not documented.)
 */
public record Backoff(Duration initial, Duration max) {

    public Backoff {
        if (initial.isNegative() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("Not a backoff: " + initial + " up to " + max);
        }
    }

    /** The wait before retry number {@code retry} (1 for the first retry). */
    public Duration delay(int retry) {
        Duration delay = initial;
        for (int i = 1; i < retry && delay.compareTo(max) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(max) > 0 ? max : delay;
    }
}
