package dev.ledger.domain.ledger;

import java.util.OptionalInt;

/**
 * What a command Lambda remembers of accounts' shard counts between commands (issue 13), so that a
 * payment on a sharded account reads only the shard it picks, not also the account's own stream (shard
 * 0), whose partition every payment would otherwise read. A count only ever rises, and every shard of a
 * lower count still exists, so a count remembered from before a raise is safe: the command only picks
 * among fewer shards. Never part of a decision's outcome other than which shard it lands on, which the
 * log records.
 */
public interface ShardCounts {

    /** The count last seen for the account, if it is remembered and more than 1. */
    OptionalInt known(String accountId);

    /** The count a command read from the account's own stream. */
    void saw(String accountId, int shardCount);

    /** Remembers nothing: every command reads the account's own stream. */
    static ShardCounts none() {
        return new ShardCounts() {
            @Override
            public OptionalInt known(String accountId) {
                return OptionalInt.empty();
            }

            @Override
            public void saw(String accountId, int shardCount) {
            }
        };
    }
}
