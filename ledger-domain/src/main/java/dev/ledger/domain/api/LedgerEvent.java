package dev.ledger.domain.api;

/**
 * Something that happened, recorded in the log forever. Events are facts in the domain's words;
 * how they are stored (type names, schema versions, hashes) is the event store's concern.
 */
public interface LedgerEvent {
    StreamId streamId();
}
