package dev.ledger.domain.api;

import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Commands one account handles. The leg commands ({@link PostEntry}, {@link PlaceHold},
 * {@link PostHold}, {@link VoidHold}, {@link ExpireHold}) are issued by the ledger's unit of work,
 * once per side of a transfer, never by a client directly; so are the transaction commands, once per
 * distinct account of a multi-leg transaction.
 */
public sealed interface AccountCommand {

    String accountId();

    /**
     * Opening an account: its limit must be within {@link OverdraftLimit#MAX_MINOR_UNITS}; its metadata
     * (empty for none) is kept sorted so the stored form is deterministic.
     */
    record OpenAccount(@TargetAggregateIdentifier String accountId, CurrencyUnit currency,
                       OverdraftLimit overdraftLimit, SortedMap<String, String> metadata) implements AccountCommand {
        public OpenAccount {
            if (overdraftLimit != null && currency != null) {
                overdraftLimit.requireWithinMaximum("account " + accountId, currency);
            }
            metadata = Collections.unmodifiableSortedMap(new TreeMap<>(metadata == null ? Map.of() : metadata));
        }

        /** An account opened with no metadata. */
        public OpenAccount(String accountId, CurrencyUnit currency, OverdraftLimit overdraftLimit) {
            this(accountId, currency, overdraftLimit, null);
        }
    }

    /** Replaces the metadata of an account (asked of its own stream); the same metadata again changes nothing. */
    record SetAccountMetadata(@TargetAggregateIdentifier String accountId, SortedMap<String, String> metadata)
            implements AccountCommand {
        public SetAccountMetadata {
            metadata = Collections.unmodifiableSortedMap(new TreeMap<>(metadata));
        }
    }

    record FreezeAccount(@TargetAggregateIdentifier String accountId) implements AccountCommand {
    }

    /** Opens shard k >= 1 of an account ({@code accountId} is the shard's stream account id). */
    record OpenShard(@TargetAggregateIdentifier String accountId, CurrencyUnit currency,
                     OverdraftLimit overdraftLimit, boolean frozen) implements AccountCommand {
    }

    /** Raises an account's shard count (asked of its own stream); a lower count is refused. */
    record RaiseShards(@TargetAggregateIdentifier String accountId, int shards) implements AccountCommand {
    }

    /**
     * One side of a move of funds between two shards of an account (see
     * {@link AccountEvent.ShardFundsMoved}); the giving side keeps to its floor.
     */
    record MoveShardFunds(@TargetAggregateIdentifier String accountId, String moveId, Side side,
                          String counterpartyAccountId, Money amount) implements AccountCommand {
    }

    /**
     * Closes one shard of an account the ledger found empty as a whole (zero balance, nothing pending,
     * all shards read together): a shard may hold a part of the balance that the others offset.
     */
    record CloseShard(@TargetAggregateIdentifier String accountId) implements AccountCommand {
    }

    record UnfreezeAccount(@TargetAggregateIdentifier String accountId) implements AccountCommand {
    }

    record CloseAccount(@TargetAggregateIdentifier String accountId) implements AccountCommand {
    }

    /** Moves money at once: one side of a transfer that posts immediately. */
    record PostEntry(@TargetAggregateIdentifier String accountId, String transferId, Side side,
                     String counterpartyAccountId, Money amount) implements AccountCommand {
    }

    /** Reserves money for a pending transfer until it is posted, voided or expires. */
    record PlaceHold(@TargetAggregateIdentifier String accountId, String transferId, Side side,
                     String counterpartyAccountId, Money amount, Instant expiresAt) implements AccountCommand {
    }

    /** Turns a hold into a posted amount ({@code postedAmount <= heldAmount}); the rest is released. */
    record PostHold(@TargetAggregateIdentifier String accountId, String transferId, Side side,
                    String counterpartyAccountId, Money heldAmount, Money postedAmount) implements AccountCommand {
    }

    record VoidHold(@TargetAggregateIdentifier String accountId, String transferId, Side side,
                    String counterpartyAccountId, Money amount) implements AccountCommand {
    }

    /** One side of a reversal of a transfer (see {@link dev.ledger.domain.api.AccountEvent.EntryReversed}). */
    record ReverseEntry(@TargetAggregateIdentifier String accountId, String transferId, String reversalId, Side side,
                        String counterpartyAccountId, Money amount, boolean forced) implements AccountCommand {
    }

    record ExpireHold(@TargetAggregateIdentifier String accountId, String transferId, Side side,
                      String counterpartyAccountId, Money amount) implements AccountCommand {
    }

    /**
     * This account's part of a multi-leg transaction that posts at once: {@code entries} are all of the
     * transaction's entries (the account's own and their counterparts), and the account moves by the net
     * of its own.
     */
    record PostTransactionEntries(@TargetAggregateIdentifier String accountId, String transactionId,
                                  List<TransactionEntry> entries) implements AccountCommand {
    }

    /** Holds this account's net movement in a pending multi-leg transaction until it is posted, voided or expires. */
    record PlaceTransactionHold(@TargetAggregateIdentifier String accountId, String transactionId,
                                List<TransactionEntry> entries, Instant expiresAt) implements AccountCommand {
    }

    record PostTransactionHold(@TargetAggregateIdentifier String accountId, String transactionId,
                               List<TransactionEntry> entries) implements AccountCommand {
    }

    record VoidTransactionHold(@TargetAggregateIdentifier String accountId, String transactionId,
                               List<TransactionEntry> entries) implements AccountCommand {
    }

    /**
     * This account's part of the reversal of a posted multi-leg transaction: {@code entries} are the
     * transaction's entries reversed (see {@link AccountEvent.TransactionEntriesReversed}).
     */
    record ReverseTransactionEntries(@TargetAggregateIdentifier String accountId, String transactionId,
                                     String reversalId, List<TransactionEntry> entries, boolean forced)
            implements AccountCommand {
    }

    record ExpireTransactionHold(@TargetAggregateIdentifier String accountId, String transactionId,
                                 List<TransactionEntry> entries) implements AccountCommand {
    }
}
