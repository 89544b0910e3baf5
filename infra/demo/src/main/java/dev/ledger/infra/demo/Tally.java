package dev.ledger.infra.demo;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the API answered, counted from many threads: accepted commands by what they were, refused
 * ones by the API's error code, and requests that got no answer at all; and the same per command
 * ({@link #outcomesOf}).
 */
final class Tally {

    static final String NO_ANSWER = "no_answer";
    /** The outcome {@link #outcomesOf} counts a 2xx under. */
    static final String ACCEPTED = "accepted";

    private final Map<String, LongAdder> accepted = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> rejected = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> retried = new ConcurrentHashMap<>();
    private final Map<String, Map<String, LongAdder>> byCommand = new ConcurrentHashMap<>();
    private final LongAdder sent = new LongAdder();

    /** A request sent again because the API asked for it (its error code); counted apart from the answers. */
    void retried(String errorCode) {
        retried.computeIfAbsent(errorCode, k -> new LongAdder()).increment();
    }

    Map<String, Long> retriedByCode() {
        return snapshot(retried);
    }

    void accepted(String command) {
        sent.increment();
        accepted.computeIfAbsent(command, k -> new LongAdder()).increment();
    }

    void rejected(String errorCode) {
        sent.increment();
        rejected.computeIfAbsent(errorCode, k -> new LongAdder()).increment();
    }

    void record(String command, LedgerHttp.Answer answer) {
        String outcome = answer.ok() ? ACCEPTED : answer.errorCode();
        if (answer.ok()) {
            accepted(command);
        } else {
            rejected(outcome);
        }
        outcome(command, outcome);
    }

    /** The command's request got no answer at all: counted as rejected ({@link #NO_ANSWER}). */
    void noAnswer(String command) {
        rejected(NO_ANSWER);
        outcome(command, NO_ANSWER);
    }

    /** What the command's requests got: {@link #ACCEPTED}, or the error code, with their counts; empty if none was sent. */
    Map<String, Long> outcomesOf(String command) {
        Map<String, LongAdder> outcomes = byCommand.get(command);
        return outcomes == null ? Map.of() : snapshot(outcomes);
    }

    private void outcome(String command, String outcome) {
        byCommand.computeIfAbsent(command, k -> new ConcurrentHashMap<>())
                .computeIfAbsent(outcome, k -> new LongAdder()).increment();
    }

    long sent() {
        return sent.sum();
    }

    long acceptedTotal() {
        return accepted.values().stream().mapToLong(LongAdder::sum).sum();
    }

    long rejectedTotal() {
        return rejected.values().stream().mapToLong(LongAdder::sum).sum();
    }

    Map<String, Long> acceptedByCommand() {
        return snapshot(accepted);
    }

    Map<String, Long> rejectedByCode() {
        return snapshot(rejected);
    }

    private static Map<String, Long> snapshot(Map<String, LongAdder> counts) {
        Map<String, Long> copy = new TreeMap<>();
        counts.forEach((key, count) -> copy.put(key, count.sum()));
        return copy;
    }
}
