package dev.ledger.domain;

import java.util.Objects;

/** A business refusal: a stable code and a sentence a person understands. */
public record Rejection(RejectionCode code, String message) {

    public Rejection {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
    }
}
