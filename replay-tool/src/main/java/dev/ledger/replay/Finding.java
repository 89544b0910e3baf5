package dev.ledger.replay;

import java.util.Comparator;

/**
 * One thing that does not hold: which stream, at which version (null when not about one version),
 * which field, and what differs.
 */
record Finding(String stream, Long version, String field, String detail) {

    static final Comparator<Finding> ORDER = Comparator.comparing(Finding::stream)
            .thenComparing(Finding::version, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(Finding::field);

    @Override
    public String toString() {
        return stream + (version == null ? "" : " v" + version) + " " + field + ": " + detail;
    }
}
