package dev.ledger.infra.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the local stack's log (its output, as the demo's child writes it) tells: the command handler's
 * {@code append_conflict} lines, its EMF metric {@code appendConflicts}, one per race a command lost and
 * retried inside the handler before it answered. Read as ISO-8859-1: the marker is ASCII, and no byte
 * of the log can fail to decode.
 */
final class StackLog {

    private static final String APPEND_CONFLICT = "\"event\":\"append_conflict\"";
    private static final Pattern CORRELATION_ID = Pattern.compile("\"correlationId\":\"([^\"]*)\"");
    /** A request line's record: its transfer's or its multi-leg transaction's id. */
    private static final Pattern RECORD_ID = Pattern.compile("\"(?:transferId|transactionId)\":\"([^\"]*)\"");

    private StackLog() {
    }

    /** The {@code append_conflict} lines in the log so far (0 if it does not exist yet). */
    static long appendConflicts(Path log) {
        if (!Files.exists(log)) {
            return 0;
        }
        try (Stream<String> lines = Files.lines(log, StandardCharsets.ISO_8859_1)) {
            return lines.filter(line -> line.contains(APPEND_CONFLICT)).count();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + log, e);
        }
    }

    /**
     * The {@code append_conflict} lines by the transfer or transaction whose request lost the races:
     * each line's correlation id joined to the request line (route, status, transfer or transaction
     * id) that the handler writes with the same id once it answers. Lines whose request names neither
     * are left out.
     */
    static Map<String, Long> appendConflictsByRecord(Path log) {
        Map<String, Long> conflictsByCorrelation = new HashMap<>();
        Map<String, String> recordByCorrelation = new HashMap<>();
        try (Stream<String> lines = Files.lines(log, StandardCharsets.ISO_8859_1)) {
            lines.forEach(line -> {
                Matcher correlation = CORRELATION_ID.matcher(line);
                if (!correlation.find()) {
                    return;
                }
                if (line.contains(APPEND_CONFLICT)) {
                    conflictsByCorrelation.merge(correlation.group(1), 1L, Long::sum);
                    return;
                }
                Matcher record = RECORD_ID.matcher(line);
                if (record.find()) {
                    recordByCorrelation.put(correlation.group(1), record.group(1));
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + log, e);
        }
        Map<String, Long> byRecord = new HashMap<>();
        conflictsByCorrelation.forEach((correlation, count) -> {
            String record = recordByCorrelation.get(correlation);
            if (record != null) {
                byRecord.merge(record, count, Long::sum);
            }
        });
        return byRecord;
    }
}
