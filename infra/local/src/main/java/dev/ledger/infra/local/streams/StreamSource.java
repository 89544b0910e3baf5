package dev.ledger.infra.local.streams;

import java.util.List;
import java.util.Optional;

/**
 * A stream read through the emulator's real API (DynamoDB Streams or Kinesis), shard by shard, as
 * Lambda's event source mapping reads it.
 */
interface StreamSource {

    String arn();

    SourceKind kind();

    /** One shard; {@code parentShardId} is set for a shard made by a split or merge. */
    record Shard(String shardId, Optional<String> parentShardId) {
    }

    /** Every shard of the stream, closed ones included. */
    List<Shard> shards();

    /** Where to start reading a shard. */
    sealed interface Position {
        record TrimHorizon() implements Position {
        }

        record Latest() implements Position {
        }

        record AfterSequenceNumber(String sequenceNumber) implements Position {
        }

        record AtSequenceNumber(String sequenceNumber) implements Position {
        }
    }

    String iterator(String shardId, Position position);

    /**
     * @param nextIterator null once the shard is closed and read to its end
     */
    record Page(List<StreamRecord> records, String nextIterator) {
    }

    Page read(String shardId, String iterator, int limit);
}
