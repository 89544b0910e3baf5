package dev.ledger.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ledger.domain.api.AccountShards;
import dev.ledger.infra.local.LocalStack;
import dev.ledger.localaws.MotoServer;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntFunction;

/**
 * Issue 13's hot account over HTTP: 16 concurrent clients send 320 payments of 1.00 to 40 customers
 * out of ONE funding account (unlimited overdraft) with 16 shards ({@code hot-16}), against the same
 * load spread over 16 funding accounts, one per client ({@code spread}: no client ever races another
 * on its debit), and against one funding account of 1 shard, as before sharding ({@code hot-1}). One
 * emulator and one local stack (in this JVM, event sources off: only the write path) for every run;
 * each run opens its own accounts, and the layouts alternate in every round, each round starting one
 * layout later, so that the machine's noise falls on all three. Clients send each payment once: a 409
 * is counted, not sent again, so that the answers show what the command's own retries could not absorb.
 *
 * <p>Arguments: the results file (appended to), and the rounds (default 3).
 */
public final class HotAccountBenchmark {

    static final int CLIENTS = 16;
    static final int PAYMENTS = 320;
    static final int CUSTOMERS = 40;
    static final int SHARDS = 16;
    private static final String TOKEN = "bench-token";
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where the payments' debits go. */
    enum Layout {
        SPREAD("spread", "16 funding accounts, one per client, unsharded"),
        HOT_16("hot-16", "1 funding account with 16 shards"),
        HOT_1("hot-1", "1 funding account, 1 shard (before sharding)");

        final String label;
        final String description;

        Layout(String label, String description) {
            this.label = label;
            this.description = description;
        }
    }

    /** What one run saw. {@code statuses}: 201, 409, 422, 5xx, other, no answer. */
    record Run(Layout layout, int round, double seconds, long[] statuses, long conflicts, double p50Millis,
               double p99Millis, long firstPickClashes, String fundingCheck) {

        double paymentsPerSecond() {
            return statuses[0] / seconds;
        }
    }

