package dev.ledger.benchmarks.capacity;

import java.util.List;

/**
 * The AWS figures the capacity model and the pipeline table rest on, each with where it comes from.
 * Quotas are AWS defaults (an operator can raise the soft ones); latencies are assumptions within
 * what AWS documents, since AWS publishes no percentile figures: change them here, the tables follow.
 */
final class AwsFigures {

    private AwsFigures() {
    }

    /** One figure: its name, value, unit, and the source or reasoning behind it. */
    public record Figure(String name, double value, String unit, String source) {
    }

    // --- DynamoDB latency (assumed within the documented "single-digit millisecond") -----------------

    /**
     * Consistent GetItem of a head (under 4 KB), median. AWS: on-demand tables "deliver the same
     * single-digit millisecond latency" as provisioned ones
     * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/on-demand-capacity-mode.html);
     * "for most atomic operations, such as GetItem and PutItem, you can expect an average latency in
     * single-digit milliseconds" (https://repost.aws/knowledge-center/dynamodb-high-latency). Assumed
     * median 3 ms, p99 8 ms, in-Region from Lambda.
     */
    public static final double GET_ITEM_P50_MS = 3;
    public static final double GET_ITEM_P99_MS = 8;

    /**
     * TransactWriteItems of a transfer's 6 items. DynamoDB "performs two underlying reads or writes of
     * every item in the transaction: one to prepare the transaction and one to commit the transaction"
     * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html, capacity
     * management), through a transaction coordinator: assumed about three single-item writes in
     * sequence, median 10 ms, p99 30 ms.
     */
    public static final double TRANSACT_WRITE_P50_MS = 10;
    public static final double TRANSACT_WRITE_P99_MS = 30;

    /** Lambda to DynamoDB in one Region, one way (assumed; it bounds the in-flight window). */
    public static final double NETWORK_ONE_WAY_MS = 0.5;

    /**
     * A command's time in the Lambda outside DynamoDB (parse, authorize, the Axon decision, the answer),
     * warm. Assumed 3 ms: benchmarks/results/2026-11-27-command-handling.md measures the decision in
     * memory well under a millisecond; the rest is JSON and the SDK's marshalling.
     */
    public static final double COMMAND_OVERHEAD_MS = 3;

    // --- DynamoDB throughput ------------------------------------------------------------------------

    /**
     * Per partition: "each partition on the table can serve up to 3,000 read request units or 1,000
     * write request units, or a linear combination of both"
     * (https://repost.aws/knowledge-center/on-demand-table-throttling-dynamodb; also
     * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/warm-throughput-scenarios.html).
     * All items of one stream share its partition key, so one hot stream lives in one partition.
     */
    public static final double PARTITION_WCU_PER_SECOND = 1_000;
    public static final double PARTITION_RCU_PER_SECOND = 3_000;

    /**
     * A transactional write costs 2 write units per started KB of each item; a strongly consistent read
     * 1 read unit per started 4 KB
     * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html).
     * A transfer's items are each under 1 KB (benchmarks/results/2026-11-29-request-units.md: 12 write
     * units and 3 read units per posted transfer).
     */
    public static final double TRANSACTION_WRU_PER_ITEM = 2;
    public static final int TRANSFER_ITEMS = 6;
    public static final double TRANSFER_WRU = TRANSFER_ITEMS * TRANSACTION_WRU_PER_ITEM;
    /** The hot stream's own items in a transfer: its event and its head. */
    public static final int HOT_STREAM_ITEMS_PER_COMMIT = 2;

    /**
     * On-demand tables: "new on-demand tables will be able to sustain up to 4,000 writes per second and
     * 12,000 reads per second", then up to double the previous peak; a default table-level quota of
     * 40,000 read and 40,000 write request units per second, raisable
     * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/on-demand-capacity-mode.html,
     * https://docs.amazonaws.cn/en_us/amazondynamodb/latest/developerguide/pre-warming-on-demand-capacity-mode.html).
     */
    public static final double NEW_ON_DEMAND_TABLE_WRU = 4_000;
    public static final double TABLE_WRU_QUOTA = 40_000;

    /**
     * DynamoDB Streams: one record per written item (NEW_IMAGE; local-aws.md, checked on moto), so 6 per
     * transfer; GetRecords returns at most 1,000 records or 1 MB, and more than 2 readers of one shard
     * are throttled (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_GetRecords.html,
     * LimitExceededException). Writes to a shard are bounded by its partition's 1,000 WCU/s.
     */
    public static final int STREAM_RECORDS_PER_TRANSFER = 6;
    public static final int STREAM_READERS_PER_SHARD = 2;

    // --- Kinesis ------------------------------------------------------------------------------------

