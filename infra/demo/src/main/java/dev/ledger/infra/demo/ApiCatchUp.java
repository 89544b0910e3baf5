package dev.ledger.infra.demo;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Consumer;

/**
 * Waits, over the HTTP API only, until the projections have caught up with the log: every
 * account's item in the balances and history projections, and every transfer's and multi-leg
 * transaction's item in the transfers projection, at the version of the stream's head in the log.
 *
 * <ul>
 *   <li>An account's head is {@code events} of {@code GET /audit/accounts/{id}/verify} (read from the
 *       log itself), read once (no command may run meanwhile); its balances item's version is
 *       {@code version} of {@code GET /accounts/{id}}, its history item's the last entry's
 *       {@code version} of {@code GET /accounts/{id}/history} (paged).
 *   <li>A transfer's head is what the workload's answers showed ({@link PaymentRunner#transferVersions}:
 *       its reversals included, each a version of its stream); its item's version is {@code version}
 *       of {@code GET /transfers/{id}}.
 *   <li>A transaction's head likewise ({@link PaymentRunner#transactionVersions}); its item's version
 *       is {@code version} of {@code GET /transactions/{id}}.
 * </ul>
 *
 * <p>A reversal's own stream has no projection item (it shows in its transfer's item and in both
 * accounts' items, whose heads count its events).
 *
 * <p>Round after round, the items still behind are read in a fixed order until the first one that
 * is still behind: an item never falls back once at the head, and while the pipeline is far behind
 * a round costs a request or two, which leaves the emulator to the pipeline being waited for.
 *
 * <p>The API does not tell a blocked item (one whose event could not be applied, so it never
 * catches up) from one that is merely behind. So the wait also ends on a stall: when for
 * {@link #STALL} no item reached its head and neither the first item behind nor the busiest
 * account moved in the balances or history projection.
 */
public final class ApiCatchUp {

    /** No progress for this long ends the wait: a blocked item, or a stopped pipeline. */
    public static final Duration STALL = Duration.ofSeconds(180);
    private static final Duration ROUND_PAUSE = Duration.ofMillis(100);
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(2);
    private static final int HISTORY_PAGE = 1000;

    private final LedgerHttp api;
    private final int threads;
    private final Duration stall;

    public ApiCatchUp(LedgerHttp api, int threads) {
        this(api, threads, STALL);
    }

    ApiCatchUp(LedgerHttp api, int threads, Duration stall) {
        this.api = api;
        this.threads = threads;
        this.stall = stall;
    }

    /** How the wait ended: items in all, items still behind, the first one behind if a stall ended it. */
    public record Outcome(int items, int behind, Optional<String> stalledAt, Duration stall, double seconds) {

        public boolean caughtUp() {
            return behind == 0;
        }

        public String summary() {
            return String.format(Locale.ROOT, "%d of %d projection items at the log head after %.1f s%s",
                    items - behind, items, seconds, stalledAt.map(item -> String.format(Locale.ROOT,
                            "; stalled (no progress for %d s; the API does not tell a blocked item from a slow"
                                    + " one): first behind %s", stall.toSeconds(), item)).orElse(""));
        }
    }

    private enum Projection { BALANCES, HISTORY, TRANSFERS, TRANSACTIONS }

    private static final class Item {
        final Projection projection;
        final String id;
        final long head;
        long seen;
        String historyCursor;

        Item(Projection projection, String id, long head) {
            this.projection = projection;
            this.id = id;
            this.head = head;
        }

        String describe() {
            return String.format(Locale.ROOT, "%s %s (at version %d of %d)", projection.name().toLowerCase(Locale.ROOT),
                    id, seen, head);
        }
    }

