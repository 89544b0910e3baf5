package dev.ledger.benchmarks;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Standard output, passed on as it is, with the command handler's {@code append_conflict} lines
 * counted on the way (its EMF metric {@code appendConflicts}: one line per race a command lost and
 * retried inside the handler). Installed with {@link #install()} before the local stack builds its
 * handlers, which take {@code System.out} when they are constructed. The hot-account benchmark and the
 * capacity model's local validation both count with it.
 */
public final class ConflictLines extends OutputStream {

    private static final String MARKER = "\"event\":\"append_conflict\"";

    private final OutputStream downstream;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(512);
    private final AtomicLong conflicts = new AtomicLong();

    private ConflictLines(OutputStream downstream) {
        this.downstream = downstream;
    }

    /** Replaces {@code System.out} with a stream that counts the conflict lines going through it. */
    public static ConflictLines install() {
        ConflictLines counter = new ConflictLines(System.out);
        System.setOut(new PrintStream(counter, true, StandardCharsets.UTF_8));
        return counter;
    }

    /** Conflict lines seen so far. */
    public long count() {
        return conflicts.get();
    }

    @Override
    public synchronized void write(int b) throws IOException {
        scan(b);
        downstream.write(b);
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int length) throws IOException {
        for (int i = offset; i < offset + length; i++) {
            scan(bytes[i]);
        }
        downstream.write(bytes, offset, length);
    }

    @Override
    public synchronized void flush() throws IOException {
        downstream.flush();
    }

    private void scan(int b) {
        if (b != '\n') {
            line.write(b);
            return;
        }
        if (line.toString(StandardCharsets.UTF_8).contains(MARKER)) {
            conflicts.incrementAndGet();
        }
        line.reset();
    }
}
