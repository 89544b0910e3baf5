package dev.ledger.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent.KinesisEventRecord;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent.Record;
import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.ReversalRequest;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.api.StreamId;
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
import dev.ledger.projections.BalancesProjection;
import dev.ledger.projections.DeadLetters;
import dev.ledger.projections.HistoryProjection;
import dev.ledger.projections.MetadataProjection;
import dev.ledger.projections.ProjectionCatalog;
import dev.ledger.projections.ProjectionConsumer;
import dev.ledger.projections.TransfersProjection;
import dev.ledger.store.DynamoEventStore;
import dev.ledger.store.EventsTableSchema;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * A seeded random workload on a real events table (accounts in two currencies, posted and pending
 * transfers, posts, voids, expiries, refusals, freezes, reversals of posted transfers), and projections fed from it exactly as the
 * publisher's Kinesis records would feed them.
 */
final class Workload {

    static final CurrencyUnit EUR = CurrencyUnit.of("EUR");
    static final CurrencyUnit USD = CurrencyUnit.of("USD");

    final String events;
    final String balances;
    final String history;
    final String transfers;
    final String metadata;
    final List<String> accounts = new ArrayList<>();
    final List<String> transferIds = new ArrayList<>();
    final List<String> transactionIds = new ArrayList<>();
    /** Reversals attempted (accepted or refused: each has its stream). */
    final List<String> reversalIds = new ArrayList<>();
    final SteppingClock clock = new SteppingClock(Instant.parse("2026-03-01T09:00:00Z"));
    private final DynamoDbClient dynamo;
    private final CommandService commands;
    private final SplittableRandom random;
    /** Its own sequence, so the reversals leave the rest of the workload as it was. */
    private final SplittableRandom reversals;
    private final List<String> eur = new ArrayList<>();
    private final List<String> usd = new ArrayList<>();
    private final List<String> pending = new ArrayList<>();
    private long sequence;
    private final DynamoEventStore store;

    Workload(DynamoDbClient dynamo, String prefix, long seed) {
        this.dynamo = dynamo;
        this.events = prefix + "events";
        this.balances = prefix + "balances";
        this.history = prefix + "history";
        this.transfers = prefix + "transfers";
        this.metadata = prefix + "metadata";
        this.random = new SplittableRandom(seed);
        this.reversals = new SplittableRandom(seed + 1);
        EventsTableSchema.create(dynamo, events);
        store = new DynamoEventStore(dynamo, events);
        commands = new CommandService(store, clock, RetryPolicy.standard(new SplittableRandom(seed)));
    }

    DynamoDbClient dynamo() {
        return dynamo;
    }

    DynamoEventStore store() {
        return store;
    }

    /** Opens the accounts and runs {@code steps} random commands. */
    Workload run(int steps) {
        open("bank-eur", EUR, OverdraftLimit.UNLIMITED);
        open("bank-usd", USD, OverdraftLimit.UNLIMITED);
        for (int i = 0; i < 6; i++) {
            eur.add(open("eur-" + i, EUR, i % 3 == 0 ? OverdraftLimit.of(5_00) : OverdraftLimit.NONE));
        }
        for (int i = 0; i < 3; i++) {
            usd.add(open("usd-" + i, USD, OverdraftLimit.NONE));
        }
        for (String a : eur) {
            transfer("bank-eur", a, Money.of(100_00, EUR), false);
        }
        for (String a : usd) {
            transfer("bank-usd", a, Money.of(100_00, USD), false);
        }
        return more(steps);
    }

