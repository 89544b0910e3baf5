package dev.ledger.benchmarks.capacity;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * C clients in a closed loop over the local stack's HTTP API, each sending its next transfer out of
 * one funding account as soon as the previous one is answered (client i credits its own customer,
 * so only the funding account is contended). Counts the answers (201 committed, 409 refused after
 * the command's retries) and, from the command Lambda's own log lines, the races lost on the way.
 */
final class HotAccountRun {

    /** What one run measured. */
    record Measured(int clients, double seconds, long committed, long refused, long failed, long conflicts,
                    double meanMs, double p50Ms, double p99Ms) {

        double commitsPerSecond() {
            return committed / seconds;
        }

        long attempts() {
            return committed + conflicts;
        }

        double conflictsPerAttempt() {
            return attempts() == 0 ? 0 : (double) conflicts / attempts();
        }

        double conflictsPerCommand() {
            long commands = committed + refused;
            return commands == 0 ? 0 : (double) conflicts / commands;
        }

        double refusedShare() {
            long commands = committed + refused;
            return commands == 0 ? 0 : (double) refused / commands;
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;
    private final String token;
    private final AtomicLong ids = new AtomicLong();

    HotAccountRun(URI base, String token) {
        this.base = base;
        this.token = token;
    }

    /** Opens a funding account with no floor, of {@code shards} shards (the request's field when more than one). */
    void openFunding(String funding, int shards) throws IOException, InterruptedException {
        String shardField = shards > 1 ? ",\"shards\":" + shards : "";
        expect(post("/accounts", "{\"accountId\":\"" + funding + "\",\"currency\":\"EUR\",\"overdraftLimit\":null"
                + shardField + "}"), 201, "/accounts " + funding);
    }

    /** Opens customers c0 .. c(customers - 1), one per client: client i credits ci. */
    void openCustomers(int customers) throws IOException, InterruptedException {
        for (int i = 0; i < customers; i++) {
            expect(post("/accounts", "{\"accountId\":\"c" + i + "\",\"currency\":\"EUR\"}"), 201, "/accounts c" + i);
        }
    }

    /** Sequential transfers, not measured: warms the JIT, the connections and the handlers. */
    void warmUp(String funding, int transfers) throws IOException, InterruptedException {
        for (int i = 0; i < transfers; i++) {
            transfer(funding, "c0");
        }
    }

    Measured run(String funding, int clients, Duration length, LongSupplier conflictCount) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long conflictsBefore = conflictCount.getAsLong();
        long started = System.nanoTime();
        long deadline = started + length.toNanos();
        try {
            List<Future<ClientTally>> tallies = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                String customer = "c" + i;
                tallies.add(pool.submit(() -> loop(funding, customer, deadline)));
            }
            List<Double> latencies = new ArrayList<>();
            long committed = 0;
            long refused = 0;
            long failed = 0;
            for (Future<ClientTally> tally : tallies) {
                ClientTally t = tally.get();
                committed += t.committed;
                refused += t.refused;
                failed += t.failed;
                latencies.addAll(t.latenciesMs);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            long conflicts = conflictCount.getAsLong() - conflictsBefore;
            double[] sorted = latencies.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            double mean = latencies.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            return new Measured(clients, seconds, committed, refused, failed, conflicts, mean,
                    Percentiles.of(sorted, 50), Percentiles.of(sorted, 99));
        } finally {
            pool.shutdownNow();
        }
    }

    private static final class ClientTally {
        long committed;
        long refused;
        long failed;
        final List<Double> latenciesMs = new ArrayList<>();
    }

    private ClientTally loop(String funding, String customer, long deadline) throws IOException, InterruptedException {
        ClientTally tally = new ClientTally();
        while (System.nanoTime() < deadline) {
            long sent = System.nanoTime();
            HttpResponse<String> answer = transfer(funding, customer);
            tally.latenciesMs.add((System.nanoTime() - sent) / 1e6);
            int status = answer.statusCode();
            if (status == 201 || status == 200) {
                tally.committed++;
            } else if (status == 409 && answer.body().contains("concurrent_modification")) {
                tally.refused++;
            } else {
                tally.failed++;
            }
        }
        return tally;
    }

    private HttpResponse<String> transfer(String debit, String credit) throws IOException, InterruptedException {
        String id = "cap-" + ids.incrementAndGet();
        return post("/transfers", "{\"transferId\":\"" + id + "\",\"debitAccountId\":\"" + debit
                + "\",\"creditAccountId\":\"" + credit + "\",\"amount\":\"1.00\",\"currency\":\"EUR\"}");
    }

    private HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void expect(HttpResponse<String> answer, int status, String what) {
        if (answer.statusCode() != status) {
            throw new IllegalStateException(what + " answered " + answer.statusCode() + ": " + answer.body());
        }
    }
}
