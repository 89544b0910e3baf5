package dev.ledger.infra.local.streams;

import java.util.concurrent.atomic.AtomicLong;

/** Counters of one mapping, over all its shards, since the runtime started. Thread-safe. */
public final class MappingStats {

    final AtomicLong invocations = new AtomicLong();
    final AtomicLong recordsDelivered = new AtomicLong();
    final AtomicLong batchesSucceeded = new AtomicLong();
    final AtomicLong partialFailures = new AtomicLong();
    final AtomicLong functionErrors = new AtomicLong();
    final AtomicLong invalidResponses = new AtomicLong();
    final AtomicLong bisections = new AtomicLong();
    final AtomicLong retries = new AtomicLong();
    final AtomicLong recordsDiscarded = new AtomicLong();
    final AtomicLong failureRecordsSent = new AtomicLong();
    final AtomicLong checkpoints = new AtomicLong();
    final AtomicLong duplicatesInjected = new AtomicLong();
    final AtomicLong crashesInjected = new AtomicLong();
    final AtomicLong delaysInjected = new AtomicLong();
    final AtomicLong readErrors = new AtomicLong();

    /**
     * What happened so far.
     *
     * @param recordsDelivered records in the events handed to the function, duplicates and redeliveries included
     * @param partialFailures invocations whose response named a failed record
     * @param functionErrors invocations that threw
     * @param invalidResponses responses naming no record of the batch (the whole batch failed)
     * @param recordsDiscarded records given up on (retries exhausted or too old)
     * @param failureRecordsSent messages sent to the OnFailure destination
     */
    public record Snapshot(long invocations, long recordsDelivered, long batchesSucceeded, long partialFailures,
                           long functionErrors, long invalidResponses, long bisections, long retries,
                           long recordsDiscarded, long failureRecordsSent, long checkpoints, long duplicatesInjected,
                           long crashesInjected, long delaysInjected, long readErrors) {
    }

    public Snapshot snapshot() {
        return new Snapshot(invocations.get(), recordsDelivered.get(), batchesSucceeded.get(), partialFailures.get(),
                functionErrors.get(), invalidResponses.get(), bisections.get(), retries.get(), recordsDiscarded.get(),
                failureRecordsSent.get(), checkpoints.get(), duplicatesInjected.get(), crashesInjected.get(),
                delaysInjected.get(), readErrors.get());
    }
}
