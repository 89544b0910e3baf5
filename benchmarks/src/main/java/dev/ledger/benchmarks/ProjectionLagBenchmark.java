package dev.ledger.benchmarks;

import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.ledger.Ledger;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.functions.command.CommandService;
import dev.ledger.functions.command.RetryPolicy;
import dev.ledger.infra.local.LocalStack;
import dev.ledger.infra.local.streams.EventSourceRuntime;
import dev.ledger.infra.local.streams.MappingStats;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.MotoServer;
import dev.ledger.projections.ProjectionCatalog;
import dev.ledger.projections.ProjectionTables;
import dev.ledger.store.DynamoEventStore;
import dev.ledger.store.StoredEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.HdrHistogram.Histogram;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.Record;

/**
 * The read path on the local stack, one fresh emulator for everything:
 *
 * <ol>
 *   <li><b>Projection lag</b>: transfers committed at a steady target rate (an open-loop schedule:
 *       each transfer has an intended start; a pool of workers runs them through
 *       {@link CommandService}, the command Lambda's unit of work, against the stack's events table),
 *       while the local event-source runtime carries them events table stream -> publisher ->
 *       Kinesis -> projections. A poller thread reads the balances table (GetItem, consistent, only
 *       for accounts with a commit not yet seen) and records, per transfer, the time from the
 *       command's return to the moment the credited account's balance item shows that version.
 *   <li><b>Catch-up</b>: with the event sources off, a backlog of N events is written (parallel
 *       writers on disjoint accounts); then the stack is restarted with its event sources (same
 *       stack, same emulator) and the time until the balances projection shows every account's
 *       head version gives events/s.
 *   <li><b>Baseline</b>, in the same run on the same emulator: the emulator's raw rate for the
 *       equivalent work: GetRecords over the backlog's DynamoDB stream and its Kinesis stream
 *       (batches of 100, the mappings' BatchSize) plus one conditional PutItem per event into a
 *       scratch table.
 * </ol>
 *
 * Arguments: results file, backlog events (default 20,000), lag rates in transfers/s (default
 * "50,15,10,5"), seconds of steady load per rate (default 30).
 */
public final class ProjectionLagBenchmark {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");
    private static final int PAIRS = 8;
    private static final int LAG_WORKERS = 16;
    private static final long POLL_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final int BACKLOG_WRITERS = 4;
    private static final int BACKLOG_CUSTOMERS = 3;
    private static final int BATCH = 100;
    private static final int RAW_PUT_THREADS = 4;
    private static final List<String> PROJECTION_MAPPINGS = List.of("BalancesProjectionMapping",
            "HistoryProjectionMapping", "TransfersProjectionMapping");

