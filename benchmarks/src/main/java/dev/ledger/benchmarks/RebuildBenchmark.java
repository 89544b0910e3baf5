package dev.ledger.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ledger.domain.api.StreamId;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.MotoServer;
import dev.ledger.store.EventsTable;
import dev.ledger.store.EventsTableSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/**
 * The replay tool's {@code rebuild} over a long log, beside the emulator's raw read rate of the
 * same table, and the heap the rebuild needs:
 *
 * <ol>
 *   <li>an events table seeded by {@link LogSeeder} with N events (default 100,000);
 *   <li><b>raw</b>: a parallel Scan of the whole table, the tool's default 4 segments, counting
 *       items (events and heads), nothing else, right before the rebuild;
 *   <li><b>rebuild</b>: {@code rebuild --into shadow} (the existing CLI, parsed as {@code ./ledger
 *       replay} parses it) in a child JVM with a small fixed heap ({@link RebuildProbe}), which
 *       reports the tool's own events/s and the heap the run needed.
 * </ol>
 *
 * Arguments: results file, events (default 100,000), projection (default transfers: the most streams), -Xmx (default 256m).
 */
public final class RebuildBenchmark {

    private static final LogSeeder.Shape SHAPE = new LogSeeder.Shape(50, 1_000);
    private static final int SEGMENTS = 4;
    private static final int THREADS = 8;
    private static final ObjectMapper JSON = new ObjectMapper();

