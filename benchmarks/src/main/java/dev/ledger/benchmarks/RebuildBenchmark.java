package dev.ledger.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ledger.domain.api.StreamId;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.MotoServer;
import dev.ledger.projections.ProjectionCatalog;
import dev.ledger.store.EventsTable;
import dev.ledger.store.EventsTableSchema;
import java.util.ArrayList;
import java.util.Arrays;
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
 *   <li>for each projection asked for ({@code all}: each in turn), <b>raw</b>: a parallel Scan of the
 *       whole table, the tool's default 4 segments, counting items (events and heads), nothing else;
 *   <li>right after it, <b>rebuild</b>: {@code rebuild --projection <it> --into shadow} (the existing
 *       CLI, parsed as {@code ./ledger replay} parses it) in a child JVM with a small fixed heap
 *       ({@link RebuildProbe}), which reports the tool's own events/s and the heap the run needed.
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

            // Each projection beside a raw Scan right before it: on a shared machine the load moves within
            // minutes, so a ratio compares two passes as close together as they can be.
            List<Pair> pairs = new ArrayList<>();
            List<String> all = Arrays.stream(ProjectionCatalog.values()).map(ProjectionCatalog::label).toList();
            for (String one : projection.equals("all") ? all : List.of(projection)) {
                Scan raw = scan(aws.dynamoDb(), table);
                System.err.printf(Locale.ROOT, "raw Scan %.1f s; rebuilding %s%n", raw.seconds(), one);
                List<String> arguments = new ArrayList<>(List.of("rebuild", "--projection", one, "--into", "shadow",
                        "--json", "--progress", "none", "--segments", Integer.toString(SEGMENTS), "--threads",
                        Integer.toString(THREADS), "--endpoint", moto.endpoint().toString(), "--state-file",
                        "does-not-exist.json", "--events-table", table, "--control-table", table + "-replay"));
                // Every projection's table named, so no stack state is looked up (there is no stack here).
                for (String label : all) {
                    arguments.addAll(List.of("--" + label + "-table", "bench-" + label));
                }
                ChildJvm.Finished rebuild = ChildJvm.run(List.of("-Xmx" + heap, "-Xms" + heap,
                        "-Daws.cborEnabled=false"), RebuildProbe.class.getName(), arguments, 60);
                if (rebuild.exit() != 0) {
                    throw new IllegalStateException("the rebuild exited " + rebuild.exit() + ": " + rebuild.probes());
                }
                pairs.add(new Pair(raw, rebuild));
            }
            return report(seeded, pairs, projection, heap);
        }
    }

    /** A raw Scan and the rebuild of one projection right after it. */
    private record Pair(Scan raw, ChildJvm.Finished rebuild) {
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
                            .filter(item -> !EventsTable.isCheckpoint(item)
                                    && Long.parseLong(item.get(EventsTable.SK).n()) != EventsTable.HEAD_SK)
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

    private static String report(LogSeeder.Seeded seeded, List<Pair> pairs, String projection, String heap)
            throws Exception {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "Log: %,d events in %,d streams (%,d items with the heads), seeded"
                        + " with the ledger's own decisions and hash chains (%d funding accounts pay %,d customers,"
                        + " posted transfers of 3 events) by BatchWriteItem in %.1f s. For each projection (%s), in"
                        + " turn: **raw**, a parallel Scan of the whole table with %d segments, counting items and"
                        + " nothing else; right after it, **rebuild**, `replay rebuild --projection <it> --into shadow"
                        + " --segments %d --threads %d` (the tool's defaults) in a fresh JVM with -Xmx%s -Xms%s"
                        + " (RebuildProbe runs the CLI in-process and reads the JVM's own memory beans). No live table"
                        + " exists, so there is no comparison step: the time is the fold alone. The rebuild is one"
                        + " parallel Scan of the log with the same %d segments, filtered on the key prefix of the"
                        + " streams the projection follows; each segment folds its streams as the Scan returns them (a"
                        + " stream's head, then its events in version order), checks each hash chain and that the"
                        + " events reach the head's version, and writes each item's last state by BatchWriteItem, 25"
                        + " to a call, streams sharing batches, on a writer thread per segment; no Query.%n%n",
                seeded.events(), seeded.streams(), seeded.items(), SHAPE.fundingAccounts(), SHAPE.customers(),
                seeded.seconds(), projection, SEGMENTS, SEGMENTS, THREADS, heap, heap, SEGMENTS));
        out.append("| projection | raw Scan s | raw events/s | rebuild s | its events (streams) | its events/s"
                + " | log events/s | **log events/s / raw** | its events/s / raw | peak live heap MB |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        double lowest = Double.MAX_VALUE;
        double rebuildEvents = 0;
        double wall = 0;
        for (Pair pair : pairs) {
            JsonNode built = JSON.readTree(pair.rebuild().probe("output")).get("projections").get(0);
            Scan raw = pair.raw();
            double rawRate = raw.events() / raw.seconds();
            double seconds = built.get("seconds").asDouble();
            double logRate = raw.events() / seconds;
            out.append(String.format(Locale.ROOT, "| %s | %.1f | %.0f | %.1f | %,d (%,d) | %.0f | %.0f | **%.2f** |"
                            + " %.2f (its share of the log: %.2f) | %.1f |%n", built.get("projection").asText(),
                    raw.seconds(), rawRate, seconds, built.get("events").asLong(), built.get("streams").asLong(),
                    built.get("eventsPerSecond").asDouble(), logRate, logRate / rawRate,
                    built.get("eventsPerSecond").asDouble() / rawRate, built.get("events").asDouble() / raw.events(),
                    pair.rebuild().millis("heapAfterGcMax") / 1e6));
            lowest = Math.min(lowest, logRate / rawRate);
            rebuildEvents += built.get("events").asLong();
            wall += pair.rebuild().wallMillis() / 1000;
        }
        out.append(String.format(Locale.ROOT, "%nLowest log events/s of a rebuild / raw Scan events/s = **%.2f** (the"
                + " raw Scan's time over the rebuild's, each rebuild against the Scan right before it). A rebuild of"
                + " one projection reads the whole log, as the raw Scan does: it is the only way to find every stream"
                + " the projection follows (DynamoDB reads the items the filter drops, and so does moto), so the log"
                + " it goes through per second is what compares with the raw Scan. Its own events/s over the raw"
                + " Scan's events/s cannot pass its share of the log, however fast the rebuild: the column beside"
                + " shows both.%n%n", lowest));
        out.append(String.format(Locale.ROOT, "Heap: each rebuild JVM had -Xmx%s; peak live heap is the most still in"
                + " use after any collection (with -Xms%s the old generation is rarely collected, so it counts"
                + " garbage promoted there too: an upper bound of the live set). The rebuild JVMs ran %.1f s in all"
                + " (JVM start, the CLI, the rebuild, exit), folded %,.0f events and finished within -Xmx%s: memory"
                + " holds a page and one open stream per segment and a few batches waiting for each writer, never"
                + " the log.%n", heap, heap, wall, rebuildEvents, heap));
        return out.toString();
    }
}
