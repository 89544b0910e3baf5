package dev.ledger.infra.local;

import dev.ledger.domain.api.StreamId;
import dev.ledger.projections.Projection;
import dev.ledger.store.DynamoEventStore;
import dev.ledger.store.EventStore;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Consumer;

/**
 * A test helper reading the log and the projections' tables directly (the demo itself waits over
 * the HTTP API only, with {@code dev.ledger.infra.demo.ApiCatchUp}). Waits until the projections have caught up with the log: every stream's item in each projection
 * that follows it is at the version of the stream's head in the events table. The heads are read
 * once (no command may run meanwhile). Then, round after round, the items still behind are read
 * in a fixed order until the first one that is still behind: an item never falls back once at the
 * head, and while the pipeline is far behind a round costs one read, which leaves the emulator to
 * the pipeline being waited for. A blocked item never catches up, so one ends the wait at once.
 */
final class ProjectionCatchUp {

    private static final Duration ROUND_PAUSE = Duration.ofMillis(100);
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(2);

    private final DynamoEventStore log;
    private final List<Projection> projections;
    private final int threads;

    ProjectionCatchUp(DynamoEventStore log, List<Projection> projections, int threads) {
        this.log = log;
        this.projections = List.copyOf(projections);
        this.threads = threads;
    }

    /** How the wait ended: items in all, items still behind, the blocked item if one ended it. */
    public record Outcome(int items, int behind, List<String> blocked, double seconds) {

        public boolean caughtUp() {
            return behind == 0 && blocked.isEmpty();
        }

        public String summary() {
            return String.format(Locale.ROOT, "%d of %d projection items at the log head after %.1f s%s",
                    items - behind, items, seconds, blocked.isEmpty() ? "" : "; blocked: " + blocked);
        }
    }

    private record Item(Projection projection, StreamId stream, long head) {
        String describe() {
            return projection.name() + " " + stream.id();
        }
    }

    /** Waits for these streams (streams without a head in the log are not expected anywhere). */
    public Outcome await(Collection<StreamId> streams, Duration timeout, Consumer<String> progress)
            throws InterruptedException {
        long started = System.nanoTime();
        long deadline = System.nanoTime() + timeout.toNanos();
        ForkJoinPool pool = new ForkJoinPool(threads);
        try {
            // Every stream's head, in the order given (read in parallel, once)
            List<Optional<EventStore.Head>> heads = inParallel(pool, () -> streams.parallelStream()
                    .map(log::readHead).toList());
            Deque<Item> behind = new ArrayDeque<>();
            for (Optional<EventStore.Head> head : heads) {
                head.ifPresent(h -> projections.stream().filter(p -> p.follows(h.stream()))
                        .forEach(p -> behind.add(new Item(p, h.stream(), h.version()))));
            }
            int items = behind.size();
            long nextLine = System.nanoTime() + PROGRESS_EVERY.toNanos();
            while (true) {
                Optional<String> blocked = Optional.empty();
                while (!behind.isEmpty() && blocked.isEmpty()) {
                    Item item = behind.peekFirst();
                    Projection.Position position = item.projection().position(item.stream());
                    if (position.blocked()) {
                        blocked = Optional.of(item.describe());
                    } else if (position.version() < item.head()) {
                        break;
                    } else {
                        behind.removeFirst();
                    }
                }
                double seconds = (System.nanoTime() - started) / 1e9;
                if (behind.isEmpty() || blocked.isPresent() || System.nanoTime() - deadline > 0) {
                    return new Outcome(items, behind.size(), blocked.stream().toList(), seconds);
                }
                if (System.nanoTime() - nextLine > 0) {
                    progress.accept(String.format(Locale.ROOT, "catching up: %d of %d projection items at the log"
                            + " head (%.0f s)", items - behind.size(), items, seconds));
                    nextLine = System.nanoTime() + PROGRESS_EVERY.toNanos();
                }
                Thread.sleep(ROUND_PAUSE.toMillis());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static <T> T inParallel(ForkJoinPool pool, java.util.concurrent.Callable<T> work)
            throws InterruptedException {
        try {
            return pool.submit(work).get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(cause);
        }
    }

    /**
     * The streams of these accounts and transfers, transfers first in the order given: the wait reads
     * them in this order, so the count it reports grows as the pipeline works through the log (an
     * account, touched until the last payment, reaches its head only at the very end).
     */
    public static List<StreamId> streams(Collection<String> accountIds, Collection<String> transferIds) {
        List<StreamId> streams = new ArrayList<>();
        transferIds.forEach(id -> streams.add(StreamId.transfer(id)));
        accountIds.forEach(id -> streams.add(StreamId.account(id)));
        return streams;
    }
}
