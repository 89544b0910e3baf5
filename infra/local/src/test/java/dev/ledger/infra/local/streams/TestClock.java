package dev.ledger.infra.local.streams;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The system clock, shifted by an offset a test can move, or stopped at an instant (records' ages
 * are measured against it; the emulator stamps records with this machine's time).
 */
final class TestClock extends Clock {

    private final AtomicReference<Duration> offset = new AtomicReference<>(Duration.ZERO);
    private final AtomicReference<Instant> frozen = new AtomicReference<>();

    void advance(Duration by) {
        offset.updateAndGet(current -> current.plus(by));
    }

    /** Stops the clock at {@code at}: what is measured against it no longer depends on how long the test runs. */
    void freezeAt(Instant at) {
        frozen.set(at);
    }

    void reset() {
        offset.set(Duration.ZERO);
        frozen.set(null);
    }

    @Override
    public Instant instant() {
        Instant stopped = frozen.get();
        return stopped != null ? stopped : Instant.now().plus(offset.get());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException();
    }
}
