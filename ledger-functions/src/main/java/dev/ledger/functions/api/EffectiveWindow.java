package dev.ledger.functions.api;

import dev.ledger.http.ApiException;
import dev.ledger.http.RequestBody;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.DateTimeException;

/**
 * How far an {@code "effectiveAt"} (issue 16) may lie from the ledger's clock: back at most {@code past}
 * (a late booking of last month's payment), ahead at most {@code futureSkew} (a client whose clock runs a
 * little fast means "now"; a payment dated next week is not yet a fact). The one owner of that rule: every
 * route that takes the field (transfers, transactions, reversals and batch items) reads it here.
 */
record EffectiveWindow(Duration past, Duration futureSkew, Clock clock) {

    /** The default reach back (LedgerConfig#DEFAULT_EFFECTIVE_WINDOW, whose configuration sets it). */
    static final Duration DEFAULT_PAST = dev.ledger.lambda.config.LedgerConfig.DEFAULT_EFFECTIVE_WINDOW;
    /** A minute: more than NTP-synchronised clocks drift, less than any payment date means. */
    static final Duration FUTURE_SKEW = Duration.ofSeconds(60);
    static final String FIELD = "effectiveAt";

    EffectiveWindow {
        if (past.isNegative() || futureSkew.isNegative()) {
            throw new IllegalArgumentException("an effective-date window does not reach backwards");
        }
    }

    static EffectiveWindow standard(Clock clock) {
        return new EffectiveWindow(DEFAULT_PAST, FUTURE_SKEW, clock);
    }

    /**
     * The body's {@code effectiveAt}, checked against the window at this instant: null when absent (or null),
     * 400 {@code invalid_request} when it is not an ISO-8601 instant, 422 {@code effective_date_out_of_range}
     * when it lies outside the window.
     */
    Instant read(RequestBody body) {
        if (!body.has(FIELD) || body.isNull(FIELD)) {
            return null;
        }
        String text = body.requiredString(FIELD);
        Instant effectiveAt;
        try {
            effectiveAt = Instant.parse(text);
        } catch (DateTimeException notAnInstant) {
            throw ApiException.invalid("field '" + body.name(FIELD) + "' must be an ISO-8601 instant such as "
                    + "2026-01-31T23:59:59Z, got '" + RequestBody.printable(text) + "'");
        }
        Instant now = clock.instant();
        if (effectiveAt.isBefore(now.minus(past)) || effectiveAt.isAfter(now.plus(futureSkew))) {
            throw new ApiException(422, "effective_date_out_of_range", "field '" + body.name(FIELD) + "' ("
                    + effectiveAt + ") must lie within the last " + describe(past) + " and at most "
                    + futureSkew.toSeconds() + " seconds after the ledger's clock (" + now + ")");
        }
        return effectiveAt;
    }

    private static String describe(Duration duration) {
        long days = duration.toDays();
        return duration.equals(Duration.ofDays(days)) ? days + (days == 1 ? " day" : " days")
                : duration.toSeconds() + " seconds";
    }
}
