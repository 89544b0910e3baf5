package dev.ledger.store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock whose every reading is one step after the one before, from {@code start}: each command a test
 * sends is then recorded at its own instant, in the order sent, without the test moving the clock.
 */
public final class TickingClock extends Clock {

    private final Instant start;
    private final Duration step;
    private long readings;

    public TickingClock(Instant start, Duration step) {
        this.start = start;
        this.step = step;
    }

    @Override
    public synchronized Instant instant() {
        return start.plus(step.multipliedBy(readings++));
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