    private HotAccountBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Results.append(args, run(rounds));
    }

    static String run(int rounds) throws Exception {
        ConflictLines conflicts = ConflictLines.install();
        Path state = Files.createTempDirectory("bench-hot").resolve("local.json");
        try (MotoServer moto = MotoServer.start();
             LocalStack stack = LocalStack.start(LocalStack.Options.defaults().withPort(0)
                     .withEmulator(moto.endpoint()).withStackName("bench").withCodeBucket("bench-code")
                     .withStateFile(state).withApiTokens(TOKEN + "=payments").withoutEventSources())) {
            Api api = new Api(stack.httpUrl());
            // Not reported: the JIT and the connections warm up on a spread run of its own accounts.
            runOnce(api, conflicts, Layout.SPREAD, 0, "warm");
            List<Run> runs = new ArrayList<>();
            Layout[] layouts = Layout.values();
            for (int round = 1; round <= rounds; round++) {
                for (int k = 0; k < layouts.length; k++) {
                    Layout layout = layouts[(round - 1 + k) % layouts.length];
                    Run run = runOnce(api, conflicts, layout, round, layout.label + "-r" + round);
                    System.err.printf(Locale.ROOT, "round %d %s: %.1f payments/s, %s, %d conflicts%n", round,
                            layout.label, run.paymentsPerSecond(), Arrays.toString(run.statuses()), run.conflicts());
                    runs.add(run);
                }
            }
            return HotAccountReport.markdown(runs, rounds);
        }
    }

    private static Run runOnce(Api api, ConflictLines conflicts, Layout layout, int round, String tag) throws Exception {
        List<String> funding = new ArrayList<>();
        if (layout == Layout.SPREAD) {
            for (int c = 0; c < CLIENTS; c++) {
                funding.add(tag + "-f" + c);
            }
        } else {
            funding.add(tag + "-f");
        }
        Integer shards = layout == Layout.HOT_16 ? SHARDS : null;
        for (String account : funding) {
            api.open(account, true, shards).requireOk();
        }
        for (int i = 0; i < CUSTOMERS; i++) {
            api.open(tag + "-c" + i, false, null).requireOk();
        }
        IntFunction<String> debitOf = layout == Layout.SPREAD ? funding::get : client -> funding.get(0);

        AtomicInteger next = new AtomicInteger();
        AtomicLongArray statuses = new AtomicLongArray(6);
        long[] latencies = new long[PAYMENTS];
        // Payments in flight by the shard they try first (hot-16 only): who sends onto a busy shard.
        AtomicIntegerArray inFlight = new AtomicIntegerArray(SHARDS);
        AtomicInteger clashes = new AtomicInteger();
        CountDownLatch ready = new CountDownLatch(CLIENTS);
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        long conflictsBefore = conflicts.count();
        long started;
        long ended;
        try {
            List<Future<?>> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                String debit = debitOf.apply(c);
                clients.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    for (int i = next.getAndIncrement(); i < PAYMENTS; i = next.getAndIncrement()) {
                        String id = tag + "-p" + i;
                        int first = AccountShards.pick(id, 1, SHARDS);
                        if (layout == Layout.HOT_16 && inFlight.getAndIncrement(first) > 0) {
                            clashes.incrementAndGet();
                        }
                        long sent = System.nanoTime();
                        int status = api.pay(id, debit, tag + "-c" + (i % CUSTOMERS));
                        latencies[i] = System.nanoTime() - sent;
                        if (layout == Layout.HOT_16) {
                            inFlight.decrementAndGet(first);
                        }
                        statuses.incrementAndGet(bucket(status));
                    }
                    return null;
                }));
            }
            ready.await();
            started = System.nanoTime();
            go.countDown();
            for (Future<?> client : clients) {
                client.get();
            }
            ended = System.nanoTime();
        } finally {
            pool.shutdownNow();
        }
        // The handler prints a conflict line before it answers, so every line of this run is counted.
        long lost = conflicts.count() - conflictsBefore;
        long[] counts = new long[6];
        for (int k = 0; k < counts.length; k++) {
            counts[k] = statuses.get(k);
        }
        Arrays.sort(latencies);
        return new Run(layout, round, (ended - started) / 1e9, counts, lost, percentile(latencies, 0.50),
                percentile(latencies, 0.99), clashes.get(), fundingCheck(api, funding, shards, counts[0]));
    }

    /**
     * The funding accounts as a command answers them now (opening one again answers 200 with the account
     * as it is, a sharded one whole): their balances must add up to minus the accepted payments.
     */
    private static String fundingCheck(Api api, List<String> funding, Integer shards, long accepted) throws Exception {
        BigDecimal total = BigDecimal.ZERO;
        Set<Integer> shardCounts = new HashSet<>();
        for (String account : funding) {
            Answer answer = api.open(account, true, shards);
            answer.requireOk();
            total = total.add(new BigDecimal(answer.body().path("balance").asText()));
            shardCounts.add(answer.body().path("shards").asInt(1));
        }
        BigDecimal expected = BigDecimal.valueOf(-accepted).setScale(2);
        return (total.compareTo(expected) == 0 ? "ok" : "MISMATCH") + String.format(Locale.ROOT, " (%s, shards %s)",
                total.toPlainString(), shardCounts);
    }

    private static int bucket(int status) {
        if (status == 201) {
            return 0;
        } else if (status == 409) {
            return 1;
        } else if (status == 422) {
            return 2;
        } else if (status >= 500 && status < 600) {
            return 3;
        }
        return status < 0 ? 5 : 4;
    }

    private static double percentile(long[] sortedNanos, double p) {
        int index = (int) Math.ceil(p * sortedNanos.length) - 1;
        return sortedNanos[Math.max(0, Math.min(index, sortedNanos.length - 1))] / 1e6;
    }

    /** A command answer. */
    record Answer(int status, JsonNode body) {
        void requireOk() {
            if (status < 200 || status >= 300) {
                throw new IllegalStateException("answered " + status + ": " + body);
            }
        }
    }

    /** The command API over HTTP, as a payment service sees it. */
    static final class Api {
        private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        private final URI base;

        Api(URI base) {
            this.base = base;
        }

        Answer open(String accountId, boolean unlimited, Integer shards) throws IOException, InterruptedException {
            String body = "{\"accountId\":\"" + accountId + "\",\"currency\":\"EUR\",\"overdraftLimit\":"
                    + (unlimited ? "null" : "\"0.00\"") + (shards == null ? "" : ",\"shards\":" + shards) + "}";
            HttpResponse<String> response = post("/accounts", body);
            return new Answer(response.statusCode(), JSON.readTree(response.body()));
        }

        /** The status of a posted transfer of 1.00, or -1 for a request that got no answer. */
        int pay(String transferId, String debit, String credit) throws InterruptedException {
            try {
                return post("/transfers", "{\"transferId\":\"" + transferId + "\",\"debitAccountId\":\"" + debit
                        + "\",\"creditAccountId\":\"" + credit + "\",\"amount\":\"1.00\",\"currency\":\"EUR\"}")
                        .statusCode();
            } catch (IOException noAnswer) {
                return -1;
            }
        }

        private HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
            return client.send(HttpRequest.newBuilder(base.resolve(path)).timeout(REQUEST_TIMEOUT)
                    .header("Authorization", "Bearer " + TOKEN).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        }
    }
}
