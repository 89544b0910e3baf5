package dev.ledger.infra.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * handed to the {@link LagSampler}. The answers also tell each transfer's and transaction's version
 * in the log ({@link #transferVersions}, {@link #transactionVersions}), which the demo waits for the
 * transfers projection to reach.
 */
final class PaymentRunner {

    /** Tries of one command that keeps losing to others on the same accounts before its refusal counts. */
    static final int CONTENTION_ATTEMPTS = 8;

    static final String FLOW_CARD_PAYMENT = "card payment with fee (3 entries)";
    static final String FLOW_SPLIT_PAYOUT = "split payout (1 debit, 3-5 credits)";
    static final String FLOW_EXCHANGE = "currency exchange (EUR and USD legs)";
    static final String FLOW_REFUNDED_PURCHASE = "purchase to refund (transfer)";
    static final String FLOW_REFUND_IN_PART = "refund in part (reversal)";
    static final String FLOW_ATOMIC_BATCH = "atomic batch (2 deposits, 1 card payment)";

    /** The labels of the flows that go beyond a two-leg transfer, in the order the report lists them. */
    static final List<String> NEW_FLOWS = List.of(FLOW_CARD_PAYMENT, FLOW_SPLIT_PAYOUT, FLOW_EXCHANGE,
            FLOW_REFUNDED_PURCHASE, FLOW_REFUND_IN_PART, FLOW_ATOMIC_BATCH);

    private final LedgerHttp api;
    private final Tally tally;
    private final LagSampler lag;
    private final int sampleEvery;
    private final Map<String, ReentrantLock> hotAccounts;
    private final AtomicLong postedAccepted = new AtomicLong();
    private final AtomicLong paymentsDone = new AtomicLong();
    private final Map<String, Long> transferVersions = new ConcurrentHashMap<>();
    private final Map<String, Long> transactionVersions = new ConcurrentHashMap<>();

    /**
     * @param hotAccounts accounts whose payments the clients send one at a time: the house accounts of
     *     one stream each (every card payment and split payout credits a fee account, every exchange
     *     moves both liquidity accounts). Such an account's commands serialize in the ledger anyway
     *     (each appends to its stream); sent concurrently they only lose append races and retry, which
     *     costs the emulator the work of every lost try. The funding accounts are not among them: they
     *     are sharded, and the deposits that debit them go out concurrently.
     */
    PaymentRunner(LedgerHttp api, Tally tally, LagSampler lag, int sampleEvery, List<String> hotAccounts) {
        this.hotAccounts = hotAccounts.stream().collect(Collectors.toMap(a -> a, a -> new ReentrantLock()));
        this.api = api;
        this.tally = tally;
        this.lag = lag;
        this.sampleEvery = sampleEvery;
    }

    /**
     * Runs every payment; returns the seconds it took. Prints a progress line every {@code every}: the
     * answers so far and {@code pipeline}'s account of the projections (how far behind the log they are).
     */
    double run(List<Payment> plan, int clients, Duration every, Consumer<String> progress, Supplier<String> pipeline)
            throws InterruptedException {
        long started = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        ticker.scheduleAtFixedRate(() -> progress.accept(line(plan.size(), started, pipeline)), every.toMillis(),
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
        progress.accept(line(plan.size(), started, pipeline));
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

    /** Each multi-leg transaction's stream version in the log as the answers show it, as {@link #transferVersions}. */
    Map<String, Long> transactionVersions() {
        return Map.copyOf(transactionVersions);
    }

    private String line(int payments, long started, Supplier<String> pipeline) {
        double seconds = (System.nanoTime() - started) / 1e9;
        double[] lags = lag.sortedLagsMillis();
        long sentAgain = tally.retriedByCode().getOrDefault(LedgerHttp.CONTENTION, 0L);
        long finalConflicts = tally.rejectedByCode().getOrDefault(LedgerHttp.CONTENTION, 0L);
        return String.format(Locale.ROOT, "payments %,d/%,d | commands %,d (%.0f/s): %,d accepted, %,d refused, %,d"
                        + " 409s (%,d sent again, %,d final) | projections: %s | sampled lag %s",
                paymentsDone.get(), payments, tally.sent(), tally.sent() / Math.max(seconds, 1e-9), tally.acceptedTotal(),
                tally.rejectedTotal() - finalConflicts, sentAgain + finalConflicts, sentAgain, finalConflicts,
                pipeline.get(), lags.length == 0 ? "none seen yet" : String.format(Locale.ROOT, "p50 %.1f s of %d",
                        LagSampler.percentile(lags, 0.5) / 1e3, lags.length));
    }

    private void pay(Payment payment) {
        try {
            switch (payment.kind()) {
                case DEPOSIT, TRANSFER -> posted(payment, payment.kind() == Kind.DEPOSIT ? "deposit" : "transfer");
                case HOLD_THEN_POST, HOLD_THEN_VOID -> hold(payment);
                case RETRY_SAME_ID -> {
                    posted(payment, "transfer");
                    // The client did not trust the first answer: the ledger must give the original back.
                    LedgerHttp.Answer again;
                    try {
                        again = send(payment, payment.amount(), 0);
                    } catch (LedgerHttp.NoAnswer noAnswer) {
                        tally.noAnswer("retry, same id");
                        throw noAnswer;
                    }
                    tally.record(again.status() == 200 ? "retry, same id: the original answer" : "retry, same id",
                            again);
                }
                case CONFLICTING_RETRY -> {
                    posted(payment, "transfer");
                    counted("retry, same id, another amount",
                            () -> send(payment, PaymentPlan.decimal(payment.amountMinor() + 1), 0));
                }
                case CARD_PAYMENT, SPLIT_PAYOUT, EXCHANGE -> transaction(payment);
                case PARTIAL_REFUND -> refundInPart(payment);
                case ATOMIC_BATCH -> atomicBatch(payment);
                default -> throw new IllegalStateException("unplanned kind " + payment.kind());
            }
        } catch (LedgerHttp.NoAnswer noAnswer) {
            // counted where it happened; the payment's later commands are not sent
        } finally {
            paymentsDone.incrementAndGet();
        }
    }

    /** The label each kind of transaction is counted under (in {@link Tally}, and so in the report). */
    static String transactionLabel(Kind kind) {
        return switch (kind) {
            case CARD_PAYMENT -> FLOW_CARD_PAYMENT;
            case SPLIT_PAYOUT -> FLOW_SPLIT_PAYOUT;
            case EXCHANGE -> FLOW_EXCHANGE;
            default -> throw new IllegalArgumentException(kind + " is not sent as a transaction");
        };
    }

    /**
     * A posted transfer, sent whenever its client gets to it: a deposit too, although every deposit
     * debits a funding account (which is sharded). A sampled one's lag is measured from its answer.
     */
    private LedgerHttp.Answer posted(Payment payment, String label) {
        LedgerHttp.Answer answer = counted(label, () -> send(payment, payment.amount(), 0));
        long answered = System.nanoTime();
        if (answer.status() == 201 && postedAccepted.incrementAndGet() % sampleEvery == 0) {
            lag.sample(payment.creditAccountId(), answered);
        }
        return answer;
    }

    private void hold(Payment payment) {
        LedgerHttp.Answer placed = counted("hold placed", () -> send(payment, payment.amount(), PaymentPlan.HOLD_SECONDS));
        if (placed.status() != 201) {
            return;
        }
        if (payment.kind() == Kind.HOLD_THEN_VOID) {
            counted("hold voided", () -> transferCommand(payment, () -> api.voidPending(payment.id())));
        } else if (payment.partialMinor() > 0) {
            counted("hold posted in part", () -> transferCommand(payment, () -> api.postPending(payment.id(),
                    PaymentPlan.decimal(payment.partialMinor()))));
        } else {
            counted("hold posted", () -> transferCommand(payment, () -> api.postPending(payment.id(), null)));
        }
    }

    /**
     * A multi-leg transaction, sent while none of its house accounts (the fee and liquidity accounts
     * every such payment credits or debits) is in another request of this client.
     */
    private void transaction(Payment payment) {
        List<LedgerHttp.Entry> entries = payment.entries().stream().map(PaymentPlan.Entry::toHttp).toList();
        counted(transactionLabel(payment.kind()), () -> oneAtATime(payment.accountIds(), () -> {
            LedgerHttp.Answer answer = uncontended(payment, () -> api.transaction(payment.id(), entries,
                    payment.metadata()));
            track(transactionVersions, payment.id(), answer);
            return answer;
        }));
    }

    /**
     * A purchase, then part of it given back: the reversal's debit is the payee's (who may have spent
     * the money meanwhile: {@code insufficient_funds}), its credit the payer's. An accepted reversal is
     * one more event on the transfer's stream.
     */
    private void refundInPart(Payment payment) {
        LedgerHttp.Answer purchase = posted(payment, FLOW_REFUNDED_PURCHASE);
        if (purchase.status() != 201) {
            return;
        }
        LedgerHttp.Answer refund = counted(FLOW_REFUND_IN_PART, () -> uncontended(payment, () -> api.reverse(payment.id(),
                payment.reversalId(), PaymentPlan.decimal(payment.refundMinor()))));
        if (refund.status() == 201) {
            transferVersions.computeIfPresent(payment.id(), (id, version) -> version + 1);
        }
    }

    /**
     * The run's atomic batch, sent while none of its house accounts is in another request of this
     * client. Accepted, each item's answer shows the version of its stream; refused, no item's stream
     * was written (only the batch's own record, which no projection follows).
     */
    private void atomicBatch(Payment payment) {
        List<ObjectNode> items = payment.items().stream().map(PaymentRunner::batchItem).toList();
        LedgerHttp.Answer answer = counted(FLOW_ATOMIC_BATCH, () -> oneAtATime(payment.accountIds(),
                () -> uncontended(payment, () -> api.batch(payment.id(), true, items))));
        if (!answer.ok()) {
            return;
        }
        for (int i = 0; i < payment.items().size(); i++) {
            Payment item = payment.items().get(i);
            JsonNode itemAnswer = answer.body().path("items").path(i);
            int status = itemAnswer.path("status").asInt();
            long version = status >= 200 && status < 300 ? itemAnswer.path("body").path("version").asLong(0) : 0;
            if (version > 0) {
                (item.kind().isTransaction() ? transactionVersions : transferVersions)
                        .merge(item.id(), version, Math::max);
            }
        }
    }

    private static ObjectNode batchItem(Payment item) {
        return item.kind().isTransaction()
                ? LedgerHttp.transactionItem(item.id(), item.entries().stream().map(PaymentPlan.Entry::toHttp).toList(),
                        item.metadata())
                : LedgerHttp.transferItem(item.id(), item.debitAccountId(), item.creditAccountId(), item.amount(),
                        item.currency());
    }

    /** Sends the command and counts its answer under {@code label}; a request without an answer is counted, and thrown on. */
    private LedgerHttp.Answer counted(String label, Supplier<LedgerHttp.Answer> command) {
        LedgerHttp.Answer answer;
        try {
            answer = command.get();
        } catch (LedgerHttp.NoAnswer noAnswer) {
            tally.noAnswer(label);
            throw noAnswer;
        }
        tally.record(label, answer);
        return answer;
    }

    /**
     * Runs the command while no other client of this runner sends one on the same hot accounts,
     * taken in one order (their ids') so that two payments on two of them never wait for each other.
     */
    private LedgerHttp.Answer oneAtATime(List<String> accounts, Supplier<LedgerHttp.Answer> command) {
        List<ReentrantLock> locks = accounts.stream().filter(hotAccounts::containsKey).sorted().distinct()
                .map(hotAccounts::get).toList();
        locks.forEach(ReentrantLock::lock);
        try {
            return command.get();
        } finally {
            for (int i = locks.size() - 1; i >= 0; i--) {
                locks.get(i).unlock();
            }
        }
    }

    private LedgerHttp.Answer send(Payment payment, String amount, long holdSeconds) {
        return transferCommand(payment, () -> api.transfer(payment.id(), payment.debitAccountId(),
                payment.creditAccountId(), amount, payment.currency(), holdSeconds));
    }

    /** A command on the payment's transfer, sent until it is not a contention, whose answer tells the stream's version. */
    private LedgerHttp.Answer transferCommand(Payment payment, Supplier<LedgerHttp.Answer> command) {
        LedgerHttp.Answer answer = uncontended(payment, command);
        track(transferVersions, payment.id(), answer);
        return answer;
    }

    /**
     * The stream's version as the answer shows it: a 2xx carries it, a 422 is a refusal recorded as the
     * stream's only event (version 1), anything else says nothing.
     */
    private static void track(Map<String, Long> versions, String id, LedgerHttp.Answer answer) {
        long version = answer.ok() ? answer.body().path("version").asLong(0) : answer.status() == 422 ? 1 : 0;
        if (version > 0) {
            versions.merge(id, version, Math::max);
        }
    }

    /**
     * A command sent again while the API answers that other requests kept changing its accounts
     * (409 {@code concurrent_modification}: the command lost every race it retried itself), each such
     * answer counted ({@link Tally#retried}). The jitter is seeded by the payment, so the plan stays the
     * seed's.
     */
    private LedgerHttp.Answer uncontended(Payment payment, Supplier<LedgerHttp.Answer> command) {
        return LedgerHttp.retryingContention(command, CONTENTION_ATTEMPTS, new SplittableRandom(payment.index()),
                () -> tally.retried(LedgerHttp.CONTENTION));
    }
}
