package dev.ledger.replay;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.domain.api.AuditEvent.Operator;
import dev.ledger.domain.api.AuditEvent.Outcome;
import dev.ledger.domain.api.OperatorAction;
import dev.ledger.domain.api.StreamId;
import dev.ledger.store.AccountCheckpoint;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

@Command(name = "checkpoints", mixinStandardHelpOptions = true,
        description = {"--backfill: write the checkpoints (issue 16 §3) that account streams written before them owe, so "
                + "a balance as of an instant reads from the last one instead of folding from version 1.",
                "Each account stream (a sharded account's shards too) is folded from version 1; a checkpoint is owed "
                        + "where an append took the stream past a multiple of " + AccountCheckpoint.EVERY
                        + " versions, as the append path writes them. Each is a put conditional on its key being "
                        + "free: safe to run twice, or beside live writers (the first writer's item stays; the "
                        + "same fold gives the same bytes, and one that differs is reported, not replaced).",
                "Recorded on the audit trail (started and finished). Run `replay verify` after: it recomputes every "
                        + "checkpoint.",
                "Exit 0: every owed checkpoint is there; 1: some stream could not be folded, an account is not in "
                        + "the log, or a checkpoint's key holds something else; 2: not run."})
final class CheckpointsCommand implements Callable<Integer> {

    @Mixin
    Target target;

    @Mixin
    CommonOptions common;

    @Option(names = "--backfill", required = true,
            description = "write the checkpoints the log owes and does not hold (the command's one mode)")
    boolean backfill;

    @Option(names = "--accounts", split = ",", paramLabel = "ID",
            description = "only these accounts (each with every shard; no Scan of the log)")
    List<String> accounts;

    @Spec
    CommandSpec spec;

    /** What one run did, for its report and its line on the audit trail. */
    private final AtomicLong streams = new AtomicLong();
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong alreadyThere = new AtomicLong();
    private final List<String> problems = Collections.synchronizedList(new ArrayList<>());

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        target.events(); // a missing table name is the clearer error, before any client is built
        // Who runs it is asked first: an action nobody can be named for is not taken (issue 15).
        Operator operator = OperatorRecord.whoRuns(target);
        SortedMap<String, String> options = new TreeMap<>();
        options.put("backfill", "true");
        if (accounts != null) {
            options.put("accounts", String.join(",", accounts));
        }
        String subject = "checkpoints";
        Progress progress;
        try (DynamoDbClient dynamo = target.dynamo()) {
            EventLog log = new EventLog(dynamo, target.events());
            OperatorRecord record = new OperatorRecord(dynamo, target.events(), operator, Clock.systemUTC());
            String actionId = record.started(OperatorAction.CHECKPOINTS_BACKFILL, subject, options);
            try {
                long estimate = accounts == null ? log.approximateItems() : 0;
                try (Progress running = common.progress("backfill", err, () -> estimate)) {
                    backfill(dynamo, log, running);
                    running.finish();
                    progress = running;
                }
            } catch (RuntimeException failed) {
                try {
                    record.finished(actionId, OperatorAction.CHECKPOINTS_BACKFILL, subject, options, Outcome.FAILED,
                            String.valueOf(failed.getMessage()));
                } catch (RuntimeException unrecorded) {
                    failed.addSuppressed(unrecorded); // the start stays on record; the cause is what matters
                }
                throw failed;
            }
            record.finished(actionId, OperatorAction.CHECKPOINTS_BACKFILL, subject, options,
                    problems.isEmpty() ? Outcome.SUCCEEDED : Outcome.FAILED, summary());
        }
        report(out, progress);
        return problems.isEmpty() ? ReplayCli.OK : ReplayCli.DOES_NOT_HOLD;
    }

    private void backfill(DynamoDbClient dynamo, EventLog log, Progress progress) {
        CheckpointBackfill backfill = new CheckpointBackfill(dynamo, log);
        ExecutorService workers = EventLog.boundedPool(common.threads, "backfill");
        try {
            // The Scan's segments add streams from their own threads.
            List<Future<?>> done = Collections.synchronizedList(new ArrayList<>());
            if (accounts == null) {
                log.forEachHead(common.segments, head -> {
                    if (head.stream().type() == StreamId.StreamType.ACCOUNT) {
                        done.add(workers.submit(() -> stream(backfill, head.stream(), progress)));
                    }
                });
            } else {
                for (String account : accounts) {
                    if (log.store().readHead(StreamId.account(account)).isEmpty()) {
                        problems.add("account:" + account + ": not in the log");
                        continue;
                    }
                    for (StreamId stream : log.accountStreams(account)) {
                        done.add(workers.submit(() -> stream(backfill, stream, progress)));
                    }
                }
            }
            EventLog.await(done);
        } finally {
            workers.shutdownNow();
        }
    }

    /** One stream: fold, then write what it owes; a stream that does not fold is reported and the others go on. */
    private void stream(CheckpointBackfill backfill, StreamId stream, Progress progress) {
        CheckpointBackfill.Owed owed;
        try {
            owed = backfill.missing(stream);
        } catch (RuntimeException unfoldable) {
            problems.add(stream + ": does not fold (" + unfoldable.getMessage() + "); run replay verify");
            return;
        }
        for (AccountCheckpoint checkpoint : owed.missing()) {
            switch (backfill.write(checkpoint)) {
                case WRITTEN -> written.incrementAndGet();
                case ALREADY_THERE -> alreadyThere.incrementAndGet();
                case DIFFERENT_THERE -> problems.add(stream + " v" + checkpoint.version()
                        + ": another checkpoint holds its key with other bytes; run replay verify");
            }
        }
        streams.incrementAndGet();
        events.addAndGet(owed.events());
        progress.add(owed.events());
    }

    private String summary() {
        return String.format(Locale.ROOT, "%d account streams, %d events, %d checkpoints written, %d already there%s",
                streams.get(), events.get(), written.get(), alreadyThere.get(),
                problems.isEmpty() ? "" : ", " + problems.size() + " problems");
    }

    private void report(PrintWriter out, Progress progress) {
        List<String> sorted = new ArrayList<>(problems);
        Collections.sort(sorted);
        if (common.json) {
            ObjectNode summary = CommonOptions.object();
            summary.put("ok", sorted.isEmpty());
            summary.put("streams", streams.get());
            summary.put("events", events.get());
            summary.put("written", written.get());
            summary.put("alreadyThere", alreadyThere.get());
            summary.put("seconds", Math.round(progress.seconds() * 1000) / 1000.0);
            ArrayNode list = summary.putArray("problems");
            sorted.forEach(list::add);
            CommonOptions.print(out, summary);
            return;
        }
        sorted.forEach(out::println);
        out.println((sorted.isEmpty() ? "OK: " : "FAILED: ") + summary()
                + String.format(Locale.ROOT, " in %.1f s", progress.seconds()));
        out.flush();
    }
}
