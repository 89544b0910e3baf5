package dev.ledger.benchmarks;

import dev.ledger.benchmarks.metering.RequestUnitMeter;
import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.ReversalRequest;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.api.TransactionEntry;
import dev.ledger.domain.api.TransactionRequest;
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
import java.util.TreeMap;
import java.util.function.Function;

/**
 * DynamoDB request units per command of issue 12 (multi-leg transactions of 2 entries, 10 entries and
 * {@link TransactionRequest#MAX_ACCOUNTS} distinct accounts, the {@link TransactionRequest#MAX_ENTRIES}
 * entries on as many accounts, and a reversal in part), each beside a posted two-leg transfer measured
 * on the same emulator: the ratios are the figures to compare. Units are computed from the items sent
 * and received ({@link RequestUnitMeter}); the emulator reports none. The commands run through
 * {@link CommandService} on the DynamoDB event store, exactly as the command Lambda runs them.
 */
public final class TransactionUnitsBenchmark {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");
    /** Ids as long as a typical customer id, so that item sizes are a payment service's. */
    private static final String PAYER = "customer-000000";

    private TransactionUnitsBenchmark() {
    }

    /** Appends the figures to the file named by the first argument. */
    public static void main(String[] args) throws Exception {
        Results.append(args, run());
    }

    /** One measured command. */
    record Measured(String command, int accounts, int entries, long items, long largestItem, double read,
                    double write) {
        double cost() {
            return write * RequestUnitsBenchmark.WRITE_PRICE + read * RequestUnitsBenchmark.READ_PRICE;
        }
    }

    static String run() {
        RequestUnitMeter meter = new RequestUnitMeter();
        try (MotoServer moto = MotoServer.start();
             AwsClients aws = AwsClients.forEndpoint(moto.endpoint(), List.of(meter))) {
            EventsTableSchema.create(aws.dynamoDb(), "bench-tx-units");
            CommandService commands = new CommandService(new DynamoEventStore(aws.dynamoDb(), "bench-tx-units"),
                    Clock.systemUTC(), RetryPolicy.standard(new SplittableRandom(1)));
            run(commands, l -> l.openAccount(new OpenAccount("bank", EUR, OverdraftLimit.UNLIMITED)));
            run(commands, l -> l.openAccount(new OpenAccount(PAYER, EUR, OverdraftLimit.NONE)));
            for (int p = 1; p < TransactionRequest.MAX_ACCOUNTS; p++) {
                String payee = payee(p);
                run(commands, l -> l.openAccount(new OpenAccount(payee, EUR, OverdraftLimit.NONE)));
            }
            run(commands, l -> l.transfer("funding-000001", TransferRequest.posted("bank", PAYER, eur(1_000_000_00))));

            List<Measured> rows = new ArrayList<>();
            rows.add(measure(meter, commands, "transfer, posted (2 legs): the baseline", 2, 2,
                    l -> l.transfer("transfer-000001", TransferRequest.posted(PAYER, payee(1), eur(1_00)))));
            rows.add(measure(meter, commands, "transaction, 2 entries", 2, 2,
                    l -> l.transaction("transaction-000002", fanOut(1, 1))));
            rows.add(measure(meter, commands, "transaction, 10 entries (1 debit, 9 credits)", 10, 10,
                    l -> l.transaction("transaction-000010", fanOut(9, 1))));
            int most = TransactionRequest.MAX_ACCOUNTS;
            rows.add(measure(meter, commands, String.format(Locale.ROOT,
                            "transaction, %d entries on %d accounts (MAX_ACCOUNTS)", most, most), most, most,
                    l -> l.transaction("transaction-000049", fanOut(most - 1, 1))));
            int entries = TransactionRequest.MAX_ENTRIES;
            int perPayee = (entries - 1) / (most - 1);
            rows.add(measure(meter, commands, String.format(Locale.ROOT,
                            "transaction, %d entries (MAX_ENTRIES) on %d accounts", entries, most), most, entries,
                    l -> l.transaction("transaction-000100", fanOut(most - 1, perPayee))));
            run(commands, l -> l.transfer("transfer-000002", TransferRequest.posted(PAYER, payee(2), eur(10_00))));
            rows.add(measure(meter, commands, "reversal in part of a posted transfer", 2, 2,
                    l -> l.reverseTransfer("reversal-000001", "transfer-000002",
                            currency -> ReversalRequest.ofTransfer("transfer-000002", eur(4_00)))));
            return table(rows);
        }
    }

