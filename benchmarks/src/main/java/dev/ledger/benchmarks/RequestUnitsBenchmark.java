package dev.ledger.benchmarks;

import dev.ledger.benchmarks.metering.RequestUnitMeter;
import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.ReversalRequest;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * DynamoDB request units per command (a reversal and a repeated post among them), for an account with
 * 10 and with 10,000 events of history:
 * loading must cost the same whatever the history (one head item per stream), so the two columns
 * must match. Units are computed from the items sent and received ({@link RequestUnitMeter}); the
 * emulator reports none. Prints a markdown table and the on-demand cost per million transfers.
 */
public final class RequestUnitsBenchmark {

    /** On-demand prices in us-east-1 since November 2024, in dollars per million units. */
    static final double WRITE_PRICE = 0.625;
    static final double READ_PRICE = 0.125;

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");

    private RequestUnitsBenchmark() {
    }

    /** Appends the figures to the file named by the first argument; the second is the long history. */
    public static void main(String[] args) throws Exception {
        int longHistory = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        Results.append(args, run(longHistory));
    }

    /** One measured command: read and write units. */
    record Units(double read, double write) {
        double cost() {
            return write * WRITE_PRICE + read * READ_PRICE;
        }
    }

    static String run(int longHistory) {
        RequestUnitMeter meter = new RequestUnitMeter();
        try (MotoServer moto = MotoServer.start();
             AwsClients aws = AwsClients.forEndpoint(moto.endpoint(), List.of(meter))) {
            EventsTableSchema.create(aws.dynamoDb(), "bench-units");
            CommandService commands = new CommandService(new DynamoEventStore(aws.dynamoDb(), "bench-units"),
                    Clock.systemUTC(), RetryPolicy.standard(new SplittableRandom(1)));
            run(commands, l -> l.openAccount(new OpenAccount("bank", EUR, OverdraftLimit.UNLIMITED)));
            run(commands, l -> l.openAccount(new OpenAccount("payee", EUR, OverdraftLimit.NONE)));
            Map<Integer, Map<String, Units>> byHistory = new LinkedHashMap<>();
            for (int history : List.of(10, longHistory)) {
                String account = "history-" + history;
                run(commands, l -> l.openAccount(new OpenAccount(account, EUR, OverdraftLimit.NONE)));
                long started = System.nanoTime();
                for (int i = 1; i < history; i++) {
                    int n = i;
                    run(commands, l -> l.transfer(account + "-fund-" + n,
                            TransferRequest.posted("bank", account, Money.parse("1.00", EUR))));
                }
                System.err.printf(Locale.ROOT, "history of %d events written in %.1f s%n", history,
                        (System.nanoTime() - started) / 1e9);
                Map<String, Units> units = new LinkedHashMap<>();
                units.put("deposit (posted transfer from the funding account)", measure(meter, commands,
                        l -> l.transfer(account + "-deposit", TransferRequest.posted("bank", account, eur("5.00")))));
                units.put("pending transfer (hold)", measure(meter, commands, l -> l.transfer(account + "-hold-1",
                        TransferRequest.pending(account, "payee", eur("2.00"), 3600))));
                units.put("post pending", measure(meter, commands,
                        l -> l.postPendingTransfer(account + "-hold-1", null)));
                run(commands, l -> l.transfer(account + "-hold-2", TransferRequest.pending(account, "payee",
                        eur("1.00"), 3600)));
                units.put("void pending", measure(meter, commands, l -> l.voidPendingTransfer(account + "-hold-2")));
                units.put("post pending again (a retry after a lost answer: reads the stream up to its post)",
                        measure(meter, commands, l -> l.postPendingTransfer(account + "-hold-1", null)));
                units.put("reversal of part of the deposit", measure(meter, commands, l -> l.reverseTransfer(
                        account + "-refund", account + "-deposit",
                        c -> ReversalRequest.ofTransfer(account + "-deposit", Money.parse("1.00", c)))));
                byHistory.put(history, units);
            }
            return table(byHistory, longHistory);
        }
    }

    private static String table(Map<Integer, Map<String, Units>> byHistory, int longHistory) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "| command | read units, 10 events | write units, 10 events"
                + " | read units, %,d events | write units, %,d events |%n", longHistory, longHistory));
        out.append("|---|---:|---:|---:|---:|\n");
        List<String> commands = new ArrayList<>(byHistory.get(10).keySet());
        for (String command : commands) {
            Units small = byHistory.get(10).get(command);
            Units large = byHistory.get(longHistory).get(command);
            out.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.1f |%n", command, small.read(),
                    small.write(), large.read(), large.write()));
        }
        Units deposit = byHistory.get(longHistory).get(commands.get(0));
        out.append(String.format(Locale.ROOT, "%nOn-demand cost of a posted transfer (us-east-1, $%.3f per million"
                        + " write units, $%.3f per million read units): $%.2f per million transfers.%n",
                WRITE_PRICE, READ_PRICE, deposit.cost()));
        return out.toString();
    }

    private static Units measure(RequestUnitMeter meter, CommandService commands,
                                 Function<Ledger, LedgerResult> command) {
        meter.reset();
        run(commands, command);
        return new Units(meter.readUnits(), meter.writeUnits());
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