    private ProjectionLagBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int backlog = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        List<Integer> rates = new ArrayList<>();
        for (String rate : (args.length > 2 ? args[2] : "50,15,10,5").split(",")) {
            rates.add(Integer.parseInt(rate.trim()));
        }
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 30;
        run(args, backlog, rates, seconds);
    }

    static void run(String[] args, int backlog, List<Integer> rates, int seconds) throws Exception {
        try (MotoServer moto = MotoServer.start();
             AwsClients aws = AwsClients.forEndpoint(moto.endpoint())) {
            Results.append(args, lagSection(moto, aws, rates, seconds));
            Results.append(args, catchUpSection(moto, aws, backlog));
        }
    }

    private static LocalStack.Options options(MotoServer moto, String name) throws Exception {
        Path state = Files.createTempDirectory("bench-read-path").resolve("local.json");
        return LocalStack.Options.defaults().withPort(0).withEmulator(moto.endpoint()).withStackName(name)
                .withCodeBucket(name + "-code").withStateFile(state).withApiTokens("bench-token=payments")
                .withEventSources(EventSourceRuntime.Settings.defaults());
    }

    // ------------------------------------------------------------------------------------------
    // 1. Projection lag at a steady rate

    private static String lagSection(MotoServer moto, AwsClients aws, List<Integer> rates, int seconds)
            throws Exception {
        StringBuilder out = new StringBuilder();
        try (LocalStack stack = LocalStack.start(options(moto, "bench-lag"))) {
            String events = stack.outputs().get("EventsTableName");
            String balances = stack.outputs().get("BalancesTableName");
            ThreadLocal<CommandService> commands = commandsFor(aws.dynamoDb(), events);
            for (int i = 0; i < PAIRS; i++) {
                run(commands.get(), open("f" + i, OverdraftLimit.UNLIMITED));
                run(commands.get(), open("c" + i, OverdraftLimit.NONE));
            }
            EventSourceRuntime runtime = stack.eventSources().orElseThrow();

            // Warm-up (JIT, connections, shard discovery): not recorded.
            settle(runtime);
            LagResult warm = lag(aws.dynamoDb(), commands, balances, "warm", 10, 5);
            System.err.println("warm-up: " + warm.summary());

            out.append(String.format(Locale.ROOT, "## Projection lag: commit to visible in the balance projection%n%n"
                    + "Open-loop schedule (each transfer has an intended start; %d workers run them through"
                    + " CommandService against the stack's events table), %d s of steady load per rate, posted"
                    + " transfers over %d funding -> customer pairs. Lag = from the command's return to the poll"
                    + " that finds the credited account's balance item at that version (a poller thread, consistent"
                    + " GetItem only for accounts with an unseen commit, %d ms pause between rounds: the figures"
                    + " include up to one round of resolution). Event-source runtime at its defaults (poll interval"
                    + " 100 ms, 4 threads, BatchSize 100): events table stream -> publisher -> Kinesis (1 shard)"
                    + " -> balances, history and transfers projections, all running.%n%n",
                    LAG_WORKERS, seconds, PAIRS, POLL_PAUSE_NANOS / 1_000_000));
            out.append("| target transfers/s | achieved commits/s | commits (not started in time, failed) |"
                    + " lag p50 ms | lag p99 ms | lag max ms | lag p50 by thirds of the run, ms | commit latency"
                    + " from intended start p50 / p99 ms | seen only after the last commit | unseen at the deadline |"
                    + " balance GetItems by the poller |\n");
            out.append("|---:|---:|---|---:|---:|---:|---|---|---:|---:|---:|\n");
            List<LagResult> results = new ArrayList<>();
            for (int rate : rates) {
                settle(runtime);
                MappingStats.Snapshot before = runtime.stats("BalancesProjectionMapping");
                LagResult result = lag(aws.dynamoDb(), commands, balances, "r" + rate, rate, seconds);
                MappingStats.Snapshot after = runtime.stats("BalancesProjectionMapping");
                System.err.println("rate " + rate + ": " + result.summary() + "; balances mapping invocations "
                        + (after.invocations() - before.invocations()) + ", partial failures "
                        + (after.partialFailures() - before.partialFailures()));
                results.add(result);
                out.append(result.row()).append('\n');
            }
            out.append('\n');
            for (LagResult result : results) {
                out.append(result.verdict()).append('\n');
            }
            out.append('\n');
        }
        return out.toString();
    }

    /** Waits (up to 60 s) until no mapping has delivered a record for a second: the last run's tail is done. */
    private static void settle(EventSourceRuntime runtime) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long previous = -1;
        while (System.nanoTime() < deadline) {
            long delivered = 0;
            for (var mapping : runtime.mappings()) {
                delivered += runtime.stats(mapping.id()).recordsDelivered();
            }
            if (delivered == previous) {
                return;
            }
            previous = delivered;
            Thread.sleep(1000);
        }
    }

    private record Pending(long commitNanos, long offsetNanos) {
    }

    private record LagResult(int target, int seconds, long scheduled, long committed, long notStarted, long failed,
                             double achieved, Histogram lag, Histogram commit, double[] thirdsP50, long unseen,
                             long seenAfterLoad, long pollReads) {

        String summary() {
            return String.format(Locale.ROOT, "target %d/s achieved %.1f/s, %d commits, lag p50 %.0f ms p99 %.0f ms"
                            + " max %.0f ms, unseen %d", target, achieved, committed, ms(lag, 50), ms(lag, 99),
                    lag.getMaxValue() / 1000.0, unseen);
        }

        String row() {
            return String.format(Locale.ROOT, "| %d | %.1f | %d (%d, %d) | %.0f | %.0f | %.0f | %s | %.0f / %.0f | %d | %d | %d |",
                    target, achieved, committed, notStarted, failed, ms(lag, 50), ms(lag, 99),
                    lag.getMaxValue() / 1000.0, thirds(), ms(commit, 50), ms(commit, 99), seenAfterLoad, unseen,
                    pollReads);
        }

        String thirds() {
            List<String> parts = new ArrayList<>();
            for (double p : thirdsP50) {
                parts.add(Double.isNaN(p) ? "-" : String.format(Locale.ROOT, "%.0f", p));
            }
            return String.join(" -> ", parts);
        }

        boolean sustained() {
            return achieved >= 0.95 * target && notStarted == 0 && unseen == 0;
        }

        String verdict() {
            if (sustained()) {
                boolean growing = thirdsP50[2] > 1.5 * Math.max(thirdsP50[0], 50);
                return String.format(Locale.ROOT, "- %d transfers/s: commits sustained (achieved %.1f/s, %d failed);"
                        + " lag p50 by thirds %s ms: %s.", target, achieved, failed, thirds(),
                        growing ? "**growing**, the projections fall slowly behind at this rate"
                                : "no sustained growth, the projections keep up");
            }
            return String.format(Locale.ROOT, "- %d transfers/s: **not sustained** on this emulator: %.1f commits/s"
                    + " achieved (%d of %d scheduled not started within 2 s of the window's end, %d failed), lag p50"
                    + " by thirds %s ms; %d of %d commits became visible only after the last commit (the writes"
                    + " saturate the emulator and the stream consumers get little of it until the load stops);"
                    + " %d commits not visible at the 60 s deadline.",
                    target, achieved, notStarted, scheduled, failed, thirds(), seenAfterLoad, committed, unseen);
        }
    }

    private static LagResult lag(DynamoDbClient dynamo, ThreadLocal<CommandService> commands, String balances,
                                 String prefix, int rate, int seconds) throws Exception {
        long scheduled = (long) rate * seconds;
        long interval = 1_000_000_000L / rate;
        Map<String, ConcurrentSkipListMap<Long, Pending>> pending = new ConcurrentHashMap<>();
        for (int i = 0; i < PAIRS; i++) {
            pending.put("c" + i, new ConcurrentSkipListMap<>());
        }
        Histogram lag = new Histogram(TimeUnit.MINUTES.toMicros(30), 3);
        Histogram commit = new Histogram(TimeUnit.MINUTES.toMicros(30), 3);
        ConcurrentLinkedQueue<long[]> samples = new ConcurrentLinkedQueue<>();
        AtomicLong committed = new AtomicLong();
        AtomicLong notStarted = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong lastCommit = new AtomicLong();
        AtomicLong pollReads = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
        long windowEnd = start + TimeUnit.SECONDS.toNanos(seconds);
        long startBy = windowEnd + TimeUnit.SECONDS.toNanos(2);

        Thread poller = new Thread(() -> {
            while (!stop.get()) {
                for (Map.Entry<String, ConcurrentSkipListMap<Long, Pending>> account : pending.entrySet()) {
                    if (account.getValue().isEmpty()) {
                        continue;
                    }
                    long version = balanceVersion(dynamo, balances, account.getKey());
                    pollReads.incrementAndGet();
                    long now = System.nanoTime();
                    Map<Long, Pending> seen = account.getValue().headMap(version, true);
                    for (Map.Entry<Long, Pending> entry : List.copyOf(seen.entrySet())) {
                        long micros = Math.max(0, (now - entry.getValue().commitNanos()) / 1000);
                        synchronized (lag) {
                            lag.recordValue(micros);
                        }
                        samples.add(new long[] {entry.getValue().offsetNanos(), micros, now});
                        seen.remove(entry.getKey());
                    }
                }
                LockSupport.parkNanos(POLL_PAUSE_NANOS);
            }
        }, "lag-poller");
        poller.setDaemon(true);
        poller.start();

        ExecutorService workers = Executors.newFixedThreadPool(LAG_WORKERS);
        List<Future<?>> futures = new ArrayList<>();
        for (long k = 0; k < scheduled; k++) {
            long intended = start + k * interval;
            long wait = intended - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            int pair = (int) (k % PAIRS);
            String transferId = prefix + "-" + k;
            futures.add(workers.submit(() -> {
                if (System.nanoTime() > startBy) {
                    notStarted.incrementAndGet();
                    return;
                }
                String credit = "c" + pair;
                try {
                    CommandService.Committed done = commands.get().execute("bench", l -> l.transfer(transferId,
                            TransferRequest.posted("f" + pair, credit, Money.parse("1.00", EUR))));
                    long now = System.nanoTime();
                    if (done.result().isRejected()) {
                        failed.incrementAndGet();
                        return;
                    }
                    synchronized (commit) {
                        commit.recordValue(Math.max(0, (now - intended) / 1000));
                    }
                    StreamId creditStream = StreamId.account(credit);
                    long version = done.events().stream().filter(e -> e.stream().equals(creditStream))
                            .mapToLong(StoredEvent::version).max().orElseThrow();
                    pending.get(credit).put(version, new Pending(now, now - start));
                    committed.incrementAndGet();
                    lastCommit.accumulateAndGet(now, Math::max);
                } catch (RuntimeException e) {
                    failed.incrementAndGet();
                    System.err.println("transfer " + transferId + " failed: " + e);
                }
            }));
        }
        workers.shutdown();
        workers.awaitTermination(10, TimeUnit.MINUTES);
        long end = Math.max(windowEnd, lastCommit.get());
        double achieved = committed.get() / ((end - start) / 1e9);

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && pending.values().stream().anyMatch(m -> !m.isEmpty())) {
            Thread.sleep(50);
        }
        stop.set(true);
        poller.join();
        long unseen = pending.values().stream().mapToLong(Map::size).sum();
        long lastCommitted = lastCommit.get();
        long seenAfterLoad = samples.stream().filter(sample -> sample[2] > lastCommitted).count();

        double[] thirds = new double[3];
        for (int t = 0; t < 3; t++) {
            long from = (end - start) * t / 3;
            long to = (end - start) * (t + 1) / 3;
            Histogram part = new Histogram(TimeUnit.MINUTES.toMicros(30), 3);
            for (long[] sample : samples) {
                if (sample[0] >= from && sample[0] < to) {
                    part.recordValue(sample[1]);
                }
            }
            thirds[t] = part.getTotalCount() == 0 ? Double.NaN : ms(part, 50);
        }
        return new LagResult(rate, seconds, scheduled, committed.get(), notStarted.get(), failed.get(), achieved, lag,
                commit, thirds, unseen, seenAfterLoad, pollReads.get());
    }

    private static long balanceVersion(DynamoDbClient dynamo, String table, String account) {
        GetItemResponse response = dynamo.getItem(r -> r.tableName(table).consistentRead(true)
                .key(Map.of(ProjectionTables.ID, AttributeValue.fromS(account)))
                .projectionExpression("#v").expressionAttributeNames(Map.of("#v", "version")));
        AttributeValue version = response.hasItem() ? response.item().get("version") : null;
        return version == null ? 0 : Long.parseLong(version.n());
    }

    // ------------------------------------------------------------------------------------------
    // 2. Catch-up over a backlog, and 3. the emulator's raw rate for the same work

    private static String catchUpSection(MotoServer moto, AwsClients aws, int target) throws Exception {
        String name = "bench-catchup";
        Map<String, Long> heads = new ConcurrentHashMap<>();
        AtomicLong written = new AtomicLong();
        double writeSeconds;
        String eventsTable;
        String balances;
        String streamArn;
        String kinesisStream;

        // The backlog, written with the stream consumers off
        try (LocalStack stack = LocalStack.start(options(moto, name).withoutEventSources())) {
            eventsTable = stack.outputs().get("EventsTableName");
            balances = stack.outputs().get("BalancesTableName");
            streamArn = stack.outputs().get("EventsStreamArn");
            kinesisStream = stack.outputs().get("LedgerStreamName");
            ThreadLocal<CommandService> commands = commandsFor(aws.dynamoDb(), eventsTable);
            ExecutorService writers = Executors.newFixedThreadPool(BACKLOG_WRITERS);
            List<Future<?>> futures = new ArrayList<>();
            long started = System.nanoTime();
            for (int w = 0; w < BACKLOG_WRITERS; w++) {
                int writer = w;
                futures.add(writers.submit(() -> {
                    CommandService service = commands.get();
                    String funding = "bf" + writer;
                    record(heads, written, run(service, open(funding, OverdraftLimit.UNLIMITED)));
                    for (int c = 0; c < BACKLOG_CUSTOMERS; c++) {
                        record(heads, written, run(service, open("bc" + writer + "-" + c, OverdraftLimit.NONE)));
                    }
                    for (int i = 0; written.get() < target; i++) {
                        String credit = "bc" + writer + "-" + (i % BACKLOG_CUSTOMERS);
                        String id = "backlog-" + writer + "-" + i;
                        record(heads, written, run(service, l -> l.transfer(id,
                                TransferRequest.posted(funding, credit, Money.parse("1.00", EUR)))));
                        if (i % 500 == 0) {
                            System.err.printf(Locale.ROOT, "backlog: %d events written%n", written.get());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
            writers.shutdown();
            writeSeconds = (System.nanoTime() - started) / 1e9;
        }
        long events = written.get();
        System.err.printf(Locale.ROOT, "backlog of %d events written in %.1f s%n", events, writeSeconds);

        // The same stack restarted with its event sources: they resume from (absent) checkpoints
        double catchUpSeconds;
        double allProjectionsSeconds;
        Map<String, MappingStats.Snapshot> stats = new HashMap<>();
        long catchUpPolls = 0;
        try (LocalStack stack = LocalStack.start(options(moto, name))) {
            long started = System.nanoTime();
            EventSourceRuntime runtime = stack.eventSources().orElseThrow();
            List<String> accounts = new ArrayList<>(heads.keySet());
            accounts.sort(null);
            long deadline = started + TimeUnit.MINUTES.toNanos(20);
            int next = 0;
            while (next < accounts.size()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the balances projection did not catch up in 20 minutes: "
                            + runtime.stats("BalancesProjectionMapping"));
                }
                String account = accounts.get(next);
                catchUpPolls++;
                if (balanceVersion(aws.dynamoDb(), balances, account) >= heads.get(account)) {
                    next++;
                    continue;
                }
                Thread.sleep(250);
            }
            catchUpSeconds = (System.nanoTime() - started) / 1e9;
            for (String mapping : runtime.mappings().stream().map(m -> m.id()).toList()) {
                stats.put(mapping, runtime.stats(mapping));
            }
            long allDeadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (System.nanoTime() < allDeadline && PROJECTION_MAPPINGS.stream()
                    .anyMatch(m -> runtime.stats(m).recordsDelivered() < events)) {
                Thread.sleep(100);
            }
            allProjectionsSeconds = (System.nanoTime() - started) / 1e9;
        }
        double catchUpRate = events / catchUpSeconds;

        Baseline raw = baseline(aws, streamArn, kinesisStream);

        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "## Catch-up over a backlog of %,d events, beside the emulator's raw"
                + " rate%n%n", events));
        out.append(String.format(Locale.ROOT, "Backlog: %,d events (%d writers on disjoint accounts, posted transfers"
                + " through CommandService: 3 events each, plus the accounts' openings), written with the event"
                + " sources off in %.1f s (%.0f events/s). Then the same stack restarted with its event-source"
                + " runtime (defaults) on the same emulator; catch-up ends when a poll (consistent GetItem, one"
                + " account at a time, 250 ms apart: %d reads) finds every account's balance item at its head"
                + " version.%n%n", events, BACKLOG_WRITERS, writeSeconds, events / writeSeconds, catchUpPolls));
        out.append("| what | events | seconds | events/s |\n|---|---:|---:|---:|\n");
        out.append(String.format(Locale.ROOT, "| catch-up: restart -> balances projection at every head (publisher"
                + " + 3 projections running) | %d | %.1f | **%.1f** |%n", events, catchUpSeconds, catchUpRate));
        out.append(String.format(Locale.ROOT, "| catch-up: restart -> all three projections delivered every"
                + " record | %d | %.1f | %.1f |%n", events, allProjectionsSeconds, events / allProjectionsSeconds));
        out.append(String.format(Locale.ROOT, "| raw: GetRecords over the events table's DynamoDB stream (%d"
                + " records: events and heads, %d a call) | %d | %.1f | %.1f |%n", raw.streamRecords, BATCH,
                raw.kinesisRecords, raw.streamSeconds, raw.kinesisRecords / raw.streamSeconds));
        out.append(String.format(Locale.ROOT, "| raw: GetRecords over the Kinesis stream (%d a call) | %d | %.1f |"
                + " %.1f |%n", BATCH, raw.kinesisRecords, raw.kinesisSeconds, raw.kinesisRecords / raw.kinesisSeconds));
        out.append(String.format(Locale.ROOT, "| raw: one conditional PutItem per event into a scratch table (%d"
                + " threads, by key) | %d | %.1f | %.1f |%n", RAW_PUT_THREADS, raw.kinesisRecords, raw.putSeconds,
                raw.kinesisRecords / raw.putSeconds));
        double rawSeconds = raw.streamSeconds + raw.kinesisSeconds + raw.putSeconds;
        double rawRate = raw.kinesisRecords / rawSeconds;
        out.append(String.format(Locale.ROOT, "| **raw total: both GetRecords passes + the PutItems** | %d | %.1f |"
                + " **%.1f** |%n%n", raw.kinesisRecords, rawSeconds, rawRate));
        out.append(String.format(Locale.ROOT, "Catch-up / raw emulator rate = **%.2f**. The pipeline reads the"
                + " Kinesis stream three times (one mapping per projection), writes Kinesis (PutRecords), reads"
                + " each projection's item per account and batch, writes history entries and transfers too, and"
                + " checkpoints every batch, all on the same single-process emulator.%n%n", catchUpRate / rawRate));
        if (events < 20_000) {
            out.append(String.format(Locale.ROOT, "N = %,d here, not 20,000: at the measured rates a 20,000-event"
                    + " backlog would take about %.0f s to write and %.0f s to catch up.%n%n", events,
                    20_000 / (events / writeSeconds), 20_000 / catchUpRate));
        }
        out.append("Event-source mapping counters at the moment the balances projection caught up:\n\n");
        out.append("| mapping | invocations | records delivered | batches ok | partial failures | function errors |"
                + " retries | checkpoints | read errors |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        stats.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            MappingStats.Snapshot s = e.getValue();
            out.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %d | %d | %d | %d |%n", e.getKey(),
                    s.invocations(), s.recordsDelivered(), s.batchesSucceeded(), s.partialFailures(),
                    s.functionErrors(), s.retries(), s.checkpoints(), s.readErrors()));
        });
        return out.toString();
    }

    private record Baseline(long streamRecords, double streamSeconds, long kinesisRecords, double kinesisSeconds,
                            double putSeconds) {
    }

    private static Baseline baseline(AwsClients aws, String streamArn, String kinesisStream) throws Exception {
        // GetRecords over the DynamoDB stream, every shard, from the start to the end
        DynamoDbStreamsClient streams = aws.dynamoDbStreams();
        long started = System.nanoTime();
        long streamRecords = 0;
        for (var shard : streams.describeStream(r -> r.streamArn(streamArn)).streamDescription().shards()) {
            String iterator = streams.getShardIterator(r -> r.streamArn(streamArn).shardId(shard.shardId())
                    .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
            while (iterator != null) {
                String at = iterator;
                var page = streams.getRecords(r -> r.shardIterator(at).limit(BATCH));
                if (page.records().isEmpty()) {
                    break;
                }
                streamRecords += page.records().size();
                iterator = page.nextShardIterator();
            }
        }
        double streamSeconds = (System.nanoTime() - started) / 1e9;

        // GetRecords over the Kinesis stream
        KinesisClient kinesis = aws.kinesis();
        started = System.nanoTime();
        List<String> keys = new ArrayList<>();
        for (var shard : kinesis.listShards(r -> r.streamName(kinesisStream)).shards()) {
            String iterator = kinesis.getShardIterator(r -> r.streamName(kinesisStream).shardId(shard.shardId())
                    .shardIteratorType(software.amazon.awssdk.services.kinesis.model.ShardIteratorType.TRIM_HORIZON))
                    .shardIterator();
            while (iterator != null) {
                String at = iterator;
                GetRecordsResponse page = kinesis.getRecords(r -> r.shardIterator(at).limit(BATCH));
                for (Record record : page.records()) {
                    keys.add(record.partitionKey());
                }
                iterator = page.nextShardIterator();
                if (page.records().isEmpty() && (page.millisBehindLatest() == null || page.millisBehindLatest() == 0)) {
                    break;
                }
            }
        }
        double kinesisSeconds = (System.nanoTime() - started) / 1e9;

        // One conditional PutItem per event, each key's versions in order, keys spread over threads
        String scratch = "bench-raw-projection";
        ProjectionCatalog.BALANCES.createTable(aws.dynamoDb(), scratch);
        List<List<String>> parts = new ArrayList<>();
        for (int t = 0; t < RAW_PUT_THREADS; t++) {
            parts.add(new ArrayList<>());
        }
        for (String key : keys) {
            parts.get(Math.floorMod(key.hashCode(), RAW_PUT_THREADS)).add(key);
        }
        String state = "{\"accountId\":\"bc0-0\",\"creditsPending\":0,\"creditsPosted\":100,\"currency\":\"EUR\","
                + "\"debitsPending\":0,\"debitsPosted\":0,\"overdraftLimit\":0,\"status\":\"OPEN\"}";
        ExecutorService pool = Executors.newFixedThreadPool(RAW_PUT_THREADS);
        started = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (List<String> part : parts) {
            futures.add(pool.submit(() -> {
                Map<String, Long> versions = new HashMap<>();
                for (String key : part) {
                    long previous = versions.getOrDefault(key, 0L);
                    long version = previous + 1;
                    versions.put(key, version);
                    Map<String, AttributeValue> item = new HashMap<>();
                    item.put(ProjectionTables.ID, AttributeValue.fromS(key));
                    item.put("version", AttributeValue.fromN(Long.toString(version)));
                    item.put("state", AttributeValue.fromS(state));
                    item.put("updatedAt", AttributeValue.fromS("2026-11-27T05:00:00.123456Z"));
                    PutItemRequest.Builder put = PutItemRequest.builder().tableName(scratch).item(item)
                            .expressionAttributeNames(Map.of("#v", "version"));
                    if (previous == 0) {
                        put.conditionExpression("attribute_not_exists(#v)");
                    } else {
                        put.conditionExpression("#v = :v")
                                .expressionAttributeValues(Map.of(":v", AttributeValue.fromN(Long.toString(previous))));
                    }
                    aws.dynamoDb().putItem(put.build());
                }
                return null;
            }));
        }
        for (Future<?> future : futures) {
            future.get();
        }
        pool.shutdown();
        double putSeconds = (System.nanoTime() - started) / 1e9;
        return new Baseline(streamRecords, streamSeconds, keys.size(), kinesisSeconds, putSeconds);
    }

    // ------------------------------------------------------------------------------------------

    private static ThreadLocal<CommandService> commandsFor(DynamoDbClient dynamo, String table) {
        AtomicInteger seeds = new AtomicInteger();
        return ThreadLocal.withInitial(() -> new CommandService(new DynamoEventStore(dynamo, table),
                Clock.systemUTC(), RetryPolicy.standard(new SplittableRandom(seeds.incrementAndGet()))));
    }

    private static Function<Ledger, LedgerResult> open(String account, OverdraftLimit limit) {
        return l -> l.openAccount(new OpenAccount(account, EUR, limit));
    }

    private static CommandService.Committed run(CommandService commands, Function<Ledger, LedgerResult> command) {
        CommandService.Committed committed = commands.execute("bench", command);
        if (committed.result().isRejected()) {
            throw new IllegalStateException("benchmark command refused: " + committed.result().rejection());
        }
        return committed;
    }

    private static void record(Map<String, Long> heads, AtomicLong written, CommandService.Committed committed) {
        for (StoredEvent event : committed.events()) {
            if (event.stream().type() == StreamId.StreamType.ACCOUNT) {
                heads.merge(event.stream().id(), event.version(), Math::max);
            }
        }
        written.addAndGet(committed.events().size());
    }

    private static double ms(Histogram histogram, double percentile) {
        return histogram.getTotalCount() == 0 ? Double.NaN : histogram.getValueAtPercentile(percentile) / 1000.0;
    }
}
