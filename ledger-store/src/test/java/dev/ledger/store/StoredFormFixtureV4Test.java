package dev.ledger.store;

import java.util.Set;

/**
 * Every check of {@link StoredFormFixtureChecks} over {@code stored-form/log-v4-batches.jsonl}, the frozen
 * log of the event types no earlier fixture holds: batch streams ({@code BatchRecorded} of an atomic batch
 * and of one that is not, {@code BatchRejected}), {@code TransactionRejected}, {@code PendingTransactionExpired}
 * and {@code TransactionHoldExpired}; written once by {@link StoredFormFixtureV4GeneratorIT}, never regenerated.
 */
class StoredFormFixtureV4Test extends StoredFormFixtureChecks {

    StoredFormFixtureV4Test() {
        super("/stored-form/" + StoredFormFixtureV4GeneratorIT.FIXTURE + ".jsonl",
                "/stored-form/" + StoredFormFixtureV4GeneratorIT.FIXTURE + "-expected.json", Set.of(
                        "AccountOpened", "EntryPosted", "TransferRecorded", "TransactionRecorded",
                        "TransactionEntriesPosted", "TransactionHoldPlaced", "TransactionRejected",
                        "PendingTransactionExpired", "TransactionHoldExpired", "BatchRecorded", "BatchRejected"),
                Set.of("EUR"));
    }
}