    /**
     * "A shard supports 1 MB/s and 1000 records per second for writes and 2 MB/s for reads in both
     * on-demand and provisioned capacity modes"
     * (https://docs.aws.amazon.com/streams/latest/dev/working-with-streams.html); 5 GetRecords
     * calls per second per shard, shared by all standard consumers
     * (http://docs.aws.amazon.com/streams/latest/dev/amazon-kinesis-streams.html).
     */
    public static final double KINESIS_SHARD_RECORDS_PER_SECOND = 1_000;
    public static final double KINESIS_SHARD_WRITE_BYTES_PER_SECOND = 1_048_576;
    public static final double KINESIS_SHARD_READ_BYTES_PER_SECOND = 2 * 1_048_576;
    public static final double KINESIS_SHARD_READS_PER_SECOND = 5;

    /**
     * On-demand: "by default, new data streams created with the on-demand capacity mode have 4 MB/s of
     * write and 8 MB/s of read throughput" (about 4 shards: 4,000 records/s), and the stream scales to
     * double its previous peak; its ceiling is 10 GB/s of writes in us-east-1, us-west-2 and eu-west-1,
     * 200 MB/s in other Regions, more by support ticket
     * (https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html,
     * https://docs.aws.amazon.com/streams/latest/dev/how-do-i-size-a-stream.html; docs/pipeline-capacity.md).
     */
    public static final double KINESIS_ON_DEMAND_DEFAULT_RECORDS_PER_SECOND = 4_000;
    /** The on-demand write ceiling outside the three largest Regions, MB/s (as records/s at 1,000 per MB). */
    public static final double KINESIS_ON_DEMAND_MAX_RECORDS_PER_SECOND = 200_000;
    /** One Kinesis record per ledger event: 3 per transfer (the publisher skips heads). */
    public static final int KINESIS_RECORDS_PER_TRANSFER = 3;

    // --- API Gateway --------------------------------------------------------------------------------

    /**
     * "Throttle quota per account, per Region across HTTP APIs, REST APIs, WebSocket APIs": 10,000
     * requests per second, burst bucket 5,000, raisable
     * (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html).
     */
    public static final double HTTP_API_REQUESTS_PER_SECOND = 10_000;

    // --- Lambda -------------------------------------------------------------------------------------

    /**
     * "Concurrent executions: 1,000" per Region by default, raisable to tens of thousands
     * (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
     */
    public static final double LAMBDA_ACCOUNT_CONCURRENCY = 1_000;

    /**
     * ParallelizationFactor: "the number of batches to process concurrently from each shard", 1 by
     * default, at most 10, for Kinesis and DynamoDB Streams
     * (https://docs.aws.amazon.com/lambda/latest/api/API_EventSourceMappingConfiguration.html, as in
     * the SDKs' docs). The template (infra/template.yaml, docs/pipeline-capacity.md): parameter
     * {@code ProjectionParallelization} (default 10) on every projection mapping; the publisher's
     * mapping fixed at 1, since DynamoDB Streams keep order only per item and a ledger stream's events
     * are many items; BatchSize 100.
     */
    public static final int MAX_PARALLELIZATION_FACTOR = 10;
    public static final int TEMPLATE_PROJECTION_PARALLELIZATION = 10;
    public static final int PUBLISHER_PARALLELIZATION = 1;
    public static final int TEMPLATE_BATCH_SIZE = 100;
    /** The template's LedgerEventsStream: parameter {@code EventsStreamMode}, default ON_DEMAND. */
    public static final boolean TEMPLATE_KINESIS_ON_DEMAND = true;

    /**
     * A warm Lambda invocation by an event source mapping, around the handler (assumed: the poller's
     * hand-off and the runtime, a few ms).
     */
    public static final double INVOKE_OVERHEAD_MS = 10;
    /** PutRecords of up to 500 small records, median (assumed, Kinesis writes take tens of ms). */
    public static final double PUT_RECORDS_MS = 20;

    /** TransactionConflict: "operation was rejected because there is an ongoing transaction for the item". */
    public static final String TRANSACTION_CONFLICT_SOURCE =
            "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html"
            + " (transaction conflict handling: an item-level request or a TransactWriteItems request on an item"
            + " that is part of an ongoing TransactWriteItems request is rejected with TransactionConflict);"
            + " exception text: https://docs.aws.amazon.com/sdk-for-python/v1/reference/clients/dynamodb/errors/"
            + "TransactionConflictException/";

