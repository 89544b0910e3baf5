package dev.ledger.projections;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent.KinesisEventRecord;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import dev.ledger.domain.api.StreamId;
import dev.ledger.projections.DeadLetters.DeadLetter;
import dev.ledger.projections.Projection.Position;
import dev.ledger.projections.Projection.Run;
import dev.ledger.projections.Projection.Step;
import dev.ledger.projections.Projection.Written;
import dev.ledger.store.EventsTable;
import dev.ledger.store.StoredEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
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
 *
 * <p>A batch costs a few requests, not two per event: the positions of all its streams are read
 * together, each stream's run of events is folded in memory with {@link Projection#next} (the
 * rebuild's fold too), and the runs are written together ({@link Projection#write}), each stream
 * conditional on the version read. A stream another writer moved in between is read and folded again
 * (up to {@value #MAX_ROUNDS} times); if the table cannot be reached, the batch item failure is the
 * earliest record whose effect is not durable, whichever stream it is in: every record before it is
 * applied, a duplicate, or dead-lettered when this returns.
 */
public final class ProjectionConsumer {

    /** Reads and writes per batch of a stream that other writers keep moving, before Lambda retries it. */
    static final int MAX_ROUNDS = 3;

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

    public StreamsEventResponse consume(List<KinesisEventRecord> records) {
        Projection projection;
        try {
            projection = projections.get();
        } catch (SdkException unavailable) {
            return records.isEmpty() ? new StreamsEventResponse(List.of())
                    : failedAt(records.get(0).getKinesis().getSequenceNumber());
        }
        Batch batch = new Batch(projection, records);
        int failed = records.size();
        try {
            failed = batch.apply();
            return failed < records.size() ? failedAt(records.get(failed).getKinesis().getSequenceNumber())
                    : new StreamsEventResponse(List.of());
        } finally {
            List<Long> lagsMs = batch.applied.stream()
                    .map(index -> log.lagMs(batch.delivered.get(index).event().recordedAt())).toList();
            log.batch(projection.name(), records.size(), batch.applied.size(), batch.duplicates(failed),
                    batch.deadLettered, lagsMs);
        }
    }

    /** One record of the batch as read: its event, or why it could not be read. */
    private record Delivered(int index, KinesisEventRecord record, byte[] data, StoredEvent event,
                             Optional<StreamId> stream, String unreadable) {
    }

    /** A record to dead-letter, and why. */
    private record Poison(Delivered record, String reason) {
    }

    /** One stream's records in the batch, folded from where the projection stood. */
    private static final class Fold {
        final Position from;
        final List<Step> steps = new ArrayList<>();
        /** The index in the batch of each step's record. */
        final List<Integer> stepRecords = new ArrayList<>();
        final List<Integer> duplicates = new ArrayList<>();
        final List<Poison> poisons = new ArrayList<>();
        /** The record after a missing version, or -1. */
        int gap = -1;
        /** How many of the steps are durably written. */
        int written;

        Fold(Position from) {
            this.from = from;
        }
    }

    /** One batch being applied. */
    private final class Batch {
        final Projection projection;
        final List<Delivered> delivered = new ArrayList<>();
        /** Each stream the projection follows, with its records in batch order. */
        final Map<StreamId, List<Delivered>> byStream = new LinkedHashMap<>();
        /** Unreadable records whose partition key names no stream: dead-lettered, nothing blocked. */
        final List<Poison> streamless = new ArrayList<>();
        final Map<StreamId, Fold> folds = new HashMap<>();
        /** Per stream not fully applied, the first of its records whose effect is not durable. */
        final Map<StreamId, Integer> unwritten = new HashMap<>();
        /** The records applied by this batch, by index. */
        final SortedSet<Integer> applied = new TreeSet<>();
        /** Records at or after it are left for Lambda to deliver again (a missing version before them). */
        int limit;
        int deadLettered;

        Batch(Projection projection, List<KinesisEventRecord> records) {
            this.projection = projection;
            this.limit = records.size();
            for (KinesisEventRecord record : records) {
                read(delivered.size(), record);
            }
        }

        private void read(int index, KinesisEventRecord record) {
            byte[] data = bytes(record.getKinesis().getData());
            try {
                StoredEvent event = StoredEvent.fromJsonLine(new String(data, StandardCharsets.UTF_8));
                event.event();
                Delivered read = new Delivered(index, record, data, event, Optional.of(event.stream()), null);
                delivered.add(read);
                if (projection.follows(event.stream())) {
                    byStream.computeIfAbsent(event.stream(), s -> new ArrayList<>()).add(read);
                }
            } catch (RuntimeException unreadable) {
                Optional<StreamId> stream = partitionStream(record);
                Delivered poison = new Delivered(index, record, data, null, stream,
                        "unreadable record: " + unreadable.getMessage());
                delivered.add(poison);
                if (stream.isEmpty()) {
                    streamless.add(new Poison(poison, poison.unreadable()));
                } else if (projection.follows(stream.get())) { // else another projection's stream: not this one's poison
                    byStream.computeIfAbsent(stream.get(), s -> new ArrayList<>()).add(poison);
                }
            }
        }

        /** @return the index of the batch item failure, or the batch's size if every record is done */
        int apply() {
            Set<StreamId> toRead = new LinkedHashSet<>();
            for (Map.Entry<StreamId, List<Delivered>> stream : byStream.entrySet()) {
                if (stream.getValue().stream().anyMatch(r -> r.event() != null)) {
                    toRead.add(stream.getKey());
                } else { // only poison: where the stream stands does not matter
                    folds.put(stream.getKey(), fold(stream.getKey(), Position.NONE));
                }
            }
            for (int round = 1; round <= MAX_ROUNDS && !toRead.isEmpty(); round++) {
                Map<StreamId, Position> positions;
                try {
                    positions = projection.positions(toRead);
                } catch (SdkException unavailable) {
                    break;
                }
                for (StreamId stream : toRead) {
                    folds.put(stream, fold(stream, positions.get(stream)));
                }
                if (round == 1) {
                    limit = folds.values().stream().mapToInt(f -> f.gap).filter(gap -> gap >= 0).min().orElse(limit);
                    // Nothing at or after the first gap is applied, in any stream: fold again up to it.
                    folds.replaceAll((stream, fold) -> fold(stream, fold.from));
                }
                toRead = write(toRead);
            }
            // Streams still moving after the last round, or whose position could not be read.
            for (StreamId stream : toRead) {
                unwritten.putIfAbsent(stream, firstUnwritten(stream));
            }
            // A stream read again may show a gap its first read did not (a table rewritten behind it).
            folds.values().stream().filter(fold -> fold.gap >= 0).forEach(fold -> limit = Math.min(limit, fold.gap));
            int failed = unwritten.values().stream().mapToInt(Integer::intValue).min().orElse(limit);
            failed = Math.min(failed, limit);
            return deadLetter(failed);
        }

        /** Writes the folded runs of {@code streams}; returns the streams that moved meanwhile. */
        private Set<StreamId> write(Set<StreamId> streams) {
            List<Run> runs = new ArrayList<>();
            for (StreamId stream : streams) {
                Fold fold = folds.get(stream);
                if (!fold.steps.isEmpty()) {
                    runs.add(new Run(stream, fold.from, fold.steps));
                }
            }
            List<Written> written = runs.isEmpty() ? List.of() : projection.write(runs);
            Set<StreamId> moved = new LinkedHashSet<>();
            for (int i = 0; i < runs.size(); i++) {
                StreamId stream = runs.get(i).stream();
                Fold fold = folds.get(stream);
                Written outcome = written.get(i);
                fold.written = outcome.steps();
                applied.addAll(fold.stepRecords.subList(0, outcome.steps()));
                if (outcome.moved()) {
                    moved.add(stream);
                } else if (outcome.steps() < fold.steps.size()) {
                    unwritten.put(stream, fold.stepRecords.get(outcome.steps()));
                }
            }
            return moved;
        }

        /**
         * Folds the stream's records before {@link #limit} from {@code from}, stopping at a missing
         * version or at poison (after which the stream is blocked and its later events wait).
         */
        private Fold fold(StreamId stream, Position from) {
            Fold fold = new Fold(from);
            Position at = from;
            boolean blocked = from.blocked();
            for (Delivered record : byStream.get(stream)) {
                if (record.index() >= limit) {
                    break;
                }
                StoredEvent event = record.event();
                if (event == null) {
                    fold.poisons.add(new Poison(record, record.unreadable()));
                    blocked = true;
                } else if (blocked) {
                    continue;
                } else if (event.version() <= at.version()) {
                    fold.duplicates.add(record.index());
                } else if (event.version() > at.version() + 1) {
                    fold.gap = record.index();
                    break;
                } else {
                    try {
                        Step step = projection.next(event, at);
                        fold.steps.add(step);
                        fold.stepRecords.add(record.index());
                        at = step.after();
                    } catch (RuntimeException unfoldable) {
                        // The event cannot be folded (a stored form this code cannot read, an overflow, a
                        // broken invariant): it would fail the same way on every retry.
                        fold.poisons.add(new Poison(record, "event " + stream + " v" + event.version()
                                + " cannot be applied: " + unfoldable.getMessage()));
                        blocked = true;
                    }
                }
            }
            return fold;
        }

        /** The first of the stream's records not known to be in effect. */
        private int firstUnwritten(StreamId stream) {
            Fold fold = folds.get(stream);
            if (fold != null && fold.written < fold.steps.size()) {
                return fold.stepRecords.get(fold.written);
            }
            return byStream.get(stream).get(0).index();
        }

        /**
         * Dead-letters the poison before {@code failed}, in batch order, each blocking its stream (after
         * the stream's events before it were written); returns the batch item failure, earlier if the
         * queue or the table cannot be reached.
         */
        private int deadLetter(int failed) {
            List<Poison> poisons = new ArrayList<>(streamless);
            folds.values().forEach(fold -> poisons.addAll(fold.poisons));
            poisons.sort(Comparator.comparingInt(p -> p.record().index()));
            for (Poison poison : poisons) {
                Delivered record = poison.record();
                if (record.index() >= failed) {
                    break;
                }
                try {
                    poison(projection, record.record(), record.data(), record.stream(), poison.reason());
                    deadLettered++;
                } catch (SdkException unavailable) {
                    return record.index();
                }
            }
            return failed;
        }

        /** Duplicates skipped before the batch item failure (a stream this batch wrote counts its own writes as applied). */
        int duplicates(int failed) {
            return (int) folds.values().stream().flatMap(fold -> fold.duplicates.stream())
                    .filter(index -> index < failed && !applied.contains(index)).count();
        }
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
