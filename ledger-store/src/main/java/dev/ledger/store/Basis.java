package dev.ledger.store;

import java.time.Instant;

/**
 * Which instant of an event an "as of" question reads (issue 16): when it was recorded, or when it counts
 * for the client ({@link StoredEvent#effectiveInstant}). The one owner of the as-of filter: the read API's
 * balance, the replay tool's state and its verify all fold through {@link AccountAsOf} with one of these.
 */
public enum Basis {
    /** The instant the log recorded the event: a stream's events are in this order. */
    RECORDED,
    /** The instant the event counts: its effective date if its request named one, else when it was recorded. */
    EFFECTIVE;

    /** The instant of {@code event} on this basis. */
    public Instant instantOf(StoredEvent event) {
        return this == RECORDED ? event.recordedAt() : event.effectiveInstant();
    }

    /** Whether {@code event} counts in a fold as of {@code asOf} (null: every event counts). */
    public boolean counts(StoredEvent event, Instant asOf) {
        return asOf == null || !instantOf(event).isAfter(asOf);
    }

    /**
     * Whether a fold as of {@code asOf} may stop reading at {@code event}: on the recorded basis at the
     * first event recorded after it, as events are in recorded order. On the effective basis never: a
     * backdated event recorded later may still count, so the fold reads the stream to its end.
     */
    public boolean endsAt(StoredEvent event, Instant asOf) {
        return this == RECORDED && asOf != null && event.recordedAt().isAfter(asOf);
    }

    /** The query parameter's value: {@code recorded} or {@code effective}. */
    public String parameter() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** {@code recorded} or {@code effective}, as a query parameter or a command-line option gives it; null if neither. */
    public static Basis fromParameter(String value) {
        for (Basis basis : values()) {
            if (basis.parameter().equals(value)) {
                return basis;
            }
        }
        return null;
    }
}
