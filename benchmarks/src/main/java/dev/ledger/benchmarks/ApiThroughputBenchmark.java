package dev.ledger.benchmarks;

import dev.ledger.infra.local.LocalStack;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.MotoServer;
import dev.ledger.store.EventsTableSchema;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/**
 * Transfers per second through the local stack's HTTP API (API Gateway's event, the command
 * Lambda, the Axon aggregates, the event store) against the raw SDK calls the same transfers need
 * (three GetItems and one six-item TransactWriteItems of the same sizes), on the same emulator, in
 * alternating rounds so both see the same machine. The ratio is the project's own overhead.
 */
public final class ApiThroughputBenchmark {

    private static final int ROUNDS = 3;
    private static final int TRANSFERS_PER_ROUND = 300;
    private static final int CUSTOMERS = 20;

    private ApiThroughputBenchmark() {
    }

    /** Appends the figures to the file named by the first argument (stdout carries the handlers' logs). */
    public static void main(String[] args) throws Exception {
        Results.append(args, run());
    }

    static String run() throws Exception {
        Path state = Files.createTempDirectory("bench-stack").resolve("local.json");
        try (MotoServer moto = MotoServer.start();
             AwsClients aws = AwsClients.forEndpoint(moto.endpoint());
             LocalStack stack = LocalStack.start(LocalStack.Options.defaults().withPort(0)
                     .withEmulator(moto.endpoint()).withStackName("bench").withCodeBucket("bench-code")
                     .withStateFile(state).withApiTokens("bench-token=payments").withoutEventSources())) {
            HttpApi api = new HttpApi(stack.httpUrl(), "bench-token");
            api.post("/accounts", "{\"accountId\":\"bank\",\"currency\":\"EUR\",\"overdraftLimit\":null}");
            for (int i = 0; i < CUSTOMERS; i++) {
                api.post("/accounts", "{\"accountId\":\"c" + i + "\",\"currency\":\"EUR\"}");
            }
            RawTransfers raw = new RawTransfers(aws.dynamoDb(), "bench-raw", CUSTOMERS);

            List<Double> httpRates = new ArrayList<>();
            List<Double> rawRates = new ArrayList<>();
            for (int round = 0; round < ROUNDS; round++) {
                httpRates.add(rate(TRANSFERS_PER_ROUND, i -> api.transfer("r" + api.next() + "", "bank",
                        "c" + (i % CUSTOMERS))));
                rawRates.add(rate(TRANSFERS_PER_ROUND, raw::transfer));
            }
            double http = median(httpRates);
            double sdk = median(rawRates);
            return String.format(Locale.ROOT, "| path | transfers/s (median of %d rounds of %d, alternating) | rounds |%n"
                            + "|---|---:|---|%n| HTTP API -> command Lambda -> event store | %.1f | %s |%n"
                            + "| raw SDK calls of the same transfers | %.1f | %s |%n%n"
                            + "HTTP API / raw SDK = %.2f (one client thread, sequential requests).%n",
                    ROUNDS, TRANSFERS_PER_ROUND, http, format(httpRates), sdk, format(rawRates), http / sdk);
        }
    }

    interface Transfer {
        void run(int i) throws Exception;
    }

    private static double rate(int count, Transfer transfer) throws Exception {
        long started = System.nanoTime();
        for (int i = 0; i < count; i++) {
            transfer.run(i);
        }
        return count / ((System.nanoTime() - started) / 1e9);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }

    private static String format(List<Double> rates) {
        List<String> parts = new ArrayList<>();
        rates.forEach(r -> parts.add(String.format(Locale.ROOT, "%.1f", r)));
        return String.join(", ", parts);
    }

    /** The payment API over HTTP, as a client sees it. */
    static final class HttpApi {
        private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        private final URI base;
        private final String token;
        private int counter;

        HttpApi(URI base, String token) {
            this.base = base;
            this.token = token;
        }

        int next() {
            return ++counter;
        }

        void transfer(String id, String debit, String credit) throws IOException, InterruptedException {
            post("/transfers", "{\"transferId\":\"" + id + "\",\"debitAccountId\":\"" + debit
                    + "\",\"creditAccountId\":\"" + credit + "\",\"amount\":\"1.00\",\"currency\":\"EUR\"}");
        }

        void post(String path, String body) throws IOException, InterruptedException {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(base.resolve(path))
                    .header("Authorization", "Bearer " + token).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() >= 300) {
                throw new IllegalStateException(path + " answered " + response.statusCode() + ": " + response.body());
            }
        }
    }

    /**
     * The DynamoDB calls a posted transfer makes, without the ledger: read three heads, then write
     * the transfer's event and head and each account's event and head in one conditional
     * transaction ({@link RawTransferItems}).
     */
    static final class RawTransfers {
        private final DynamoDbClient dynamo;
        private final String table;
        private final int customers;
        private final RawTransferItems items;
        private int counter;

        RawTransfers(DynamoDbClient dynamo, String table, int customers) {
            this.dynamo = dynamo;
            this.table = table;
            this.customers = customers;
            this.items = new RawTransferItems(table);
            EventsTableSchema.create(dynamo, table);
        }

        void transfer(int i) {
            String transfer = "transfer:raw" + (++counter);
            String debit = "account:bank";
            String credit = "account:c" + (i % customers);
            for (String stream : List.of(transfer, debit, credit)) {
                dynamo.getItem(r -> r.tableName(table).consistentRead(true).key(RawTransferItems.headKey(stream)));
            }
            List<TransactWriteItem> writes = items.transfer(transfer, debit, credit);
            dynamo.transactWriteItems(r -> r.transactItems(writes));
        }
    }
}
