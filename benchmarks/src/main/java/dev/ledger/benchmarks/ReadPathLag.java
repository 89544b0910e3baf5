package dev.ledger.benchmarks;

import dev.ledger.benchmarks.metering.PipelineRequests;
import dev.ledger.infra.local.LocalStack;
import dev.ledger.infra.local.streams.EventSourceRuntime;
import dev.ledger.projections.ProjectionTables;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;

/**
 * Projection lag under load from HTTP clients: posted transfers sent to the local stack's HTTP API
 * (the command Lambda behind the local API Gateway, a payments token) on an open-loop schedule at a
 * target rate, each rate of a sweep in turn, while the stack's event-source runtime carries the
 * events table stream -> publisher -> Kinesis -> projections. Lag is from the 201 answer to the
 * moment the balances projection shows the credited account at the version the transfer gave it.
 *
 * <p>Client i sends every 8th transfer of the schedule, always funding account fi -> customer ci,
 * one request at a time: ci is credited by client i alone, so its version after the k-th accepted
 * transfer is its version before the sweep plus k (checked in the warm-up: the projection must
 * land exactly there). A client that falls behind its schedule sends at once; the commit latency
 * is measured from the intended start, so a slow server shows as latency, not as a lower load.
 */
final class ReadPathLag {

    static final int CLIENTS = 8;
    static final int EVENTS_PER_TRANSFER = 3;
    /**
     * Between two rounds of the lag poller. Each round reads every credited account with an unseen
     * commit in one consistent BatchGetItem: a GetItem per account every 10 ms (the first version of
     * this benchmark) was about 250 reads/s, most of the one-process emulator's work at 20
     * transfers/s, so the measurement slowed what it measured.
     */
    static final int POLL_PAUSE_MS = 25;
    private static final long POLL_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(POLL_PAUSE_MS);
    /** A rate is steady when its lag p50 does not grow by more than half (and 500 ms) over the run. */
    private static final double GROWTH = 1.5;
    private static final double GROWTH_FLOOR_MS = 500;
    static final double LAG_TARGET_MS = 2000;

    private final DynamoDbClient dynamo;
    private final ProcessHandle emulator;
    private final String balances;
    private final String token;
    private final URI base;
    private final List<HttpClient> clients = new ArrayList<>();
    /** The credited accounts' versions as this benchmark's transfers left them, by client. */
    private final long[] creditVersion = new long[CLIENTS];

    /**
     * @param emulatorPid the emulator's process, whose CPU time each rate reports (the emulator is one
     *     Python process: its share of a core says whether it was saturated or starved)
     */
    ReadPathLag(LocalStack stack, DynamoDbClient dynamo, long emulatorPid) {
        this.emulator = ProcessHandle.of(emulatorPid).orElseThrow();
        this.dynamo = dynamo;
        this.balances = stack.outputs().get("BalancesTableName");
        this.token = stack.token("payments").orElseThrow();
        this.base = stack.httpUrl();
        for (int i = 0; i < CLIENTS; i++) {
            clients.add(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build());
        }
    }

