package dev.ledger.store;

import java.util.HashSet;
import java.util.Set;

/**
 * Every check of {@link StoredFormFixtureChecks} over {@code stored-form/log-v2.jsonl}, the frozen log of
 * what issue 12 added to the stored form: posts that record what they asked for, reversal streams
 * ({@code ReversalRecorded}, {@code ReversalRejected}), {@code TransferReversed}, {@code EntryReversed},
 * and the snapshots' {@code postRequest} and {@code reversedAmount}; written once by
 * {@link StoredFormFixtureV2GeneratorIT}, never regenerated.
 */
class StoredFormFixtureV2Test extends StoredFormFixtureChecks {

    StoredFormFixtureV2Test() {
        super("/stored-form/log-v2.jsonl", "/stored-form/log-v2-expected.json", versionTwoTypes(), Set.of("EUR", "BHD"));
    }

    /** What log-v2 holds: the version-one types it needs, and every type issue 12 added. */
    private static Set<String> versionTwoTypes() {
        Set<String> types = new HashSet<>(Set.of("AccountOpened", "EntryPosted", "HoldPlaced", "HoldPosted",
                "HoldVoided", "TransferRecorded", "PendingTransferPosted", "PendingTransferVoided"));
        types.addAll(Set.of("ReversalRecorded", "ReversalRejected", "TransferReversed", "EntryReversed"));
        return types;
    }
}
