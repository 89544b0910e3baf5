package dev.ledger.benchmarks;

import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.domain.money.Money;
import dev.ledger.functions.command.CommandService;
import dev.ledger.functions.command.RetryPolicy;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.MotoServer;
import dev.ledger.store.DynamoEventStore;
import dev.ledger.store.EventsTableSchema;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Transfers per second with a short and with a long log: two events tables on one emulator, seeded
 * by {@link LogSeeder} to 1,000 and to 50,000 events (same accounts, same shape), then the same
 * transfer workload through {@link CommandService} (the command Lambda's unit of work: read three
 * heads, decide, one TransactWriteItems), in alternating rounds so both tables see the same machine.
 * A command loads a stream's head, never its history, so the ratio must stay near 1.
 *
 * <p>Arguments: results file, small log (default 1,000 events), large log (default 50,000),
 * transfers per round (default 150), rounds per table (default 4).
 */
public final class LogSizeBenchmark {

    private static final LogSeeder.Shape SHAPE = new LogSeeder.Shape(10, 100);
    private static final int SEED_WRITERS = 4;

    private LogSizeBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        long small = args.length > 1 ? Long.parseLong(args[1]) : 1_000;
        long large = args.length > 2 ? Long.parseLong(args[2]) : 50_000;
        int perRound = args.length > 3 ? Integer.parseInt(args[3]) : 150;
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 4;
        Results.append(args, run(small, large, perRound, rounds));
    }

    /** One table under test: its seeded log and the rates its rounds reached. */
    private record Table(String name, LogSeeder.Seeded seeded, CommandService commands, List<Double> rates) {
    }

    static String run(long small, long large, int perRound, int rounds) {
        try (MotoServer moto = MotoServer.start();
             AwsClients aws = AwsClients.forEndpoint(moto.endpoint())) {
            LogSeeder seeder = new LogSeeder(aws.dynamoDb(), SEED_WRITERS);
            List<Table> tables = new ArrayList<>();
            for (long size : List.of(small, large)) {
                String name = "bench-log-" + size;
                EventsTableSchema.create(aws.dynamoDb(), name);
                LogSeeder.Seeded seeded = seeder.seed(name, SHAPE, size);
                seeder.checkStream(name, StreamId.account(SHAPE.funding(0)));
                System.err.printf(Locale.ROOT, "%s: %d events (%d items) seeded in %.1f s%n", name, seeded.events(),
                        seeded.items(), seeded.seconds());
                tables.add(new Table(name, seeded, new CommandService(new DynamoEventStore(aws.dynamoDb(), name),
                        Clock.systemUTC(), RetryPolicy.standard(new SplittableRandom(size))), new ArrayList<>()));
            }
            // Warm-up on both tables (JIT, connections): not recorded.
            for (Table table : tables) {
                transfers(table.commands(), "warm", perRound / 3);
            }
            for (int round = 0; round < rounds; round++) {
                for (Table table : tables) {
                    table.rates().add(transfers(table.commands(), "r" + round, perRound));
                }
            }
            return report(tables, perRound, rounds);
        }
    }

    private static double transfers(CommandService commands, String prefix, int count) {
        long started = System.nanoTime();
        for (int i = 0; i < count; i++) {
            int n = i;
            LedgerResult result = commands.execute("bench", l -> l.transfer(prefix + "-" + n,
                    TransferRequest.posted(SHAPE.funding(n), SHAPE.customer(n * 7), Money.parse("1.00",
                            LogSeeder.EUR)))).result();
            if (result.isRejected()) {
                throw new IllegalStateException("benchmark transfer refused: " + result.rejection());
            }
        }
        return count / ((System.nanoTime() - started) / 1e9);
    }

    private static String report(List<Table> tables, int perRound, int rounds) {
        Table small = tables.get(0);
        Table large = tables.get(1);
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "Two events tables on one emulator, seeded with a valid log (the"
                + " ledger's own decisions and hash chains, written with BatchWriteItem: %d funding accounts pay %d"
                + " customers, posted transfers of 3 events). Then posted transfers between the same accounts through"
                + " CommandService (one client thread; read three heads, decide, one TransactWriteItems), %d rounds of"
                + " %d per table, alternating small / large, after a warm-up of %d on each. Each round adds %d events"
                + " to its table.%n%n", SHAPE.fundingAccounts(), SHAPE.customers(), rounds, perRound, perRound / 3,
                perRound * 3));
        out.append("| events in the log before the rounds | seeded in | transfers/s (median) | rounds |\n"
                + "|---:|---|---:|---|\n");
        for (Table table : tables) {
            out.append(String.format(Locale.ROOT, "| %,d | %.1f s (%,d items, %.0f items/s, %d writer threads) |"
                            + " **%.1f** | %s |%n", table.seeded().events(), table.seeded().seconds(),
                    table.seeded().items(), table.seeded().itemsPerSecond(), SEED_WRITERS, median(table.rates()),
                    format(table.rates())));
        }
        out.append(String.format(Locale.ROOT, "%nTransfers/s at %,d events / at %,d events = **%.2f** (1.00 = flat).%n",
                large.seeded().events(), small.seeded().events(), median(large.rates()) / median(small.rates())));
        return out.toString();
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }

    static String format(List<Double> rates) {
        List<String> parts = new ArrayList<>();
        rates.forEach(r -> parts.add(String.format(Locale.ROOT, "%.1f", r)));
        return String.join(", ", parts);
    }
}
