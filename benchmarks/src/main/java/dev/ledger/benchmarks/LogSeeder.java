package dev.ledger.benchmarks;

import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.ledger.Ledger;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.store.DynamoEventStore;
import dev.ledger.store.EventStore;
import dev.ledger.store.EventsTable;
import dev.ledger.store.HashChainCursor;
import dev.ledger.store.StoredEvent;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Fills an events table with a long, valid log fast: the ledger decides every command in memory
 * ({@link MemoryLog}: the domain's own Ledger, hash chains as the store extends them), and the
 * events, then every stream's final head, go in with BatchWriteItem (25 items a call) from several
 * threads. The command path on the emulator manages about 80 transactions a second; this writes
 * thousands of items a second, and the log is the same: {@link #checkStream} reads a stream back
 * through the store and its chain verifier.
 *
 * <p>The log: {@code fundingAccounts} accounts with an unlimited overdraft ({@code f0}...) pay
 * {@code customers} accounts ({@code c0}...) 1.00 EUR in turn, posted transfers {@code seed-N} of
 * three events each, until the log holds {@code targetEvents} events (one transfer more at most).
 * Time is a fixed start plus one millisecond per command, so two runs write the same log. Account streams
 * get their checkpoints ({@code AccountCheckpoint}) as the stores write them.
 */
final class LogSeeder {

    static final CurrencyUnit EUR = CurrencyUnit.of("EUR");
    static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    private static final int BATCH = 25;

    /** How the log is spread over accounts. */
    record Shape(int fundingAccounts, int customers) {
        String funding(int i) {
            return "f" + Math.floorMod(i, fundingAccounts);
        }

        String customer(int i) {
            return "c" + Math.floorMod(i, customers);
        }
    }

    /** What was written: events, items (events and heads), streams, and the time it took. */
    record Seeded(long events, long items, long streams, double seconds) {
        double itemsPerSecond() {
            return items / seconds;
        }
    }

    private final DynamoDbClient dynamo;
    private final int writers;

    LogSeeder(DynamoDbClient dynamo, int writers) {
        this.dynamo = dynamo;
        this.writers = writers;
    }

    Seeded seed(String table, Shape shape, long targetEvents) {
        long started = System.nanoTime();
        MemoryLog log = new MemoryLog();
        long[] tick = {0};
        ExecutorService pool = new ThreadPoolExecutor(writers, writers, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(writers * 2), new ThreadPoolExecutor.CallerRunsPolicy());
        List<Future<?>> sent = new ArrayList<>();
        List<Map<String, AttributeValue>> batch = new ArrayList<>();
        long events = 0;
        long items = 0;
        Function<Function<Ledger, LedgerResult>, List<StoredEvent>> decide = command -> {
            Instant now = START.plusMillis(tick[0]++);
            Ledger ledger = new Ledger(log, Clock.fixed(now, ZoneOffset.UTC));
            return log.append(command.apply(ledger), now, "seed");
        };
        List<List<StoredEvent>> opened = new ArrayList<>();
        for (int f = 0; f < shape.fundingAccounts(); f++) {
            String account = shape.funding(f);
            opened.add(decide.apply(l -> l.openAccount(new OpenAccount(account, EUR, OverdraftLimit.UNLIMITED))));
        }
        for (int c = 0; c < shape.customers(); c++) {
            String account = shape.customer(c);
            opened.add(decide.apply(l -> l.openAccount(new OpenAccount(account, EUR, OverdraftLimit.NONE))));
        }
        List<StoredEvent> pending = new ArrayList<>();
        opened.forEach(pending::addAll);
        for (int i = 0; events + pending.size() < targetEvents; i++) {
            int n = i;
            pending.addAll(decide.apply(l -> l.transfer("seed-" + n,
                    TransferRequest.posted(shape.funding(n), shape.customer(n), Money.parse("1.00", EUR)))));
            if (pending.size() >= BATCH * 40) {
                events += pending.size();
                items += queue(pending.stream().map(EventsTable::toItem).toList(), batch, table, pool, sent);
                items += queue(log.takeCheckpoints().stream().map(EventsTable::checkpointItem).toList(), batch, table,
                        pool, sent);
                pending.clear();
            }
        }
        events += pending.size();
        items += queue(pending.stream().map(EventsTable::toItem).toList(), batch, table, pool, sent);
        // Checkpoints as the stores write them with the events (issue 16 §3): a seeded log reads as one the
        // ledger wrote, as of any instant too.
        items += queue(log.takeCheckpoints().stream().map(EventsTable::checkpointItem).toList(), batch, table, pool,
                sent);
        // Heads last, once each: a BatchWriteItem may not hold one key twice, and a head is final only now.
        List<Map<String, AttributeValue>> heads = log.heads().stream()
                .map(h -> EventsTable.headItem(h.stream(), h.version(), h.hash(), h.state(), h.createdAt())).toList();
        items += queue(heads, batch, table, pool, sent);
        if (!batch.isEmpty()) {
            List<Map<String, AttributeValue>> last = List.copyOf(batch);
            sent.add(pool.submit(() -> write(table, last)));
        }
        try {
            for (Future<?> future : sent) {
                future.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while seeding", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("seeding " + table + " failed", e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return new Seeded(events, items, log.heads().size(), (System.nanoTime() - started) / 1e9);
    }

    /**
     * Reads a stream back through the store and fails unless its chain verifies and ends where its
     * head item says: the seeded log is one the ledger itself could have written.
     */
    void checkStream(String table, StreamId stream) {
        DynamoEventStore store = new DynamoEventStore(dynamo, table);
        HashChainCursor.Verification chain = HashChainCursor.verify(store.readStream(stream, 1));
        EventStore.Head head = store.readHead(stream).orElseThrow(() -> new IllegalStateException(
                stream + " has no head in " + table));
        if (!chain.valid() || chain.events() != head.version() || !chain.headHash().equals(head.hash())) {
            throw new IllegalStateException("seeded " + stream + " in " + table + " does not verify: " + chain
                    + " against head v" + head.version());
        }
    }

    private long queue(List<Map<String, AttributeValue>> items, List<Map<String, AttributeValue>> batch, String table,
                       ExecutorService pool, List<Future<?>> sent) {
        for (Map<String, AttributeValue> item : items) {
            batch.add(item);
            if (batch.size() == BATCH) {
                List<Map<String, AttributeValue>> full = List.copyOf(batch);
                sent.add(pool.submit(() -> write(table, full)));
                batch.clear();
            }
        }
        return items.size();
    }

    private void write(String table, List<Map<String, AttributeValue>> items) {
        List<WriteRequest> requests = items.stream()
                .map(item -> WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build())
                .toList();
        for (int attempt = 1; !requests.isEmpty(); attempt++) {
            if (attempt > 20) {
                throw new IllegalStateException(requests.size() + " items still unprocessed after 20 attempts");
            }
            List<WriteRequest> now = requests;
            BatchWriteItemResponse response = dynamo.batchWriteItem(r -> r.requestItems(Map.of(table, now)));
            requests = response.hasUnprocessedItems() ? response.unprocessedItems().getOrDefault(table, List.of())
                    : List.of();
        }
    }
}
