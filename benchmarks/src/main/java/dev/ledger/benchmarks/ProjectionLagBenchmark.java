package dev.ledger.benchmarks;

import dev.ledger.benchmarks.metering.PipelineRequests;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
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
 *   <li><b>Projection lag</b>, rate after rate of a sweep: posted transfers from 8 HTTP clients to
 *       the stack's HTTP API on an open-loop schedule, while the local event-source runtime carries
 *       them events table stream -> publisher -> Kinesis -> projections; per rate the lag from the
 *       201 answer to the balances projection showing the credited account at that version, and
 *       whether the rate is steady ({@link ReadPathLag}).
 *   <li><b>Catch-up</b>: with the event sources off, a backlog of N events is written (parallel
 *       writers on disjoint accounts); then the stack is restarted with its event sources (same
 *       stack, same emulator) and the time until the balances projection shows every account's
 *       head version gives events/s.
 *   <li><b>Baseline</b>, in the same run on the same emulator: the emulator's raw rate for the
 *       equivalent work: GetRecords over the backlog's DynamoDB stream and its Kinesis stream
 *       (batches of 100, the mappings' BatchSize) plus one conditional PutItem per event into a
 *       scratch table.
 *   <li><b>Requests per event</b> of the pipeline, by operation, for each lag rate and for the
 *       catch-up ({@link PipelineRequests}).
 * </ol>
 *
 * Arguments: results file, backlog events (default 10,000), lag rates in transfers/s (default
 * "50,35,25,15,5"), seconds of load per rate (default 30).
 */
public final class ProjectionLagBenchmark {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");
    private static final int WARM_UP_PER_CLIENT = 5;
    private static final int BACKLOG_WRITERS = 4;
    private static final int BACKLOG_CUSTOMERS = 3;
    private static final int BATCH = 100;
    private static final int RAW_PUT_THREADS = 4;
    private static final List<String> PROJECTION_MAPPINGS = ProjectionMappings.ids();

    private ProjectionLagBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int backlog = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        List<Integer> rates = new ArrayList<>();
        for (String rate : (args.length > 2 ? args[2] : "50,35,25,15,5").split(",")) {
            rates.add(Integer.parseInt(rate.trim()));
        }
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 30;
        run(args, backlog, rates, seconds);
    }

    static void run(String[] args, int backlog, List<Integer> rates, int seconds) throws Exception {
        try (MotoServer moto = MotoServer.start();
             AwsClients aws = AwsClients.forEndpoint(moto.endpoint())) {
            List<RequestColumn> columns = new ArrayList<>();
            Results.append(args, lagSection(moto, aws, rates, seconds, columns));
            Results.append(args, catchUpSection(moto, aws, backlog, columns));
            Results.append(args, requestsSection(columns));
        }
    }

    private static LocalStack.Options options(MotoServer moto, String name) throws Exception {
        Path state = Files.createTempDirectory("bench-read-path").resolve("local.json");
        return LocalStack.Options.defaults().withPort(0).withEmulator(moto.endpoint()).withStackName(name)
                .withCodeBucket(name + "-code").withStateFile(state).withApiTokens("bench-token=payments")
                .withEventSources(EventSourceRuntime.Settings.defaults());
    }

    // ------------------------------------------------------------------------------------------
    // 1. Projection lag at a sweep of steady rates, from 8 HTTP clients

    private static String lagSection(MotoServer moto, AwsClients aws, List<Integer> rates, int seconds,
                                     List<RequestColumn> columns) throws Exception {
        StringBuilder out = new StringBuilder();
        try (LocalStack stack = LocalStack.start(options(moto, "bench-lag"))) {
            EventSourceRuntime runtime = stack.eventSources().orElseThrow();
            ReadPathLag lag = new ReadPathLag(stack, aws.dynamoDb(), moto.pid());
            lag.openAccounts();
            lag.warmUp(runtime, WARM_UP_PER_CLIENT);
            EventSourceRuntime.Settings settings = EventSourceRuntime.Settings.defaults();

            out.append(String.format(Locale.ROOT, "## Projection lag: commit to visible in the balance projection,"
                    + " from %d HTTP clients%n%n"
                    + "Open-loop schedule: each transfer has an intended start, rate after rate; client i (one of %d,"
                    + " each its own HTTP connection, one request at a time) sends every %dth transfer, fi -> ci,"
                    + " as POST /transfers to the local stack's HTTP API with a payments token (the command Lambda"
                    + " in process, on the emulator's events table). %d s of load per rate. Lag = from the 201"
                    + " answer to the poll that finds ci's balance item at the version that transfer gave it (a"
                    + " poller thread, one consistent BatchGetItem of the accounts with an unseen commit, %d ms pause"
                    + " between rounds: the figures include up to one round of resolution). Event-source runtime"
                    + " at its defaults (poll interval %d ms at the tip, %d threads, at most %d lane(s) per batch,"
                    + " BatchSize 100): events table"
                    + " stream -> publisher -> Kinesis (1 shard) -> the %d projections of the catalog, all running."
                    + " Steady = at least 95%% of the target achieved, nothing failed or left unseen"
                    + " after 60 s, and lag p50 not growing over the run (last third at most 1.5 x the first, or"
                    + " 750 ms). CPU: each process's CPU time over the rate's load and drain, per second of wall time"
                    + " (the emulator is one Python process: near 1.0 it is saturated; well under 1.0 with a high load"
                    + " average it was starved by other work on the machine).%n%n",
                    ReadPathLag.CLIENTS, ReadPathLag.CLIENTS, ReadPathLag.CLIENTS, seconds,
                    ReadPathLag.POLL_PAUSE_MS, settings.pollInterval().toMillis(), settings.threads(), settings.maxParallelization(),
                    PROJECTION_MAPPINGS.size()));
            out.append("| target transfers/s | achieved transfers/s | accepted (not started in time, failed) |"
                    + " lag p50 ms | lag p99 ms | lag max ms | lag p50 by thirds of the run, ms | commit latency"
                    + " from intended start p50 / p99 ms | unseen at the deadline | steady | p99 < 2 s |"
                    + " CPU cores used: emulator / stack JVM | load average (1 min) |\n");
            out.append("|---:|---:|---|---:|---:|---:|---|---|---:|---|---|---|---:|\n");
            List<ReadPathLag.Result> results = new ArrayList<>();
            for (int rate : rates) {
                ReadPathLag.Result result = lag.run(runtime, "r" + rate, rate, seconds);
                System.err.println("rate " + rate + ": " + result.summary() + "; pipeline requests "
                        + result.pipelineRequests());
                results.add(result);
                columns.add(new RequestColumn(rate + "/s", result.events(), result.pipelineRequests()));
                out.append(result.row()).append('\n');
            }
            out.append('\n');
            for (ReadPathLag.Result result : results) {
                out.append(result.verdict()).append('\n');
            }
            out.append('\n');
            out.append(results.stream().filter(ReadPathLag.Result::meetsTarget)
                    .mapToInt(ReadPathLag.Result::target).max()
                    .stream().mapToObj(best -> String.format(Locale.ROOT, "**Highest steady rate with lag p99 under"
                            + " 2 s: %d transfers/s** (of the rates tried: %s).%n%n", best, rates))
                    .findFirst().orElse(String.format(Locale.ROOT, "**No rate tried (%s) was steady with lag p99 under"
                            + " 2 s.**%n%n", rates)));
        }
        return out.toString();
    }

    /** One column of the requests-per-event table: what the pipeline sent for so many events. */
    private record RequestColumn(String label, long events, Map<String, Long> requests) {
    }

    private static String requestsSection(List<RequestColumn> columns) {
        StringBuilder out = new StringBuilder("## Requests per event of the pipeline, by operation\n\n");
        out.append("Every AWS request sent from the event-source runtime's threads (the pollers' GetRecords and"
                + " checkpoints, the publisher's PutRecords, the projections' reads and writes), counted by an SDK"
                + " global interceptor (`PipelineRequests`), divided by the ledger events committed (3 per"
                + " transfer; the events table's stream holds a head record beside each). A lag column counts from"
                + " the rate's start until its last event was delivered and a second passed with nothing new (a few"
                + " idle polls included); the catch-up column from the restart until every projection (" + PROJECTION_MAPPINGS.size() + ") had every"
                + " record. Shard discovery (every 10 s) is in `DescribeStream` / `ListShards`.\n\n");
        java.util.SortedSet<String> operations = new java.util.TreeSet<>();
        columns.forEach(c -> operations.addAll(c.requests().keySet()));
        out.append("| operation |");
        columns.forEach(c -> out.append(' ').append(c.label()).append(" |"));
        out.append("\n|---|");
        columns.forEach(c -> out.append("---:|"));
        out.append('\n');
        for (String operation : operations) {
            out.append("| ").append(operation).append(" |");
            columns.forEach(c -> out.append(String.format(Locale.ROOT, " %.3f |",
                    c.events() == 0 ? Double.NaN : (double) c.requests().getOrDefault(operation, 0L) / c.events())));
            out.append('\n');
        }
        out.append("| **all** |");
        columns.forEach(c -> out.append(String.format(Locale.ROOT, " **%.3f** |", c.events() == 0 ? Double.NaN
                : (double) c.requests().values().stream().mapToLong(Long::longValue).sum() / c.events())));
        out.append("\n| events |");
        columns.forEach(c -> out.append(' ').append(c.events()).append(" |"));
        out.append("\n\n");
        return out.toString();
    }


    // ------------------------------------------------------------------------------------------
    // 2. Catch-up over a backlog, and 3. the emulator's raw rate for the same work

    private static String catchUpSection(MotoServer moto, AwsClients aws, int target, List<RequestColumn> columns)
            throws Exception {
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
        Map<String, Long> requestsBefore = PipelineRequests.snapshot();
        Map<String, Long> requests;
        ProcessHandle emulator = ProcessHandle.of(moto.pid()).orElseThrow();
        long catchUpCpuMillis = cpuMillis(emulator);
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
                if (ReadPathLag.balanceVersion(aws.dynamoDb(), balances, account) >= heads.get(account)) {
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
            requests = PipelineRequests.since(requestsBefore, PipelineRequests.snapshot());
            catchUpCpuMillis = cpuMillis(emulator) - catchUpCpuMillis;
        }
        double catchUpRate = events / catchUpSeconds;
        columns.add(new RequestColumn("catch-up", events, requests));

        long rawCpuMillis = cpuMillis(emulator);
        Baseline raw = baseline(aws, streamArn, kinesisStream);
        rawCpuMillis = cpuMillis(emulator) - rawCpuMillis;

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
                + " + %d projections running) | %d | %.1f | **%.1f** |%n", PROJECTION_MAPPINGS.size(), events,
                catchUpSeconds, catchUpRate));
        out.append(String.format(Locale.ROOT, "| catch-up: restart -> all %d projections delivered every"
                + " record | %d | %.1f | %.1f |%n", PROJECTION_MAPPINGS.size(), events, allProjectionsSeconds, events / allProjectionsSeconds));
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
        out.append(String.format(Locale.ROOT, "Emulator CPU: %.2f cores during the catch-up (%.1f ms an event),"
                + " %.2f cores during the raw passes (%.1f ms an event); load average %s at the end.%n%n",
                catchUpCpuMillis / 1000.0 / allProjectionsSeconds, (double) catchUpCpuMillis / events,
                rawCpuMillis / 1000.0 / (raw.streamSeconds + raw.kinesisSeconds + raw.putSeconds),
                (double) rawCpuMillis / events, Files.readString(Path.of("/proc/loadavg")).split(" ")[0]));
        out.append(String.format(Locale.ROOT, "Catch-up / raw emulator rate = **%.2f**. The pipeline reads the"
                + " Kinesis stream %d times (one mapping per projection), writes Kinesis (PutRecords), reads"
                + " each projection's item per stream and batch, writes history entries, transfers and metadata"
                + " cursors too, and checkpoints every batch, all on the same single-process emulator.%n%n",
                catchUpRate / rawRate, PROJECTION_MAPPINGS.size()));
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

    private static long cpuMillis(ProcessHandle process) {
        return process.info().totalCpuDuration().map(java.time.Duration::toMillis).orElse(0L);
    }
}
