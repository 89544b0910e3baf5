package dev.ledger.store;

import java.util.Set;

/**
 * Every check of {@link StoredFormFixtureChecks} over {@code stored-form/log-v5-shards.jsonl}, the frozen
 * log of a sharded account (issue 13): shard streams {@code account:house#k} ({@code AccountSharded},
 * {@code ShardOpened}), moves between shards ({@code ShardFundsMoved}), transfers whose legs took a shard
 * ({@code debitShard}, {@code creditShard}), a hold placed and posted on shard 3, a refusal checked against
 * every shard, a freeze and unfreeze of every shard, and a multi-leg transaction that gathered funds into
 * shard 0; written once by {@link StoredFormFixtureV5GeneratorIT}, never regenerated.
 */
class StoredFormFixtureV5Test extends StoredFormFixtureChecks {

    StoredFormFixtureV5Test() {
        super("/stored-form/" + StoredFormFixtureV5GeneratorIT.FIXTURE + ".jsonl",
                "/stored-form/" + StoredFormFixtureV5GeneratorIT.FIXTURE + "-expected.json", Set.of(
                        "AccountOpened", "AccountSharded", "ShardOpened", "ShardFundsMoved", "AccountFrozen",
                        "AccountUnfrozen", "EntryPosted", "HoldPlaced", "HoldPosted", "TransferRecorded",
                        "TransferRejected", "PendingTransferPosted", "TransactionRecorded",
                        "TransactionEntriesPosted"),
                Set.of("EUR"));
    }
}