    /**
     * The payer pays {@code payees} payees, each in {@code creditsEach} entries of 1.00; the payer's
     * debit is split into as many entries as make {@link TransactionRequest#MAX_ENTRIES} when the
     * credits leave room for more than one (an account in several entries moves by its net).
     */
    private static TransactionRequest fanOut(int payees, int creditsEach) {
        List<TransactionEntry> entries = new ArrayList<>();
        int credits = payees * creditsEach;
        int debits = creditsEach == 1 ? 1 : TransactionRequest.MAX_ENTRIES - credits;
        // The debits add up to the credits exactly: equal parts, the first one taking the remainder.
        long total = credits * 1_00L;
        for (int d = 0; d < debits; d++) {
            long part = total / debits + (d == 0 ? total % debits : 0);
            entries.add(new TransactionEntry(entries.size(), PAYER, Side.DEBIT, eur(part)));
        }
        for (int p = 1; p <= payees; p++) {
            for (int c = 0; c < creditsEach; c++) {
                entries.add(new TransactionEntry(entries.size(), payee(p), Side.CREDIT, eur(1_00)));
            }
        }
        return new TransactionRequest(entries, false, 0, new TreeMap<>());
    }

    private static String table(List<Measured> rows) {
        Measured transfer = rows.get(0);
        StringBuilder out = new StringBuilder();
        out.append("| command | accounts | entries | items written | largest item (bytes) | read units | write units"
                + " | read / transfer | write / transfer | $ per million | cost / transfer |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Measured row : rows) {
            out.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %,d | %.1f | %.1f | %.2f | %.2f | %.2f | %.2f |%n",
                    row.command(), row.accounts(), row.entries(), row.items(), row.largestItem(), row.read(),
                    row.write(), row.read() / transfer.read(), row.write() / transfer.write(), row.cost(),
                    row.cost() / transfer.cost()));
        }
        Measured ten = rows.get(2);
        Measured most = rows.get(3);
        Measured reversal = rows.get(rows.size() - 1);
        out.append(String.format(Locale.ROOT, "%nCosts at on-demand prices in us-east-1 ($%.3f per million write units,"
                        + " $%.3f per million read units).%n", RequestUnitsBenchmark.WRITE_PRICE,
                RequestUnitsBenchmark.READ_PRICE));
        out.append(String.format(Locale.ROOT, "%n**What they mean.** A command reads one head item per stream it"
                        + " touches, 1 read unit each (every head read here is under 4 KB): the transfer 3 (its stream and two"
                        + " accounts), a transaction 1 + its accounts, the reversal %.0f (its own stream, the"
                        + " transfer's and two accounts). It writes one event and one head per stream in one"
                        + " TransactWriteItems, 2 write units per started KB of each item: 2 + 2N items for N"
                        + " accounts, %d at %d accounts, DynamoDB's limit. A 2-entry transaction costs what a transfer"
                        + " costs; a reversal %.2f transfers. Reads grow linearly with the accounts (%.2f transfers"
                        + " at %d), writes faster (%.2f): per account touched the transfer writes %.1f units, the"
                        + " 10-entry transaction %.1f, the %d-account one %.1f, because every account's event carries"
                        + " the transaction's whole entry list (the largest item grows by about %.0f bytes per entry"
                        + " from 10 to %d entries, to %,d bytes), so the write units of one transaction grow with"
                        + " accounts times entries.%n", reversal.read(), most.items(), most.accounts(),
                reversal.cost() / transfer.cost(), most.read() / transfer.read(), most.accounts(),
                most.write() / transfer.write(), transfer.write() / transfer.accounts(), ten.write() / ten.accounts(),
                most.accounts(), most.write() / most.accounts(),
                (double) (most.largestItem() - ten.largestItem()) / (most.entries() - ten.entries()),
                most.entries(), most.largestItem()));
        return out.toString();
    }

    private static Measured measure(RequestUnitMeter meter, CommandService commands, String label, int accounts,
                                    int entries, Function<Ledger, LedgerResult> command) {
        meter.reset();
        run(commands, command);
        return new Measured(label, accounts, entries, meter.itemsWritten(), meter.largestItemWritten(),
                meter.readUnits(), meter.writeUnits());
    }

    private static void run(CommandService commands, Function<Ledger, LedgerResult> command) {
        LedgerResult result = commands.execute("bench", command).result();
        if (result.isRejected()) {
            throw new IllegalStateException("benchmark command refused: " + result.rejection());
        }
    }

    private static String payee(int n) {
        return String.format(Locale.ROOT, "customer-%06d", n);
    }

    private static Money eur(long minorUnits) {
        return Money.of(minorUnits, EUR);
    }
}
