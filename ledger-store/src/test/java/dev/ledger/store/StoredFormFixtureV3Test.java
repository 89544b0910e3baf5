package dev.ledger.store;

import java.util.Set;

/**
 * Every check of {@link StoredFormFixtureChecks} over {@code stored-form/log-v3-transaction-reversals.jsonl},
 * the frozen log of what the reversal of multi-leg transactions added to the stored form:
 * {@code TransactionReversed}, {@code TransactionEntriesReversed}, reversal records whose request names a
 * transaction, and the transaction snapshots' reversal; written once by
 * {@link StoredFormFixtureV3GeneratorIT}, never regenerated.
 */
class StoredFormFixtureV3Test extends StoredFormFixtureChecks {

    StoredFormFixtureV3Test() {
        super("/stored-form/" + StoredFormFixtureV3GeneratorIT.FIXTURE + ".jsonl",
                "/stored-form/" + StoredFormFixtureV3GeneratorIT.FIXTURE + "-expected.json", Set.of(
                        "AccountOpened", "EntryPosted", "TransferRecorded", "TransactionRecorded",
                        "TransactionEntriesPosted", "TransactionHoldPlaced", "TransactionHoldPosted",
                        "TransactionHoldVoided", "PendingTransactionPosted", "PendingTransactionVoided",
                        "ReversalRecorded", "ReversalRejected", "TransactionReversed", "TransactionEntriesReversed"),
                Set.of("EUR", "BHD"));
    }
}
