package dev.ledger.replay;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.domain.api.AuditEvent.Operator;
import dev.ledger.domain.api.AuditEvent.Outcome;
import dev.ledger.domain.api.OperatorAction;
import dev.ledger.projections.ProjectionCatalog;
import dev.ledger.projections.ReadRoutes;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

@Command(name = "rebuild", mixinStandardHelpOptions = true,
        description = {"Fold the log into fresh projection tables.",
                "--into shadow (default): new tables <deployed>-rebuild-<n>, then an item-for-item comparison with the "
                        + "live tables; the shadow tables are kept for the operator. With --swap, the new table is "
                        + "caught up with the log, the read path is pointed at it (a route in the control table, "
                        + "read by the query and projection functions), and it is caught up again; the table served "
                        + "before is kept until the operator drops it.",
                "--into live: recreate lost live tables under their own names (refused when a live table still has "
                        + "items), or with --from-version continue existing live tables from the log.",
                "One rebuild per projection at a time (a lock with owner and expiry in the control table); a rerun "
                        + "after an interrupted rebuild deletes the partial table and starts afresh.",
                "Exit 0: built (and equal to live); 1: built, but the live table differs (listed); 2: not built."})
final class RebuildCommand implements Callable<Integer> {

    /** What {@code --projection} takes: each projection of the catalog, or all of them. */
    static final class ProjectionNames implements Iterable<String> {
        static final String ALL = "all";

        @Override
        public Iterator<String> iterator() {
            List<String> names = new ArrayList<>();
            Arrays.stream(ProjectionCatalog.values()).map(ProjectionCatalog::label).forEach(names::add);
            names.add(ALL);
            return names.iterator();
        }
    }

    enum Into { SHADOW, LIVE }

    @Mixin
    Target target;

    @Mixin
    CommonOptions common;

    @Option(names = "--projection", paramLabel = "NAME", defaultValue = ProjectionNames.ALL,
            completionCandidates = ProjectionNames.class,
            description = "one of ${COMPLETION-CANDIDATES}; default ${DEFAULT-VALUE}")
    String projection;

    @Option(names = "--into", paramLabel = "WHERE", defaultValue = "SHADOW",
            description = "shadow or live; default ${DEFAULT-VALUE}")
    Into into;

    @Option(names = "--accounts", split = ",", paramLabel = "ID",
            description = "only these accounts (and, for transfers, the transfers their legs name); no Scan of the log")
    List<String> accounts;

    @Option(names = "--swap",
            description = "point the read path at the rebuilt tables (blue/green; with --into shadow)")
    boolean swap;

    @Option(names = "--from-version", paramLabel = "N",
            description = "with --into live: continue the existing tables, each stream from the version after the one "
                    + "its item holds, reading the log from version N on; a stream whose item holds less than N-1 is "
                    + "refused (e.g. a table restored from a backup, or stopped at a gap the stream no longer holds)")
    Long fromVersion;

