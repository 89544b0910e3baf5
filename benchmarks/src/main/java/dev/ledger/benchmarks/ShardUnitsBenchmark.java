package dev.ledger.benchmarks;

import dev.ledger.benchmarks.metering.RequestUnitMeter;
import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.AccountEvent.ShardFundsMoved;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.ledger.Ledger;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
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
import java.util.function.Function;

/**
 * DynamoDB requests and request units of payments on sharded accounts (issue 13), each beside a posted
 * transfer between two accounts that are not sharded, measured on the same emulator: what sharding adds
 * to a payment that finds the funds on its shard (nothing once the command service remembers the
 * account's shard count; shard 0's head for the first payment), to one that gathers them from other
 * shards (every shard read, two items written per giving shard) and to a refusal of the whole account
 * (every shard read and checked in the refusal's write). Units are computed from the items sent and
 * received ({@link RequestUnitMeter}), through {@link CommandService} on the DynamoDB event store.
 */
public final class ShardUnitsBenchmark {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");
    private static final int SHARDS = 16;

    private ShardUnitsBenchmark() {
    }

    /** Appends the figures to the file named by the first argument. */
    public static void main(String[] args) throws Exception {
        Results.append(args, run());
    }

    /** One measured command; {@code givers} is how many shards moved funds into the debited one. */
    record Measured(String command, String answer, long givers, long requests, long items, double read,
                    double write) {
        double cost() {
            return write * RequestUnitsBenchmark.WRITE_PRICE + read * RequestUnitsBenchmark.READ_PRICE;
        }
    }

    static String run() {
        RequestUnitMeter meter = new RequestUnitMeter();
        try (MotoServer moto = MotoServer.start();
             AwsClients aws = AwsClients.forEndpoint(moto.endpoint(), List.of(meter))) {
            EventsTableSchema.create(aws.dynamoDb(), "bench-shard-units");
            CommandService commands = new CommandService(new DynamoEventStore(aws.dynamoDb(), "bench-shard-units"),
                    Clock.systemUTC(), RetryPolicy.standard(new SplittableRandom(1)));
            run(commands, l -> l.openAccount(new OpenAccount("bank", EUR, OverdraftLimit.UNLIMITED)));
            run(commands, l -> l.openAccount(new OpenAccount("customer-000001", EUR, OverdraftLimit.NONE)));
            run(commands, l -> l.openAccount(new OpenAccount("house-unlimited", EUR, OverdraftLimit.UNLIMITED), SHARDS));
            run(commands, l -> l.openAccount(new OpenAccount("house-floor", EUR, OverdraftLimit.NONE), SHARDS));
            // 160 deposits of 1.00 spread over the 16 shards by their ids' hashes, about 10.00 on each.
            for (int i = 0; i < 160; i++) {
                String id = String.format(Locale.ROOT, "deposit-%06d", i);
                run(commands, l -> l.transfer(id, TransferRequest.posted("bank", "house-floor", eur(1_00))));
            }

            List<Measured> rows = new ArrayList<>();
            rows.add(measure(meter, commands, "transfer, posted, between accounts that are not sharded: the baseline",
                    l -> l.transfer("transfer-000001", TransferRequest.posted("bank", "customer-000001", eur(1_00)))));
            rows.add(measure(meter, commands, "out of a 16-shard account with no floor, the first payment on it (shard 0 read"
                    + " for the count)",
                    l -> l.transfer("transfer-000002", TransferRequest.posted("house-unlimited", "customer-000001",
                            eur(1_00)))));
            rows.add(measure(meter, commands, "into a 16-shard account, its count remembered from the payment before",
                    l -> l.transfer("transfer-000003", TransferRequest.posted("bank", "house-unlimited", eur(1_00)))));
            rows.add(measure(meter, commands, "out of a 16-shard account with a floor, its shard has the funds",
                    l -> l.transfer("transfer-000004", TransferRequest.posted("house-floor", "customer-000001",
                            eur(1_00)))));
            rows.add(measure(meter, commands, "out of a 16-shard account with a floor, more than one shard holds",
                    l -> l.transfer("transfer-000005", TransferRequest.posted("house-floor", "customer-000001",
                            eur(30_00)))));
            rows.add(measure(meter, commands, "out of a 16-shard account with a floor, most of what it holds",
                    l -> l.transfer("transfer-000006", TransferRequest.posted("house-floor", "customer-000001",
                            eur(100_00)))));
            rows.add(measure(meter, commands, "out of a 16-shard account with a floor, more than it holds (refused)",
                    l -> l.transfer("transfer-000007", TransferRequest.posted("house-floor", "customer-000001",
                            eur(1_000_00)))));
            rows.add(measure(meter, commands, "an operator raises the account from 16 to 32 shards",
                    l -> l.raiseShards("house-floor", 32)));
            return table(rows);
        }
    }

    private static String table(List<Measured> rows) {
        Measured transfer = rows.get(0);
        StringBuilder out = new StringBuilder();
        out.append("| command | answer | shards that gave | DynamoDB requests | items written | read units | write units"
                + " | read / transfer | write / transfer | cost / transfer |\n");
        out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Measured row : rows) {
            out.append(String.format(Locale.ROOT, "| %s | %s | %d | %d | %d | %.1f | %.1f | %.2f | %.2f | %.2f |%n",
                    row.command(), row.answer(), row.givers(), row.requests(), row.items(), row.read(), row.write(),
                    row.read() / transfer.read(), row.write() / transfer.write(), row.cost() / transfer.cost()));
        }
        out.append(String.format(Locale.ROOT, "%nCosts at on-demand prices in us-east-1 ($%.3f per million write units,"
                        + " $%.3f per million read units).%n", RequestUnitsBenchmark.WRITE_PRICE,
                RequestUnitsBenchmark.READ_PRICE));
        return out.toString();
    }

    private static Measured measure(RequestUnitMeter meter, CommandService commands, String label,
                                    Function<Ledger, LedgerResult> command) {
        meter.reset();
        LedgerResult result = commands.execute("bench", command).result();
        long givers = result.changes().stream().flatMap(change -> change.events().stream())
                .filter(event -> event instanceof ShardFundsMoved moved && moved.side() == Side.DEBIT).count();
        String answer = result.isRejected() ? result.rejection().code().code() : "accepted";
        return new Measured(label, answer, givers, meter.requests(), meter.itemsWritten(), meter.readUnits(),
                meter.writeUnits());
    }

    private static void run(CommandService commands, Function<Ledger, LedgerResult> command) {
        LedgerResult result = commands.execute("bench", command).result();
        if (result.isRejected()) {
            throw new IllegalStateException("benchmark command refused: " + result.rejection());
        }
    }

    private static Money eur(long minorUnits) {
        return Money.of(minorUnits, EUR);
    }
}
