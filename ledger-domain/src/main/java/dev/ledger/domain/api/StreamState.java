package dev.ledger.domain.api;

/** The state a stream's events fold into: an account's balances or a transfer's status. */
public interface StreamState {
    StreamId streamId();
}
