package dev.ledger.functions.command;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Time that passes only when told: a pause advances it at once and is remembered, so a test of the
 * retry budget runs in no time and sees every pause. It starts just before {@code long} wraps around,
 * as {@link System#nanoTime()} may, so only differences of its readings can mean anything.
 */
public final class FakeTicker implements RetryPolicy.Ticker {

    private long nanos = Long.MAX_VALUE - Duration.ofMillis(500).toNanos();
    private final List<Duration> pauses = new ArrayList<>();

    @Override
    public long nanoTime() {
        return nanos;
    }

    @Override
    public void sleep(Duration pause) {
        pauses.add(pause);
        advance(pause);
    }

    /** Time spent doing something else than pausing, such as an attempt that takes long. */
    public void advance(Duration duration) {
        nanos += duration.toNanos();
    }

    /** Every pause so far, in order. */
    public List<Duration> pauses() {
        return List.copyOf(pauses);
    }

    public Duration paused() {
        return pauses.stream().reduce(Duration.ZERO, Duration::plus);
    }
}
