package dev.ledger.replay;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.domain.api.AuditEvent;
import dev.ledger.store.AuditLog;
import dev.ledger.store.DynamoEventStore;
import dev.ledger.store.StoredEvent;
import dev.ledger.views.AuditView;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

@Command(name = "audit", mixinStandardHelpOptions = true,
        description = {"List the operator actions on the audit trail, newest first: rebuilds and checkpoint backfills "
                + "(started and finished), "
                + "route switches, rebuild locks taken and broken, shard counts raised and forced reversals, each "
                + "with who, when, the options and the outcome. `replay verify` checks the trail's hash chain.",
                "Exit 0: listed; 2: could not read the trail."})
final class AuditCommand implements Callable<Integer> {

    @Mixin
    Target target;

    @Mixin
    CommonOptions common;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "20",
            description = "at most N entries, 1 to " + AuditLog.MAX_PAGE + "; default ${DEFAULT-VALUE}")
    int limit;

    @Option(names = "--before", paramLabel = "VERSION",
            description = "only entries older than this version of the trail (the cursor a previous listing printed)")
    Long before;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (limit < 1 || limit > AuditLog.MAX_PAGE) {
            throw new ParameterException(spec.commandLine(), "--limit must be 1 to " + AuditLog.MAX_PAGE);
        }
        if (before != null && before < 1) {
            throw new ParameterException(spec.commandLine(), "--before must be 1 or more");
        }
        PrintWriter out = spec.commandLine().getOut();
        target.events(); // a missing table name is the clearer error, before any client is built
        try (DynamoDbClient dynamo = target.dynamo()) {
            AuditLog.Page page = AuditLog.page(new DynamoEventStore(dynamo, target.events()), limit, before);
            if (common.json) {
                ObjectNode summary = CommonOptions.object();
                ArrayNode entries = summary.putArray("operations");
                page.entries().forEach(entry -> entries.add(AuditView.entry(entry.version(), entry.recordedAt(),
                        entry.hash(), (AuditEvent) entry.event())));
                summary.put("next", page.next() == null ? null : page.next().toString());
                CommonOptions.print(out, summary);
                return ReplayCli.OK;
            }
            if (page.entries().isEmpty()) {
                out.println("no operator actions on the audit trail" + (before == null ? "" : " before " + before));
            }
            for (StoredEvent entry : page.entries()) {
                out.println(AuditView.line(entry.version(), entry.recordedAt(), (AuditEvent) entry.event()));
            }
            if (page.next() != null) {
                out.println("older: replay audit --before " + page.next());
            }
            out.flush();
            return ReplayCli.OK;
        }
    }
}
