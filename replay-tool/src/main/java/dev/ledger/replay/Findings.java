package dev.ledger.replay;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The findings of one run, from many threads; keeps the first {@link #KEPT}, counts all. */
final class Findings {

    static final int KEPT = 10_000;

    private final List<Finding> kept = new ArrayList<>();
    private long count;

    synchronized void add(String stream, Long version, String field, String detail) {
        count++;
        if (kept.size() < KEPT) {
            kept.add(new Finding(stream, version, field, detail));
        }
    }

    /** Adds a finding when the projection's value differs from the log's. */
    void compare(String stream, Long version, String field, Object projected, Object fromLog) {
        if (!Objects.equals(projected, fromLog)) {
            add(stream, version, field, "projection " + quote(projected) + ", log " + quote(fromLog));
        }
    }

    synchronized long count() {
        return count;
    }

    synchronized List<Finding> sorted() {
        List<Finding> copy = new ArrayList<>(kept);
        copy.sort(Finding.ORDER);
        return copy;
    }

    private static String quote(Object value) {
        return value == null ? "absent" : value instanceof String ? "\"" + value + "\"" : value.toString();
    }
}
