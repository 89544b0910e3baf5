package dev.ledger.benchmarks;

import static dev.ledger.store.EventsTable.HEAD_SK;

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
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Put;
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
     * transaction, with items of the sizes the ledger writes.
     */
    static final class RawTransfers {
        private static final String HASH = "0".repeat(64);
        private final DynamoDbClient dynamo;
        private final String table;
        private final int customers;
        private final Map<String, Long> versions = new HashMap<>();
        private int counter;

        RawTransfers(DynamoDbClient dynamo, String table, int customers) {
            this.dynamo = dynamo;
            this.table = table;
            this.customers = customers;
            EventsTableSchema.create(dynamo, table);
        }

        void transfer(int i) {
            String transfer = "transfer:raw" + (++counter);
            String debit = "account:bank";
            String credit = "account:c" + (i % customers);
            for (String stream : List.of(transfer, debit, credit)) {
                dynamo.getItem(r -> r.tableName(table).consistentRead(true).key(key(stream, HEAD_SK)));
            }
            List<TransactWriteItem> items = new ArrayList<>();
            for (String stream : List.of(transfer, debit, credit)) {
                long version = versions.getOrDefault(stream, 0L);
                items.add(put(event(stream, version + 1), "attribute_not_exists(pk)", Map.of()));
                items.add(put(head(stream, version + 1), version == 0 ? "attribute_not_exists(pk)" : "version = :v",
                        version == 0 ? Map.of() : Map.of(":v", AttributeValue.fromN(Long.toString(version)))));
                versions.put(stream, version + 1);
            }
            dynamo.transactWriteItems(r -> r.transactItems(items));
        }

        private TransactWriteItem put(Map<String, AttributeValue> item, String condition,
                                      Map<String, AttributeValue> values) {
            Put.Builder put = Put.builder().tableName(table).item(item).conditionExpression(condition);
            if (!values.isEmpty()) {
                put.expressionAttributeValues(values);
            }
            return TransactWriteItem.builder().put(put.build()).build();
        }

        private static Map<String, AttributeValue> key(String stream, long sk) {
            Map<String, AttributeValue> key = new HashMap<>();
            key.put("pk", AttributeValue.fromS(stream));
            key.put("sk", AttributeValue.fromN(Long.toString(sk)));
            return key;
        }

        private static Map<String, AttributeValue> event(String stream, long version) {
            Map<String, AttributeValue> item = key(stream, version);
            item.put("type", AttributeValue.fromS("EntryPosted"));
            item.put("schemaVersion", AttributeValue.fromN("1"));
            item.put("recordedAt", AttributeValue.fromS("2026-11-27T05:00:00.123456Z"));
            item.put("transferId", AttributeValue.fromS("raw-transfer-id"));
            item.put("correlationId", AttributeValue.fromS("00000000-0000-0000-0000-000000000000"));
            item.put("data", AttributeValue.fromS("{\"accountId\":\"c1\",\"amount\":\"1.00\",\"counterpartyAccountId\":"
                    + "\"bank\",\"currency\":\"EUR\",\"side\":\"CREDIT\",\"transferId\":\"raw-transfer-id\"}"));
            item.put("hash", AttributeValue.fromS(HASH));
            return item;
        }

        private static Map<String, AttributeValue> head(String stream, long version) {
            Map<String, AttributeValue> item = key(stream, HEAD_SK);
            item.put("version", AttributeValue.fromN(Long.toString(version)));
            item.put("hash", AttributeValue.fromS(HASH));
            item.put("state", AttributeValue.fromS("{\"accountId\":\"c1\",\"creditsPending\":0,\"creditsPosted\":100,"
                    + "\"currency\":\"EUR\",\"debitsPending\":0,\"debitsPosted\":0,\"overdraftLimit\":0,"
                    + "\"status\":\"OPEN\"}"));
            item.put("createdAt", AttributeValue.fromS("2026-11-27T05:00:00.123456Z"));
            return item;
        }
    }
}
