package dev.ledger.infra.local.streams;

/** The two stream sources an event source mapping can read, with what Lambda's events call them. */
public enum SourceKind {
    /** A DynamoDB table's stream: {@code DynamodbEvent}, sequence numbers per shard. */
    DYNAMODB_STREAMS("aws:dynamodb", 10_000, 1_000),
    /** A Kinesis data stream: {@code KinesisEvent}. */
    KINESIS("aws:kinesis", 10_000, 10_000);

    private final String eventSource;
    private final int maxBatchSize;
    private final int maxRecordsPerRead;

    SourceKind(String eventSource, int maxBatchSize, int maxRecordsPerRead) {
        this.eventSource = eventSource;
        this.maxBatchSize = maxBatchSize;
        this.maxRecordsPerRead = maxRecordsPerRead;
    }

    /** The {@code eventSource} field of each record Lambda sends. */
    public String eventSource() {
        return eventSource;
    }

    /** The largest BatchSize an event source mapping of this kind accepts. */
    public int maxBatchSize() {
        return maxBatchSize;
    }

    /** The largest Limit one GetRecords call takes. */
    public int maxRecordsPerRead() {
        return maxRecordsPerRead;
    }

    /** Which kind an ARN names: {@code arn:aws:dynamodb:...:table/T/stream/L} or {@code arn:aws:kinesis:...:stream/S}. */
    public static SourceKind ofArn(String arn) {
        String[] parts = arn.split(":", 6);
        if (parts.length == 6 && parts[2].equals("dynamodb") && parts[5].matches("table/[^/]+/stream/.+")) {
            return DYNAMODB_STREAMS;
        }
        if (parts.length == 6 && parts[2].equals("kinesis") && parts[5].startsWith("stream/")) {
            return KINESIS;
        }
        throw new IllegalArgumentException("Not the ARN of a DynamoDB table stream or a Kinesis stream: " + arn);
    }
}
