package dev.ledger.functions.publisher;

import dev.ledger.store.StoredEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;

/**
 * Publishes stored events to Kinesis, the stream id as partition key, so each stream's events sit
 * in one shard in version order.
 *
 * <p>PutRecords does not keep order when some records of a call fail, so a stream never has two
 * records in one call: events go out in rounds, the first unpublished event of every stream in
 * each round. When a round has a failure, publishing stops there, and the earliest event (in input
 * order) that was not published is returned; the caller retries from it. Events after it that did
 * go out will be published again: consumers skip versions they already have.
 */
public final class EventPublisher {

    /** Kinesis takes at most 500 records in one PutRecords call. */
    private static final int MAX_RECORDS_PER_CALL = 500;

    private final KinesisClient kinesis;
    private final String streamName;

    public EventPublisher(KinesisClient kinesis, String streamName) {
        this.kinesis = kinesis;
        this.streamName = streamName;
    }

    /**
     * @param events in the order the log's stream delivered them
     * @return the index of the first event not published, or empty when all were
     */
    public Optional<Integer> publish(List<StoredEvent> events) {
        boolean[] published = new boolean[events.size()];
        Map<String, List<Integer>> pendingByStream = new LinkedHashMap<>();
        for (int i = 0; i < events.size(); i++) {
            pendingByStream.computeIfAbsent(events.get(i).stream().toString(), k -> new ArrayList<>()).add(i);
        }
        while (!pendingByStream.isEmpty()) {
            List<Integer> round = new ArrayList<>();
            for (List<Integer> pending : pendingByStream.values()) {
                round.add(pending.get(0));
            }
            boolean failed = false;
            for (int from = 0; from < round.size() && !failed; from += MAX_RECORDS_PER_CALL) {
                List<Integer> call = round.subList(from, Math.min(round.size(), from + MAX_RECORDS_PER_CALL));
                failed = !put(events, call, published);
            }
            if (failed) {
                break;
            }
            pendingByStream.values().forEach(pending -> pending.remove(0));
            pendingByStream.values().removeIf(List::isEmpty);
        }
        for (int i = 0; i < published.length; i++) {
            if (!published[i]) {
                return Optional.of(i);
            }
        }
        return Optional.empty();
    }

    private boolean put(List<StoredEvent> events, List<Integer> indexes, boolean[] published) {
        List<PutRecordsRequestEntry> entries = new ArrayList<>();
        for (int index : indexes) {
            StoredEvent event = events.get(index);
            entries.add(PutRecordsRequestEntry.builder()
                    .partitionKey(event.stream().toString())
                    .data(SdkBytes.fromString(event.toJsonLine(), StandardCharsets.UTF_8))
                    .build());
        }
        PutRecordsResponse response = kinesis.putRecords(request -> request.streamName(streamName).records(entries));
        boolean allPublished = true;
        for (int i = 0; i < indexes.size(); i++) {
            PutRecordsResultEntry result = response.records().get(i);
            if (result.errorCode() == null) {
                published[indexes.get(i)] = true;
            } else {
                allPublished = false;
            }
        }
        return allPublished;
    }
}
