package dev.ledger.benchmarks.capacity;

import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * How a command that lost a race waits and when it gives up (answering 409): full-jitter exponential
 * backoff, the pause after the k-th lost attempt uniform in [0, min(cap, base * 2^k)), with a limit on
 * attempts, on the time since the command began, or both.
 *
 * @param maxAttempts    attempts before giving up ({@link Integer#MAX_VALUE}: no limit)
 * @param baseMs         the ceiling of the first pause is {@code 2 * baseMs}
 * @param capMs          no pause ceiling above this ({@code +Infinity}: no cap)
 * @param budgetMs       a pause that would end after this much time since the command began is not
 *                       taken: the command answers 409 instead ({@code +Infinity}: no budget)
 * @param pauseAfterLast whether the pause after the last allowed attempt is still slept before the 409
 *                       (the deployed code does: it pauses, then leaves its loop)
 * @param wholeMs        pauses are whole milliseconds (the deployed code draws {@code nextLong(ceiling)})
 */
record Retries(int maxAttempts, double baseMs, double capMs, double budgetMs, boolean pauseAfterLast,
                      boolean wholeMs) {

    /**
     * {@code RetryPolicy.standard} as deployed on 2026-11-29 (ledger-functions): six attempts, pause
     * after attempt k uniform in whole ms over [0, 5 << min(k, 10)), no cap, no time budget; the pause
     * after the sixth lost attempt is slept before the 409.
     */
    public static Retries deployed() {
        return new Retries(6, 5, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, true, true);
    }

    /** Issue 13's policy: base 5 ms doubling, capped at 100 ms, within a 2 s budget, then 409. */
    public static Retries budgeted() {
        return new Retries(Integer.MAX_VALUE, 5, 100, 2_000, false, false);
    }

    /** The pause after the {@code lostAttempt}-th lost attempt (1-based). */
    double pauseMs(int lostAttempt, RandomGenerator random) {
        double ceiling = Math.min(capMs, baseMs * Math.pow(2, Math.min(lostAttempt, 30)));
        double pause = random.nextDouble() * ceiling;
        return wholeMs ? Math.floor(pause) : pause;
    }

    String describe() {
        String attempts = maxAttempts == Integer.MAX_VALUE ? "no attempt limit" : maxAttempts + " attempts";
        String cap = Double.isInfinite(capMs) ? "no cap" : String.format(Locale.ROOT, "cap %.0f ms", capMs);
        String budget = Double.isInfinite(budgetMs) ? "no time budget"
                : String.format(Locale.ROOT, "%.0f ms budget", budgetMs);
        return String.format(Locale.ROOT, "full jitter, base %.0f ms doubling, %s, %s, %s", baseMs, cap, attempts, budget);
    }
}
