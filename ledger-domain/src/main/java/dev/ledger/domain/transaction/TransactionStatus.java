package dev.ledger.domain.transaction;

public enum TransactionStatus {
    /** Every account's net movement is held until the transaction is posted, voided or expires. */
    PENDING,
    /** Money moved on every account (at once, or when the pending transaction was posted). */
    POSTED,
    VOIDED,
    EXPIRED,
    /** The first attempt was refused; the id stays refused. */
    REJECTED
}
