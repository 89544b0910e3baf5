package dev.ledger.domain.transfer;

public enum TransferStatus {
    /** A hold: money reserved on both accounts until posted, voided or expired. */
    PENDING,
    /** Money moved (at once, or when the hold was posted). */
    POSTED,
    VOIDED,
    EXPIRED,
    /** The first attempt was refused; the id stays refused. */
    REJECTED
}