    @Option(names = "--lock-ttl", paramLabel = "SECONDS", defaultValue = "60",
            description = "how long the lock outlives a rebuild that was killed; default ${DEFAULT-VALUE}")
    long lockTtlSeconds;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        checkOptions();
        projections(); // an unknown name is refused before any client is built
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<ProjectionCatalog> kinds = projections();
        Clock clock = Clock.systemUTC();
        List<ObjectNode> reports = new ArrayList<>();
        boolean allEqual = true;
        target.events(); // a missing table name is the clearer error, before any client is built
        // Who runs it is asked first: an action nobody can be named for is not taken (issue 15).
        Operator operator = OperatorRecord.whoRuns(target);
        try (DynamoDbClient dynamo = target.dynamo()) {
            EventLog log = new EventLog(dynamo, target.events());
            ControlTable control = new ControlTable(dynamo, target.control()).ensureExists();
            Rebuilder rebuilder = new Rebuilder(dynamo, log, control, clock, common.segments, common.threads);
            OperatorRecord record = new OperatorRecord(dynamo, target.events(), operator, clock);
            for (ProjectionCatalog kind : kinds) {
                String subject = "projection:" + kind.label();
                SortedMap<String, String> options = options(kind);
                String actionId = record.started(OperatorAction.REBUILD, subject, options);
                ObjectNode report;
                try {
                    report = rebuild(dynamo, log, control, rebuilder, record, kind, clock, err);
                } catch (RuntimeException failed) {
                    try {
                        record.finished(actionId, OperatorAction.REBUILD, subject, options,
                                failed instanceof RebuildLock.LockedException ? Outcome.REFUSED : Outcome.FAILED,
                                String.valueOf(failed.getMessage()));
                    } catch (RuntimeException unrecorded) {
                        failed.addSuppressed(unrecorded); // the start stays on record; the cause is what matters
                    }
                    throw failed;
                }
                boolean equal = !report.path("comparedWithLive").asBoolean(false)
                        || report.path("equalToLive").asBoolean(true);
                allEqual &= equal;
                record.finished(actionId, OperatorAction.REBUILD, subject, options, Outcome.SUCCEEDED,
                        outcomeDetail(report, equal));
                reports.add(report);
                print(out, report);
            }
        }
        if (common.json) {
            ObjectNode summary = CommonOptions.object();
            summary.put("ok", allEqual);
            ArrayNode list = summary.putArray("projections");
            reports.forEach(list::add);
            CommonOptions.print(out, summary);
        }
        return allEqual ? ReplayCli.OK : ReplayCli.DOES_NOT_HOLD;
    }

    /** One projection's rebuild under its lock, as the options say; the report of what it built. */
    private ObjectNode rebuild(DynamoDbClient dynamo, EventLog log, ControlTable control, Rebuilder rebuilder,
                               OperatorRecord record, ProjectionCatalog kind, Clock clock, PrintWriter err) {
        String live = target.serving(dynamo, kind);
        try (RebuildLock lock = record.lock(control, kind.label(), owner(), Duration.ofSeconds(lockTtlSeconds),
                clock)) {
            Thread release = new Thread(lock::close, "release-rebuild-lock");
            Runtime.getRuntime().addShutdownHook(release); // Ctrl-C: free the lock at once
            try {
                for (String deleted : rebuilder.abandonUnfinished(kind)) {
                    err.println("replay: deleted " + deleted + ", left unfinished by an interrupted rebuild");
                }
                long estimate = accounts == null ? log.approximateItems() : 0;
                ObjectNode report;
                if (fromVersion != null) {
                    try (Progress progress = common.progress("continue " + kind.label(), err, () -> 0)) {
                        report = report(rebuilder.catchUp(kind, live, accounts, fromVersion, lock,
                                event -> progress.add(1)));
                        progress.finish();
                    }
                    return report;
                }
                String table = into == Into.SHADOW ? rebuilder.nextShadowName(target.deployed(kind)) : live;
                if (into == Into.LIVE && ControlTable.Tables.exists(dynamo, live)
                        && !ControlTable.Tables.isEmpty(dynamo, live)) {
                    throw new Target.ConfigurationException("the live table " + live + " still has items: "
                            + "rebuild into a shadow table and compare (or --swap), or continue it with "
                            + "--from-version");
                }
                try (Progress progress = common.progress("rebuild " + kind.label(), err, () -> estimate)) {
                    // A new shadow table is written by this rebuild alone; a recreated live
                    // table may already get writes from the projection's consumers.
                    report = report(rebuilder.rebuild(kind, table, accounts, into == Into.SHADOW, lock,
                            counting(progress)));
                    progress.finish();
                }
                if (swap) {
                    swap(dynamo, control, rebuilder, record, kind, table, lock, err, report, clock);
                } else if (into == Into.SHADOW) {
                    compare(dynamo, kind, rebuilder, table, live, report);
                }
                return report;
            } finally {
                Runtime.getRuntime().removeShutdownHook(release);
            }
        }
    }

    /** The rebuild's options as the audit trail records them: only those given, each as text. */
    private SortedMap<String, String> options(ProjectionCatalog kind) {
        SortedMap<String, String> options = new TreeMap<>();
        options.put("projection", kind.label());
        options.put("into", into.name().toLowerCase(Locale.ROOT));
        options.put("swap", Boolean.toString(swap));
        options.put("lockTtlSeconds", Long.toString(lockTtlSeconds));
        if (accounts != null) {
            options.put("accounts", String.join(",", accounts));
        }
        if (fromVersion != null) {
            options.put("fromVersion", Long.toString(fromVersion));
        }
        return options;
    }

    /** What the finished entry says the rebuild did. */
    private static String outcomeDetail(ObjectNode report, boolean equal) {
        StringBuilder detail = new StringBuilder("built ").append(report.get("table").asText()).append(" from ")
                .append(report.get("streams").asLong()).append(" streams, ").append(report.get("events").asLong())
                .append(" events");
        if (report.path("comparedWithLive").asBoolean(false)) {
            detail.append(equal ? "; equal to the live table"
                    : "; differs from the live table in " + report.get("differenceCount").asLong() + " places");
        }
        if (report.path("swapped").asBoolean(false)) {
            detail.append("; now serves it (was ").append(report.get("servedBefore").asText()).append(")");
        }
        return detail.toString();
    }

    private List<ProjectionCatalog> projections() {
        String name = projection.toLowerCase(Locale.ROOT);
        if (name.equals(ProjectionNames.ALL)) {
            return List.of(ProjectionCatalog.values());
        }
        try {
            return List.of(ProjectionCatalog.named(name));
        } catch (IllegalArgumentException unknown) {
            List<String> names = new ArrayList<>();
            new ProjectionNames().forEach(names::add);
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--projection': '" + projection
                    + "' is not one of " + String.join(", ", names));
        }
    }

    private void checkOptions() {
        if (swap && into == Into.LIVE) {
            throw new ParameterException(spec.commandLine(), "--swap switches to a new table; it cannot be used with "
                    + "--into live, which writes the live table itself");
        }
        if (swap && accounts != null) {
            throw new ParameterException(spec.commandLine(), "--swap needs whole projections: a table rebuilt for "
                    + "some accounts holds only them");
        }
        if (fromVersion != null && into != Into.LIVE) {
            throw new ParameterException(spec.commandLine(), "--from-version continues existing tables; use it with "
                    + "--into live");
        }
        if (fromVersion != null && fromVersion < 1) {
            throw new ParameterException(spec.commandLine(), "--from-version must be 1 or more");
        }
        if (into == Into.LIVE && accounts != null && fromVersion == null) {
            throw new ParameterException(spec.commandLine(), "--into live rebuilds whole lost tables; "
                    + "for some accounts rebuild into shadow tables and compare, or continue them with --from-version");
        }
    }

    /**
     * Blue/green: brings the complete new table level with the log, points the read path at it
     * (conditional on the route not having moved), then catches up again with what consumers still
     * wrote to the old table before they read the new route.
     */
    private void swap(DynamoDbClient dynamo, ControlTable control, Rebuilder rebuilder, OperatorRecord record,
                      ProjectionCatalog kind, String table, RebuildLock lock, PrintWriter err, ObjectNode report,
                      Clock clock) {
        LongSupplier catchUp = () -> {
            try (Progress progress = common.progress("catch up " + kind.label(), err, () -> 0)) {
                long events = rebuilder.catchUp(kind, table, null, 1, lock, event -> progress.add(1)).events();
                progress.finish();
                return events;
            }
        };
        long caughtUp = catchUp.getAsLong();
        Optional<ReadRoutes.Route> route = ReadRoutes.read(dynamo, control.table(), kind.label());
        String before = route.map(ReadRoutes.Route::table).orElse(target.deployed(kind));
        SortedMap<String, String> switched = new TreeMap<>(Map.of("projection", kind.label(), "from", before,
                "to", table));
        try {
            ReadRoutes.switchTo(dynamo, control.table(), kind.label(), before, route.isPresent(), table,
                    clock.instant(), lock.owner());
        } catch (RuntimeException refused) {
            record.performed(OperatorAction.ROUTE_SWITCH, "route#" + kind.label(), switched, Outcome.FAILED,
                    String.valueOf(refused.getMessage()));
            throw refused;
        }
        record.performed(OperatorAction.ROUTE_SWITCH, "route#" + kind.label(), switched, Outcome.SUCCEEDED, null);
        caughtUp += catchUp.getAsLong();
        report.put("swapped", true);
        report.put("servedBefore", before);
        report.put("caughtUpEvents", caughtUp);
    }

    private void compare(DynamoDbClient dynamo, ProjectionCatalog kind, Rebuilder rebuilder, String table, String live,
                            ObjectNode report) {
        if (!ControlTable.Tables.exists(dynamo, live)) {
            report.put("comparedWithLive", false);
            report.put("note", "the live table " + live + " does not exist");
            return;
        }
        TableDiff.Result diff = accounts == null ? TableDiff.compare(dynamo, kind.sorted(), table, live)
                : TableDiff.compare(dynamo, kind.sorted(), table, live,
                rebuilder.streamsOf(kind, accounts).stream().map(kind::itemId).toList());
        report.put("comparedWithLive", true);
        report.put("itemsCompared", diff.items());
        report.put("equalToLive", diff.equal());
        report.put("differenceCount", diff.differenceCount());
        ArrayNode list = report.putArray("differences");
        diff.differences().forEach(list::add);
    }

    private static ObjectNode report(Rebuilder.Outcome outcome) {
        ObjectNode report = CommonOptions.object();
        report.put("projection", outcome.kind().label());
        report.put("table", outcome.table());
        report.put("streams", outcome.streams());
        report.put("events", outcome.events());
        report.put("seconds", Math.round(outcome.seconds() * 1000) / 1000.0);
        report.put("eventsPerSecond", Math.round(outcome.eventsPerSecond()));
        return report;
    }

    private void print(PrintWriter out, ObjectNode report) {
        if (common.json) {
            return;
        }
        out.println(String.format(Locale.ROOT, "%s: %s built from %d streams, %d events in %.1f s (%.0f events/s)",
                report.get("projection").asText(), report.get("table").asText(), report.get("streams").asLong(),
                report.get("events").asLong(), report.get("seconds").asDouble(), report.get("eventsPerSecond").asDouble()));
        if (report.path("comparedWithLive").asBoolean(false)) {
            if (report.get("equalToLive").asBoolean()) {
                out.println("  equal to the live table item for item (" + report.get("itemsCompared").asLong() + " items)");
            } else {
                out.println("  differs from the live table in " + report.get("differenceCount").asLong() + " places:");
                report.get("differences").forEach(d -> out.println("  " + d.asText()));
            }
        } else if (report.has("note")) {
            out.println("  " + report.get("note").asText());
        }
        if (report.path("swapped").asBoolean(false)) {
            out.println("  now serves " + report.get("projection").asText() + " (was "
                    + report.get("servedBefore").asText() + ", kept until you drop it); "
                    + report.get("caughtUpEvents").asLong() + " events caught up around the swap");
        }
        out.flush();
    }

    /** Counts applied events, and takes the total from the streams the rebuild finds. */
    private static Rebuilder.Listener counting(Progress progress) {
        return new Rebuilder.Listener() {
            @Override
            public void applied(dev.ledger.store.StoredEvent event) {
                progress.add(1);
            }

            @Override
            public void found(long events) {
                progress.expect(events);
            }

            @Override
            public void allFound() {
                progress.allExpected();
            }
        };
    }

    private static String owner() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "unknown-host";
        }
        return System.getProperty("user.name", "?") + "@" + host + " pid " + ProcessHandle.current().pid() + " "
                + UUID.randomUUID().toString().substring(0, 8);
    }
}
