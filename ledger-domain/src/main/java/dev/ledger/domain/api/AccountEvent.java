package dev.ledger.domain.api;

import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/** Events of one account's stream. */
public sealed interface AccountEvent extends LedgerEvent {

    String accountId();

    @Override
    default StreamId streamId() {
        return StreamId.account(accountId());
    }

    /** One side of a transfer as seen by this account; both sides carry the same transfer id. */
    sealed interface TransferLeg extends AccountEvent {
        String transferId();

        Side side();

        String counterpartyAccountId();
    }

    record AccountOpened(String accountId, CurrencyUnit currency, OverdraftLimit overdraftLimit)
            implements AccountEvent {
    }

    record AccountFrozen(String accountId) implements AccountEvent {
    }

    /**
     * The account's metadata (issue 16: client labels such as a customer or an order, the same limits as a
     * transfer's) is now {@code metadata}, replacing what it had. On the account's own stream only: after
     * its {@link AccountOpened} in the same append when it was opened with some, and each time a client
     * replaces it with something else.
     */
    record AccountMetadataSet(String accountId, SortedMap<String, String> metadata) implements AccountEvent {
        public AccountMetadataSet {
            metadata = Collections.unmodifiableSortedMap(new TreeMap<>(metadata));
        }
    }

    /**
     * On an account's own stream: from here on the account has {@code shards} shards (issue 13), each
     * opened by a {@link ShardOpened} in the same append. Recorded when a sharded account is opened and
     * each time an operator raises the count; never lowered.
     */
    record AccountSharded(String accountId, int shards) implements AccountEvent {
    }

    /**
     * The first event of shard k >= 1 of an account ({@code accountId} is the shard's, see
     * {@code AccountShards}): its currency, its part of the account's overdraft floor (zero for a finite
     * floor, which shard 0 keeps whole; unlimited for an unlimited one) and whether the account was frozen
     * at the time (a closed account gets no new shards).
     */
    record ShardOpened(String accountId, CurrencyUnit currency, OverdraftLimit overdraftLimit, boolean frozen)
            implements AccountEvent {
    }

    /**
     * Money moved between two shards of one account, so that a debit finds on its shard the funds the
     * account as a whole has: on the giving shard a debit, on the receiving one a credit, always in one
     * append. {@code moveId} is the command that needed it; {@code counterpartyAccountId} is the other
     * shard's stream account id. The account as a whole does not move.
     */
    record ShardFundsMoved(String accountId, String moveId, Side side, String counterpartyAccountId, Money amount)
            implements AccountEvent {
    }

    record AccountUnfrozen(String accountId) implements AccountEvent {
    }

    record AccountClosed(String accountId) implements AccountEvent {
    }

    record EntryPosted(String accountId, String transferId, Side side, String counterpartyAccountId,
                       Money amount) implements TransferLeg {
    }

    record HoldPlaced(String accountId, String transferId, Side side, String counterpartyAccountId,
                      Money amount, Instant expiresAt) implements TransferLeg {
    }

    record HoldPosted(String accountId, String transferId, Side side, String counterpartyAccountId,
                      Money heldAmount, Money postedAmount) implements TransferLeg {
    }

    record HoldVoided(String accountId, String transferId, Side side, String counterpartyAccountId,
                      Money amount) implements TransferLeg {
    }

    /**
     * One side of a reversal of a transfer: {@code side} as the reversal moves the money (the original's
     * credit account is debited), {@code transferId} the original; {@code forced} when an operator
     * allowed it past this account's floor or freeze.
     */
    record EntryReversed(String accountId, String transferId, String reversalId, Side side,
                         String counterpartyAccountId, Money amount, boolean forced) implements TransferLeg {
    }

    record HoldExpired(String accountId, String transferId, Side side, String counterpartyAccountId,
                       Money amount) implements TransferLeg {
    }

    /**
     * This account's part of a multi-leg transaction. It carries every entry of the transaction (with its
     * index), the account's own and their counterparts, so the account's history shows the whole
     * transaction without reading another stream; the account moves by the net of its own entries.
     */
    sealed interface TransactionLeg extends AccountEvent {
        String transactionId();

        List<TransactionEntry> entries();

        /** The account's own entries, in order. */
        default List<TransactionEntry> ownEntries() {
            String account = AccountShards.accountOf(accountId());
            return entries().stream().filter(entry -> entry.accountId().equals(account)).toList();
        }

        /** Credits minus debits of the account's own entries, in minor units (positive: a net credit). */
        default long netCredit() {
            return TransactionEntry.netCredit(entries(), AccountShards.accountOf(accountId())).longValueExact();
        }
    }

    /** A multi-leg transaction posted at once. */
    record TransactionEntriesPosted(String accountId, String transactionId, List<TransactionEntry> entries)
            implements TransactionLeg {
        public TransactionEntriesPosted {
            entries = List.copyOf(entries);
        }
    }

    /** A pending multi-leg transaction holds the account's net movement until {@code expiresAt}. */
    record TransactionHoldPlaced(String accountId, String transactionId, List<TransactionEntry> entries,
                                 Instant expiresAt) implements TransactionLeg {
        public TransactionHoldPlaced {
            entries = List.copyOf(entries);
        }
    }

    /** The pending transaction was posted in full: the hold became a posted amount. */
    record TransactionHoldPosted(String accountId, String transactionId, List<TransactionEntry> entries)
            implements TransactionLeg {
        public TransactionHoldPosted {
            entries = List.copyOf(entries);
        }
    }

    record TransactionHoldVoided(String accountId, String transactionId, List<TransactionEntry> entries)
            implements TransactionLeg {
        public TransactionHoldVoided {
            entries = List.copyOf(entries);
        }
    }

    record TransactionHoldExpired(String accountId, String transactionId, List<TransactionEntry> entries)
            implements TransactionLeg {
        public TransactionHoldExpired {
            entries = List.copyOf(entries);
        }
    }

    /**
     * This account's part of the reversal {@code reversalId} of a posted multi-leg transaction:
     * {@code entries} are the transaction's entries reversed (same index, account and amount, the other
     * direction), so the account moves by the opposite of its net in the transaction, at once.
     * {@code forced} when an operator allowed it past this account's floor or freeze.
     */
    record TransactionEntriesReversed(String accountId, String transactionId, String reversalId,
                                      List<TransactionEntry> entries, boolean forced) implements TransactionLeg {
        public TransactionEntriesReversed {
            entries = List.copyOf(entries);
        }
    }
}
