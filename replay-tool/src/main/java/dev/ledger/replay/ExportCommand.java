package dev.ledger.replay;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.domain.api.StreamId;
import dev.ledger.store.AuditLog;
import dev.ledger.store.CanonicalJson;
import dev.ledger.store.EventStore;
import dev.ledger.store.StoredEvent;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"JSON Lines of the events of some accounts (and transfers, transactions, reversals, batches, the audit trail), with their hashes, in version "
                + "order per stream: the form docs/verify_chain.py checks with Python's standard library alone. "
                + "A sharded account is exported with every shard's stream, its own first.",
                "Without --from every stream starts at version 1, so its chain is checked from genesis (64 zeros); "
                        + "with --from a stream's first exported event past version 1 also carries previousHash, the "
                        + "stored hash of the version before it, and the verifier checks the stream from there.",
                "Check an export with: python3 docs/verify_chain.py FILE",
                "Exit 1 if an account, transfer, transaction, reversal or batch asked for is not in the log (nothing is exported)."})
final class ExportCommand implements Callable<Integer> {

    @Mixin
    Target target;

    @Mixin
    CommonOptions common;

    @Option(names = "--accounts", split = ",", paramLabel = "ID", description = "accounts to export")
    List<String> accounts = new ArrayList<>();

    @Option(names = "--transfers", split = ",", paramLabel = "ID", description = "transfers to export")
    List<String> transfers = new ArrayList<>();

    @Option(names = "--transactions", split = ",", paramLabel = "ID", description = "multi-leg transactions to export")
    List<String> transactions = new ArrayList<>();

    @Option(names = "--reversals", split = ",", paramLabel = "ID", description = "reversals to export")
    List<String> reversals = new ArrayList<>();

    @Option(names = "--batches", split = ",", paramLabel = "ID", description = "batches to export (their records)")
    List<String> batches = new ArrayList<>();

    @Option(names = "--audit-trail", description = "the audit trail of operator actions (audit:operations, issue 15)")
    boolean auditTrail;

    @Option(names = "--from", paramLabel = "ISO-8601", converter = InstantOption.class, description = "only events recorded at or after this instant")
    Instant from;

    @Option(names = "--to", paramLabel = "ISO-8601", converter = InstantOption.class, description = "only events recorded at or before this instant")
    Instant to;

    @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "write here instead of standard output "
            + "(the summary then goes to standard output, else to standard error)")
    Path file;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (accounts.isEmpty() && transfers.isEmpty() && transactions.isEmpty() && reversals.isEmpty()
                && batches.isEmpty() && !auditTrail) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "give --accounts, --transfers, --transactions, --reversals, --batches and/or --audit-trail");
        }
        List<StreamId> streams = new ArrayList<>();
        accounts.forEach(id -> streams.add(StreamId.account(id)));
        transfers.forEach(id -> streams.add(StreamId.transfer(id)));
        transactions.forEach(id -> streams.add(StreamId.transaction(id)));
        reversals.forEach(id -> streams.add(StreamId.reversal(id)));
        batches.forEach(id -> streams.add(StreamId.batch(id)));
        if (auditTrail) {
            streams.add(AuditLog.TRAIL);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ObjectNode summary = CommonOptions.object();
        ObjectNode perStream = summary.putObject("streams");
        long total = 0;
        target.events(); // a missing table name is the clearer error, before any client is built
        try (DynamoDbClient dynamo = target.dynamo()) {
            EventLog log = new EventLog(dynamo, target.events());
            // Every stream asked for must exist: an export that silently lacks one proves nothing. A sharded
            // account's shards are part of it, each after the stream before it.
            List<String> missing = new ArrayList<>();
            long expected = 0;
            for (int i = 0; i < streams.size(); i++) {
                StreamId stream = streams.get(i);
                Optional<EventStore.Head> head = log.store().readHead(stream);
                if (head.isEmpty()) {
                    missing.add(stream.type().name().toLowerCase(java.util.Locale.ROOT) + " " + stream.id());
                    continue;
                }
                expected += head.get().version();
                if (stream.type() == StreamId.StreamType.ACCOUNT) {
                    List<StreamId> shards = log.accountStreams(stream.id());
                    for (int shard = shards.size() - 1; shard >= 1; shard--) {
                        if (!streams.contains(shards.get(shard))) {
                            streams.add(i + 1, shards.get(shard));
                        }
                    }
                }
            }
            if (!missing.isEmpty()) {
                err.println("replay: not in the log (" + target.events() + "): " + String.join(", ", missing)
                        + "; nothing exported");
                err.flush();
                return ReplayCli.DOES_NOT_HOLD;
            }
            long toRead = expected;
            Writer sink = file == null ? out : Files.newBufferedWriter(file, StandardCharsets.UTF_8);
            try (Progress progress = common.progress("export", err, () -> toRead)) {
                for (StreamId stream : streams) {
                    long count = 0;
                    String previousHash = null;
                    String lastHash = null;
                    for (Iterator<StoredEvent> events = log.events(stream); events.hasNext(); ) {
                        StoredEvent event = events.next();
                        progress.add(1);
                        if (to != null && event.recordedAt().isAfter(to)) {
                            break;
                        }
                        if (from != null && event.recordedAt().isBefore(from)) {
                            previousHash = event.hash();
                            continue;
                        }
                        // A stream's first exported event past version 1 carries the hash it chains from.
                        sink.write(exportLine(event, count == 0 && event.version() > 1 ? previousHash : null));
                        sink.write('\n');
                        count++;
                        lastHash = event.hash();
                    }
                    ObjectNode s = perStream.putObject(stream.toString());
                    s.put("events", count);
                    s.put("previousHash", previousHash);
                    s.put("lastHash", lastHash);
                    total += count;
                }
                sink.flush();
                progress.finish();
            } finally {
                if (file != null) {
                    sink.close();
                }
            }
        }
        summary.put("events", total);
        PrintWriter summaryOut = file == null ? err : out;
        if (common.json) {
            CommonOptions.print(summaryOut, summary);
        } else {
            summaryOut.println("exported " + total + " events of " + streams.size() + " streams"
                    + (file == null ? "" : " to " + file));
            summaryOut.flush();
        }
        return ReplayCli.OK;
    }

    /**
     * The export form of an event: its stored line ({@link StoredEvent#toJsonLine}), plus, when
     * given, {@code previousHash}: the stored hash of the version before it, which the first exported
     * event of a stream that starts past version 1 carries so that its chain can be checked from there.
     * The hash covers neither field.
     */
    static String exportLine(StoredEvent event, String previousHash) {
        if (previousHash == null) {
            return event.toJsonLine();
        }
        ObjectNode line = event.envelope();
        line.put("previousHash", previousHash);
        line.put("hash", event.hash());
        return CanonicalJson.string(line);
    }
}
