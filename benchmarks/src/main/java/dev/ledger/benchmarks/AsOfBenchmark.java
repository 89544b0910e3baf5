package dev.ledger.benchmarks;

import dev.ledger.domain.api.StreamId;
import dev.ledger.http.ApiTokens;
import dev.ledger.http.HttpRequest;
import dev.ledger.http.HttpResponse;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.MotoServer;
import dev.ledger.projections.BalancesProjection;
import dev.ledger.projections.HistoryReader;
import dev.ledger.projections.TransfersProjection;
import dev.ledger.projections.api.QueryApi;
import dev.ledger.store.AccountAsOf;
import dev.ledger.store.DynamoEventStore;
import dev.ledger.store.EventsTableSchema;
import dev.ledger.store.StoredEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * Issue 16 §3: {@code GET /accounts/{id}/balance?asOf=} at the middle of an account's history, with a short
 * history and a long one side by side. Each log is seeded by {@link LogSeeder} (one funding account paying
 * one customer, so the funding account {@code f0} has one event per transfer, and a checkpoint every 100
 * versions as the stores write them); the route runs through {@link QueryApi} as the read Lambda runs it,
 * on a DynamoDB client that counts every request it sends. Beside it, the fold from version 1 the route
 * did before (the reference it must equal), on the same log.
 *
 * <p>Arguments: results file, the short and the long history in events (default 10 and 100,000), calls
 * per measure (default 20).
 */
public final class AsOfBenchmark {

    private static final LogSeeder.Shape SHAPE = new LogSeeder.Shape(1, 1);
    private static final String ACCOUNT = SHAPE.funding(0);

    private AsOfBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        long small = args.length > 1 ? Long.parseLong(args[1]) : 10;
        long large = args.length > 2 ? Long.parseLong(args[2]) : 100_000;
        int calls = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        Results.append(args, run(List.of(small, large), calls));
    }

    /** One history's figures: requests and milliseconds per call, for the seek and for the fold from version 1. */
    private record Measured(long accountEvents, long tableItems, double seedSeconds, Instant asOf, long version,
                            double seekRequests, double seekMedianMs, double seekP90Ms,
                            double foldRequests, double foldMedianMs) {
    }

    static String run(List<Long> histories, int calls) throws Exception {
        AtomicLong requests = new AtomicLong();
        ExecutionInterceptor counter = new ExecutionInterceptor() {
            @Override
            public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                requests.incrementAndGet();
            }
        };
        List<Measured> measured = new ArrayList<>();
        try (MotoServer moto = MotoServer.start();
             AwsClients aws = AwsClients.forEndpoint(moto.endpoint(), List.of(counter))) {
            for (long history : histories) {
                String table = "bench-asof-" + history;
                EventsTableSchema.create(aws.dynamoDb(), table);
                LogSeeder seeder = new LogSeeder(aws.dynamoDb(), 4);
                // f0's history: its opening, then one event per transfer; c0's opening comes first in the log too.
                LogSeeder.Seeded seeded = seeder.seed(table, SHAPE, 2 + 3 * (history - 1));
                seeder.checkStream(table, StreamId.account(ACCOUNT));
                System.err.printf(Locale.ROOT, "%d events (%d items) seeded in %.1f s%n", seeded.events(),
                        seeded.items(), seeded.seconds());
                DynamoEventStore store = new DynamoEventStore(aws.dynamoDb(), table);
                long head = store.readHead(StreamId.account(ACCOUNT)).orElseThrow().version();
                StoredEvent middle = store.readEvent(StreamId.account(ACCOUNT), Math.max(1, head / 2)).orElseThrow();
                Instant asOf = middle.recordedAt();
                // No projection is read by this route: the tables named here need not exist.
                QueryApi api = new QueryApi(new BalancesProjection(aws.dynamoDb(), "none"),
                        new HistoryReader(aws.dynamoDb(), "none"), new TransfersProjection(aws.dynamoDb(), "none"),
                        store, ApiTokens.parse("audit=auditor"));
                HttpRequest request = new HttpRequest("GET", "/accounts/" + ACCOUNT + "/balance",
                        Map.of("authorization", "Bearer audit"), Map.of("asOf", asOf.toString()), null, "bench");

                long version = call(api, request).body().get("version").asLong();
                double[] seekMs = new double[calls];
                long before = requests.get();
                for (int i = 0; i < calls; i++) {
                    long started = System.nanoTime();
                    HttpResponse response = call(api, request);
                    seekMs[i] = (System.nanoTime() - started) / 1e6;
                    if (response.body().get("version").asLong() != version) {
                        throw new IllegalStateException("the answer moved between calls: " + response.body());
                    }
                }
                double seekRequests = (requests.get() - before) / (double) calls;

                // The reference: the fold from version 1 the route used to do, fewer times (it is the slow one).
                int foldCalls = Math.max(1, Math.min(calls, (int) (2_000 / Math.max(1, head)) + 1));
                double[] foldMs = new double[foldCalls];
                before = requests.get();
                for (int i = 0; i < foldCalls; i++) {
                    long started = System.nanoTime();
                    AccountAsOf folded = AccountAsOf.whole(stream -> store.readStream(stream, 1), ACCOUNT, asOf)
                            .orElseThrow();
                    foldMs[i] = (System.nanoTime() - started) / 1e6;
                    if (folded.version() != version) {
                        throw new IllegalStateException("the seek answered version " + version + " but the fold "
                                + folded.version());
                    }
                }
                double foldRequests = (requests.get() - before) / (double) foldCalls;
                measured.add(new Measured(head, seeded.items(), seeded.seconds(), asOf, version, seekRequests,
                        percentile(seekMs, 50), percentile(seekMs, 90), foldRequests, percentile(foldMs, 50)));
                aws.dynamoDb().deleteTable(r -> r.tableName(table));
            }
        }
        return report(measured, calls);
    }

    private static HttpResponse call(QueryApi api, HttpRequest request) {
        HttpResponse response = api.handle(request, "bench").response();
        if (response.status() != 200) {
            throw new IllegalStateException("balance as of answered " + response.status() + ": " + response.body());
        }
        return response;
    }

    private static double percentile(double[] values, int p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    private static String report(List<Measured> measured, int calls) {
        StringBuilder out = new StringBuilder();
        out.append("| account's events | table items | as of (middle) | version answered | requests per call | median ms | p90 ms | fold from v1: requests | fold from v1: median ms |\n");
        out.append("|---:|---:|---|---:|---:|---:|---:|---:|---:|\n");
        for (Measured m : measured) {
            out.append(String.format(Locale.ROOT, "| %,d | %,d | %s | %,d | %.1f | %.1f | %.1f | %.1f | %.1f |%n",
                    m.accountEvents(), m.tableItems(), m.asOf(), m.version(), m.seekRequests(), m.seekMedianMs(),
                    m.seekP90Ms(), m.foldRequests(), m.foldMedianMs()));
        }
        Measured first = measured.get(0);
        Measured last = measured.get(measured.size() - 1);
        out.append(String.format(Locale.ROOT, "%nRequests per call, %,d events against %,d: %.1f against %.1f"
                        + " (%.2fx; done when within 2x). Time per call: %.1f ms against %.1f ms (%.2fx). %d calls per"
                        + " history after one warm-up; the fold from version 1 is the reference the answer must equal,"
                        + " and what the route did before.%n",
                last.accountEvents(), first.accountEvents(), last.seekRequests(), first.seekRequests(),
                last.seekRequests() / first.seekRequests(), last.seekMedianMs(), first.seekMedianMs(),
                last.seekMedianMs() / first.seekMedianMs(), calls));
        return out.toString();
    }
}
