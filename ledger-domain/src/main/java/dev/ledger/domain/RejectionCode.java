package dev.ledger.domain;

/**
 * Why the ledger refused a command. The {@link #code()} strings are part of the public API and of
 * stored {@code TransferRejected} and {@code TransactionRejected} events: never rename one, only add.
 */
public enum RejectionCode {
    /** The debit would take available funds below the account's overdraft floor. */
    INSUFFICIENT_FUNDS("insufficient_funds"),
    /** The transfer's currency is not the account's currency. */
    CURRENCY_MISMATCH("currency_mismatch"),
    /** The account is frozen: no money may move in or out until it is unfrozen. */
    ACCOUNT_FROZEN("account_frozen"),
    /** The account is closed for good. */
    ACCOUNT_CLOSED("account_closed"),
    /** An account can be closed only at zero balance with no pending holds. */
    ACCOUNT_NOT_EMPTY("account_not_empty"),
    /** An account's shard count can be raised, never lowered (issue 13). */
    SHARDS_CANNOT_DECREASE("shards_cannot_decrease"),
    /**
     * A multi-leg transaction that, gathering funds between the shards of a sharded account, would write
     * more than one DynamoDB transaction holds (100 items). Never recorded.
     */
    TRANSACTION_TOO_LARGE("transaction_too_large"),
    /** Debit and credit account are the same account. */
    SAME_ACCOUNT("same_account"),
    /** The transfer is not (or no longer) pending: posted, voided, expired or rejected. */
    TRANSFER_NOT_PENDING("transfer_not_pending"),
    /** The pending transfer's timeout has passed; it can no longer be posted. */
    TRANSFER_EXPIRED("transfer_expired"),
    /** A partial post asked for more than the hold. */
    AMOUNT_EXCEEDS_PENDING("amount_exceeds_pending"),
    /**
     * A balance total, or the available balance of an account with an overdraft limit (balance +
     * credits pending + limit), would exceed the largest amount the ledger can hold.
     */
    BALANCE_OVERFLOW("balance_overflow"),
    /** No account with that id. */
    ACCOUNT_NOT_FOUND("account_not_found"),
    /** No transfer with that id. */
    TRANSFER_NOT_FOUND("transfer_not_found"),
    /** An account with that id exists with other settings. */
    ACCOUNT_EXISTS("account_exists"),
    /** The id was used before for a different request. */
    IDEMPOTENCY_CONFLICT("idempotency_conflict"),
    /** In some currency, a transaction's debits do not equal its credits. */
    UNBALANCED("unbalanced"),
    /** No multi-leg transaction with that id. */
    TRANSACTION_NOT_FOUND("transaction_not_found"),
    /** The transaction is not (or no longer) pending: posted, voided, expired or rejected. */
    TRANSACTION_NOT_PENDING("transaction_not_pending"),
    /** The pending transaction's timeout has passed; it can no longer be posted or voided. */
    TRANSACTION_EXPIRED("transaction_expired"),
    /** Reversing a transfer that is not posted: pending, voided, expired or refused. */
    TRANSFER_NOT_POSTED("transfer_not_posted"),
    /** A reversal would give back more than the transfer posted, less what its reversals gave back. */
    REVERSAL_EXCEEDS_POSTED("reversal_exceeds_posted"),
    /** The id to reverse is a reversal's: a reversal is not reversed; book a new transfer instead. */
    CANNOT_REVERSE_REVERSAL("cannot_reverse_reversal"),
    /**
     * An atomic batch whose decided items would write more than one DynamoDB transaction holds (100
     * items). Never recorded: a smaller batch under the same id may succeed.
     */
    BATCH_TOO_LARGE("batch_too_large"),
    /** Reversing a multi-leg transaction that is not posted: pending, voided, expired or refused. */
    TRANSACTION_NOT_POSTED("transaction_not_posted"),
    /**
     * A transaction on more distinct accounts than its reversal can write in one atomic append
     * ({@code TransactionRequest#MAX_REVERSIBLE_ACCOUNTS}).
     */
    REVERSAL_TOO_LARGE("reversal_too_large");

    private final String code;

    RejectionCode(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }

    public static RejectionCode fromCode(String code) {
        for (RejectionCode candidate : values()) {
            if (candidate.code.equals(code)) {
                return candidate;
            }
        }
        throw new IllegalArgumentException("unknown rejection code " + code);
    }
}
