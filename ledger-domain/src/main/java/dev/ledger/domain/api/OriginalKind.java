package dev.ledger.domain.api;

/**
 * What a reversal reverses. Only transfers today; a multi-leg transaction will be reversed with the
 * same reversal stream type, its request naming {@code TRANSACTION} and the transaction's id.
 */
public enum OriginalKind {
    TRANSFER
}
