package dev.ledger.domain.ledger;

/** A stream's state as loaded, with the version (number of events) it reflects. */
public record Versioned<S>(S state, long version) {
}
