package dev.ledger.infra.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * What the local stack's log (its output, as the demo's child writes it) tells: the command handler's
 * {@code append_conflict} lines, its EMF metric {@code appendConflicts}, one per race a command lost and
 * retried inside the handler before it answered. Read as ISO-8859-1: the marker is ASCII, and no byte
 * of the log can fail to decode.
 */
final class StackLog {

    private static final String APPEND_CONFLICT = "\"event\":\"append_conflict\"";

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
}