    /** Runs {@code steps} more random commands on the accounts {@link #run} opened. */
    Workload more(int steps) {
        for (int step = 0; step < steps; step++) {
            List<String> pool = random.nextInt(3) == 0 ? usd : eur;
            CurrencyUnit currency = pool == usd ? USD : EUR;
            String debit = pool.get(random.nextInt(pool.size()));
            String credit = pool.get(random.nextInt(pool.size()));
            if (debit.equals(credit)) {
                credit = currency == USD ? "bank-usd" : "bank-eur";
            }
            int kind = random.nextInt(10);
            Money amount = Money.of(1 + random.nextInt(40_00), currency);
            if (kind < 5) {
                String paid = transfer(debit, credit, amount, false);
                if (reversals.nextInt(4) == 0) {
                    // A refund in part or in full (refused where the payee has spent it, or it was refused).
                    Money part = reversals.nextBoolean() ? null : Money.of(1 + reversals.nextLong(amount.minorUnits()),
                            currency);
                    execute(l -> l.reverseTransfer("rv-" + paid, paid, c -> ReversalRequest.ofTransfer(paid, part)));
                    reversalIds.add("rv-" + paid);
                }
            } else if (kind < 7) {
                pending.add(transfer(debit, credit, amount, true));
            } else if (kind < 9 && !pending.isEmpty()) {
                String id = pending.remove(random.nextInt(pending.size()));
                switch (random.nextInt(3)) {
                    case 0 -> execute(l -> l.voidPendingTransfer(id));
                    case 1 -> execute(l -> l.postPendingTransfer(id, null));
                    default -> {
                        clock.step(Duration.ofHours(2)); // past the hold's timeout
                        execute(l -> l.expirePendingTransfer(id));
                    }
                }
            } else {
                execute(l -> l.freezeAccount(debit));
                transfer(debit, credit, amount, false); // refused: frozen
                execute(l -> l.unfreezeAccount(debit));
            }
        }
        return this;
    }

    /**
     * Runs {@code steps} random multi-leg transactions on the accounts {@link #run} opened: card payments
     * with a fee, netted entries, exchanges through both banks, pending ones posted, voided or expired,
     * and refusals (unbalanced, insufficient funds).
     */
    Workload transactions(int steps) {
        for (int step = 0; step < steps; step++) {
            String id = "tx-" + transactionIds.size();
            transactionIds.add(id);
            String payer = eur.get(random.nextInt(eur.size()));
            String payee = eur.get((eur.indexOf(payer) + 1) % eur.size());
            Money amount = Money.of(1 + random.nextInt(30_00), EUR);
            Money fee = Money.of(amount.minorUnits() / 10, EUR);
            List<TransactionEntry> entries = new ArrayList<>(List.of(
                    new TransactionEntry(0, payer, Side.DEBIT, amount),
                    new TransactionEntry(1, payee, Side.CREDIT, amount.minus(fee)),
                    new TransactionEntry(2, "bank-eur", Side.CREDIT, fee)));
            switch (random.nextInt(6)) {
                case 0 -> entries.add(new TransactionEntry(3, payer, Side.CREDIT, Money.of(1, EUR))); // unbalanced
                case 1 -> {
                    String wallet = usd.get(random.nextInt(usd.size()));
                    Money dollars = Money.of(amount.minorUnits() + 7, USD);
                    entries.add(new TransactionEntry(3, "bank-usd", Side.DEBIT, dollars));
                    entries.add(new TransactionEntry(4, wallet, Side.CREDIT, dollars));
                }
                case 2 -> entries.add(new TransactionEntry(3, payer, Side.DEBIT, Money.of(500_00, EUR))); // nets short
                default -> { }
            }
            if (entries.size() == 4 && entries.get(3).direction() == Side.DEBIT) {
                entries.add(new TransactionEntry(4, "bank-eur", Side.CREDIT, Money.of(500_00, EUR)));
            }
            boolean pending = random.nextBoolean();
            execute(l -> l.transaction(id, new TransactionRequest(entries, pending, pending ? 3600 : 0, null)));
            if (pending) {
                switch (random.nextInt(4)) {
                    case 0 -> execute(l -> l.voidPendingTransaction(id));
                    case 1 -> execute(l -> l.postPendingTransaction(id));
                    case 2 -> {
                        clock.step(Duration.ofHours(2));
                        execute(l -> l.expirePendingTransaction(id));
                    }
                    default -> { } // stays pending
                }
            }
        }
        return this;
    }

    /**
     * Issue 16: {@code count} payments from the EUR bank to the EUR accounts in turn, each dated back
     * {@code count - i} days (so each counts earlier than everything recorded before it), and a refund of
     * 1.00 of the first, dated back half a day.
     */
    Workload backdated(int count) {
        for (int i = 0; i < count; i++) {
            String id = "back-" + i;
            String credit = eur.get(i % eur.size());
            Money amount = Money.of(10_00 + i, EUR);
            java.time.Instant effectiveAt = clock.instant().minus(Duration.ofDays(count - i));
            transferIds.add(id);
            execute(l -> l.transfer(id, new TransferRequest("bank-eur", credit, amount, false, 0, null, effectiveAt)));
        }
        java.time.Instant refundedAt = clock.instant().minus(Duration.ofHours(12));
        execute(l -> l.reverseTransfer("rv-back-0", "back-0", c -> new ReversalRequest(
                dev.ledger.domain.api.OriginalKind.TRANSFER, "back-0", Money.of(1_00, EUR), false, null, refundedAt)));
        reversalIds.add("rv-back-0");
        return this;
    }

