package dev.ledger.projections;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Instants as the list indexes' sort keys hold them ({@code listAt} of the transfers table's status index,
 * {@code at} of the metadata index): one fixed-width form, so text order is time order, and the bounds of a
 * time window on such a key. One owner, because a cursor is checked against the same bounds the key
 * condition uses: a start key outside the condition is a DynamoDB ValidationException, not a page.
 *
 * <p>Fixed width holds for the years 0000 to 9999 only (others print with a sign: '+10000-...' sorts before
 * '2026-...'), so a window's instants must be {@link #sortable}; every recorded time is.
 */
public final class SortableTime {

    /** The form's regular expression (for cursors that carry such a key). */
    public static final String PATTERN = "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{9}Z";
    /** The first and the last instant the form orders. */
    public static final Instant FIRST = Instant.parse("0000-01-01T00:00:00Z");
    public static final Instant LAST = Instant.parse("9999-12-31T23:59:59.999999999Z");

    private static final DateTimeFormatter FORMAT = DateTimeFormatter
            .ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);

    private SortableTime() {
    }

    /** Whether {@code instant} has the fixed-width form (years 0000 to 9999). */
    public static boolean sortable(Instant instant) {
        return !instant.isBefore(FIRST) && !instant.isAfter(LAST);
    }

    /** The instant in the fixed-width form, nine fraction digits always ({@code Instant.toString} drops zeros). */
    public static String of(Instant instant) {
        if (!sortable(instant)) {
            throw new IllegalArgumentException("no fixed-width form for " + instant);
        }
        return FORMAT.format(instant);
    }

    /** The least key of anything at or after {@code from}: keys are this form, '#', then more. */
    public static String lowest(Instant from) {
        return of(from);
    }

    /** A bound above every key of anything at or before {@code to}: '$' sorts after '#'. */
    public static String highest(Instant to) {
        return of(to) + "$";
    }

    /** Whether a key of this form lies in the window a {@link #condition} reads. */
    public static boolean inside(String key, Optional<Instant> from, Optional<Instant> to) {
        return (from.isEmpty() || key.compareTo(lowest(from.get())) >= 0)
                && (to.isEmpty() || key.compareTo(highest(to.get())) <= 0);
    }

    /**
     * Adds the window to a key condition on the sort key {@code attribute}: {@code BETWEEN}, {@code >=} or
     * {@code <=} as the window has both ends or one (nothing without either).
     *
     * @return the condition, with {@code names} and {@code values} holding what it names
     */
    public static String condition(String keyCondition, String attribute, Optional<Instant> from, Optional<Instant> to,
                                   Map<String, String> names, Map<String, AttributeValue> values) {
        if (from.isEmpty() && to.isEmpty()) {
            return keyCondition;
        }
        names.put("#at", attribute);
        from.ifPresent(instant -> values.put(":from", AttributeValue.fromS(lowest(instant))));
        to.ifPresent(instant -> values.put(":to", AttributeValue.fromS(highest(instant))));
        return keyCondition + (from.isPresent() && to.isPresent() ? " AND #at BETWEEN :from AND :to"
                : from.isPresent() ? " AND #at >= :from" : " AND #at <= :to");
    }
}
