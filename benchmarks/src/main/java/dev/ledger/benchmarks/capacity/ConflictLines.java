package dev.ledger.benchmarks.capacity;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Standard output as the command Lambda writes it, passed through unchanged and counted: every
 * {@code append_conflict} line (the EMF record the Lambda logs for each lost race, metric
 * {@code appendConflicts}) adds one. Installed with {@link System#setOut} before the local stack
 * creates its handlers, which take {@code System.out} when they are built.
 */
final class ConflictLines extends PrintStream {

    private static final String MARKER = "\"event\":\"append_conflict\"";
    private final AtomicLong conflicts = new AtomicLong();

    ConflictLines(OutputStream out) {
        super(out, true, StandardCharsets.UTF_8);
    }

    long count() {
        return conflicts.get();
    }

    @Override
    public void println(String line) {
        if (line != null && line.contains(MARKER)) {
            conflicts.incrementAndGet();
        }
        super.println(line);
    }

    @Override
    public void println(Object line) {
        println(String.valueOf(line));
    }
}