    /** One rate's figures. */
    record Result(int target, int seconds, long scheduled, long committed, long notStarted, long failed,
                  double achieved, Histogram lag, Histogram commit, double[] thirdsP50, long unseen,
                  Map<String, Long> pipelineRequests, double emulatorCores, double jvmCores, String loadAverage) {

        long events() {
            return committed * EVENTS_PER_TRANSFER;
        }

        boolean growing() {
            return thirdsP50[2] > GROWTH * Math.max(thirdsP50[0], GROWTH_FLOOR_MS);
        }

        boolean steady() {
            return achieved >= 0.95 * target && notStarted == 0 && failed == 0 && unseen == 0 && !growing();
        }

        boolean meetsTarget() {
            return steady() && ms(lag, 99) < LAG_TARGET_MS;
        }

        String summary() {
            return String.format(Locale.ROOT, "target %d/s achieved %.1f/s, %d commits, lag p50 %.0f ms p99 %.0f ms"
                    + " max %.0f ms, thirds %s, unseen %d, steady %s", target, achieved, committed, ms(lag, 50),
                    ms(lag, 99), lag.getMaxValue() / 1000.0, thirds(), unseen, steady());
        }

        String row() {
            return String.format(Locale.ROOT, "| %d | %.1f | %d (%d, %d) | %.0f | %.0f | %.0f | %s | %.0f / %.0f | %d |"
                            + " %s | %s | %.2f / %.2f | %s |", target, achieved, committed, notStarted, failed,
                    ms(lag, 50), ms(lag, 99), lag.getMaxValue() / 1000.0, thirds(), ms(commit, 50), ms(commit, 99),
                    unseen, steady() ? "yes" : "**no**", meetsTarget() ? "yes" : "no", emulatorCores, jvmCores,
                    loadAverage);
        }

        String thirds() {
            List<String> parts = new ArrayList<>();
            for (double p : thirdsP50) {
                parts.add(Double.isNaN(p) ? "-" : String.format(Locale.ROOT, "%.0f", p));
            }
            return String.join(" -> ", parts);
        }

        String verdict() {
            List<String> why = new ArrayList<>();
            if (achieved < 0.95 * target) {
                why.add(String.format(Locale.ROOT, "%.1f of %d transfers/s achieved", achieved, target));
            }
            if (notStarted > 0) {
                why.add(notStarted + " of " + scheduled + " not started within 2 s of the window's end");
            }
            if (failed > 0) {
                why.add(failed + " failed");
            }
            if (unseen > 0) {
                why.add(unseen + " not visible at the 60 s deadline");
            }
            if (growing()) {
                why.add("lag p50 growing, " + thirds() + " ms by thirds of the run");
            }
            String state = why.isEmpty() ? "steady" : "**not steady**: " + String.join("; ", why);
            return String.format(Locale.ROOT, "- %d transfers/s: %s; lag p99 %.0f ms%s.", target, state, ms(lag, 99),
                    meetsTarget() ? " (under 2 s)" : "");
        }
    }

    /** Opens fi (no floor) and ci for every client, and waits until the projection shows them. */
    void openAccounts() throws IOException, InterruptedException {
        for (int i = 0; i < CLIENTS; i++) {
            expect(post(clients.get(i), "/accounts", "{\"accountId\":\"f" + i
                    + "\",\"currency\":\"EUR\",\"overdraftLimit\":null}"), 201, "opening f" + i);
            expect(post(clients.get(i), "/accounts", "{\"accountId\":\"c" + i + "\",\"currency\":\"EUR\"}"), 201,
                    "opening c" + i);
        }
    }