    /**
     * Waits for these transfers and transactions (in the order given, those with a version) and then
     * these accounts (accounts the log does not have are not expected anywhere). Transfers and
     * transactions come first, so the count the wait reports grows as the pipeline works through the
     * log (an account, touched until the last payment, reaches its head only at the very end).
     *
     * @param sharded the sharded ones among the accounts: a sharded account's balances item is versioned by
     *     the sum of its shards' versions, as the audit route counts its events, but its history entries
     *     carry each shard's own version and none for a move between shards, so only its balances item
     *     is waited for
     * @param payments each transfer's or transaction's id, in the order they were planned
     * @param transferVersions the log head of each transfer stream the answers showed
     * @param transactionVersions the log head of each transaction stream the answers showed
     */
    public Outcome await(Collection<String> accountIds, Set<String> sharded, List<String> payments,
                         Map<String, Long> transferVersions, Map<String, Long> transactionVersions, Duration timeout,
                         Consumer<String> progress) throws InterruptedException {
        long started = System.nanoTime();
        Deadline deadline = Deadline.in(timeout);
        Deque<Item> behind = new ArrayDeque<>();
        for (String payment : payments) {
            Long transfer = transferVersions.get(payment);
            if (transfer != null) {
                behind.add(new Item(Projection.TRANSFERS, payment, transfer));
            }
            Long transaction = transactionVersions.get(payment);
            if (transaction != null) {
                behind.add(new Item(Projection.TRANSACTIONS, payment, transaction));
            }
        }
        List<String> accounts = List.copyOf(accountIds);
        progress.accept(String.format(Locale.ROOT, "catching up: reading the log heads of %d accounts (GET"
                + " /audit/accounts/{id}/verify)", accounts.size()));
        List<OptionalLong> heads = inParallel(() -> accounts.parallelStream().map(this::logHead).toList());
        progress.accept(String.format(Locale.ROOT, "catching up: %d account heads read in %.1f s", accounts.size(),
                (System.nanoTime() - started) / 1e9));
        List<Item> pulse = new ArrayList<>();
        long busiest = 0;
        for (int i = 0; i < accounts.size(); i++) {
            if (heads.get(i).isPresent()) {
                long head = heads.get(i).getAsLong();
                behind.add(new Item(Projection.BALANCES, accounts.get(i), head));
                if (sharded.contains(accounts.get(i))) {
                    continue;
                }
                behind.add(new Item(Projection.HISTORY, accounts.get(i), head));
                if (head > busiest) {
                    busiest = head;
                    pulse = List.of(new Item(Projection.BALANCES, accounts.get(i), head),
                            new Item(Projection.HISTORY, accounts.get(i), head));
                }
            }
        }
        int items = behind.size();
        Deadline nextLine = Deadline.in(PROGRESS_EVERY);
        Deadline stalledBy = Deadline.in(stall);
        while (true) {
            boolean moved = false;
            while (!behind.isEmpty()) {
                Item item = behind.peekFirst();
                moved |= read(item);
                if (item.seen < item.head) {
                    break;
                }
                behind.removeFirst();
                moved = true;
                // Far behind, a round stops at the first item; caught up, one round reads every item,
                // which takes a while on thousands: the line goes out in both cases.
                if (nextLine.passed() && !behind.isEmpty()) {
                    progress.accept(line(items, behind, started));
                    nextLine = Deadline.in(PROGRESS_EVERY);
                }
            }
            for (Item busy : pulse) {
                moved |= busy.seen < busy.head && read(busy);
            }
            if (moved) {
                stalledBy = Deadline.in(stall);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            if (behind.isEmpty() || deadline.passed() || stalledBy.passed()) {
                Optional<String> stalledAt = !behind.isEmpty() && stalledBy.passed() && !deadline.passed()
                        ? Optional.of(behind.peekFirst().describe()) : Optional.empty();
                return new Outcome(items, behind.size(), stalledAt, stall, seconds);
            }
            if (nextLine.passed()) {
                progress.accept(line(items, behind, started));
                nextLine = Deadline.in(PROGRESS_EVERY);
            }
            Thread.sleep(ROUND_PAUSE.toMillis());
        }
    }

    private static String line(int items, Deque<Item> behind, long started) {
        return String.format(Locale.ROOT, "catching up: %,d of %,d projection items at the log head (%.0f s); next"
                + " %s", items - behind.size(), items, (System.nanoTime() - started) / 1e9, behind.peekFirst().describe());
    }

    /** The account stream's head version in the log; empty if the log has no such account. */
    private OptionalLong logHead(String accountId) {
        LedgerHttp.Answer verified = api.verify(accountId);
        if (verified.status() == 404) {
            return OptionalLong.empty();
        }
        if (!verified.ok()) {
            throw new IllegalStateException("GET /audit/accounts/" + accountId + "/verify: " + verified.status()
                    + " " + verified.body());
        }
        return OptionalLong.of(verified.body().path("events").asLong());
    }

    /**
     * Reads where the item's projection stands; true if it moved. A 404 is "nothing yet"; another
     * refusal, or no answer, leaves the item where it was seen last (read again next round).
     */
    private boolean read(Item item) {
        long before = item.seen;
        try {
            switch (item.projection) {
                case BALANCES -> version(api.account(item.id)).ifPresent(v -> item.seen = Math.max(item.seen, v));
                case TRANSFERS -> version(api.transferById(item.id)).ifPresent(v -> item.seen = Math.max(item.seen, v));
                case TRANSACTIONS -> version(api.transactionById(item.id))
                        .ifPresent(v -> item.seen = Math.max(item.seen, v));
                case HISTORY -> readHistory(item);
                default -> throw new IllegalStateException("unknown projection " + item.projection);
            }
        } catch (LedgerHttp.NoAnswer noAnswer) {
            return false;
        }
        return item.seen > before;
    }

    private static OptionalLong version(LedgerHttp.Answer answer) {
        if (answer.ok()) {
            return OptionalLong.of(answer.body().path("version").asLong(0));
        }
        return answer.status() == 404 ? OptionalLong.of(0) : OptionalLong.empty();
    }

    /** Pages on from the last full page read before, so a round reads at most one page or two. */
    private void readHistory(Item item) {
        while (true) {
            LedgerHttp.Answer page = api.history(item.id, item.historyCursor, HISTORY_PAGE);
            if (!page.ok()) {
                return;
            }
            JsonNode entries = page.body().path("entries");
            for (JsonNode entry : entries) {
                item.seen = Math.max(item.seen, entry.path("version").asLong(0));
            }
            JsonNode next = page.body().path("nextCursor");
            if (!next.isTextual() || next.asText().isEmpty() || entries.isEmpty()) {
                return;
            }
            item.historyCursor = next.asText();
        }
    }

    private <T> T inParallel(Callable<T> work) throws InterruptedException {
        ForkJoinPool pool = new ForkJoinPool(threads);
        try {
            return pool.submit(work).get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(cause);
        } finally {
            pool.shutdownNow();
        }
    }
}
