package dev.ledger.domain.api;

import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import java.time.Instant;

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
}
