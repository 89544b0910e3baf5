package dev.ledger.infra.local.streams;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Decides, batch by batch, how the runtime misbehaves in the ways Lambda's event source mappings
 * are allowed to: at-least-once delivery (a record delivered twice), a batch delivered again after
 * the poller lost its progress (a crash after the function ran, or part-way through it, before the
 * checkpoint), and late delivery. Handlers must give the same result either way.
 *
 * <p>Called on the shard's poller thread before each invocation; an implementation shared by
 * several shards must be thread-safe ({@link RandomDeliveryFaults} is).
 */
@FunctionalInterface
public interface DeliveryFaults {

    /** Every batch delivered once, on time. */
    DeliveryFaults NONE = batch -> Delivery.normal();

    Delivery decide(Batch batch);

    /**
     * What is about to be delivered.
     *
     * @param attempt 1 for the first invocation of these records, 2 for the first retry...
     */
    record Batch(String mappingId, String shardId, List<String> sequenceNumbers, int attempt) {
    }

    /**
     * How to deliver one batch.
     *
     * @param duplicates indexes (into the batch) of records delivered twice, the copy right after the original
     * @param crashAfterRecords -1 for no crash; otherwise the function gets the first n records
     *     (0: is never called; the batch size: all of them) and then the poller "crashes": it forgets
     *     the result and everything it read past its stored checkpoint, and reads on from that
     *     checkpoint, so the whole batch is delivered again
     * @param delay how long to hold the batch back before invoking
     */
    record Delivery(List<Integer> duplicates, int crashAfterRecords, Duration delay) {

        public Delivery {
            duplicates = List.copyOf(duplicates);
            Objects.requireNonNull(delay, "delay");
            if (crashAfterRecords < -1 || delay.isNegative()) {
                throw new IllegalArgumentException("Not a delivery: crash after " + crashAfterRecords + ", delay " + delay);
            }
        }

        public static Delivery normal() {
            return new Delivery(List.of(), -1, Duration.ZERO);
        }

        public static Delivery duplicating(List<Integer> indexes) {
            return new Delivery(indexes, -1, Duration.ZERO);
        }

        public static Delivery crashingAfter(int records) {
            return new Delivery(List.of(), records, Duration.ZERO);
        }

        public static Delivery delayedBy(Duration delay) {
            return new Delivery(List.of(), -1, delay);
        }

        public boolean crashes() {
            return crashAfterRecords >= 0;
        }

        public boolean isNormal() {
            return duplicates.isEmpty() && !crashes() && delay.isZero();
        }
    }
}
