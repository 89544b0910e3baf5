package dev.ledger.benchmarks;

import dev.ledger.benchmarks.metering.RequestUnitMeter;
import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.BatchItem;
import dev.ledger.domain.api.BatchItem.TransferItem;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.ledger.Ledger;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.functions.api.CommandApi;
import dev.ledger.functions.command.CommandService;
import dev.ledger.functions.command.RetryPolicy;
import dev.ledger.http.ApiTokens;
import dev.ledger.http.HttpRequest;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.MotoServer;
import dev.ledger.store.BatchDigest;
import dev.ledger.store.DynamoEventStore;
import dev.ledger.store.EventsTableSchema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * What batching saves, in the approach of {@link RequestUnitsBenchmark} (units computed from the items
 * sent and received by {@link RequestUnitMeter}; the emulator reports none):
 * <ol>
 *   <li>DynamoDB request units per item of an atomic batch of N transfers between the same two accounts,
 *       against the same N transfers sent singly, for N = 1, 10 and 24 (the most an atomic batch takes);</li>
 *   <li>how long a batch that is not atomic takes with its items run one at a time and four at a time
 *       (through the command API in process, against the emulator), over disjoint accounts and over one
 *       shared funding account, in alternating rounds; the ratio is the figure, the machine is shared.</li>
 * </ol>
 * Writes the markdown to the file named by the first argument (created afresh, with the machine's load).
 */
public final class BatchRequestUnitsBenchmark {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");
    private static final String TOKEN = "bench-payments";
    private static final int ROUNDS = 3;
    private static final int INDEPENDENT_ITEMS = 100;

    private BatchRequestUnitsBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "# Batches: request units per item, and parallel items, %s%n%n",
                Instant.now().toString().substring(0, 16) + "Z"));
        out.append(String.format(Locale.ROOT, "Machine: %d cores, Java %s, moto through the project's launcher. "
                        + "Load average (1, 5, 15 min) at the start: %s.%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), loadAverage()));
        out.append("Command (from the repository root): `mvn -B -o -q -pl benchmarks -am package -DskipTests "
                + "dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile=$PWD/benchmarks/target/cp.txt "
                + "&& java -Daws.cborEnabled=false -cp benchmarks/target/classes:$(cat benchmarks/target/cp.txt) "
                + "dev.ledger.benchmarks.BatchRequestUnitsBenchmark "
                + "benchmarks/results/2026-11-29-batch-request-units.md`\n\n");
        RequestUnitMeter meter = new RequestUnitMeter();
        try (MotoServer moto = MotoServer.start();
             AwsClients aws = AwsClients.forEndpoint(moto.endpoint(), List.of(meter))) {
            EventsTableSchema.create(aws.dynamoDb(), "bench-batches");
            AtomicLong conflicts = new AtomicLong();
            CommandService commands = new CommandService(new DynamoEventStore(aws.dynamoDb(), "bench-batches"),
                    Clock.systemUTC(), RetryPolicy.standard(new SplittableRandom(1)),
                    (correlationId, attempt) -> conflicts.incrementAndGet());
            run(commands, l -> l.openAccount(new OpenAccount("bank", EUR, OverdraftLimit.UNLIMITED)));
            run(commands, l -> l.openAccount(new OpenAccount("payee", EUR, OverdraftLimit.NONE)));
            out.append(requestUnits(meter, commands));
            out.append(parallelItems(commands, conflicts));
        }
        String figures = out.toString();
        System.err.println(figures);
        if (args.length > 0) {
            Files.writeString(Path.of(args[0]), figures, StandardCharsets.UTF_8);
        }
    }

    private static String requestUnits(RequestUnitMeter meter, CommandService commands) {
        StringBuilder out = new StringBuilder("## Request units per item: an atomic batch of N transfers against the"
                + " same N sent singly\n\nEvery transfer moves 0.01 EUR from `bank` to `payee`. Singly, each is one"
                + " command: 3 heads read, 3 events and 3 heads written. In a batch, the two accounts' heads are read"
                + " and written once for all items, and the batch adds its own record (an event and a head).\n\n"
                + "| N | batch: read units per item | batch: write units per item | singly: read units per item"
                + " | singly: write units per item | batch / singly (write) | batch / singly (read + write cost) |\n"
                + "|---:|---:|---:|---:|---:|---:|---:|\n");
        int round = 0;
        for (int n : new int[] {1, 10, 24}) {
            round++;
            List<BatchItem> items = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                items.add(new TransferItem("b" + round + "-" + i, TransferRequest.posted("bank", "payee", eur("0.01"))));
            }
            String batchId = "batch-" + round;
            meter.reset();
            run(commands, l -> l.atomicBatch(batchId, BatchDigest.request(true, items)));
            double batchRead = meter.readUnits() / n;
            double batchWrite = meter.writeUnits() / n;
            double singleRead = 0;
            double singleWrite = 0;
            for (int i = 0; i < n; i++) {
                String id = "s" + round + "-" + i;
                meter.reset();
                run(commands, l -> l.transfer(id, TransferRequest.posted("bank", "payee", eur("0.01"))));
                singleRead += meter.readUnits();
                singleWrite += meter.writeUnits();
            }
            singleRead /= n;
            singleWrite /= n;
            double batchCost = batchWrite * RequestUnitsBenchmark.WRITE_PRICE + batchRead * RequestUnitsBenchmark.READ_PRICE;
            double singleCost = singleWrite * RequestUnitsBenchmark.WRITE_PRICE
                    + singleRead * RequestUnitsBenchmark.READ_PRICE;
            out.append(String.format(Locale.ROOT, "| %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |%n", n, batchRead,
                    batchWrite, singleRead, singleWrite, batchWrite / singleWrite, batchCost / singleCost));
        }
        return out.append('\n').toString();
    }

    /** A batch that is not atomic, its items one at a time and four at a time, in alternating rounds. */
    private static String parallelItems(CommandService commands, AtomicLong conflicts) {
        ApiTokens tokens = ApiTokens.parse(TOKEN + "=payments");
        CommandApi oneAtATime = new CommandApi(commands, tokens, 1);
        CommandApi fourAtATime = new CommandApi(commands, tokens, 4);
        for (int i = 0; i < INDEPENDENT_ITEMS; i++) {
            int n = i;
            run(commands, l -> l.openAccount(new OpenAccount("payer-" + n, EUR, OverdraftLimit.UNLIMITED)));
            run(commands, l -> l.openAccount(new OpenAccount("payout-" + n, EUR, OverdraftLimit.NONE)));
        }
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "## A batch that is not atomic: %d items"
                + " one at a time and four at a time%n%nThrough `CommandApi` in process (no HTTP hop), against the"
                + " emulator; %d alternating rounds, median items/s. Disjoint: item i moves 0.01 EUR from `payer-i` to"
                + " `payout-i`. Shared: every item pays from `bank`; items that share an account run in one lane, in"
                + " order (a run before lanes, four at a time over the shared account, measured 0.64 of one at a"
                + " time with 385 lost append races in 300 items), so both columns run them one after another.%n%n| items on | one at a time, items/s |"
                + " four at a time, items/s | speed-up | lost races, four at a time |%n|---|---:|---:|---:|---:|%n",
                INDEPENDENT_ITEMS, ROUNDS));
        for (boolean shared : new boolean[] {false, true}) {
            double[] single = new double[ROUNDS];
            double[] parallel = new double[ROUNDS];
            long lost = 0;
            for (int round = 0; round < ROUNDS; round++) {
                single[round] = itemsPerSecond(oneAtATime, batch(shared, "one-" + shared + "-" + round));
                long before = conflicts.get();
                parallel[round] = itemsPerSecond(fourAtATime, batch(shared, "four-" + shared + "-" + round));
                lost += conflicts.get() - before;
            }
            double one = median(single);
            double four = median(parallel);
            out.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.2f | %d in %d items |%n",
                    shared ? "one shared account" : "disjoint accounts", one, four, four / one, lost,
                    ROUNDS * INDEPENDENT_ITEMS));
        }
        return out.append('\n').toString();
    }

    private static String batch(boolean shared, String batchId) {
        StringBuilder items = new StringBuilder();
        for (int i = 0; i < INDEPENDENT_ITEMS; i++) {
            items.append(i == 0 ? "" : ",").append("{\"type\":\"transfer\",\"transferId\":\"").append(batchId)
                    .append('-').append(i).append("\",\"debitAccountId\":\"").append(shared ? "bank" : "payer-" + i)
                    .append("\",\"creditAccountId\":\"payout-").append(i)
                    .append("\",\"amount\":\"0.01\",\"currency\":\"EUR\"}");
        }
        return "{\"batchId\":\"" + batchId + "\",\"atomic\":false,\"items\":[" + items + "]}";
    }

    private static double itemsPerSecond(CommandApi api, String body) {
        HttpRequest request = new HttpRequest("POST", "/batches", Map.of("authorization", "Bearer " + TOKEN),
                Map.of(), body, "bench");
        long started = System.nanoTime();
        int status = api.handle(request, "bench-" + started).response().status();
        double seconds = (System.nanoTime() - started) / 1e9;
        if (status != 201) {
            throw new IllegalStateException("the benchmark's batch answered " + status);
        }
        return INDEPENDENT_ITEMS / seconds;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | RuntimeException unreadable) {
            return "unknown";
        }
    }

    private static void run(CommandService commands, Function<Ledger, LedgerResult> command) {
        LedgerResult result = commands.execute("bench", command).result();
        if (result.isRejected()) {
            throw new IllegalStateException("benchmark command refused: " + result.rejection());
        }
    }

    private static Money eur(String amount) {
        return Money.parse(amount, EUR);
    }
}
