package dev.ledger.store;

import java.util.Set;

/**
 * Every check of {@link StoredFormFixtureChecks} over {@code stored-form/log-v1.jsonl}, the frozen log
 * the code before issue 11's restructuring wrote (all 14 event types of version one), written once by
 * {@link StoredFormFixtureGeneratorIT}, never regenerated.
 */
class StoredFormFixtureTest extends StoredFormFixtureChecks {

    StoredFormFixtureTest() {
        super("/stored-form/log-v1.jsonl", "/stored-form/log-v1-expected.json", VERSION_ONE_TYPES, Set.of("EUR", "JPY"));
    }
}
