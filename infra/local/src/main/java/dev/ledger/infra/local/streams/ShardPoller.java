package dev.ledger.infra.local.streams;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ledger.infra.local.streams.CheckpointStore.Checkpoint;
import dev.ledger.infra.local.streams.CheckpointStore.CheckpointConflictException;
import dev.ledger.infra.local.streams.DeliveryFaults.Delivery;
import dev.ledger.infra.local.streams.FailureDestination.Condition;
import dev.ledger.infra.local.streams.StreamSource.Position;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * One shard of one mapping, processed as Lambda's event source mapping processes it: one batch at
 * a time, in order, checkpointed after each batch it is done with.
 *
 * <p>With a ParallelizationFactor F above 1, a batch is split into up to F lanes by ordering key
 * (Kinesis partition key, DynamoDB item key; {@link StreamRecord#orderingKey()}), and the lanes'
 * invocations run at once: each key keeps its order, different keys overlap, as Lambda promises
 * for concurrent batches per shard. Each lane handles its records as below on its own (partial
 * responses, bisection, retries); the checkpoint only passes a record once every record before it
 * in the shard is done with, and the next batch is read once every lane is through.
 *
 * <p>A state machine driven by {@link #step}: each step does one unit of work (read a page,
 * invoke the function once, give up on records) and says when it wants the next. Only one thread
 * steps a poller at a time. What it does with a batch:
 * <ul>
 *   <li>success (no exception; with ReportBatchItemFailures, an absent, null or empty
 *       {@code batchItemFailures}): checkpoint after its last record;
 *   <li>partial failure (ReportBatchItemFailures naming records of the batch): checkpoint before
 *       the lowest-numbered one, retry from it (a retry: it counts against MaximumRetryAttempts);
 *   <li>whole failure (the function threw, or its response named an empty, null or unknown
 *       identifier): with BisectBatchOnFunctionError and more than one record, split it in halves
 *       and process each in turn (not a retry); otherwise retry it after a backoff;
 *   <li>retries past MaximumRetryAttempts, or records older than MaximumRecordAgeInSeconds: send
 *       the batch's invocation record to the OnFailure destination (if any), checkpoint past it,
 *       go on with the next records.
 * </ul>
 * {@link DeliveryFaults} can duplicate records, delay a batch, or make the poller "crash" before
 * it checkpoints: it then forgets all it read and starts again from the stored checkpoint.
 */
final class ShardPoller {

    /** What a step did, and when the poller wants the next one. */
    sealed interface Step {
        /** Did work; step again now. */
        record Worked() implements Step {
        }

        /** Nothing to read; poll again after the idle interval. */
        record Idle() implements Step {
        }

        /** Waiting (a backoff, a delayed delivery, a read error) until then. */
        record Waiting(Instant until) implements Step {
        }

        /** Done: the shard is closed and read to its end, or another runtime took it over. */
        record Done() implements Step {
        }
    }

    private static final Step WORKED = new Step.Worked();
    private static final Step IDLE = new Step.Idle();
    private static final Step DONE = new Step.Done();

    /** Records of the current batch, or of one of its halves, and their history. */
    private static final class Segment {
        List<StreamRecord> records;
        int retries;
        int invocations;
        boolean lastFailureWasFunctionError;
        Delivery delayedDelivery;

        Segment(List<StreamRecord> records, int retries, int invocations) {
            this.records = List.copyOf(records);
            this.retries = retries;
            this.invocations = invocations;
        }

        StreamRecord last() {
            return records.get(records.size() - 1);
        }
    }

    /** One lane of the current batch: its records still to process, as segments, and its backoff. */
    private static final class Lane {
        final int index;
        final Deque<Segment> segments = new ArrayDeque<>();
        Instant notBefore = Instant.MIN;

        Lane(int index) {
            this.index = index;
        }
    }

    /** One invocation about to be made for a lane's first segment, and then its outcome. */
    private static final class Invocation {
        final Lane lane;
        final Segment segment;
        final List<StreamRecord> records;
        final boolean crash;
        Outcome outcome;

        Invocation(Lane lane, Segment segment, List<StreamRecord> records, boolean crash) {
            this.lane = lane;
            this.segment = segment;
            this.records = List.copyOf(records);
            this.crash = crash;
        }
    }

    private sealed interface Outcome {
        record Success() implements Outcome {
        }

        record PartialFailure(String sequenceNumber) implements Outcome {
        }

        record Failure(String reason, boolean functionError) implements Outcome {
        }
    }

    private final MappingSpec spec;
    private final StreamSource source;
    private final String shardId;
    private final StreamFunction function;
    private final CheckpointStore checkpoints;
    private final Optional<FailureDestination> destination;
    private final Clock clock;
    private final DeliveryFaults faults;
    private final Backoff backoff;
    private final MappingStats stats;
    private final Consumer<String> log;
    private final ExecutorService lanePool;

    private boolean loaded;
    private Optional<String> checkpoint = Optional.empty();
    private String iterator;
    private String lastRead;
    private boolean shardClosed;
    /** The last read returned less than it asked for: the poller has read all the shard has now. */
    private boolean atTip;
    private final Deque<StreamRecord> buffer = new ArrayDeque<>();
    private Instant firstBuffered;
    /** The batch being processed, in shard order; null between batches. */
    private List<StreamRecord> batch;
    /** The batch's lanes: one, or with ParallelizationFactor F up to F, by ordering key. */
    private final List<Lane> lanes = new ArrayList<>();
    private Instant notBefore = Instant.MIN;
    private boolean done;

    /**
     * @param lanePool where a batch's lanes are invoked when there are several at once (null: one
     *     after another on the stepping thread)
     */
    ShardPoller(MappingSpec spec, StreamSource source, String shardId, StreamFunction function,
                CheckpointStore checkpoints, Optional<FailureDestination> destination, Clock clock,
                DeliveryFaults faults, Backoff backoff, MappingStats stats, Consumer<String> log,
                ExecutorService lanePool) {
        this.spec = spec;
        this.source = source;
        this.shardId = shardId;
        this.function = function;
        this.checkpoints = checkpoints;
        this.destination = destination;
        this.clock = clock;
        this.faults = faults;
        this.backoff = backoff;
        this.stats = stats;
        this.log = log;
        this.lanePool = lanePool;
    }

    String shardId() {
        return shardId;
    }

    boolean isDone() {
        return done;
    }

    /**
     * Does the next unit of work.
     *
     * @param driven true when a caller drives the poller step by step ({@code runUntilIdle}):
     *     backoffs and delays are not waited out, and a batching window does not hold records back
     */
    Step step(boolean driven) {
        if (done) {
            return DONE;
        }
        Instant now = clock.instant();
        if (!driven && now.isBefore(notBefore)) {
            return new Step.Waiting(notBefore);
        }
        try {
            if (!loaded) {
                Checkpoint stored = checkpoints.read(spec.id(), source.arn(), shardId);
                if (stored.shardEnded()) {
                    done = true;
                    return DONE;
                }
                checkpoint = stored.sequenceNumber();
                loaded = true;
            }
            if (batch == null) {
                Step read = nextBatch(now, driven);
                if (read != null) {
                    return read;
                }
            }
            return processBatch(now, driven);
        } catch (CheckpointConflictException taken) {
            log.accept(taken.getMessage() + "; stopping " + spec.id() + " in " + shardId);
            done = true;
            return DONE;
        } catch (SdkException unavailable) {
            // A failed read or checkpoint: start again from what is stored, a little later.
            stats.readErrors.incrementAndGet();
            log.accept(spec.id() + " " + shardId + ": " + unavailable.getMessage() + "; resuming from the checkpoint");
            resetToCheckpoint();
            notBefore = now.plus(backoff.initial());
            return new Step.Waiting(notBefore);
        }
    }

    /** Reads more records if needed and starts a batch; null when there is a batch to process. */
    private Step nextBatch(Instant now, boolean driven) {
        if (buffer.size() < spec.batchSize() && !shardClosed) {
            if (iterator == null) {
                iterator = source.iterator(shardId, startPosition());
            }
            int wanted = spec.batchSize() - buffer.size();
            StreamSource.Page page = source.read(shardId, iterator, wanted);
            atTip = page.records().size() < wanted;
            iterator = page.nextIterator();
            shardClosed = iterator == null;
            for (StreamRecord record : page.records()) {
                if (buffer.isEmpty()) {
                    firstBuffered = now;
                }
                buffer.addLast(record);
                lastRead = record.sequenceNumber();
            }
        }
        if (buffer.isEmpty()) {
            if (shardClosed) {
                checkpoints.write(spec.id(), source.arn(), shardId, checkpoint, checkpoint.orElse("0"), true);
                done = true;
                return DONE;
            }
            return IDLE;
        }
        boolean full = buffer.size() >= spec.batchSize() || shardClosed;
        if (!full && !driven && !spec.maximumBatchingWindow().isZero()
                && now.isBefore(firstBuffered.plus(spec.maximumBatchingWindow()))) {
            return IDLE; // gathering: Lambda waits up to the batching window for a full batch
        }
        List<StreamRecord> records = new ArrayList<>();
        while (records.size() < spec.batchSize() && !buffer.isEmpty()) {
            records.add(buffer.pollFirst());
        }
        firstBuffered = now;
        startBatch(records);
        return null;
    }

    /**
     * Splits a batch into lanes: record i goes to lane hash(ordering key) mod F, so each key's
     * records stay in one lane, in shard order, and a lane's segment is one invocation's records.
     */
    private void startBatch(List<StreamRecord> records) {
        batch = List.copyOf(records);
        lanes.clear();
        int factor = spec.parallelizationFactor();
        Map<Integer, List<StreamRecord>> byLane = new TreeMap<>();
        for (StreamRecord record : batch) {
            int lane = factor == 1 ? 0 : Math.floorMod(record.orderingKey().hashCode(), factor);
            byLane.computeIfAbsent(lane, k -> new ArrayList<>()).add(record);
        }
        byLane.forEach((index, laneRecords) -> {
            Lane lane = new Lane(index);
            lane.segments.addLast(new Segment(laneRecords, 0, 0));
            lanes.add(lane);
        });
    }

    private Position startPosition() {
        if (lastRead != null) {
            return new Position.AfterSequenceNumber(lastRead);
        }
        if (checkpoint.isPresent()) {
            return new Position.AfterSequenceNumber(checkpoint.get());
        }
        return spec.startingPosition() == MappingSpec.StartingPosition.LATEST ? new Position.Latest()
                : new Position.TrimHorizon();
    }

    /**
     * One unit of work on the current batch: every lane that is not waiting out a backoff or a
     * delay takes its next step (its invocations run at once, on the lane threads when there are
     * several); then the checkpoint moves up to the first record not yet done with.
     */
    private Step processBatch(Instant now, boolean driven) {
        List<Lane> ready = new ArrayList<>();
        Instant wakeUp = null;
        for (Lane lane : lanes) {
            if (lane.segments.isEmpty()) {
                continue;
            }
            if (driven || !now.isBefore(lane.notBefore)) {
                ready.add(lane);
            } else if (wakeUp == null || lane.notBefore.isBefore(wakeUp)) {
                wakeUp = lane.notBefore;
            }
        }
        if (ready.isEmpty()) {
            return new Step.Waiting(wakeUp);
        }
        List<Invocation> invocations = new ArrayList<>();
        for (Lane lane : ready) {
            Invocation invocation = prepare(lane, now);
            if (invocation != null) {
                invocations.add(invocation);
            }
        }
        invokeAll(invocations);
        for (Invocation invocation : invocations) {
            if (invocation.outcome instanceof Outcome.Failure failure && failure.functionError()) {
                Segment segment = invocation.segment;
                if (segment.retries == 0 || Integer.bitCount(segment.retries) == 1) { // the 1st, 2nd, 4th, 8th... retry
                    log.accept(spec.id() + " " + shardId + laneName(invocation.lane) + ": " + function.functionName()
                            + " failed on " + invocation.records.size() + " record(s) from "
                            + invocation.records.get(0).sequenceNumber() + ": " + failure.reason());
                }
            }
        }
        if (invocations.stream().anyMatch(invocation -> invocation.crash)) {
            // The poller "crashes" before it checkpoints: every lane's result is lost with it.
            invocations.stream().filter(invocation -> invocation.crash)
                    .forEach(invocation -> stats.crashesInjected.incrementAndGet());
            resetToCheckpoint();
            return WORKED;
        }
        for (Invocation invocation : invocations) {
            apply(invocation, now);
        }
        settle();
        if (!driven && batch == null && buffer.isEmpty() && atTip && !shardClosed) {
            // A short batch read everything the shard had: reading again at once would find a
            // record or two, so each would cost a GetRecords, an invocation and a checkpoint of its
            // own. Waiting the poll interval (Lambda polls a shard a few times a second) lets the
            // next batch gather what arrives meanwhile; a full batch (a backlog) reads on at once.
            return IDLE;
        }
        return WORKED;
    }

    /**
     * What the lane does next with its first segment: give up on records past their age, hold a
     * delayed delivery back, or an invocation to make (null when there is none this step).
     */
    private Invocation prepare(Lane lane, Instant now) {
        Segment segment = lane.segments.peekFirst();
        // Records past their maximum age are given up on before the function sees them.
        if (spec.maximumRecordAgeSeconds() >= 0) {
            int expired = 0;
            while (expired < segment.records.size() && segment.records.get(expired).approximateArrival()
                    .plusSeconds(spec.maximumRecordAgeSeconds()).isBefore(now)) {
                expired++;
            }
            if (expired > 0) {
                List<StreamRecord> old = segment.records.subList(0, expired);
                giveUp(lane, segment, old, Condition.RecordAgeExceeded, now);
                segment.records = List.copyOf(segment.records.subList(expired, segment.records.size()));
                if (segment.records.isEmpty()) {
                    lane.segments.removeFirst();
                }
                return null;
            }
        }

        Delivery delivery = segment.delayedDelivery;
        if (delivery == null) {
            delivery = faults.decide(new DeliveryFaults.Batch(spec.id(), shardId,
                    segment.records.stream().map(StreamRecord::sequenceNumber).toList(), segment.invocations + 1));
            if (!delivery.delay().isZero()) {
                stats.delaysInjected.incrementAndGet();
                segment.delayedDelivery = delivery;
                lane.notBefore = now.plus(delivery.delay());
                return null;
            }
        }
        segment.delayedDelivery = null;

        List<StreamRecord> delivered = new ArrayList<>();
        for (int i = 0; i < segment.records.size(); i++) {
            delivered.add(segment.records.get(i));
            if (delivery.duplicates().contains(i)) {
                delivered.add(segment.records.get(i));
                stats.duplicatesInjected.incrementAndGet();
            }
        }
        if (delivery.crashes()) {
            // whatever the function answers is lost with the crash
            return new Invocation(lane, segment,
                    delivered.subList(0, Math.min(delivery.crashAfterRecords(), delivered.size())), true);
        }
        return new Invocation(lane, segment, delivered, false);
    }

    /** Invokes the function for each invocation, at once when there are several and a lane pool. */
    private void invokeAll(List<Invocation> invocations) {
        if (invocations.size() == 1 || lanePool == null) {
            invocations.forEach(this::invokeInLane);
            return;
        }
        List<CompletableFuture<Void>> running = new ArrayList<>();
        for (Invocation invocation : invocations) {
            try {
                running.add(CompletableFuture.runAsync(() -> invokeInLane(invocation), lanePool));
            } catch (RejectedExecutionException closing) {
                invokeInLane(invocation);
            }
        }
        CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).exceptionally(error -> null).join();
        for (CompletableFuture<Void> future : running) {
            try {
                future.join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof RuntimeException runtime) {
                    throw runtime;
                }
                if (e.getCause() instanceof Error error) {
                    throw error;
                }
                throw e;
            }
        }
    }

    /** One invocation; with more than one lane, on a thread named after its lane while it runs. */
    private void invokeInLane(Invocation invocation) {
        if (invocation.records.isEmpty()) {
            return; // a crash before the function was called
        }
        if (spec.parallelizationFactor() == 1) {
            invocation.outcome = invoke(invocation.records);
            return;
        }
        Thread thread = Thread.currentThread();
        String name = thread.getName();
        thread.setName(name + " " + spec.id() + " " + shardId + laneName(invocation.lane));
        try {
            invocation.outcome = invoke(invocation.records);
        } finally {
            thread.setName(name);
        }
    }

    private String laneName(Lane lane) {
        return spec.parallelizationFactor() == 1 ? "" : " lane-" + lane.index;
    }

    /** What the function's answer means for the lane's segment. */
    private void apply(Invocation invocation, Instant now) {
        Lane lane = invocation.lane;
        Segment segment = invocation.segment;
        Outcome outcome = invocation.outcome;
        segment.invocations++;
        if (outcome instanceof Outcome.Success) {
            stats.batchesSucceeded.incrementAndGet();
            lane.segments.removeFirst();
        } else if (outcome instanceof Outcome.PartialFailure partial) {
            stats.partialFailures.incrementAndGet();
            int failed = indexOf(segment.records, partial.sequenceNumber());
            if (failed > 0) {
                segment.records = List.copyOf(segment.records.subList(failed, segment.records.size()));
            }
            segment.lastFailureWasFunctionError = false;
            retryOrGiveUp(lane, segment, now);
        } else {
            Outcome.Failure failure = (Outcome.Failure) outcome;
            segment.lastFailureWasFunctionError = failure.functionError();
            if (spec.bisectBatchOnFunctionError() && segment.records.size() > 1) {
                stats.bisections.incrementAndGet();
                int half = segment.records.size() / 2;
                lane.segments.removeFirst();
                Segment second = new Segment(segment.records.subList(half, segment.records.size()), segment.retries,
                        segment.invocations);
                Segment first = new Segment(segment.records.subList(0, half), segment.retries, segment.invocations);
                second.lastFailureWasFunctionError = segment.lastFailureWasFunctionError;
                first.lastFailureWasFunctionError = segment.lastFailureWasFunctionError;
                lane.segments.addFirst(second);
                lane.segments.addFirst(first);
            } else {
                retryOrGiveUp(lane, segment, now);
            }
        }
    }

    private void retryOrGiveUp(Lane lane, Segment segment, Instant now) {
        segment.retries++;
        if (!spec.retriesForever() && segment.retries > spec.maximumRetryAttempts()) {
            giveUp(lane, segment, segment.records, Condition.RetryAttemptsExhausted, now);
            lane.segments.removeFirst();
            return;
        }
        stats.retries.incrementAndGet();
        lane.notBefore = now.plus(backoff.delay(segment.retries));
    }

    /**
     * Records given up on: reported to the OnFailure destination; the checkpoint passes them once
     * every record before them is done with too ({@link #settle}).
     */
    private void giveUp(Lane lane, Segment segment, List<StreamRecord> records, Condition condition, Instant now) {
        stats.recordsDiscarded.addAndGet(records.size());
        log.accept(spec.id() + " " + shardId + laneName(lane) + ": gave up on " + records.size() + " record(s) "
                + records.get(0).sequenceNumber() + ".." + records.get(records.size() - 1).sequenceNumber() + " ("
                + condition + ", " + segment.invocations + " invocation(s))"
                + destination.map(d -> "; reported to " + d.queueArn()).orElse("; no OnFailure destination"));
        if (destination.isPresent()) {
            destination.get().send(FailureDestination.invocationRecord(condition, function.functionArn(), spec.kind(),
                    source.arn(), records, segment.invocations, segment.lastFailureWasFunctionError, now));
            stats.failureRecordsSent.incrementAndGet();
        }
    }

    /**
     * Checkpoints after the last record of the batch that every record before is done with
     * (succeeded, or given up on and reported), whichever lane it was in; ends the batch when all
     * lanes are through.
     */
    private void settle() {
        StreamRecord lowest = null;
        for (Lane lane : lanes) {
            if (!lane.segments.isEmpty()) {
                StreamRecord first = lane.segments.peekFirst().records.get(0);
                if (lowest == null || StreamRecord.compareSequenceNumbers(first.sequenceNumber(),
                        lowest.sequenceNumber()) < 0) {
                    lowest = first;
                }
            }
        }
        String through;
        if (lowest == null) {
            through = batch.get(batch.size() - 1).sequenceNumber();
            batch = null;
            lanes.clear();
        } else {
            int pending = indexOf(batch, lowest.sequenceNumber());
            through = pending == 0 ? null : batch.get(pending - 1).sequenceNumber();
        }
        if (through != null && (checkpoint.isEmpty()
                || StreamRecord.compareSequenceNumbers(through, checkpoint.get()) > 0)) {
            advance(through);
        }
    }

    private void advance(String sequenceNumber) {
        checkpoints.write(spec.id(), source.arn(), shardId, checkpoint, sequenceNumber, false);
        checkpoint = Optional.of(sequenceNumber);
        stats.checkpoints.incrementAndGet();
    }

    /** As after a crash: forget everything past the stored checkpoint and read on from it. */
    private void resetToCheckpoint() {
        loaded = false;
        iterator = null;
        lastRead = null;
        shardClosed = false;
        atTip = false;
        buffer.clear();
        batch = null;
        lanes.clear();
        notBefore = Instant.MIN;
    }

    /** Invokes the function once; safe to call from several lane threads at once. */
    private Outcome invoke(List<StreamRecord> records) {
        stats.invocations.incrementAndGet();
        stats.recordsDelivered.addAndGet(records.size());
        Object result;
        try {
            Object event = LambdaPayloads.deserialize(LambdaPayloads.event(records), function.inputType(),
                    function.classLoader());
            result = function.invoke(event);
        } catch (RuntimeException | StackOverflowError | AssertionError | LinkageError error) {
            stats.functionErrors.incrementAndGet();
            return new Outcome.Failure(String.valueOf(error), true);
        }
        if (!spec.reportBatchItemFailures()) {
            return new Outcome.Success();
        }
        JsonNode response = LambdaPayloads.serialize(result, function.classLoader());
        return classify(response, records);
    }

    /** Lambda's reading of a partial batch response. */
    private Outcome classify(JsonNode response, List<StreamRecord> records) {
        if (response == null || !response.isObject()) {
            return new Outcome.Success();
        }
        JsonNode failures = response.get("batchItemFailures");
        if (failures == null || failures.isNull() || failures.isArray() && failures.isEmpty()) {
            return new Outcome.Success();
        }
        Set<String> known = new HashSet<>();
        records.forEach(r -> known.add(r.sequenceNumber()));
        String lowest = null;
        for (JsonNode failure : failures.isArray() ? failures : List.<JsonNode>of()) {
            JsonNode identifier = failure.get("itemIdentifier");
            if (identifier == null || !identifier.isTextual() || identifier.asText().isEmpty()
                    || !known.contains(identifier.asText())) {
                stats.invalidResponses.incrementAndGet();
                return new Outcome.Failure("batchItemFailures names " + identifier + ", no record of the batch", false);
            }
            if (lowest == null || StreamRecord.compareSequenceNumbers(identifier.asText(), lowest) < 0) {
                lowest = identifier.asText();
            }
        }
        if (lowest == null) {
            stats.invalidResponses.incrementAndGet();
            return new Outcome.Failure("batchItemFailures is not a list: " + failures, false);
        }
        return new Outcome.PartialFailure(lowest);
    }

    private static int indexOf(List<StreamRecord> records, String sequenceNumber) {
        for (int i = 0; i < records.size(); i++) {
            if (records.get(i).sequenceNumber().equals(sequenceNumber)) {
                return i;
            }
        }
        throw new IllegalStateException("No record " + sequenceNumber + " in the batch");
    }
}
