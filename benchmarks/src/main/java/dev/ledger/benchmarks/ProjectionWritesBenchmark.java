package dev.ledger.benchmarks;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent.KinesisEventRecord;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent.Record;
import dev.ledger.benchmarks.metering.RequestUnitMeter;
import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.StreamId;
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
import dev.ledger.projections.DeadLetters;
import dev.ledger.projections.Projection;
import dev.ledger.projections.Projection.Position;
import dev.ledger.projections.Projection.Run;
import dev.ledger.projections.Projection.Step;
import dev.ledger.projections.ProjectionCatalog;
import dev.ledger.projections.ProjectionConsumer;
import dev.ledger.store.DynamoEventStore;
import dev.ledger.store.EventsTableSchema;
import dev.ledger.store.StoredEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * DynamoDB requests and request units per event for each projection, before and after issue 14's
 * batched apply, on the read-path benchmark's workload: posted transfers of 1.00 from 4 funding
 * accounts to 3 customers each (as its catch-up backlog), delivered in Kinesis batches of 100 records
 * (the template's BatchSize, a backlog's shape) and of 3 (one transfer per batch: a quiet pipeline).
 *
 * <p>Three ways to apply the same batches, each on a fresh table, metered by {@link RequestUnitMeter}
 * (the write path's counting: 1 write unit per started KB of an item, 2 in a transaction):
 *
 * <ul>
 *   <li><b>per event</b> (before): the consumer as it was, a consistent GetItem of each stream's
 *       position once per batch and one conditional write per event ({@link Projection#apply}: a
 *       PutItem, or for history the entry and cursor in one transaction);
 *   <li><b>batched</b> (after): {@link ProjectionConsumer} as it is now: one BatchGetItem, each run
 *       folded in memory, TransactWriteItems of up to 100 items (a chunk of one item a PutItem);
 *   <li><b>per stream</b> (the alternative weighed): the same read and fold, then one conditional
 *       PutItem per stream per batch (for history, a transaction of the stream's entries and cursor).
 * </ul>
 */
public final class ProjectionWritesBenchmark {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");
    private static final int WRITERS = 4;
    private static final int CUSTOMERS = 3;

    private ProjectionWritesBenchmark() {
    }

    /** Appends the figures to the file named by the first argument; the second is the transfers (default 600). */
    public static void main(String[] args) throws Exception {
        int transfers = args.length > 1 ? Integer.parseInt(args[1]) : 600;
        Results.append(args, run(transfers));
    }

    private record Units(long events, long requests, double read, double write, double seconds) {
        double perEvent(double value) {
            return value / events;
        }
    }

    static String run(int transfers) {
        RequestUnitMeter meter = new RequestUnitMeter();
        try (MotoServer moto = MotoServer.start();
             AwsClients plain = AwsClients.forEndpoint(moto.endpoint());
             AwsClients metered = AwsClients.forEndpoint(moto.endpoint(), List.of(meter))) {
            List<StoredEvent> log = workload(plain, transfers);
            String queue = plain.sqs().createQueue(r -> r.queueName("bench-projection-writes-dlq")).queueUrl();
            DeadLetters deadLetters = new DeadLetters(plain.sqs(), queue);
            StringBuilder out = new StringBuilder();
            out.append(String.format(Locale.ROOT, "## Requests and write units per event, per projection: per event"
                    + " (before) and batched (after)%n%nCommand: `java -cp <classpath>"
                    + " dev.ledger.benchmarks.ProjectionWritesBenchmark <results file> %d` (the classpath as"
                    + " `benchmarks/run` builds it), one fresh emulator. Workload: %d posted transfers of 1.00"
                    + " from %d funding accounts to %d customers each (the read-path catch-up backlog's shape),"
                    + " %d events with the openings, in log order; each way of applying them starts from an empty"
                    + " table. Units from the sizes of the items sent and received (`RequestUnitMeter`: 1 write"
                    + " unit per started KB of an item, 2 in a transaction; 1 read unit per started 4 KB,"
                    + " strongly consistent); $ per million events at $0.625 per million write units and $0.125"
                    + " per million read units. Events/s: one thread, the emulator shared with nothing else of this"
                    + " run (other work on the machine moves it; the ratios side by side are the figure).%n%n", transfers, transfers, WRITERS, CUSTOMERS, log.size()));
            out.append("| projection | batch (records) | apply | events applied | events/s on the emulator | requests / event"
                    + " | read units / event | write units / event | $ per million events |\n");
            out.append("|---|---:|---|---:|---:|---:|---:|---:|---:|\n");
            int table = 0;
            for (ProjectionCatalog kind : ProjectionCatalog.values()) {
                for (int batchSize : List.of(100, 3)) {
                    List<List<KinesisEventRecord>> batches = batches(log, batchSize);
                    for (String way : List.of("per event (before)", "batched (after)", "per stream (alternative)")) {
                        String name = "bench-" + kind.label() + "-" + (++table);
                        kind.createTable(plain.dynamoDb(), name);
                        Projection projection = kind.projection(metered.dynamoDb(), name);
                        meter.reset();
                        long started = System.nanoTime();
                        long applied = switch (way) {
                            case "per event (before)" -> perEvent(projection, batches);
                            case "batched (after)" -> batched(projection, deadLetters, batches);
                            default -> perStream(projection, batches);
                        };
                        Units units = new Units(applied, meter.requests(), meter.readUnits(), meter.writeUnits(),
                                (System.nanoTime() - started) / 1e9);
                        out.append(String.format(Locale.ROOT, "| %s | %d | %s | %d | %.0f | %.3f | %.3f | %.3f | %.3f |%n",
                                kind.label(), batchSize, way, applied, applied / units.seconds(),
                                units.perEvent(units.requests()),
                                units.perEvent(units.read()), units.perEvent(units.write()),
                                units.perEvent(units.write() * RequestUnitsBenchmark.WRITE_PRICE
                                        + units.read() * RequestUnitsBenchmark.READ_PRICE)));
                        System.err.printf(Locale.ROOT, "%s, batches of %d, %s: %s%n", kind.label(), batchSize, way,
                                meter.byOperation());
                    }
                }
            }
            return out.toString();
        }
    }

    /** The pre-issue-14 consumer's requests: each stream's position once per batch, one write per event. */
    private static long perEvent(Projection projection, List<List<KinesisEventRecord>> batches) {
        long applied = 0;
        for (List<KinesisEventRecord> batch : batches) {
            Map<StreamId, Position> positions = new HashMap<>();
            for (KinesisEventRecord record : batch) {
                StoredEvent event = event(record);
                if (!projection.follows(event.stream())) {
                    continue;
                }
                Position at = positions.computeIfAbsent(event.stream(), projection::position);
                if (event.version() == at.version() + 1) {
                    positions.put(event.stream(), projection.apply(event, at));
                    applied++;
                }
            }
        }
        return applied;
    }

    private static long batched(Projection projection, DeadLetters deadLetters,
                                List<List<KinesisEventRecord>> batches) {
        ProjectionConsumer consumer = new ProjectionConsumer(projection, deadLetters);
        long applied = 0;
        for (List<KinesisEventRecord> batch : batches) {
            if (!consumer.consume(batch).getBatchItemFailures().isEmpty()) {
                throw new IllegalStateException("a batch failed in " + projection.name());
            }
            applied += batch.stream().filter(r -> projection.follows(event(r).stream())).count();
        }
        return applied;
    }

    /** The alternative: positions read together and runs folded, then one write request per stream. */
    private static long perStream(Projection projection, List<List<KinesisEventRecord>> batches) {
        long applied = 0;
        for (List<KinesisEventRecord> batch : batches) {
            Map<StreamId, List<StoredEvent>> runs = new LinkedHashMap<>();
            for (KinesisEventRecord record : batch) {
                StoredEvent event = event(record);
                if (projection.follows(event.stream())) {
                    runs.computeIfAbsent(event.stream(), s -> new ArrayList<>()).add(event);
                }
            }
            Map<StreamId, Position> positions = projection.positions(runs.keySet());
            for (Map.Entry<StreamId, List<StoredEvent>> run : runs.entrySet()) {
                Position from = positions.get(run.getKey());
                Position at = from;
                List<Step> steps = new ArrayList<>();
                for (StoredEvent event : run.getValue()) {
                    Step step = projection.next(event, at);
                    steps.add(step);
                    at = step.after();
                }
                if (projection.write(List.of(new Run(run.getKey(), from, steps))).get(0).steps() != steps.size()) {
                    throw new IllegalStateException("a stream's write failed in " + projection.name());
                }
                applied += steps.size();
            }
        }
        return applied;
    }

    /** Commits the transfers and returns every event in the order the publisher puts them on Kinesis. */
    private static List<StoredEvent> workload(AwsClients aws, int transfers) {
        EventsTableSchema.create(aws.dynamoDb(), "bench-projection-writes");
        CommandService commands = new CommandService(new DynamoEventStore(aws.dynamoDb(), "bench-projection-writes"),
                Clock.systemUTC(), RetryPolicy.standard(new SplittableRandom(1)));
        List<StoredEvent> log = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            String funding = "bf" + w;
            log.addAll(run(commands, l -> l.openAccount(new OpenAccount(funding, EUR, OverdraftLimit.UNLIMITED))));
            for (int c = 0; c < CUSTOMERS; c++) {
                String customer = "bc" + w + "-" + c;
                log.addAll(run(commands, l -> l.openAccount(new OpenAccount(customer, EUR, OverdraftLimit.NONE))));
            }
        }
        for (int i = 0; i < transfers; i++) {
            int writer = i % WRITERS;
            String credit = "bc" + writer + "-" + ((i / WRITERS) % CUSTOMERS);
            String id = "backlog-" + writer + "-" + i;
            log.addAll(run(commands, l -> l.transfer(id, TransferRequest.posted("bf" + writer, credit,
                    Money.parse("1.00", EUR)))));
        }
        return log;
    }

    private static List<StoredEvent> run(CommandService commands, Function<Ledger, LedgerResult> command) {
        CommandService.Committed committed = commands.execute("bench", command);
        if (committed.result().isRejected()) {
            throw new IllegalStateException("benchmark command refused: " + committed.result().rejection());
        }
        return committed.events();
    }

    private static List<List<KinesisEventRecord>> batches(List<StoredEvent> log, int size) {
        List<List<KinesisEventRecord>> batches = new ArrayList<>();
        for (int from = 0; from < log.size(); from += size) {
            List<KinesisEventRecord> batch = new ArrayList<>();
            for (int i = from; i < Math.min(log.size(), from + size); i++) {
                batch.add(record(log.get(i), i + 1));
            }
            batches.add(batch);
        }
        return batches;
    }

    /** A record as the publisher puts it and Lambda delivers it: keyed by stream, the event's JSON line. */
    private static KinesisEventRecord record(StoredEvent event, long sequence) {
        Record kinesis = new Record();
        kinesis.setPartitionKey(event.stream().toString());
        kinesis.setSequenceNumber(Long.toString(sequence));
        kinesis.setData(ByteBuffer.wrap(event.toJsonLine().getBytes(StandardCharsets.UTF_8)));
        KinesisEventRecord record = new KinesisEventRecord();
        record.setKinesis(kinesis);
        record.setEventID("shardId-000000000000:" + sequence);
        record.setEventSourceARN("arn:aws:kinesis:us-east-1:123456789012:stream/bench");
        return record;
    }

    private static StoredEvent event(KinesisEventRecord record) {
        ByteBuffer data = record.getKinesis().getData().duplicate();
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        return StoredEvent.fromJsonLine(new String(bytes, StandardCharsets.UTF_8));
    }
}
