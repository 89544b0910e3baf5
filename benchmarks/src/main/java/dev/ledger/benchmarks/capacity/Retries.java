package dev.ledger.benchmarks.capacity;

import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * How a command that lost a race waits and when it gives up (answering 409 with Retry-After), as
 * {@code RetryPolicy.pauseAfter} in ledger-functions decides it: after the k-th lost attempt, give up
 * if k reached the attempt limit or the budget is spent since the first attempt began; otherwise pause
 * uniformly in [0, min(cap, base * 2^(k-1))), never past the budget's end, and try again.
 *
 * @param maxAttempts attempts before giving up whatever the time (a safety net in the deployed policy)
 * @param baseMs      the ceiling of the pause after the first lost attempt; it doubles with each loss
 * @param capMs       no pause ceiling above this
 * @param budgetMs    no attempt starts once this much time has passed since the first one began
 */
record Retries(int maxAttempts, double baseMs, double capMs, double budgetMs) {

    /**
     * {@code RetryPolicy.standard} as deployed since issue 13: 5 ms doubling, capped at 100 ms, a 2 s
     * budget, 64 attempts at most.
     */
    static Retries deployed() {
        return new Retries(64, 5, 100, 2_000);
    }

    /**
     * The pause after the {@code lostAttempt}-th lost attempt (1-based), {@code spentMs} after the first
     * attempt began; negative when the command gives up instead.
     */
    double pauseMs(int lostAttempt, double spentMs, RandomGenerator random) {
        if (lostAttempt >= maxAttempts || spentMs >= budgetMs) {
            return -1;
        }
        double ceiling = Math.min(capMs, baseMs * Math.pow(2, Math.min(lostAttempt - 1, 30)));
        return Math.min(random.nextDouble() * ceiling, budgetMs - spentMs);
    }

    String describe() {
        return String.format(Locale.ROOT, "full jitter, %.0f ms doubling, cap %.0f ms, %.0f ms budget, at most %d attempts",
                baseMs, capMs, budgetMs, maxAttempts);
    }
}
