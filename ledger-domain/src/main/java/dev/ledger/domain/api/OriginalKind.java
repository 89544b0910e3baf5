package dev.ledger.domain.api;

/**
 * What a reversal reverses: a transfer (in part or in full), or a multi-leg transaction (in full),
 * both with the same reversal stream type, the request naming the kind and the original's id.
 */
public enum OriginalKind {
    TRANSFER,
    TRANSACTION
}
