package dev.ledger.infra.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The projections' own account of their progress, as an operator reads it on AWS (CloudWatch's
 * {@code applied} and {@code lagMs} by {@code projection}): the local stack's log, read on from
 * where the last {@link #poll} stopped. Each projection line tells how many events a batch applied
 * and each applied event's lag (commit to projection); the newest line's largest lag is how far
 * behind the log head that projection was when it applied that batch (an idle projection at the
 * head keeps showing its last batch's lag, while its count stops growing).
 *
 * <p>The demo's progress lines use it while the payments run and while it waits for the catch-up,
 * since the API (what the demo otherwise reads) tells an item's version, not a projection's
 * position. Read as ISO-8859-1 like {@link StackLog}: the fields are ASCII.
 */
final class PipelineWatch {

    private static final Pattern PROJECTION = Pattern.compile("\"projection\":\"([^\"]+)\"");
    private static final Pattern APPLIED = Pattern.compile("\"applied\":(\\d+)");
    private static final Pattern LAGS = Pattern.compile("\"lagMs\":\\[([0-9,]*)]");

    private final Path log;
    private final Map<String, Projection> projections = new TreeMap<>();
    private long offset;
    private String partial = "";

    private static final class Projection {
        long applied;
        long lastLagMs = -1;
    }

    /** Watches the log from its current end: what the stack logged before (its start) is not counted. */
    static PipelineWatch fromEndOf(Path log) {
        PipelineWatch watch = new PipelineWatch(log);
        try {
            watch.offset = Files.exists(log) ? Files.size(log) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + log, e);
        }
        return watch;
    }

    PipelineWatch(Path log) {
        this.log = log;
    }

    /** Reads the lines the stack wrote since the last call. */
    synchronized void poll() {
        if (!Files.exists(log)) {
            return;
        }
        try (FileChannel channel = FileChannel.open(log, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size <= offset) {
                return;
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(size - offset, 64L << 20));
            int read = channel.read(buffer, offset);
            offset += Math.max(read, 0);
            String text = partial + new String(buffer.array(), 0, Math.max(read, 0), StandardCharsets.ISO_8859_1);
            int end = text.lastIndexOf('\n');
            partial = text.substring(end + 1);
            for (String line : text.substring(0, Math.max(end, 0)).split("\n")) {
                accept(line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + log, e);
        }
    }

    private void accept(String line) {
        Matcher projection = PROJECTION.matcher(line);
        Matcher applied = APPLIED.matcher(line);
        if (!projection.find() || !applied.find()) {
            return;
        }
        Projection p = projections.computeIfAbsent(projection.group(1), k -> new Projection());
        p.applied += Long.parseLong(applied.group(1));
        Matcher lags = LAGS.matcher(line);
        if (lags.find() && !lags.group(1).isEmpty()) {
            long max = 0;
            for (String lag : lags.group(1).split(",")) {
                max = Math.max(max, Long.parseLong(lag));
            }
            p.lastLagMs = max;
        }
    }

    /** Events each projection applied since the watch began. */
    synchronized Map<String, Long> applied() {
        Map<String, Long> applied = new TreeMap<>();
        projections.forEach((name, p) -> applied.put(name, p.applied));
        return applied;
    }

    /** Reads on ({@link #poll}), then {@link #summary}. */
    synchronized String status() {
        poll();
        return summary();
    }

    /** "balances 1,234 (lag 12.3 s), ...": events applied, and the newest batch's lag; or "no projection batch yet". */
    synchronized String summary() {
        if (projections.isEmpty()) {
            return "no projection batch yet";
        }
        return projections.entrySet().stream().map(e -> String.format(Locale.ROOT, "%s %,d%s", e.getKey(),
                e.getValue().applied, e.getValue().lastLagMs < 0 ? "" : String.format(Locale.ROOT, " (lag %.1f s)",
                        e.getValue().lastLagMs / 1e3))).collect(Collectors.joining(", "));
    }
}
