package dev.ledger.replay;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

@Command(name = "rebuild", mixinStandardHelpOptions = true,
        description = {"Fold the log into fresh projection tables.",
                "--into shadow (default): new tables <live>-rebuild-<n>, then an item-for-item comparison with the "
                        + "live tables; the shadow tables are kept for the operator. --into live: recreate lost live "
                        + "tables under their own names (refused when a live table still has items).",
                "One rebuild per projection at a time (a lock with owner and expiry in the control table); a rerun "
                        + "after an interrupted rebuild deletes the partial table and starts afresh.",
                "Exit 0: built (and equal to live); 1: built, but the live table differs (listed); 2: not built."})
final class RebuildCommand implements Callable<Integer> {

    enum Which { BALANCES, HISTORY, TRANSFERS, ALL }

    enum Into { SHADOW, LIVE }

    @Mixin
    Target target;

    @Mixin
    CommonOptions common;

    @Option(names = "--projection", paramLabel = "NAME", defaultValue = "ALL",
            description = "balances, history, transfers or all; default ${DEFAULT-VALUE}")
    Which which;

    @Option(names = "--into", paramLabel = "WHERE", defaultValue = "SHADOW",
            description = "shadow or live; default ${DEFAULT-VALUE}")
    Into into;

    @Option(names = "--accounts", split = ",", paramLabel = "ID",
            description = "only these accounts (and, for transfers, the transfers their legs name); no Scan of the log")
    List<String> accounts;

    @Option(names = "--lock-ttl", paramLabel = "SECONDS", defaultValue = "60",
            description = "how long the lock outlives a rebuild that was killed; default ${DEFAULT-VALUE}")
    long lockTtlSeconds;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (into == Into.LIVE && accounts != null) {
            throw new ParameterException(spec.commandLine(), "--into live rebuilds whole lost tables; "
                    + "for some accounts rebuild into shadow tables and compare");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<Rebuilder.Kind> kinds = which == Which.ALL ? List.of(Rebuilder.Kind.values())
                : List.of(Rebuilder.Kind.valueOf(which.name()));
        Clock clock = Clock.systemUTC();
        List<ObjectNode> reports = new ArrayList<>();
        boolean allEqual = true;
        target.events(); // a missing table name is the clearer error, before any client is built
        try (DynamoDbClient dynamo = target.dynamo()) {
            EventLog log = new EventLog(dynamo, target.events());
            ControlTable control = new ControlTable(dynamo, target.control()).ensureExists();
            Rebuilder rebuilder = new Rebuilder(dynamo, log, control, clock, common.segments, common.threads);
            for (Rebuilder.Kind kind : kinds) {
                String live = liveTable(kind);
                try (RebuildLock lock = RebuildLock.acquire(control, kind.label(), owner(), Duration.ofSeconds(lockTtlSeconds),
                        clock)) {
                    Thread release = new Thread(lock::close, "release-rebuild-lock");
                    Runtime.getRuntime().addShutdownHook(release); // Ctrl-C: free the lock at once
                    try {
                        for (String deleted : rebuilder.abandonUnfinished(kind)) {
                            err.println("replay: deleted " + deleted + ", left unfinished by an interrupted rebuild");
                        }
                        String table = into == Into.SHADOW ? rebuilder.nextShadowName(live) : live;
                        if (into == Into.LIVE && ControlTable.Tables.exists(dynamo, live)
                                && !ControlTable.Tables.isEmpty(dynamo, live)) {
                            throw new Target.ConfigurationException("the live table " + live + " still has items: "
                                    + "rebuild into a shadow table and compare instead");
                        }
                        Rebuilder.Outcome outcome;
                        long estimate = accounts == null ? log.approximateItems() : 0;
                        try (Progress progress = common.progress("rebuild " + kind.label(), err, () -> estimate)) {
                            outcome = rebuilder.rebuild(kind, table, accounts, lock, event -> progress.add(1));
                        }
                        ObjectNode report = report(outcome);
                        if (into == Into.SHADOW) {
                            allEqual &= compare(dynamo, kind, rebuilder, table, live, report);
                        }
                        reports.add(report);
                        print(out, report);
                    } finally {
                        Runtime.getRuntime().removeShutdownHook(release);
                    }
                }
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

    private boolean compare(DynamoDbClient dynamo, Rebuilder.Kind kind, Rebuilder rebuilder, String table, String live,
                            ObjectNode report) {
        if (!ControlTable.Tables.exists(dynamo, live)) {
            report.put("comparedWithLive", false);
            report.put("note", "the live table " + live + " does not exist");
            return true;
        }
        TableDiff.Result diff = accounts == null ? TableDiff.compare(dynamo, kind.sorted, table, live)
                : TableDiff.compare(dynamo, kind.sorted, table, live,
                rebuilder.streamsOf(kind, accounts).stream().map(s -> s.id()).toList());
        report.put("comparedWithLive", true);
        report.put("itemsCompared", diff.items());
        report.put("equalToLive", diff.equal());
        report.put("differenceCount", diff.differenceCount());
        ArrayNode list = report.putArray("differences");
        diff.differences().forEach(list::add);
        return diff.equal();
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
        out.flush();
    }

    private String liveTable(Rebuilder.Kind kind) {
        return switch (kind) {
            case BALANCES -> target.balances();
            case HISTORY -> target.history();
            case TRANSFERS -> target.transfers();
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
