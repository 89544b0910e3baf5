package dev.ledger.replay;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.projections.ProjectionCatalog;
import java.io.PrintWriter;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Recompute every stream from the log and check it: hash chains and heads, per-currency "
                + "conservation, overdraft floors, pending totals against open holds, and the live projections "
                + "(balances, history, transfers) against the folds.",
                "A sharded account is one account: its shards' legs and totals count as its own, each shard keeps "
                        + "to its own floor, each move between shards is one debit and one matching credit in one "
                        + "append, and it has exactly the shard streams its count says.",
                "Exit 0 only when everything holds; 1 with one line per account/stream, version and field that differs."})
final class VerifyCommand implements Callable<Integer> {

    @Mixin
    Target target;

    @Mixin
    CommonOptions common;

    @Option(names = "--accounts", split = ",", paramLabel = "ID",
            description = "only these accounts (each read by its own partitions, no Scan; a sharded one with every "
                    + "shard, and a shard's id ID#k means its account) and the transfers of their open holds")
    List<String> accounts;

    @Option(names = "--log-only", description = "check the log alone; do not compare the projections")
    boolean logOnly;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        target.events(); // a missing table name is the clearer error, before any client is built
        try (DynamoDbClient dynamo = target.dynamo()) {
            EventLog log = new EventLog(dynamo, target.events());
            Map<ProjectionCatalog, String> tables = new EnumMap<>(ProjectionCatalog.class);
            if (!logOnly) {
                for (ProjectionCatalog projection : ProjectionCatalog.values()) {
                    tables.put(projection, target.serving(dynamo, projection));
                }
            }
            LogVerifier.Result result;
            long estimate = accounts == null ? log.approximateItems() : 0;
            try (Progress progress = common.progress("verify", err, () -> estimate)) {
                LogVerifier verifier = new LogVerifier(log, dynamo, tables, progress);
                result = accounts == null ? verifier.verifyAll(common.segments, common.threads)
                        : verifier.verifyAccounts(accounts, common.threads);
                progress.finish();
                report(out, result, progress);
            }
            return result.ok() ? ReplayCli.OK : ReplayCli.DOES_NOT_HOLD;
        }
    }

    private void report(PrintWriter out, LogVerifier.Result result, Progress progress) {
        List<Finding> findings = result.findings().sorted();
        if (common.json) {
            ObjectNode summary = CommonOptions.object();
            summary.put("ok", result.ok());
            summary.put("accounts", result.accounts());
            summary.put("transfers", result.transfers());
            summary.put("transactions", result.transactions());
            summary.put("auditEntries", result.auditEntries());
            summary.put("events", result.events());
            summary.put("seconds", Math.round(progress.seconds() * 1000) / 1000.0);
            summary.put("eventsPerSecond", Math.round(progress.rate()));
            ObjectNode totals = summary.putObject("balanceSumByCurrency");
            result.currencyTotals().forEach(totals::put);
            summary.putPOJO("notChecked", result.notChecked());
            summary.put("findingCount", result.findings().count());
            ArrayNode list = summary.putArray("findings");
            for (Finding f : findings) {
                list.addObject().put("stream", f.stream()).put("version", f.version()).put("field", f.field())
                        .put("detail", f.detail());
            }
            CommonOptions.print(out, summary);
            return;
        }
        for (Finding f : findings) {
            out.println(f);
        }
        if (result.findings().count() > findings.size()) {
            out.println("... and " + (result.findings().count() - findings.size()) + " more findings");
        }
        for (String skipped : result.notChecked()) {
            out.println("not checked: " + skipped);
        }
        out.println(String.format(Locale.ROOT, "%s: %d accounts, %d transfers, %d transactions, %d audit entries, "
                        + "%d events in %.1f s (%.0f events/s); %d findings", result.ok() ? "OK" : "FAILED",
                result.accounts(), result.transfers(), result.transactions(), result.auditEntries(), result.events(), progress.seconds(), progress.rate(), result.findings().count()));
        out.flush();
    }
}