    private RebuildBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        long events = args.length > 1 ? Long.parseLong(args[1]) : 100_000;
        String projection = args.length > 2 ? args[2] : "transfers";
        String heap = args.length > 3 ? args[3] : "256m";
        Results.append(args, run(events, projection, heap));
    }

    /** One raw pass: items read and seconds. */
    private record Scan(long items, long events, double seconds) {
        double itemsPerSecond() {
            return items / seconds;
        }
    }

    static String run(long targetEvents, String projection, String heap) throws Exception {
        try (MotoServer moto = MotoServer.start();
             AwsClients aws = AwsClients.forEndpoint(moto.endpoint())) {
            String table = "bench-rebuild-events";
            EventsTableSchema.create(aws.dynamoDb(), table);
            LogSeeder seeder = new LogSeeder(aws.dynamoDb(), 4);
            LogSeeder.Seeded seeded = seeder.seed(table, SHAPE, targetEvents);
            seeder.checkStream(table, StreamId.account(SHAPE.funding(0)));
            seeder.checkStream(table, StreamId.account(SHAPE.customer(0)));
            System.err.printf(Locale.ROOT, "%d events (%d items) seeded in %.1f s%n", seeded.events(),
                    seeded.items(), seeded.seconds());

            Scan before = scan(aws.dynamoDb(), table);
            ChildJvm.Finished rebuild = ChildJvm.run(List.of("-Xmx" + heap, "-Xms" + heap,
                            "-Daws.cborEnabled=false"), RebuildProbe.class.getName(),
                    List.of("rebuild", "--projection", projection, "--into", "shadow", "--json", "--progress", "none",
                            "--segments", Integer.toString(SEGMENTS), "--threads", Integer.toString(THREADS),
                            "--endpoint", moto.endpoint().toString(), "--state-file", "does-not-exist.json",
                            "--events-table", table, "--balances-table", "bench-balances", "--history-table",
                            "bench-history", "--transfers-table", "bench-transfers", "--control-table",
                            table + "-replay"), 60);
            if (rebuild.exit() != 0) {
                throw new IllegalStateException("the rebuild exited " + rebuild.exit() + ": " + rebuild.probes());
            }
            return report(seeded, before, rebuild, projection, heap);
        }
    }

    /** A parallel Scan of every item, segments at once, counting: the emulator's rate for reading the table. */
    private static Scan scan(DynamoDbClient dynamo, String table) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(SEGMENTS);
        long started = System.nanoTime();
        List<Future<long[]>> segments = new ArrayList<>();
        for (int segment = 0; segment < SEGMENTS; segment++) {
            int s = segment;
            segments.add(pool.submit(() -> {
                long items = 0;
                long events = 0;
                Map<String, AttributeValue> start = null;
                do {
                    Map<String, AttributeValue> from = start;
                    ScanResponse page = dynamo.scan(r -> r.tableName(table).segment(s).totalSegments(SEGMENTS)
                            .exclusiveStartKey(from));
                    items += page.count();
                    events += page.items().stream()
                            .filter(item -> Long.parseLong(item.get(EventsTable.SK).n()) != EventsTable.HEAD_SK)
                            .count();
                    start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty()
                            ? page.lastEvaluatedKey() : null;
                } while (start != null);
                return new long[] {items, events};
            }));
        }
        long items = 0;
        long events = 0;
        for (Future<long[]> segment : segments) {
            items += segment.get()[0];
            events += segment.get()[1];
        }
        pool.shutdown();
        return new Scan(items, events, (System.nanoTime() - started) / 1e9);
    }

    private static String report(LogSeeder.Seeded seeded, Scan raw, ChildJvm.Finished rebuild,
                                 String projection, String heap) throws Exception {
        JsonNode summary = JSON.readTree(rebuild.probe("output"));
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "Log: %,d events in %,d streams (%,d items with the heads), seeded"
                        + " with the ledger's own decisions and hash chains (%d funding accounts pay %,d customers,"
                        + " posted transfers of 3 events) by BatchWriteItem in %.1f s. Rebuild: `replay rebuild"
                        + " --projection %s --into shadow --segments %d --threads %d` (the tool's defaults for"
                        + " segments and threads) in a fresh JVM with -Xmx%s -Xms%s (RebuildProbe runs the CLI"
                        + " in-process and reads the JVM's own memory beans); no live table exists, so there is no"
                        + " comparison step: the time is the fold alone. Each projection is one parallel Scan of the"
                        + " log with the same %d segments, filtered on the key prefix of the streams it follows; each"
                        + " segment folds its streams as the Scan returns them (a stream's head, then its events in"
                        + " version order), checks each hash chain and that the events reach the head's version, and"
                        + " writes each item's last state by BatchWriteItem, 25 to a call, streams sharing batches, on"
                        + " a writer thread per segment. Raw: a parallel Scan of the same table with the same %d"
                        + " segments, counting items and nothing else, right before the rebuild.%n%n", seeded.events(),
                seeded.streams(), seeded.items(), SHAPE.fundingAccounts(), SHAPE.customers(), seeded.seconds(),
                projection, SEGMENTS, THREADS, heap, heap, SEGMENTS, SEGMENTS));
        out.append("| what | its events | seconds | its events/s | log events/s | log events/s / raw |\n"
                + "|---|---:|---:|---:|---:|---:|\n");
        double rawRate = raw.events() / raw.seconds();
        out.append(String.format(Locale.ROOT, "| raw parallel Scan of the whole table (%,d items) | %,d | %.1f | %.0f |"
                + " **%.0f** | 1 |%n", raw.items(), raw.events(), raw.seconds(), rawRate, rawRate));
        double rebuildEvents = 0;
        double lowest = Double.MAX_VALUE;
        StringBuilder ownShare = new StringBuilder();
        for (JsonNode built : summary.get("projections")) {
            double seconds = built.get("seconds").asDouble();
            double logRate = raw.events() / seconds;
            out.append(String.format(Locale.ROOT, "| rebuild %s (%,d streams; the tool's own count and time) | %,d |"
                            + " %.1f | %.0f | **%.0f** | **%.2f** |%n", built.get("projection").asText(),
                    built.get("streams").asLong(), built.get("events").asLong(), seconds,
                    built.get("eventsPerSecond").asDouble(), logRate, logRate / rawRate));
            ownShare.append(String.format(Locale.ROOT, "%s%s %.2f (its share of the log: %.2f)",
                    ownShare.length() == 0 ? "" : ", ", built.get("projection").asText(),
                    built.get("eventsPerSecond").asDouble() / rawRate, built.get("events").asDouble() / raw.events()));
            rebuildEvents += built.get("events").asLong();
            lowest = Math.min(lowest, logRate / rawRate);
        }
        out.append(String.format(Locale.ROOT, "%nLowest log events/s of a rebuild / raw Scan events/s = **%.2f**"
                + " (the Scan's time over the rebuild's). A rebuild of one projection reads the whole log, as the raw"
                + " Scan does: the only way to find every stream it follows (DynamoDB reads the items the filter"
                + " drops, and so does moto), so the log it went through per second is what compares with the raw"
                + " Scan. Its own events/s over the raw Scan's events/s can be at most its share of the log, even for"
                + " a rebuild that took no time beyond the Scan's: %s.%n%n", lowest, ownShare));
        out.append("| heap of the rebuild JVM | MB |\n|---|---:|\n");
        out.append(String.format(Locale.ROOT, "| -Xmx (the limit the run had to fit in) | %.0f |%n",
                rebuild.millis("heapMax") / 1e6));
        out.append(String.format(Locale.ROOT, "| **peak live heap**: the most still in use after any of its %s"
                + " collections | **%.1f** |%n", rebuild.probe("collections"), rebuild.millis("heapAfterGcMax") / 1e6));
        out.append(String.format(Locale.ROOT, "| sum of the heap pools' peak use (counts garbage not yet collected;"
                + " grows with -Xmx) | %.1f |%n", rebuild.millis("heapPeakSum") / 1e6));
        out.append(String.format(Locale.ROOT, "%nThe child JVM ran %.1f s in all (JVM start, the CLI, the rebuild,"
                + " exit); the rebuild folded %,.0f events and finished within -Xmx%s: memory holds a page and one"
                + " open stream per segment and a few batches waiting for each writer, never the log.%n", rebuild.wallMillis() / 1000,
                rebuildEvents, heap));
        return out.toString();
    }
}