    /**
     * Issue 16: an account opened with metadata ({@code meta-0}) and one whose metadata is replaced twice
     * ({@code eur-0}, if the run opened it), after whatever ran before.
     */
    Workload accountMetadata() {
        execute(l -> l.openAccount(new OpenAccount("meta-0", EUR, OverdraftLimit.NONE,
                new java.util.TreeMap<>(java.util.Map.of("customer", "c-1", "channel", "web")))));
        accounts.add("meta-0");
        execute(l -> l.setAccountMetadata("eur-0", new java.util.TreeMap<>(java.util.Map.of("order", "o-1"))));
        execute(l -> l.setAccountMetadata("eur-0", new java.util.TreeMap<>(java.util.Map.of("order", "o-2"))));
        return this;
    }

    private String open(String id, CurrencyUnit currency, OverdraftLimit limit) {
        execute(l -> l.openAccount(new OpenAccount(id, currency, limit)));
        accounts.add(id);
        return id;
    }

    private String transfer(String debit, String credit, Money amount, boolean pending) {
        String id = "t-" + transferIds.size();
        transferIds.add(id);
        execute(l -> l.transfer(id, pending ? TransferRequest.pending(debit, credit, amount, 3600)
                : TransferRequest.posted(debit, credit, amount)));
        return id;
    }

    private void execute(Function<Ledger, LedgerResult> command) {
        clock.step(Duration.ofSeconds(1));
        commands.execute("c-" + ++sequence, command);
    }

    /** Creates the projection tables and feeds them every stream's events, as Kinesis records. */
    void project(SqsClient sqs, String queueName) {
        ProjectionCatalog.BALANCES.createTable(dynamo, balances);
        ProjectionCatalog.HISTORY.createTable(dynamo, history);
        ProjectionCatalog.TRANSFERS.createTable(dynamo, transfers);
        ProjectionCatalog.METADATA.createTable(dynamo, metadata);
        DeadLetters deadLetters = new DeadLetters(sqs, sqs.createQueue(r -> r.queueName(queueName)).queueUrl());
        feed(List.of(new ProjectionConsumer(new BalancesProjection(dynamo, balances), deadLetters),
                new ProjectionConsumer(new HistoryProjection(dynamo, history), deadLetters),
                new ProjectionConsumer(new TransfersProjection(dynamo, transfers), deadLetters),
                new ProjectionConsumer(new MetadataProjection(dynamo, metadata), deadLetters)));
    }

    /**
     * Feeds these consumers every stream's events from version 1, in batches of 100, as Kinesis
     * records: what they already applied is skipped as a duplicate.
     */
    void feed(List<ProjectionConsumer> consumers) {
        List<KinesisEventRecord> records = new ArrayList<>();
        accounts.forEach(a -> store().readStream(StreamId.account(a), 1).forEachRemaining(e -> records.add(record(e))));
        transferIds.forEach(t -> store().readStream(StreamId.transfer(t), 1).forEachRemaining(e -> records.add(record(e))));
        transactionIds.forEach(t -> store().readStream(StreamId.transaction(t), 1)
                .forEachRemaining(e -> records.add(record(e))));
        for (ProjectionConsumer consumer : consumers) {
            for (int i = 0; i < records.size(); i += 100) {
                assertThat(consumer.consume(records.subList(i, Math.min(i + 100, records.size())))
                        .getBatchItemFailures()).isEmpty();
            }
        }
    }

    private KinesisEventRecord record(dev.ledger.store.StoredEvent event) {
        Record kinesis = new Record();
        kinesis.setPartitionKey(event.stream().toString());
        kinesis.setSequenceNumber(Long.toString(++sequence));
        kinesis.setData(ByteBuffer.wrap(event.toJsonLine().getBytes(StandardCharsets.UTF_8)));
        KinesisEventRecord record = new KinesisEventRecord();
        record.setKinesis(kinesis);
        record.setEventID("shardId-000000000000:" + kinesis.getSequenceNumber());
        record.setEventSourceARN("arn:aws:kinesis:us-east-1:123456789012:stream/ledger");
        return record;
    }

    /** A clock the workload moves forward itself: every command at its own instant. */
    static final class SteppingClock extends Clock {
        private Instant now;

        SteppingClock(Instant start) {
            this.now = start;
        }

        void step(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("the workload's clock is UTC");
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
