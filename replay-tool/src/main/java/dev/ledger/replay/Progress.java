package dev.ledger.replay;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Shows long work going: on a terminal one line redrawn in place (events done, events/s, ETA); else
 * a plain line every interval, which logs and CI keep readable. Counts are thread-safe.
 *
 * <p>The total is the caller's estimate until the work tells what it found: {@link #expect} adds the
 * events of each stream found (its head's version), and {@link #allExpected} says every stream is
 * found, so from then on the total is exactly that sum. {@link #finish} says the work completed: the
 * last line then shows the events counted as the total, at 100%. Work that fails ends without it.
 */
final class Progress implements AutoCloseable {

    enum Mode { AUTO, TTY, PLAIN, NONE }

    private final String label;
    private final PrintWriter out;
    private final boolean terminal;
    private final LongSupplier total;
    private final AtomicLong done = new AtomicLong();
    private final AtomicLong found = new AtomicLong();
    private volatile boolean allFound;
    private volatile boolean finished;
    private final long startNanos = System.nanoTime();
    private final ScheduledExecutorService ticker;

    /** @param total an estimate of the events to come, 0 or less if unknown (it may change while running) */
    Progress(String label, PrintWriter out, Mode mode, Duration plainInterval, LongSupplier total) {
        this.label = label;
        this.out = out;
        this.total = total;
        Mode resolved = mode == Mode.AUTO ? (System.console() != null ? Mode.TTY : Mode.PLAIN) : mode;
        this.terminal = resolved == Mode.TTY;
        if (resolved == Mode.NONE) {
            ticker = null;
        } else {
            ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread thread = new Thread(r, "progress");
                thread.setDaemon(true);
                return thread;
            });
            long every = terminal ? 250 : Math.max(100, plainInterval.toMillis());
            ticker.scheduleAtFixedRate(this::print, every, every, TimeUnit.MILLISECONDS);
        }
    }

    void add(long events) {
        done.addAndGet(events);
    }

    /** The events of a stream the work found and will count (e.g. its head's version). */
    void expect(long events) {
        found.addAndGet(events);
    }

    /** Every stream is found: the total is now what {@link #expect} added up, not the estimate. */
    void allExpected() {
        allFound = true;
    }

    /** The work completed: the last line shows the events counted as the total. */
    void finish() {
        finished = true;
    }

    /** The total shown: exact once finished or all is found, else the larger of estimate and found. */
    long total() {
        if (finished) {
            return done.get();
        }
        if (allFound) {
            return found.get();
        }
        return Math.max(total.getAsLong(), found.get());
    }

    long done() {
        return done.get();
    }

    double seconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    double rate() {
        double seconds = seconds();
        return seconds <= 0 ? 0 : done.get() / seconds;
    }

    private synchronized void print() {
        long count = done.get();
        long expected = total();
        double rate = rate();
        StringBuilder line = new StringBuilder(label).append(": ").append(count);
        if (expected > 0 || finished) {
            line.append('/').append(Math.max(expected, count)).append(" events (")
                    .append(finished ? 100 : Math.min(100, count * 100 / Math.max(expected, 1))).append("%)");
        } else {
            line.append(" events");
        }
        line.append(String.format(Locale.ROOT, ", %.0f events/s", rate));
        if (expected > count && rate > 0) {
            line.append(", ETA ").append(formatDuration((long) ((expected - count) / rate)));
        }
        if (terminal) {
            out.print("\r" + line + "\u001b[K");
        } else {
            out.println(line);
        }
        out.flush();
    }

    private static String formatDuration(long seconds) {
        return seconds >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, seconds % 3600 / 60)
                : String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
    }

    @Override
    public void close() {
        if (ticker != null) {
            ticker.shutdownNow();
            print();
            if (terminal) {
                out.println();
                out.flush();
            }
        }
    }
}
