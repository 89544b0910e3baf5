package dev.ledger.projections;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent.KinesisEventRecord;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent.Record;
import dev.ledger.store.StoredEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Kinesis records as the publisher puts them and Lambda delivers them: for feeding projections in tests. */
public final class KinesisRecords {

    private KinesisRecords() {
    }

    /** A stored event, keyed by its stream as the publisher keys it. */
    public static KinesisEventRecord of(StoredEvent event, long sequence) {
        return of(event.stream().toString(), event.toJsonLine(), sequence);
    }

    /** Any data under any partition key (a poison record, for one). */
    public static KinesisEventRecord of(String partitionKey, String data, long sequence) {
        Record kinesis = new Record();
        kinesis.setPartitionKey(partitionKey);
        kinesis.setSequenceNumber(Long.toString(sequence));
        kinesis.setData(ByteBuffer.wrap(data.getBytes(StandardCharsets.UTF_8)));
        KinesisEventRecord record = new KinesisEventRecord();
        record.setKinesis(kinesis);
        record.setEventID("shardId-000000000000:" + kinesis.getSequenceNumber());
        record.setEventSourceARN("arn:aws:kinesis:us-east-1:123456789012:stream/test");
        return record;
    }
}