    /**
     * Sends {@code perClient} transfers from every client, one after another (not measured: JIT,
     * connections, the handlers' first requests), and checks that each credited account's balance
     * lands at the version counted for it: one version per accepted transfer.
     */
    void warmUp(EventSourceRuntime runtime, int perClient) throws Exception {
        settle(runtime);
        for (int i = 0; i < CLIENTS; i++) {
            creditVersion[i] = balanceVersion("c" + i);
        }
        for (int i = 0; i < CLIENTS; i++) {
            for (int k = 0; k < perClient; k++) {
                expect(transfer(i, "warm-" + i + "-" + k), 201, "warm-up transfer");
                creditVersion[i]++;
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (int i = 0; i < CLIENTS; i++) {
            while (balanceVersion("c" + i) < creditVersion[i] && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
        }
        settle(runtime);
        for (int i = 0; i < CLIENTS; i++) {
            long seen = balanceVersion("c" + i);
            if (seen != creditVersion[i]) {
                throw new IllegalStateException("c" + i + " is at version " + seen + " in the balances projection after"
                        + " the warm-up, not " + creditVersion[i] + ": a transfer does not add one version to the"
                        + " credited account, so the lag cannot be matched by version");
            }
        }
    }

    /** Waits (up to 60 s) until no mapping has delivered a record for a second: the last run's tail is done. */
    static void settle(EventSourceRuntime runtime) throws InterruptedException {
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

    /** One rate: {@code rate * seconds} transfers on the open-loop schedule, then until all are visible. */
    Result run(EventSourceRuntime runtime, String prefix, int rate, int seconds) throws Exception {
        settle(runtime);
        Map<String, Long> requestsBefore = PipelineRequests.snapshot();
        long wallBefore = System.nanoTime();
        Duration emulatorBefore = cpu(emulator);
        Duration jvmBefore = cpu(ProcessHandle.current());
        long scheduled = (long) rate * seconds;
        long interval = 1_000_000_000L / rate;
        Map<String, ConcurrentSkipListMap<Long, Pending>> pending = new ConcurrentHashMap<>();
        for (int i = 0; i < CLIENTS; i++) {
            pending.put("c" + i, new ConcurrentSkipListMap<>());
        }
        Histogram lag = new Histogram(TimeUnit.MINUTES.toMicros(30), 3);
        Histogram commit = new Histogram(TimeUnit.MINUTES.toMicros(30), 3);
        ConcurrentLinkedQueue<long[]> samples = new ConcurrentLinkedQueue<>();
        AtomicLong committed = new AtomicLong();
        AtomicLong notStarted = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong lastCommit = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
        long windowEnd = start + TimeUnit.SECONDS.toNanos(seconds);
        long startBy = windowEnd + TimeUnit.SECONDS.toNanos(2);

        Thread poller = new Thread(() -> {
            while (!stop.get()) {
                List<String> unseen = pending.entrySet().stream().filter(a -> !a.getValue().isEmpty())
                        .map(Map.Entry::getKey).toList();
                Map<String, Long> versions = unseen.isEmpty() ? Map.of() : balanceVersions(unseen);
                for (Map.Entry<String, ConcurrentSkipListMap<Long, Pending>> account : pending.entrySet()) {
                    if (!versions.containsKey(account.getKey())) {
                        continue;
                    }
                    long version = versions.get(account.getKey());
                    long now = System.nanoTime();
                    Map<Long, Pending> seen = account.getValue().headMap(version, true);
                    for (Map.Entry<Long, Pending> entry : List.copyOf(seen.entrySet())) {
                        long micros = Math.max(0, (now - entry.getValue().commitNanos()) / 1000);
                        synchronized (lag) {
                            lag.recordValue(micros);
                        }
                        samples.add(new long[] {entry.getValue().offsetNanos(), micros});
                        seen.remove(entry.getKey());
                    }
                }
                LockSupport.parkNanos(POLL_PAUSE_NANOS);
            }
        }, "lag-poller");
        poller.setDaemon(true);
        poller.start();

        List<Thread> senders = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            String credit = "c" + client;
            Thread sender = new Thread(() -> {
                for (long k = client; k < scheduled; k += CLIENTS) {
                    long intended = start + k * interval;
                    long wait = intended - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    if (System.nanoTime() > startBy) {
                        notStarted.incrementAndGet();
                        continue;
                    }
                    try {
                        HttpResponse<String> answer = transfer(client, prefix + "-" + k);
                        long now = System.nanoTime();
                        if (answer.statusCode() != 201) {
                            failed.incrementAndGet();
                            System.err.println("transfer " + prefix + "-" + k + ": " + answer.statusCode() + " "
                                    + answer.body());
                            continue;
                        }
                        synchronized (commit) {
                            commit.recordValue(Math.max(0, (now - intended) / 1000));
                        }
                        pending.get(credit).put(++creditVersion[client], new Pending(now, now - start));
                        committed.incrementAndGet();
                        lastCommit.accumulateAndGet(now, Math::max);
                    } catch (IOException e) {
                        failed.incrementAndGet();
                        System.err.println("transfer " + prefix + "-" + k + " failed: " + e);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }, "http-client-" + client);
            sender.start();
            senders.add(sender);
        }
        for (Thread sender : senders) {
            sender.join();
        }
        long end = Math.max(windowEnd, lastCommit.get());
        double achieved = committed.get() / ((end - start) / 1e9);

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && pending.values().stream().anyMatch(m -> !m.isEmpty())) {
            Thread.sleep(50);
        }
        stop.set(true);
        poller.join();
        long unseen = pending.values().stream().mapToLong(Map::size).sum();
        double wall = (System.nanoTime() - wallBefore) / 1e9;
        double emulatorCores = cpu(emulator).minus(emulatorBefore).toMillis() / 1000.0 / wall;
        double jvmCores = cpu(ProcessHandle.current()).minus(jvmBefore).toMillis() / 1000.0 / wall;
        String loadAverage = loadAverage();
        settle(runtime);
        Map<String, Long> requests = PipelineRequests.since(requestsBefore, PipelineRequests.snapshot());

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
        return new Result(rate, seconds, scheduled, committed.get(), notStarted.get(), failed.get(), achieved, lag,
                commit, thirds, unseen, requests, emulatorCores, jvmCores, loadAverage);
    }

    private static Duration cpu(ProcessHandle process) {
        return process.info().totalCpuDuration().orElse(Duration.ZERO);
    }

    /** The machine's 1-minute load average: how many runnable processes the 2 cores were shared by. */
    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException unreadable) {
            return "-";
        }
    }

    private HttpResponse<String> transfer(int client, String id) throws IOException, InterruptedException {
        return post(clients.get(client), "/transfers", "{\"transferId\":\"" + id + "\",\"debitAccountId\":\"f" + client
                + "\",\"creditAccountId\":\"c" + client + "\",\"amount\":\"1.00\",\"currency\":\"EUR\"}");
    }

    private HttpResponse<String> post(HttpClient http, String path, String body)
            throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void expect(HttpResponse<String> answer, int status, String what) {
        if (answer.statusCode() != status) {
            throw new IllegalStateException(what + " answered " + answer.statusCode() + ": " + answer.body());
        }
    }

    /** The balance items' versions of these accounts (at most 100), read together; 0 for an account with none. */
    private Map<String, Long> balanceVersions(List<String> accounts) {
        Map<String, Long> versions = new HashMap<>();
        accounts.forEach(account -> versions.put(account, 0L));
        Map<String, KeysAndAttributes> ask = Map.of(balances, KeysAndAttributes.builder().consistentRead(true)
                .keys(accounts.stream().map(a -> Map.of(ProjectionTables.ID, AttributeValue.fromS(a))).toList())
                .projectionExpression("#id, #v").expressionAttributeNames(Map.of("#id", ProjectionTables.ID,
                        "#v", "version")).build());
        while (!ask.isEmpty()) {
            Map<String, KeysAndAttributes> asked = ask;
            BatchGetItemResponse response = dynamo.batchGetItem(r -> r.requestItems(asked));
            for (Map<String, AttributeValue> item : response.responses().getOrDefault(balances, List.of())) {
                AttributeValue version = item.get("version");
                versions.put(item.get(ProjectionTables.ID).s(), version == null ? 0 : Long.parseLong(version.n()));
            }
            ask = response.unprocessedKeys();
        }
        return versions;
    }

    long balanceVersion(String account) {
        return balanceVersion(dynamo, balances, account);
    }

    static long balanceVersion(DynamoDbClient dynamo, String table, String account) {
        GetItemResponse response = dynamo.getItem(r -> r.tableName(table).consistentRead(true)
                .key(Map.of(ProjectionTables.ID, AttributeValue.fromS(account)))
                .projectionExpression("#v").expressionAttributeNames(Map.of("#v", "version")));
        AttributeValue version = response.hasItem() ? response.item().get("version") : null;
        return version == null ? 0 : Long.parseLong(version.n());
    }

    static double ms(Histogram histogram, double percentile) {
        return histogram.getTotalCount() == 0 ? Double.NaN : histogram.getValueAtPercentile(percentile) / 1000.0;
    }
}
