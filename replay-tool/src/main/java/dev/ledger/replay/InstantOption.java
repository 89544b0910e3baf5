package dev.ledger.replay;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * An instant on the command line ({@code state --as-of}, {@code export --from/--to}): ISO-8601 with
 * a date, a time and a zone, {@code 2026-11-29T00:00:00Z} or {@code 2026-11-29T09:30:00+01:00}.
 * A date alone is refused with a sentence, not read as some time of that day: "as of 29 November"
 * means the start of the day to some and its end to others, and an audit answer must not guess.
 * picocli reports the refusal as bad usage (exit code 2).
 */
final class InstantOption implements ITypeConverter<Instant> {

    static final String FORMS = "ISO-8601 with date, time and zone, e.g. 2026-11-29T00:00:00Z or 2026-11-29T09:30:00+01:00";

    @Override
    public Instant convert(String value) {
        try {
            return parse(value);
        } catch (DateTimeParseException e) {
            throw new TypeConversionException(refusal(value));
        }
    }

    static Instant parse(String value) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException notUtc) {
            return OffsetDateTime.parse(value).toInstant();
        }
    }

    private static String refusal(String value) {
        try {
            LocalDate date = LocalDate.parse(value);
            return "'" + value + "' is a date, not an instant: give the start of the day, " + date + "T00:00:00Z, "
                    + "or a time of day, e.g. " + date + "T23:59:59Z (" + FORMS + ")";
        } catch (DateTimeParseException notADate) {
            return "'" + value + "' is not an instant: give " + FORMS;
        }
    }
}
