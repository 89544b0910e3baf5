package dev.ledger.infra.demo;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waiting for a condition: checked again after a short pause until it holds or the deadline
 * passes. The pause only spaces the checks; the condition, not the time, ends the wait.
 */
final class Deadline {

    private final long endNanos;

    private Deadline(long endNanos) {
        this.endNanos = endNanos;
    }

    static Deadline in(Duration duration) {
        return new Deadline(System.nanoTime() + duration.toNanos());
    }

    boolean passed() {
        return System.nanoTime() - endNanos > 0;
    }

    /** True once {@code condition} holds; false if the deadline passes first. */
    boolean await(BooleanSupplier condition, Duration pause) throws InterruptedException {
        while (!condition.getAsBoolean()) {
            if (passed()) {
                return false;
            }
            Thread.sleep(pause.toMillis());
        }
        return true;
    }
}
