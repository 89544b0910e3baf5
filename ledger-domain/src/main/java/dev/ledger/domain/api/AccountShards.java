package dev.ledger.domain.api;

import java.util.ArrayList;
import java.util.List;

/**
 * How a sharded account's streams are named (issue 13). An account with N shards is N account streams:
 * shard 0 is the account's own stream ({@code account:ID}, where its opening, its shard count and its
 * status changes are recorded), and shard k >= 1 is {@code account:ID#k}. Every shard has its own
 * gap-free versions, head and hash chain, so commands on different shards never write the same item.
 * {@code #} is outside the characters an account id may use, so a shard's stream never collides with
 * another account's.
 *
 * <p>This class is the one owner of that naming: the domain, the projections and the tools all ask it.
 */
public final class AccountShards {

    /**
     * The most shards an account may have. A debit that must gather funds from every other shard writes
     * two items per donor and three more for its own shard, its counterpart and its transfer: with 32
     * shards that is 99 of the 100 items one DynamoDB transaction takes.
     */
    public static final int MAX_SHARDS = 32;

    private static final char SEPARATOR = '#';

    private AccountShards() {
    }

    /** The account id of shard {@code shard}'s stream: the account's own id for shard 0. */
    public static String streamAccountId(String accountId, int shard) {
        if (shard < 0 || shard >= MAX_SHARDS) {
            throw new IllegalArgumentException("shard " + shard + " is outside 0.." + (MAX_SHARDS - 1));
        }
        return shard == 0 ? accountId : accountId + SEPARATOR + shard;
    }

    /** The account ids of shards 1 to {@code shardCount - 1}: every stream of the account but its own. */
    public static List<String> otherShards(String accountId, int shardCount) {
        List<String> others = new ArrayList<>();
        for (int shard = 1; shard < shardCount; shard++) {
            others.add(streamAccountId(accountId, shard));
        }
        return others;
    }

    /** The account a stream's account id belongs to: itself, unless it names a shard k >= 1. */
    public static String accountOf(String streamAccountId) {
        int separator = streamAccountId.indexOf(SEPARATOR);
        return separator < 0 ? streamAccountId : streamAccountId.substring(0, separator);
    }

    /** Which shard of its account a stream's account id names (0 for the account's own stream). */
    public static int shardOf(String streamAccountId) {
        int separator = streamAccountId.indexOf(SEPARATOR);
        return separator < 0 ? 0 : Integer.parseInt(streamAccountId.substring(separator + 1));
    }

    /**
     * The shard a command tries first, and on each lost race the next one: spread by a hash of the
     * command's id, so concurrent commands land on different shards, and a retry never queues behind the
     * writer it just lost to.
     *
     * @param attempt 1 for the first attempt
     */
    public static int pick(String commandId, int attempt, int shards) {
        if (shards <= 1) {
            return 0;
        }
        // Fibonacci hashing: the product's HIGH bits, scaled to the count (Lemire's reduction), spread ids
        // that differ only in a trailing counter (payment-17, payment-18); its low bits, taken modulo a power
        // of two, would only reshuffle hashCode's own low bits.
        long spread = Integer.toUnsignedLong(commandId.hashCode() * 0x9E3779B9);
        long first = (spread * shards) >>> Integer.SIZE;
        return (int) Math.floorMod(first + attempt - 1, (long) shards);
    }
}