    /** The figures as rows for the results file. */
    public static List<Figure> all() {
        return List.of(
                new Figure("GET_ITEM_P50_MS / P99", GET_ITEM_P50_MS, "ms (p99 " + fmt(GET_ITEM_P99_MS) + ")",
                        "assumed within AWS's \"single-digit millisecond\" (DynamoDB on-demand capacity mode page;"
                                + " re:Post knowledge center \"dynamodb-high-latency\")"),
                new Figure("TRANSACT_WRITE_P50_MS / P99", TRANSACT_WRITE_P50_MS,
                        "ms (p99 " + fmt(TRANSACT_WRITE_P99_MS) + ")",
                        "assumed: two underlying writes per item, prepare then commit (DynamoDB developer guide,"
                                + " transaction-apis, capacity management)"),
                new Figure("NETWORK_ONE_WAY_MS", NETWORK_ONE_WAY_MS, "ms", "assumed, in-Region"),
                new Figure("COMMAND_OVERHEAD_MS", COMMAND_OVERHEAD_MS, "ms per command",
                        "assumed; the in-memory decision is well under 1 ms (2026-11-27-command-handling.md)"),
                new Figure("PARTITION_WCU_PER_SECOND", PARTITION_WCU_PER_SECOND, "WCU/s",
                        "re:Post \"on-demand-table-throttling-dynamodb\"; DynamoDB guide \"warm-throughput-scenarios\""),
                new Figure("PARTITION_RCU_PER_SECOND", PARTITION_RCU_PER_SECOND, "RCU/s", "same"),
                new Figure("TRANSACTION_WRU_PER_ITEM", TRANSACTION_WRU_PER_ITEM, "WRU per item under 1 KB",
                        "DynamoDB guide \"read-write-operations\"; 12 WRU per transfer measured in 2026-11-29-request-units.md"),
                new Figure("NEW_ON_DEMAND_TABLE_WRU", NEW_ON_DEMAND_TABLE_WRU, "WRU/s",
                        "DynamoDB guide \"on-demand-capacity-mode\", \"pre-warming-on-demand-capacity-mode\""),
                new Figure("TABLE_WRU_QUOTA", TABLE_WRU_QUOTA, "WRU/s per table (default, raisable)",
                        "DynamoDB guide \"on-demand-capacity-mode\" (40,000 table-level quota)"),
                new Figure("STREAM_RECORDS_PER_TRANSFER", STREAM_RECORDS_PER_TRANSFER, "records",
                        "one per written item (local-aws.md, checked on moto)"),
                new Figure("STREAM_READERS_PER_SHARD", STREAM_READERS_PER_SHARD, "readers",
                        "DynamoDB Streams API LimitExceededException (\"more than 2 processes reading the same shard\")"),
                new Figure("KINESIS_SHARD_RECORDS_PER_SECOND", KINESIS_SHARD_RECORDS_PER_SECOND, "records/s written",
                        "Kinesis guide \"working-with-streams\" (1 MB/s, 1,000 records/s in, 2 MB/s out)"),
                new Figure("KINESIS_SHARD_READS_PER_SECOND", KINESIS_SHARD_READS_PER_SECOND, "GetRecords/s",
                        "Kinesis guide (5 read transactions per second per shard)"),
                new Figure("KINESIS_ON_DEMAND_DEFAULT_RECORDS_PER_SECOND", KINESIS_ON_DEMAND_DEFAULT_RECORDS_PER_SECOND,
                        "records/s", "Kinesis guide \"how-do-i-size-a-stream\" (4 MB/s or 4,000 records/s, then 2x peak)"),
                new Figure("KINESIS_ON_DEMAND_MAX_RECORDS_PER_SECOND", KINESIS_ON_DEMAND_MAX_RECORDS_PER_SECOND,
                        "records/s", "Kinesis guide \"service-sizes-and-limits\" (200 MB/s on-demand writes outside"
                                + " us-east-1, us-west-2, eu-west-1, where it is 10 GB/s)"),
                new Figure("HTTP_API_REQUESTS_PER_SECOND", HTTP_API_REQUESTS_PER_SECOND, "requests/s per account and Region",
                        "API Gateway guide \"limits\" (10,000 RPS, burst 5,000, raisable)"),
                new Figure("LAMBDA_ACCOUNT_CONCURRENCY", LAMBDA_ACCOUNT_CONCURRENCY, "executions",
                        "Lambda guide \"gettingstarted-limits\" (1,000 default, raisable)"),
                new Figure("MAX_PARALLELIZATION_FACTOR", MAX_PARALLELIZATION_FACTOR, "batches per shard",
                        "Lambda EventSourceMapping ParallelizationFactor (1 default, 10 max)"),
                new Figure("TEMPLATE_PROJECTION_PARALLELIZATION", TEMPLATE_PROJECTION_PARALLELIZATION,
                        "batches per shard", "infra/template.yaml parameter ProjectionParallelization (default);"
                                + " the publisher's mapping stays at 1"),
                new Figure("INVOKE_OVERHEAD_MS", INVOKE_OVERHEAD_MS, "ms per batch", "assumed"),
                new Figure("PUT_RECORDS_MS", PUT_RECORDS_MS, "ms per call", "assumed"));
    }

    private static String fmt(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}
