package dev.ledger.projections;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent.KinesisEventRecord;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import dev.ledger.domain.api.StreamId;
import dev.ledger.projections.DeadLetters.DeadLetter;
import dev.ledger.projections.Projection.Position;
import dev.ledger.store.EventsTable;
import dev.ledger.store.StoredEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Applies a batch of Kinesis records to one projection, exactly once in effect and in each stream's
 * order, though records arrive at least once:
 *
 * <ul>
 *   <li>a version the projection already has is a duplicate and is skipped;
 *   <li>the next version is applied, with a write conditional on the version read;
 *   <li>a later version means one is missing: the batch stops there and that record is reported as
 *       the batch item failure, so Lambda retries from it (never applied out of order);
 *   <li>a record that cannot be read or folded is poison: it goes to the dead-letter queue and its
 *       stream is blocked, so that stream's later events wait (its projection never shows a state
 *       the log never had) while other streams go on.
 * </ul>
 */
public final class ProjectionConsumer {

    private final Supplier<Projection> projections;
    private final DeadLetters deadLetters;
    private final ProjectionLog log;

    public ProjectionConsumer(Projection projection, DeadLetters deadLetters) {
        this(() -> projection, deadLetters, ProjectionLog.discarding());
    }

    /**
     * @param projections the projection on the table serving it now; called once per batch
     * @param log         one line (and metrics) per batch
     */
    public ProjectionConsumer(Supplier<Projection> projections, DeadLetters deadLetters, ProjectionLog log) {
        this.projections = projections;
        this.deadLetters = deadLetters;
        this.log = log;
    }

    /** What one batch did, for its log line. */
    private static final class Tally {
        int applied;
        int duplicates;
        int deadLettered;
        final List<Long> lagsMs = new ArrayList<>();
    }

    public StreamsEventResponse consume(List<KinesisEventRecord> records) {
        Projection projection;
        try {
            projection = projections.get();
        } catch (SdkException unavailable) {
            return records.isEmpty() ? new StreamsEventResponse(List.of())
                    : failedAt(records.get(0).getKinesis().getSequenceNumber());
        }
        Map<StreamId, Position> positions = new HashMap<>();
        Tally tally = new Tally();
        try {
            for (KinesisEventRecord record : records) {
                String sequenceNumber = record.getKinesis().getSequenceNumber();
                try {
                    if (!applyOne(projection, record, positions, tally)) {
                        return failedAt(sequenceNumber);
                    }
                } catch (SdkException unavailable) {
                    // Throttling or an outage: let Lambda retry the batch from this record.
                    return failedAt(sequenceNumber);
                }
            }
            return new StreamsEventResponse(List.of());
        } finally {
            log.batch(projection.name(), records.size(), tally.applied, tally.duplicates, tally.deadLettered,
                    tally.lagsMs);
        }
    }

    /** @return false if the batch must stop at this record */
    private boolean applyOne(Projection projection, KinesisEventRecord record, Map<StreamId, Position> positions,
                             Tally tally) {
        byte[] data = bytes(record.getKinesis().getData());
        StoredEvent event;
        try {
            event = StoredEvent.fromJsonLine(new String(data, StandardCharsets.UTF_8));
            event.event();
        } catch (RuntimeException unreadable) {
            Optional<StreamId> stream = partitionStream(record);
            if (stream.isPresent() && !projection.follows(stream.get())) {
                return true; // another projection's stream: not this one's poison
            }
            poison(projection, record, data, stream, "unreadable record: " + unreadable.getMessage());
            tally.deadLettered++;
            stream.ifPresent(positions::remove);
            return true;
        }
        if (!projection.follows(event.stream())) {
            return true;
        }
        for (int attempt = 1; attempt <= 2; attempt++) {
            Position at = positions.computeIfAbsent(event.stream(), projection::position);
            if (at.blocked()) {
                return true;
            }
            if (event.version() <= at.version()) {
                tally.duplicates++;
                return true;
            }
            if (event.version() > at.version() + 1) {
                return false;
            }
            try {
                positions.put(event.stream(), projection.apply(event, at));
                tally.applied++;
                tally.lagsMs.add(log.lagMs(event.recordedAt()));
                return true;
            } catch (StaleProjectionException moved) {
                positions.remove(event.stream());
            } catch (SdkException unavailable) {
                throw unavailable;
            } catch (RuntimeException unfoldable) {
                // The event cannot be folded (a stored form this code cannot read, an overflow, a
                // broken invariant): it would fail the same way on every retry.
                poison(projection, record, data, Optional.of(event.stream()),
                        "event " + event.stream() + " v" + event.version() + " cannot be applied: "
                                + unfoldable.getMessage());
                tally.deadLettered++;
                positions.remove(event.stream());
                return true;
            }
        }
        return false;
    }

    private void poison(Projection projection, KinesisEventRecord record, byte[] data, Optional<StreamId> stream,
                        String reason) {
        deadLetters.send(new DeadLetter(projection.name(), record.getEventSourceARN(), record.getEventID(),
                record.getKinesis().getSequenceNumber(), record.getKinesis().getPartitionKey(), data, reason));
        stream.filter(projection::follows).ifPresent(s -> projection.block(s,
                "dead-lettered " + record.getKinesis().getSequenceNumber() + ": " + reason));
    }

    private static Optional<StreamId> partitionStream(KinesisEventRecord record) {
        try {
            return Optional.of(EventsTable.streamOf(record.getKinesis().getPartitionKey()));
        } catch (RuntimeException notAStream) {
            return Optional.empty();
        }
    }

    private static StreamsEventResponse failedAt(String sequenceNumber) {
        return new StreamsEventResponse(List.of(new StreamsEventResponse.BatchItemFailure(sequenceNumber)));
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }
}
