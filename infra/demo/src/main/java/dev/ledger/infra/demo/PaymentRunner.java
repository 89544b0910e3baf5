package dev.ledger.infra.demo;

import dev.ledger.infra.demo.PaymentPlan.Kind;
import dev.ledger.infra.demo.PaymentPlan.Payment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Runs a {@link PaymentPlan} against the HTTP API with a fixed number of concurrent clients, each
 * payment's commands in order (a hold before its post or void, a retry after the first try), and
 * counts every answer in a {@link Tally}. Every {@code sampleEvery}-th accepted posted transfer is
 * handed to the {@link LagSampler}. The answers also tell each transfer's version in the log
 * ({@link #transferVersions}), which the demo waits for the transfers projection to reach.
 */
final class PaymentRunner {

    /** Tries of one command that keeps losing to others on the same accounts before its refusal counts. */
    static final int CONTENTION_ATTEMPTS = 8;

    private final LedgerHttp api;
    private final Tally tally;
    private final LagSampler lag;
    private final int sampleEvery;
    private final Map<String, ReentrantLock> oneAtATime;
    private final AtomicLong postedAccepted = new AtomicLong();
    private final AtomicLong paymentsDone = new AtomicLong();
    private final Map<String, Long> transferVersions = new ConcurrentHashMap<>();

    /**
     * @param hotAccounts accounts whose payments the clients send one at a time (the funding
     *     accounts: every deposit debits one). A hot account's commands serialize in the ledger
     *     anyway (each appends to its stream); sent concurrently they only lose append races and
     *     retry, which costs the emulator the work of every lost try.
     */
    PaymentRunner(LedgerHttp api, Tally tally, LagSampler lag, int sampleEvery, List<String> hotAccounts) {
        this.oneAtATime = hotAccounts.stream().collect(Collectors.toMap(a -> a, a -> new ReentrantLock()));
        this.api = api;
        this.tally = tally;
        this.lag = lag;
        this.sampleEvery = sampleEvery;
    }

    /** Runs every payment; returns the seconds it took. Prints a progress line every {@code every}. */
    double run(List<Payment> plan, int clients, Duration every, Consumer<String> progress)
            throws InterruptedException {
        long started = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        ticker.scheduleAtFixedRate(() -> progress.accept(line(plan.size(), started)), every.toMillis(),
                every.toMillis(), TimeUnit.MILLISECONDS);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (Payment payment : plan) {
                running.add(pool.submit(() -> pay(payment)));
            }
            for (Future<?> payment : running) {
                try {
                    payment.get();
                } catch (ExecutionException e) {
                    throw new IllegalStateException("a payment failed in the client", e.getCause());
                }
            }
        } finally {
            ticker.shutdownNow();
            pool.shutdownNow();
        }
        progress.accept(line(plan.size(), started));
        return (System.nanoTime() - started) / 1e9;
    }

    /**
     * Each transfer's stream version in the log as the answers show it: the highest {@code version}
     * of its 2xx answers, or 1 for a transfer the ledger refused (422: the refusal is recorded as
     * the transfer's only event). A transfer whose every request went unanswered, or lost every
     * race, is missing (its outcome is unknown, or nothing was recorded).
     */
    Map<String, Long> transferVersions() {
        return Map.copyOf(transferVersions);
    }

    private String line(int payments, long started) {
        double seconds = (System.nanoTime() - started) / 1e9;
        double[] lags = lag.sortedLagsMillis();
        return String.format(Locale.ROOT, "payments %,d/%,d | commands %,d: %,d accepted, %,d rejected | %.0f"
                        + " commands/s | lag samples %d, p50 %.0f ms", paymentsDone.get(), payments, tally.sent(),
                tally.acceptedTotal(), tally.rejectedTotal(), tally.sent() / Math.max(seconds, 1e-9), lags.length,
                LagSampler.percentile(lags, 0.5));
    }

    private void pay(Payment payment) {
        try {
            switch (payment.kind()) {
                case DEPOSIT, TRANSFER -> posted(payment);
                case HOLD_THEN_POST, HOLD_THEN_VOID -> hold(payment);
                case RETRY_SAME_ID -> {
                    posted(payment);
                    // The client did not trust the first answer: the ledger must give the original back.
                    LedgerHttp.Answer again = send(payment, payment.amount(), 0);
                    tally.record(again.status() == 200 ? "retry, same id: the original answer" : "retry, same id",
                            again);
                }
                case CONFLICTING_RETRY -> {
                    posted(payment);
                    tally.record("retry, same id, another amount",
                            send(payment, PaymentPlan.decimal(payment.amountMinor() + 1), 0));
                }
                default -> throw new IllegalStateException("unplanned kind " + payment.kind());
            }
        } catch (LedgerHttp.NoAnswer noAnswer) {
            tally.rejected(Tally.NO_ANSWER);
        } finally {
            paymentsDone.incrementAndGet();
        }
    }

    /** A posted transfer; a sampled one's lag is measured from its answer. */
    private void posted(Payment payment) {
        LedgerHttp.Answer answer;
        ReentrantLock hot = oneAtATime.get(payment.debitAccountId());
        if (hot != null) {
            hot.lock();
            try {
                answer = send(payment, payment.amount(), 0);
            } finally {
                hot.unlock();
            }
        } else {
            answer = send(payment, payment.amount(), 0);
        }
        long answered = System.nanoTime();
        tally.record(payment.kind() == Kind.DEPOSIT ? "deposit" : "transfer", answer);
        if (answer.status() == 201 && postedAccepted.incrementAndGet() % sampleEvery == 0) {
            lag.sample(payment.creditAccountId(), answered);
        }
    }

    private void hold(Payment payment) {
        LedgerHttp.Answer placed = send(payment, payment.amount(), PaymentPlan.HOLD_SECONDS);
        tally.record("hold placed", placed);
        if (placed.status() != 201) {
            return;
        }
        if (payment.kind() == Kind.HOLD_THEN_VOID) {
            tally.record("hold voided", uncontended(payment, () -> api.voidPending(payment.transferId())));
        } else if (payment.partialMinor() > 0) {
            tally.record("hold posted in part", uncontended(payment, () -> api.postPending(payment.transferId(),
                    PaymentPlan.decimal(payment.partialMinor()))));
        } else {
            tally.record("hold posted", uncontended(payment, () -> api.postPending(payment.transferId(), null)));
        }
    }

    private LedgerHttp.Answer send(Payment payment, String amount, long holdSeconds) {
        return uncontended(payment, () -> api.transfer(payment.transferId(), payment.debitAccountId(),
                payment.creditAccountId(), amount, payment.currency(), holdSeconds));
    }

    /**
     * A command sent again while the API answers that other requests kept changing its accounts
     * (the funding accounts are hot: every deposit debits one of them). The jitter is seeded by the
     * payment, so the plan stays the seed's.
     */
    private LedgerHttp.Answer uncontended(Payment payment, Supplier<LedgerHttp.Answer> command) {
        LedgerHttp.Answer answer = LedgerHttp.retryingContention(command, CONTENTION_ATTEMPTS,
                new SplittableRandom(payment.index()), () -> tally.retried(LedgerHttp.CONTENTION));
        long version = answer.ok() ? answer.body().path("version").asLong(0) : answer.status() == 422 ? 1 : 0;
        if (version > 0) {
            transferVersions.merge(payment.transferId(), version, Math::max);
        }
        return answer;
    }
}
