package dev.ledger.benchmarks.capacity;

import dev.ledger.benchmarks.ConflictLines;
import dev.ledger.benchmarks.capacity.CapacityModel.Config;
import dev.ledger.benchmarks.capacity.CapacityModel.Mode;
import dev.ledger.benchmarks.capacity.CapacityModel.Prediction;
import dev.ledger.benchmarks.capacity.CapacityModel.ShardPick;
import dev.ledger.domain.api.AccountShards;
import dev.ledger.infra.local.LocalStack;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.MotoServer;
import dev.ledger.store.EventsTable;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Issue 13's capacity part: the hot-account model's assumptions, its validation against the local
 * stack (the emulator's measured latencies in, commits/s and conflicts out, beside a real run over
 * the HTTP API at the same C and N), its AWS predictions by C and N, and the whole pipeline's stage
 * capacities. Appends markdown to the file named by the first argument.
 *
 * <p>Arguments: results file; clients to validate (default {@code 1,4,16}); seconds per validation run
 * (default 20); shards of the funding accounts to validate (default {@code 1,16}: one funding account
 * per N, opened with the request's {@code shards} field, every C run on each); simulated seconds per
 * AWS cell (default 20).
 */
public final class CapacityModelReport {

    static final List<Integer> AWS_CLIENTS = List.of(1, 16, 64, 256);
    static final List<Integer> AWS_SHARDS = List.of(1, 4, 16, 64);
    private static final String FUNDING = "bank-n";
    private static final long SEED = 13;
    /** Sequential transfers out of each funding account before any run: the JIT and the handlers warm. */
    private static final int WARM_UP_TRANSFERS = 300;

    private CapacityModelReport() {
    }

    public static void main(String[] args) throws Exception {
        List<Integer> clients = args.length > 1 ? parseList(args[1]) : List.of(1, 4, 16);
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        List<Integer> shards = args.length > 3 ? parseList(args[3]) : List.of(1, 16);
        double awsSeconds = args.length > 4 ? Double.parseDouble(args[4]) : 20;

        StringBuilder out = new StringBuilder();
        assumptions(out);
        double recordBytes = validation(out, clients, seconds, shards);
        aws(out, awsSeconds);
        pipeline(out, recordBytes);
        String figures = out.toString();
        System.err.println(figures);
        if (args.length > 0) {
            Files.writeString(Path.of(args[0]), figures, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        }
    }

    // --- (a) ----------------------------------------------------------------------------------------

    private static void assumptions(StringBuilder out) {
        out.append("## (a) The model and what it assumes\n\n");
        out.append("`dev.ledger.benchmarks.capacity.CapacityModel`: a discrete-event model (seeded `SplittableRandom`, "
                + "simulated time only) of C command Lambdas in a closed loop (each sends its next payment when the "
                + "previous is answered) against one account of N shards. A command: its overhead outside DynamoDB, "
                + "then per attempt 3 consistent GetItems one after the other (the transfer's stream, the debit "
                + "account = the hot one, the credit account), the decision, one 6-item TransactWriteItems "
                + "conditioned on each head's version. Sharded (N > 1), as `ShardedAccounts` does it in a warm Lambda: "
                + "the command picks a shard from a hash of its id (on AWS: uniformly at random, for ids with no "
                + "pattern; in (b): the run's own ids through `AccountShards.pick`) and the next one on each lost "
                + "race, and reads that shard's head alone, since the container remembers the account's shard "
                + "count (`RememberedShardCounts`: shard 0 is read again once a minute per container, left out "
                + "here); the commit is conditioned on that head. So an attempt makes 3 GetItems whatever N, and "
                + "shard 0 is read and written only by the commands that pick it. A lost race backs off "
                + "(the deployed policy below); once the budget is spent the command answers 409. Two conflict "
                + "rules:\n\n");
        out.append("- **emulator**: moto serves one request at a time (one Python process under one interpreter lock; "
                + "the launcher runs transactions under one lock), so the server's part of every request queues at "
                + "one FIFO server; the probe measures each request's latency from one thread and the saturated "
                + "rate from several, and the server's part is (1 / rate) / mean latency (the client's part, half "
                + "before and half after, runs in parallel). A commit loses iff another commit on the same shard landed "
                + "after this command's read of that head was served (ConditionalCheckFailed only; no transaction "
                + "is ever in flight beside another, so no TransactionConflict).\n");
        out.append("- **AWS**: requests run in parallel; a transaction reaches the items a one-way network time "
                + "after it is sent and commits a one-way time before its answer. At arrival it is cancelled with "
                + "ConditionalCheckFailed if the head moved since the read, or with TransactionConflict if another "
                + "transaction on that head is prepared and not yet committed (the one holding the item wins; "
                + AwsFigures.TRANSACTION_CONFLICT_SOURCE + "). A cancelled transaction is answered after its full "
                + "sampled latency; GetItem is never blocked and reads the last committed version.\n\n");
        out.append("Retry policy: `RetryPolicy.standard` as deployed (" + Retries.deployed().describe()
                + "): after the k-th lost attempt the command gives up with 409 and Retry-After if 2 s have passed "
                + "since its first attempt began, else it pauses uniformly in [0, min(100, 5 x 2^(k-1))) ms, never "
                + "past the budget's end, and tries again.\n\n");
        out.append("| figure (constant in `AwsFigures`) | value | unit | source |\n|---|---:|---|---|\n");
        for (AwsFigures.Figure figure : AwsFigures.all()) {
            out.append(String.format(Locale.ROOT, "| `%s` | %,.1f | %s | %s |%n", figure.name(), figure.value(),
                    figure.unit(), figure.source()));
        }
        out.append("\n");
    }

    // --- (b) ----------------------------------------------------------------------------------------

    /** Runs the local validation; returns the mean bytes of a Kinesis record (an event's JSON line). */
    private static double validation(StringBuilder out, List<Integer> clients, int seconds, List<Integer> shardCounts)
            throws Exception {
        PrintStream original = System.out;
        ConflictLines conflictLines = ConflictLines.install();
        Path state = Files.createTempDirectory("capacity-stack").resolve("local.json");
        int customers = clients.stream().mapToInt(Integer::intValue).max().orElse(1);
        try (MotoServer moto = MotoServer.start();
             AwsClients aws = AwsClients.forEndpoint(moto.endpoint());
             LocalStack stack = LocalStack.start(LocalStack.Options.defaults().withPort(0)
                     .withEmulator(moto.endpoint()).withStackName("capacity").withCodeBucket("capacity-code")
                     .withStateFile(state).withApiTokens("capacity-token=payments").withoutEventSources())) {
            String table = stack.outputs().get("EventsTableName");
            HotAccountRun run = new HotAccountRun(stack.httpUrl(), "capacity-token");
            run.openCustomers(customers);
            for (int n : shardCounts) {
                run.openFunding(FUNDING + n, n);
                run.warmUp(FUNDING + n, WARM_UP_TRANSFERS);
            }

            EmulatorProbe.Measured probe = new EmulatorProbe(aws.dynamoDb(), table)
                    .measure("account:" + FUNDING + shardCounts.get(0), 50, 1_000, 400, 8);
            double[] share = probe.serverShare();
            Latency get = Latency.measured(probe.getItemMs());
            Latency transact = Latency.measured(probe.transactWriteMs());

            // By N, then C: runs of one N follow each other, so the C = 1 run the calibration takes is early.
            List<HotAccountRun.Measured> measured = new ArrayList<>();
            List<Integer> measuredShards = new ArrayList<>();
            for (int n : shardCounts) {
                for (int c : clients) {
                    measured.add(run.run(FUNDING + n, c, Duration.ofSeconds(seconds), conflictLines::count));
                    measuredShards.add(n);
                }
            }
            double recordBytes = kinesisRecordBytes(aws.dynamoDb(), table);

            int alone = 0;
            for (int i = 0; i < measured.size(); i++) {
                if (measured.get(i).clients() == 1 && measuredShards.get(i) == 1) {
                    alone = i;
                    break;
                }
            }
            HotAccountRun.Measured calibration = measured.get(alone);
            double dynamoMs = 3 * get.mean() + transact.mean();
            double overheadMs = Math.max(0, calibration.meanMs() - dynamoMs);

            out.append("## (b) Local validation: the model fed with the emulator's measured latencies, beside a real run\n\n");
            out.append(String.format(Locale.ROOT, "Probe (one thread, on the stack's events table `%s`, after 50 "
                    + "warm-up pairs): consistent GetItem of a funding account's head: %s; 6-item "
                    + "TransactWriteItems (a new transfer stream and two accounts, the ledger's conditions and item "
                    + "sizes): %s. Saturated, %d threads at once (transactions on separate streams): %.0f GetItems/s, "
                    + "%.0f transactions/s, so moto's one server is busy %.0f%% of a GetItem's mean latency and %.0f%% "
                    + "of a transaction's (1 / rate / mean latency); the rest is the client's side and runs in "
                    + "parallel.%n%n", table, get.describe(), transact.describe(), probe.threads(),
                    probe.getItemsPerSecond(), probe.transactionsPerSecond(), 100 * share[0], 100 * share[1]));
            out.append(String.format(Locale.ROOT, "Real run: `HotAccountRun`, C clients in a closed loop over the "
                    + "local stack's HTTP API (API Gateway's event, the command Lambda in process, the event store on "
                    + "moto; event sources off), each sending 1.00 EUR transfers from one funding account with no "
                    + "floor to its own customer, %d s per C and N, one funding account per N (`%sN`, opened with "
                    + "`\"shards\": N` when N > 1) after %d sequential warm-up transfers each. Lost races are counted "
                    + "from the command Lambda's own EMF lines (`append_conflict`, metric `appendConflicts`) on its "
                    + "stdout; attempts = commits + lost races. The run's transfer ids are `cap-1`, `cap-2`, ... in the "
                    + "order they are sent, and the model picks shards from the same ids with `AccountShards.pick`: its "
                    + "Fibonacci hash spreads consecutive ids evenly, so transfers in flight together rarely share a "
                    + "shard (picked uniformly at random, 16 clients on 16 shards would collide often).%n%n", seconds,
                    FUNDING, WARM_UP_TRANSFERS));
            out.append(String.format(Locale.ROOT, "Calibration: the command's time outside DynamoDB (HTTP, the "
                    + "Lambda, JSON, the Axon decision) is not probed; it is taken from the C = 1, N = 1 run as its "
                    + "mean latency (%.2f ms) less 3 GetItems and one transaction at their measured means (%.2f ms): "
                    + "%.2f ms per command, fixed, not queued at the server%s. Every other row is a prediction (at "
                    + "N > 1 the same 3 GetItems, the hot one of the picked shard).%n%n",
                    calibration.meanMs(), dynamoMs, overheadMs, overheadMs == 0
                            ? " (clamped at 0: the probe's means exceed the run's, the machine's load moved between "
                            + "them, so even C = 1, N = 1 is a prediction here)" : "; so that row matches by construction"));
            out.append("| C | N | commits/s measured | predicted | lost races per attempt measured | predicted "
                    + "| per command measured | predicted | 409 share measured | predicted | p50 ms measured | predicted "
                    + "| p99 ms measured | predicted | GetItems per attempt (model) | other failures |\n");
            out.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            List<String> counts = new ArrayList<>();
            for (int i = 0; i < measured.size(); i++) {
                HotAccountRun.Measured m = measured.get(i);
                int n = measuredShards.get(i);
                Config config = new Config(m.clients(), n, get, transact, Latency.fixed(overheadMs), 0, 3, 1,
                        Retries.deployed(), Mode.EMULATOR, share, 0, 2_000, 60_000, SEED, ShardPick.SEQUENTIAL_IDS);
                Prediction p = CapacityModel.predict(config);
                out.append(String.format(Locale.ROOT, "| %d | %d | %.1f | %.1f | %.3f | %.3f | %.2f | %.2f | %.3f | %.3f "
                                + "| %.1f | %.1f | %.1f | %.1f | %.2f | %d |%n", m.clients(), n, m.commitsPerSecond(),
                        p.commitsPerSecond(), m.conflictsPerAttempt(), p.conflictsPerAttempt(), m.conflictsPerCommand(),
                        p.conflictsPerCommand(), m.refusedShare(), p.rejectedShare(), m.p50Ms(), p.p50Ms(), m.p99Ms(),
                        p.p99Ms(), p.getItemsPerAttempt(), m.failed()));
                counts.add(String.format(Locale.ROOT, "C=%d, N=%d: %d committed, %d answered 409, %d lost races in %.1f s",
                        m.clients(), n, m.committed(), m.refused(), m.conflicts(), m.seconds()));
            }
            out.append("\nMeasured counts: ").append(String.join("; ", counts)).append(". Predictions: 60 simulated "
                    + "seconds after 2 s of warm-up, emulator rule, the deployed retry policy, shards picked from the "
                    + "run's sequential ids, seed " + SEED + ".\n\n");
            return recordBytes;
        } finally {
            System.setOut(original);
        }
    }

    /** Mean bytes of the JSON line the publisher puts on Kinesis, over the run's events (2 account, 1 transfer). */
    private static double kinesisRecordBytes(DynamoDbClient dynamo, String table) {
        double account = meanLineBytes(dynamo, table, "account:c0");
        double transfer = meanLineBytes(dynamo, table, "transfer:cap-1");
        return (2 * account + transfer) / 3;
    }

    private static double meanLineBytes(DynamoDbClient dynamo, String table, String stream) {
        List<Map<String, AttributeValue>> items = dynamo.query(r -> r.tableName(table).consistentRead(true)
                .keyConditionExpression("pk = :pk AND sk > :head")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(stream),
                        ":head", AttributeValue.fromN("0"))).limit(50)).items();
        return items.stream().mapToInt(item -> EventsTable.toEvent(item).toJsonLine()
                .getBytes(StandardCharsets.UTF_8).length).average().orElse(Double.NaN);
    }

    // --- (c) ----------------------------------------------------------------------------------------

    static Config awsConfig(int clients, int shards, double measureSeconds) {
        return new Config(clients, shards,
                Latency.logNormal(AwsFigures.GET_ITEM_P50_MS, AwsFigures.GET_ITEM_P99_MS),
                Latency.logNormal(AwsFigures.TRANSACT_WRITE_P50_MS, AwsFigures.TRANSACT_WRITE_P99_MS),
                Latency.fixed(AwsFigures.COMMAND_OVERHEAD_MS), 0, 3, 1, Retries.deployed(), Mode.AWS,
                Config.ALL_AT_SERVER, AwsFigures.NETWORK_ONE_WAY_MS, 2_000, measureSeconds * 1000, SEED);
    }

    private static void aws(StringBuilder out, double seconds) {
        out.append("## (c) AWS: one funding account, C concurrent command Lambdas by N shards\n\n");
        out.append(String.format(Locale.ROOT, "The model's AWS rule with the assumed latencies (GetItem log-normal "
                        + "p50 %.0f / p99 %.0f ms, TransactWriteItems p50 %.0f / p99 %.0f ms, %.0f ms per command outside "
                        + "DynamoDB), the deployed retry policy (2 s budget), %.0f simulated seconds per cell after 2 s of "
                        + "warm-up, seed %d. Every command debits the one account; its other two streams are its own. "
                        + "The API opens at most %d shards (`AccountShards.MAX_SHARDS`), so the N = 64 column is beyond "
                        + "what can be opened: it shows what the limit costs. Cell: commits/s; lost races per attempt "
                        + "(of them TransactionConflict, per attempt); lost races per command; 409 share; p99 ms.%n%n",
                AwsFigures.GET_ITEM_P50_MS, AwsFigures.GET_ITEM_P99_MS, AwsFigures.TRANSACT_WRITE_P50_MS,
                AwsFigures.TRANSACT_WRITE_P99_MS, AwsFigures.COMMAND_OVERHEAD_MS, seconds, SEED, AccountShards.MAX_SHARDS));
        out.append("| C \\ N |");
        AWS_SHARDS.forEach(n -> out.append(" N = ").append(n).append(n > AccountShards.MAX_SHARDS ? " (beyond the API)" : "")
                .append(" |"));
        out.append("\n|---:|");
        AWS_SHARDS.forEach(n -> out.append("---|"));
        out.append("\n");
        List<String> overCap = new ArrayList<>();
        List<String> readsPerAttempt = new ArrayList<>();
        for (int c : AWS_CLIENTS) {
            out.append("| C = ").append(c).append(" |");
            for (int n : AWS_SHARDS) {
                Prediction p = CapacityModel.predict(awsConfig(c, n, seconds));
                out.append(String.format(Locale.ROOT, " %,.0f/s; %.2f (%.2f TC); %.2f; %.2f; %,.0f ms |",
                        p.commitsPerSecond(), p.conflictsPerAttempt(),
                        p.attempts() == 0 ? 0 : (double) p.transactionConflicts() / p.attempts(),
                        p.conflictsPerCommand(), p.rejectedShare(), p.p99Ms()));
                double load = partitionLoad(p, seconds);
                if (load > 1) {
                    overCap.add(String.format(Locale.ROOT, "C=%d, N=%d (%.1fx, %,.0f reads/s of shard 0)", c, n, load,
                            p.ownStreamReads() / seconds));
                }
                if (c == AWS_CLIENTS.get(AWS_CLIENTS.size() - 1)) {
                    readsPerAttempt.add(String.format(Locale.ROOT, "%.2f at N = %d", p.getItemsPerAttempt(), n));
                }
            }
            out.append("\n");
        }
        out.append(String.format(Locale.ROOT, "%nGetItems per attempt (C = %d): %s; on a sharded account the hot one "
                        + "is of the picked shard's head, shard 0 not read for its count.%n%n",
                AWS_CLIENTS.get(AWS_CLIENTS.size() - 1), String.join(", ", readsPerAttempt)));
        out.append(String.format(Locale.ROOT, "Partition check: shard 0 (the account's own stream): the attempts "
                        + "that pick it read its head (1 RCU, consistent, under 4 KB), and the commits on it write %d "
                        + "of its items (%.0f WRU in a transaction), as on every other shard; a "
                        + "partition serves 3,000 RCU/s or 1,000 WCU/s \"or a linear combination\", so its load is "
                        + "reads/3,000 + writes/1,000 per second (cancelled transactions' writes not counted). %s.%n%n",
                AwsFigures.HOT_STREAM_ITEMS_PER_COMMIT,
                AwsFigures.HOT_STREAM_ITEMS_PER_COMMIT * AwsFigures.TRANSACTION_WRU_PER_ITEM,
                overCap.isEmpty() ? "No cell above loads shard 0's partition past 1"
                        : "Past 1, so DynamoDB would throttle shard 0's partition before the model's figure: "
                        + String.join(", ", overCap)));
    }

    /**
     * The load on shard 0's partition: the consistent reads of its head by the attempts that picked it,
     * and the transactional writes of the commits that landed on it.
     */
    static double partitionLoad(Prediction p, double measureSeconds) {
        double reads = p.ownStreamReads() / measureSeconds;
        double wru = p.ownStreamCommits() / measureSeconds * AwsFigures.HOT_STREAM_ITEMS_PER_COMMIT
                * AwsFigures.TRANSACTION_WRU_PER_ITEM;
        return reads / AwsFigures.PARTITION_RCU_PER_SECOND + wru / AwsFigures.PARTITION_WCU_PER_SECOND;
    }

    // --- (d) ----------------------------------------------------------------------------------------

    private static void pipeline(StringBuilder out, double recordBytes) {
        double bytes = Double.isNaN(recordBytes) ? 600 : recordBytes;
        out.append(String.format(Locale.ROOT, "## (d) The whole pipeline: commands -> DynamoDB stream -> publisher -> Kinesis"
                + " -> %d projections%n%n", PipelineModel.KINESIS_CONSUMERS));
        out.append(String.format(Locale.ROOT, "`PipelineModel`: each stage's transfers/s from the quota it rests on "
                + "and the requests the code makes per record (AWS latencies as in (a); a Kinesis record is an "
                + "event's JSON line, %.0f bytes measured over this run's events). The stack sustains the smallest; "
                + "beyond it that stage's backlog (iterator age, projection lag) grows while commands still "
                + "succeed, except at the command stages themselves.%n%n", bytes));
        PipelineModel deployedModel = PipelineModel.asDeployed(bytes);
        PipelineModel warmTable = deployedModel.withTable(AwsFigures.TABLE_WRU_QUOTA);
        PipelineModel scaledStream = warmTable.withKinesisShards(12);
        PipelineModel raised = scaledStream.withKinesisShards(40).withTable(4 * AwsFigures.TABLE_WRU_QUOTA)
                .withLambdaConcurrency(10_000);
        List<PipelineModel> steps = List.of(deployedModel, warmTable, scaledStream, raised);
        List<String> names = List.of("as deployed (template defaults)", "+ events table warmed to 40,000 WRU/s",
                "+ Kinesis at 12 shards", "+ table quota 160,000 WRU/s, Kinesis 40 shards, Lambda 10,000");
        out.append("| stage | rests on (as deployed; the AWS quota) |");
        names.forEach(n -> out.append(" ").append(n).append(" |"));
        out.append("\n|---|---|");
        names.forEach(n -> out.append("---:|"));
        out.append("\n");
        List<PipelineModel.Stage> deployed = steps.get(0).stages();
        for (PipelineModel.Stage stage : deployed) {
            out.append("| ").append(stage.name()).append(" | ").append(stage.restsOn()).append(" |");
            for (PipelineModel step : steps) {
                double value = step.stages().stream().filter(s -> s.name().equals(stage.name())).findFirst()
                        .orElseThrow().transfersPerSecond();
                boolean binding = step.binding().name().equals(stage.name());
                out.append(String.format(Locale.ROOT, binding ? " **%,.0f** |" : " %,.0f |", value));
            }
            out.append("\n");
        }
        out.append("| **sustained (smallest)** | |");
        steps.forEach(step -> out.append(String.format(Locale.ROOT, " **%,.0f** |", step.binding().transfersPerSecond())));
        out.append("\n\n");
        for (int i = 0; i < steps.size(); i++) {
            PipelineModel.Stage binding = steps.get(i).binding();
            out.append(String.format(Locale.ROOT, "- %s (%s): %,.0f transfers/s, bound by **%s**; to go past it: %s.%n",
                    names.get(i), steps.get(i).describe(), binding.transfersPerSecond(), binding.name(), binding.lever()));
        }
        out.append(String.format(Locale.ROOT, "%nThe template's defaults (`infra/template.yaml`, "
                + "`docs/pipeline-capacity.md`): `EventsStreamMode` "
                + "ON_DEMAND (a new stream takes 4 MB/s, 4,000 records/s, about 4 shards, and doubles its previous "
                + "peak as load grows), `ProjectionParallelization` 10 on the %d projection mappings (Lambda's "
                + "maximum), the publisher's mapping at 1 (DynamoDB Streams keep order per item only, and a ledger "
                + "stream's events are many items). \"+ Kinesis at 12 shards\" is what the on-demand stream reaches "
                + "by itself after its ramp, or `EventsStreamMode=PROVISIONED` with `EventsStreamShards=12` set "
                + "beforehand. Each column adds to the one before it. Before these defaults (one provisioned shard, "
                + "factor 1 everywhere) the history projection bound the stack at about 34 transfers/s.%n%n",
                PipelineModel.KINESIS_CONSUMERS));
        out.append("One funding account (every transfer debits it): the command stage is (c)'s commits/s for its N, "
                + "and the publisher slows too, since the handler puts one PutRecords round per event of a stream in "
                + "a batch (50 rounds for a batch of one stream's records), and its factor stays 1, so one stream "
                + "keeps one lane:\n\n| N | publisher transfers/s |\n|---:|---:|\n");
        for (int n : AWS_SHARDS) {
            PipelineModel hot = PipelineModel.asDeployed(bytes).withHotShards(n);
            out.append(String.format(Locale.ROOT, "| %d%s | %,.0f |%n", n,
                    n > AccountShards.MAX_SHARDS ? " (beyond the API)" : "", publisher(hot)));
        }
        out.append("\n");
    }

    private static double publisher(PipelineModel model) {
        return model.stages().stream().filter(s -> s.name().startsWith("publisher")).findFirst().orElseThrow()
                .transfersPerSecond();
    }

    private static List<Integer> parseList(String text) {
        return Arrays.stream(text.split(",")).map(String::trim).map(Integer::parseInt).toList();
    }
}
