package dev.ledger.infra.demo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Projection lag, sampled: for a posted transfer the API accepted, the time from its 2xx to the
 * first poll that finds the credited account in the balances projection ({@code GET /accounts/{id}})
 * at the version its stream had in the log right after that 2xx ({@code GET
 * /audit/accounts/{id}/verify}, whose {@code events} is read from the log itself). That version is
 * the credit leg's, or a little later when other commands on the account landed between the 2xx
 * and the read: then the figure includes the wait for those few events too. HTTP answers only: the
 * demo reads no table itself.
 *
 * <p>One poller thread, gentle with the emulator (which the pipeline under test needs): each round
 * it reads the outstanding samples oldest first and stops at the first one not visible yet, then
 * pauses {@link #POLL_PAUSE}. The projection applies the log in commit order (one ordered stream
 * from the events table to Kinesis to the consumer), so a later sample is almost never visible
 * before an earlier one; when it is, its figure is late by at most the earlier one's wait.
 * Otherwise a figure is at most one round (plus one request) late.
 */
final class LagSampler implements AutoCloseable {

    static final Duration POLL_PAUSE = Duration.ofMillis(20);

    private record Sample(String accountId, long version, long answeredNanos) {
    }

    private final LedgerHttp api;
    private final ConcurrentLinkedQueue<Sample> incoming = new ConcurrentLinkedQueue<>();
    private final List<Long> lagsNanos = new ArrayList<>();
    private final LongAdder unresolved = new LongAdder();
    private final AtomicBoolean accepting = new AtomicBoolean(true);
    private final Thread poller;
    private volatile Deadline stopBy;
    private volatile long unseenAtStop;

    LagSampler(LedgerHttp api) {
        this.api = api;
        this.poller = new Thread(this::poll, "lag-sampler");
        poller.setDaemon(true);
        poller.start();
    }

    /** Called by a worker right after the transfer's 2xx ({@code answeredNanos}: System.nanoTime then). */
    void sample(String creditAccountId, long answeredNanos) {
        if (!accepting.get()) {
            return;
        }
        long version = logHead(creditAccountId);
        if (version == 0) {
            unresolved.increment();
            return;
        }
        incoming.add(new Sample(creditAccountId, version, answeredNanos));
    }

    /** The account stream's head version in the log, or 0 if the log could not be read. */
    private long logHead(String accountId) {
        try {
            LedgerHttp.Answer verified = api.verify(accountId);
            return verified.ok() ? verified.body().path("events").asLong(0) : 0;
        } catch (LedgerHttp.NoAnswer noAnswer) {
            return 0;
        }
    }

    /** The account's version in the balances projection (0 before it has the account, or without an answer). */
    private long projected(String accountId) {
        try {
            LedgerHttp.Answer account = api.account(accountId);
            return account.ok() ? account.body().path("version").asLong(0) : 0;
        } catch (LedgerHttp.NoAnswer noAnswer) {
            return 0;
        }
    }

    private void poll() {
        List<Sample> outstanding = new ArrayList<>();
        while (true) {
            for (Sample next = incoming.poll(); next != null; next = incoming.poll()) {
                outstanding.add(next);
            }
            outstanding.sort(Comparator.comparingLong(Sample::answeredNanos));
            for (Iterator<Sample> samples = outstanding.iterator(); samples.hasNext(); ) {
                Sample sample = samples.next();
                long projected = projected(sample.accountId());
                if (projected < sample.version()) {
                    break; // the ones after it are (almost always) not visible either
                }
                long lag = System.nanoTime() - sample.answeredNanos();
                synchronized (lagsNanos) {
                    lagsNanos.add(lag);
                }
                samples.remove();
            }
            Deadline stop = stopBy;
            if (stop != null && ((outstanding.isEmpty() && incoming.isEmpty()) || stop.passed())) {
                unseenAtStop = outstanding.size() + incoming.size();
                return;
            }
            try {
                Thread.sleep(POLL_PAUSE.toMillis());
            } catch (InterruptedException e) {
                unseenAtStop = outstanding.size() + incoming.size();
                return;
            }
        }
    }

    /** Takes no more samples and waits (up to {@code deadline}) until the outstanding ones are seen. */
    void finish(Duration deadline) throws InterruptedException {
        accepting.set(false);
        stopBy = Deadline.in(deadline);
        poller.join(deadline.toMillis() + 5_000);
    }

    /** The lags seen so far, sorted, in milliseconds. */
    double[] sortedLagsMillis() {
        synchronized (lagsNanos) {
            return lagsNanos.stream().mapToLong(Long::longValue).sorted().mapToDouble(n -> n / 1e6).toArray();
        }
    }

    /** Samples whose account head could not be read from the log right after the 2xx (not measured). */
    long unresolved() {
        return unresolved.sum();
    }

    /** Samples not seen in the projection by the deadline of {@link #finish}. */
    long unseen() {
        return unseenAtStop;
    }

    /** The value below which {@code fraction} of the sorted values lie (nearest rank); NaN when empty. */
    static double percentile(double[] sorted, double fraction) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(fraction * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    @Override
    public void close() {
        accepting.set(false);
        poller.interrupt();
    }
}
