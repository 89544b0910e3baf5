package dev.ledger.benchmarks.capacity;

import static dev.ledger.benchmarks.capacity.AwsFigures.GET_ITEM_P50_MS;
import static dev.ledger.benchmarks.capacity.AwsFigures.GET_ITEM_P99_MS;
import static dev.ledger.benchmarks.capacity.AwsFigures.TRANSACT_WRITE_P50_MS;
import static dev.ledger.benchmarks.capacity.AwsFigures.TRANSACT_WRITE_P99_MS;

import dev.ledger.projections.ProjectionCatalog;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Transfers per second each stage of the whole pipeline can carry: HTTP API -> command Lambda ->
 * events table -> its DynamoDB stream -> publisher Lambda -> Kinesis -> one Lambda per projection of
 * {@link ProjectionCatalog} (balances, history, transfers, metadata), each from the AWS quota it rests
 * on and the work the code does per record (read from the handlers: the publisher puts one round of
 * records per event of a stream in the batch, one PutRecords per round; a projection is costed as if it
 * applied each event alone, a read of the stream's item and one write request, which is what
 * {@code Projection#apply} does and more than a batch costs since issue 14). A closed-form model: the
 * stages are independent queues and the stack sustains the smallest of them (beyond it some stage's
 * backlog grows).
 *
 * @param kinesisShards        Kinesis shards when provisioned (or the shards an on-demand stream has scaled to)
 * @param kinesisOnDemand      a new on-demand stream at its default 4,000 records/s (the template's default)
 * @param parallelization      ParallelizationFactor of the projection mappings (1..10; the
 *                             template's default 10); the publisher's mapping stays at
 *                             {@link AwsFigures#PUBLISHER_PARALLELIZATION}
 * @param streamShards         shards of the events table's stream (one per table partition)
 * @param tableWru             write request units/s the events table serves now
 * @param lambdaConcurrency    the account's concurrent executions
 * @param kinesisRecordBytes   bytes of one Kinesis record (an event as the publisher writes it)
 * @param hotShards            0 for transfers spread over many accounts; N when every transfer debits
 *                             one funding account of N shards (its events come N streams at a time)
 */
record PipelineModel(int kinesisShards, boolean kinesisOnDemand, int parallelization, int streamShards,
                            double tableWru, double lambdaConcurrency, double kinesisRecordBytes, int hotShards) {

    /** PutItem of one small projection item (assumed like GetItem: single-digit ms). */
    static final double PUT_ITEM_MEAN_MS = Latency.logNormal(4, 10).mean();
    static final double GET_ITEM_MEAN_MS = Latency.logNormal(GET_ITEM_P50_MS, GET_ITEM_P99_MS).mean();
    static final double TRANSACT_MEAN_MS = Latency.logNormal(TRANSACT_WRITE_P50_MS, TRANSACT_WRITE_P99_MS).mean();

    /**
     * Standard (shared-throughput) consumers of the Kinesis stream: one Lambda mapping per projection,
     * all at {@code ProjectionParallelization}; the catalog owns which projections there are.
     */
    static final int KINESIS_CONSUMERS = ProjectionCatalog.values().length;

    /** One stage's capacity and what bounds it. */
    public record Stage(String name, double transfersPerSecond, String restsOn, String lever) {
    }

    /**
     * As the template deploys it with its defaults: Kinesis on demand (a new stream), the projections at
     * ParallelizationFactor 10 and the publisher at 1, a new on-demand events table, the account's
     * default Lambda concurrency.
     */
    public static PipelineModel asDeployed(double kinesisRecordBytes) {
        int onDemandShards = (int) (AwsFigures.KINESIS_ON_DEMAND_DEFAULT_RECORDS_PER_SECOND
                / AwsFigures.KINESIS_SHARD_RECORDS_PER_SECOND);
        return new PipelineModel(onDemandShards, AwsFigures.TEMPLATE_KINESIS_ON_DEMAND,
                AwsFigures.TEMPLATE_PROJECTION_PARALLELIZATION,
                (int) Math.ceil(AwsFigures.NEW_ON_DEMAND_TABLE_WRU / AwsFigures.PARTITION_WCU_PER_SECOND),
                AwsFigures.NEW_ON_DEMAND_TABLE_WRU, AwsFigures.LAMBDA_ACCOUNT_CONCURRENCY, kinesisRecordBytes, 0);
    }

    public PipelineModel withProjectionParallelization(int value) {
        return new PipelineModel(kinesisShards, kinesisOnDemand, value, streamShards, tableWru, lambdaConcurrency,
                kinesisRecordBytes, hotShards);
    }

    public PipelineModel withKinesisShards(int value) {
        return new PipelineModel(value, false, parallelization, streamShards, tableWru, lambdaConcurrency,
                kinesisRecordBytes, hotShards);
    }

    public PipelineModel withTable(double wru) {
        return new PipelineModel(kinesisShards, kinesisOnDemand, parallelization,
                (int) Math.max(streamShards, Math.ceil(wru / AwsFigures.PARTITION_WCU_PER_SECOND)), wru,
                lambdaConcurrency, kinesisRecordBytes, hotShards);
    }

    public PipelineModel withLambdaConcurrency(double value) {
        return new PipelineModel(kinesisShards, kinesisOnDemand, parallelization, streamShards, tableWru, value,
                kinesisRecordBytes, hotShards);
    }

    public PipelineModel withHotShards(int value) {
        return new PipelineModel(kinesisShards, kinesisOnDemand, parallelization, streamShards, tableWru,
                lambdaConcurrency, kinesisRecordBytes, value);
    }

    /** Command latency on AWS: overhead, three consistent reads, one transaction (means). */
    static double commandMs() {
        return AwsFigures.COMMAND_OVERHEAD_MS + 3 * GET_ITEM_MEAN_MS + TRANSACT_MEAN_MS;
    }

    /** Records per Kinesis batch a projection handles (BatchSize) and the transfers they carry. */
    private static double transfersPerKinesisBatch() {
        return AwsFigures.TEMPLATE_BATCH_SIZE / (double) AwsFigures.KINESIS_RECORDS_PER_TRANSFER;
    }

    /** A projection per Kinesis shard: batches of BatchSize, PF at a time, each record applied in turn. */
    private double projection(double msPerTransfer) {
        double batchMs = AwsFigures.INVOKE_OVERHEAD_MS + transfersPerKinesisBatch() * msPerTransfer;
        return effectiveKinesisShards() * parallelization * transfersPerKinesisBatch() / (batchMs / 1000);
    }

    private double effectiveKinesisShards() {
        return kinesisOnDemand
                ? AwsFigures.KINESIS_ON_DEMAND_DEFAULT_RECORDS_PER_SECOND / AwsFigures.KINESIS_SHARD_RECORDS_PER_SECOND
                : kinesisShards;
    }

    /** Every stage, smallest capacity first. */
    public List<Stage> stages() {
        List<Stage> stages = new ArrayList<>();
        stages.add(new Stage("HTTP API", AwsFigures.HTTP_API_REQUESTS_PER_SECOND, "10,000 requests/s per account and Region",
                "API Gateway quota increase"));
        double consumers = streamShards * AwsFigures.PUBLISHER_PARALLELIZATION
                + KINESIS_CONSUMERS * effectiveKinesisShards() * parallelization;
        stages.add(new Stage("command Lambda", Math.max(0, lambdaConcurrency - consumers) / (commandMs() / 1000),
                String.format(Locale.ROOT, "account concurrency %,.0f less %.0f consumer executions, %.1f ms per command",
                        lambdaConcurrency, consumers, commandMs()), "Lambda concurrency quota"));
        stages.add(new Stage("events table writes", tableWru / AwsFigures.TRANSFER_WRU,
                String.format(Locale.ROOT, "%,.0f WRU/s (12 WRU per transfer: 6 items x 2 in a transaction)", tableWru),
                "on-demand doubles its previous peak within 30 min; to skip the ramp pre-warm the table (warm"
                        + " throughput); past 40,000 WRU/s raise the table-level quota"));
        stages.add(publisher());
        double recordsPerSecond = kinesisOnDemand ? AwsFigures.KINESIS_ON_DEMAND_DEFAULT_RECORDS_PER_SECOND
                : kinesisShards * AwsFigures.KINESIS_SHARD_RECORDS_PER_SECOND;
        double writeBytes = effectiveKinesisShards() * AwsFigures.KINESIS_SHARD_WRITE_BYTES_PER_SECOND;
        stages.add(new Stage("Kinesis writes",
                Math.min(recordsPerSecond, writeBytes / kinesisRecordBytes) / AwsFigures.KINESIS_RECORDS_PER_TRANSFER,
                kinesisOnDemand ? "a new on-demand stream: 4,000 records/s (4 MB/s); 3 records per transfer"
                        : String.format(Locale.ROOT, "%d shard(s) x 1,000 records/s or 1 MB/s; 3 records per transfer",
                        kinesisShards),
                "on demand: the stream doubles its previous peak by itself; for a known step up PROVISIONED with"
                        + " EventsStreamShards; past 200 MB/s (10 GB/s in the largest Regions) a quota ticket"));
        double readBytes = effectiveKinesisShards() * AwsFigures.KINESIS_SHARD_READ_BYTES_PER_SECOND;
        stages.add(new Stage(String.format(Locale.ROOT, "Kinesis reads (%d standard consumers)", KINESIS_CONSUMERS),
                readBytes / (KINESIS_CONSUMERS * AwsFigures.KINESIS_RECORDS_PER_TRANSFER * kinesisRecordBytes),
                String.format(Locale.ROOT, "2 MB/s per shard shared by %d consumers, %.0f-byte records", KINESIS_CONSUMERS,
                        kinesisRecordBytes),
                "more Kinesis shards, or enhanced fan-out for the projections (2 MB/s each; not in the template)"));
        stages.add(new Stage("balances projection", projection(2 * (GET_ITEM_MEAN_MS + PUT_ITEM_MEAN_MS)),
                String.format(Locale.ROOT, "PF %d per shard; 2 account events per transfer, each a read and a conditional PutItem",
                        parallelization), projectionLever()));
        stages.add(new Stage("history projection", projection(2 * (GET_ITEM_MEAN_MS + TRANSACT_MEAN_MS)),
                String.format(Locale.ROOT, "PF %d per shard; 2 account events per transfer, each a read and a 2-item transaction",
                        parallelization), projectionLever()));
        stages.add(new Stage("transfers projection", projection(GET_ITEM_MEAN_MS + PUT_ITEM_MEAN_MS),
                String.format(Locale.ROOT, "PF %d per shard; 1 transfer event per transfer, a read and a PutItem", parallelization),
                projectionLever()));
        stages.add(new Stage("metadata projection", projection(metadataMsPerTransfer()),
                String.format(Locale.ROOT, "PF %d per shard; 3 events per transfer, each a read of its stream's cursor;"
                        + " the 2 account events a conditional PutItem each, the transfer's (with metadata) a"
                        + " transaction of its slots and cursor", parallelization), projectionLever()));
        stages.sort(Comparator.comparingDouble(Stage::transfersPerSecond));
        return stages;
    }

    /**
     * The metadata index ({@code MetadataProjection}) follows every stream a transfer writes to: its two
     * account events only advance their accounts' cursors (a read, one conditional PutItem), and the
     * transfer's recorded event, when the request carries metadata, writes a slot per key and the cursor
     * in one TransactWriteItems (without metadata it is a PutItem: the case costed here is the dearer).
     * Those requests per event are counted on moto by {@code MetadataProjectionRequestsIT} (projections);
     * at the AWS means assumed here about 29.7 ms a transfer, against history's 28.9.
     */
    static double metadataMsPerTransfer() {
        return 3 * GET_ITEM_MEAN_MS + 2 * PUT_ITEM_MEAN_MS + TRANSACT_MEAN_MS;
    }

    /**
     * The publisher: one invocation per batch of stream records, one PutRecords round per event of the
     * busiest stream in the batch (the handler never puts two events of one stream in one call).
     * Spread transfers: a batch of 100 records (6 per transfer) has one event per stream, one round,
     * on every stream shard, PF batches at a time. One funding account of N shards: its stream shards'
     * batches hold only its items (an event and a head per transfer, so 50 events per batch); the
     * records of one stream stay in one batch lane (Lambda keeps each partition key's order), so
     * min(N, stream shards x PF) lanes, each with N / lanes of the shards' streams and
     * 50 / (N / lanes) rounds per batch (assumed: the shards' streams are spread over partitions).
     */
    private Stage publisher() {
        if (hotShards == 0) {
            double transfersPerBatch = AwsFigures.TEMPLATE_BATCH_SIZE / (double) AwsFigures.STREAM_RECORDS_PER_TRANSFER;
            double batchMs = AwsFigures.INVOKE_OVERHEAD_MS + AwsFigures.PUT_RECORDS_MS;
            return new Stage("publisher (DynamoDB stream -> Kinesis)",
                    streamShards * AwsFigures.PUBLISHER_PARALLELIZATION * transfersPerBatch / (batchMs / 1000),
                    String.format(Locale.ROOT, "%d stream shards x PF %d; a batch of %d records = %.0f transfers,"
                                    + " one PutRecords", streamShards, AwsFigures.PUBLISHER_PARALLELIZATION,
                            AwsFigures.TEMPLATE_BATCH_SIZE,
                            transfersPerBatch),
                    "more table partitions (warm throughput); its factor stays 1 to keep each ledger stream's order");
        }
        double hotEventsPerBatch = AwsFigures.TEMPLATE_BATCH_SIZE / (double) AwsFigures.HOT_STREAM_ITEMS_PER_COMMIT;
        double lanes = Math.min(hotShards, (double) streamShards * AwsFigures.PUBLISHER_PARALLELIZATION);
        double streamsPerLane = hotShards / lanes;
        double rounds = Math.ceil(hotEventsPerBatch / streamsPerLane);
        double batchMs = AwsFigures.INVOKE_OVERHEAD_MS + rounds * AwsFigures.PUT_RECORDS_MS;
        return new Stage("publisher (DynamoDB stream -> Kinesis)", lanes * hotEventsPerBatch / (batchMs / 1000),
                String.format(Locale.ROOT, "%.0f lane(s) of the funding account's %d stream(s), %.0f PutRecords rounds"
                        + " per batch of %.0f of its events", lanes, hotShards, rounds, hotEventsPerBatch),
                "shard the account (more streams per batch, more lanes); publish all of a stream's events in one call");
    }

    private String projectionLever() {
        return parallelization < AwsFigures.MAX_PARALLELIZATION_FACTOR
                ? "ProjectionParallelization up to 10, then Kinesis shards"
                : "Kinesis shards (on demand as the stream scales, or PROVISIONED EventsStreamShards); the factor is at"
                        + " Lambda's maximum, 10";
    }

    /** The stage that binds first. */
    public Stage binding() {
        return stages().get(0);
    }

    String describe() {
        return String.format(Locale.ROOT, "Kinesis %s, projections' ParallelizationFactor %d (publisher's 1), events "
                        + "table %,.0f WRU/s (%d stream shards), Lambda concurrency %,.0f%s",
                kinesisOnDemand ? "on demand, new (4,000 records/s)" : kinesisShards + " shard(s)", parallelization,
                tableWru, streamShards,
                lambdaConcurrency, hotShards == 0 ? "" : ", every transfer from one funding account of " + hotShards
                        + " shard(s)");
    }
}
