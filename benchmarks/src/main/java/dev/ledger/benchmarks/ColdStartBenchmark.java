package dev.ledger.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.ledger.Ledger;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.functions.command.CommandService;
import dev.ledger.functions.command.RetryPolicy;
import dev.ledger.infra.Template;
import dev.ledger.infra.local.LocalStack;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.MotoServer;
import dev.ledger.store.DynamoEventStore;
import dev.ledger.store.EventsTable;
import dev.ledger.store.StoredEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Predicate;
import org.crac.Resource;

/**
 * Cold start of every Lambda handler, each in a fresh JVM ({@link ColdStartProbe}) against the
 * local stack's resources on a running emulator: time to construct the handler, its first request
 * and a second one; beside a fresh JVM that runs an empty main ({@link EmptyMain}), the JVM's own
 * startup. Each request does real work on data written for it (a transfer, a balance read, a
 * batch of stream records of accounts and transfers written just before), and its outcome is
 * checked, so a handler that failed fast cannot look fast.
 *
 * <p>Arguments: results file, fresh JVMs per handler (default 3).
 */
public final class ColdStartBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "bench-token";

    private ColdStartBenchmark() {
    }

    /** One handler: its class, its event class, the two requests of repetition r, and what a good answer is. */
    private record Handler(String name, String handlerClass, String eventClass,
                           Function<Run, List<ObjectNode>> requests, Predicate<String> ok) {
    }

    /**
     * What one repetition of one JVM setting wrote for its handlers: two accounts and two transfers to
     * them, as stored. n numbers the data (stream sequence numbers, transfer ids); tag tells apart the
     * API requests of a run that reads the same data again (the primed handlers).
     */
    private record Run(int n, String tag, String accountA, String accountB, List<StoredEvent> transferA,
                       List<StoredEvent> transferB, List<StoredEvent> openedA, List<StoredEvent> openedB,
                       Map<String, String> outputs) {

        Run tagged(String newTag) {
            return new Run(n, newTag, accountA, accountB, transferA, transferB, openedA, openedB, outputs);
        }
    }

    /**
     * How a handler's JVM is started: with JVM defaults (no JAVA_TOOL_OPTIONS), or as the template
     * starts it (its function's JAVA_TOOL_OPTIONS, which Lambda's java runtimes read), and then
     * whether its SnapStart priming runs before the requests.
     */
    private enum Setting {
        DEFAULTS("JVM defaults"), TEMPLATE("the template's JAVA_TOOL_OPTIONS"),
        PRIMED("the template's JAVA_TOOL_OPTIONS, primed");

        final String label;

        Setting(String label) {
            this.label = label;
        }
    }

    public static void main(String[] args) throws Exception {
        int repetitions = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Results.append(args, run(repetitions));
    }

    static String run(int repetitions) throws Exception {
        Path state = Files.createTempDirectory("bench-cold").resolve("local.json");
        try (MotoServer moto = MotoServer.start();
             AwsClients aws = AwsClients.forEndpoint(moto.endpoint());
             LocalStack stack = LocalStack.start(LocalStack.Options.defaults().withPort(0)
                     .withEmulator(moto.endpoint()).withStackName("bench-cold").withCodeBucket("bench-cold-code")
                     .withStateFile(state).withApiTokens(TOKEN + "=payments").withoutEventSources())) {
            Map<String, String> outputs = stack.outputs();
            CommandService commands = new CommandService(new DynamoEventStore(aws.dynamoDb(),
                    outputs.get("EventsTableName")), Clock.systemUTC(), RetryPolicy.standard(new SplittableRandom(7)));
            execute(commands, l -> l.openAccount(new OpenAccount("bank", LogSeeder.EUR, OverdraftLimit.UNLIMITED)));
            List<String> options = List.of("-Daws.region=" + AwsClients.REGION.id(), "-Daws.accessKeyId=local",
                    "-Daws.secretAccessKey=local", "-Daws.cborEnabled=false",
                    "-DLEDGER_AWS_ENDPOINT=" + moto.endpoint(),
                    "-DLEDGER_EVENTS_TABLE=" + outputs.get("EventsTableName"),
                    // The authorizer's first request reads the token secret (the local stack wrote the
                    // bench token's digest there), as on AWS: that read is part of its cold start.
                    "-DLEDGER_API_TOKEN_SECRET=" + outputs.get("ApiTokenSecretId"),
                    "-DLEDGER_KINESIS_STREAM=" + outputs.get("LedgerStreamName"),
                    "-DLEDGER_BALANCES_TABLE=" + outputs.get("BalancesTableName"),
                    "-DLEDGER_HISTORY_TABLE=" + outputs.get("HistoryTableName"),
                    "-DLEDGER_TRANSFERS_TABLE=" + outputs.get("TransfersTableName"),
                    "-DLEDGER_METADATA_TABLE=" + outputs.get("MetadataTableName"),
                    "-DLEDGER_DEAD_LETTER_QUEUE_URL=" + outputs.get("DeadLetterQueueUrl"));

            List<Handler> handlers = handlers();
            Template template = Template.bundled();
            Map<String, Template.Function> functions = new LinkedHashMap<>();
            template.functions().forEach(function -> functions.put(function.handlerClass(), function));
            Map<Setting, Map<String, List<ChildJvm.Finished>>> runs = new EnumMap<>(Setting.class);
            List<ChildJvm.Finished> baseline = new ArrayList<>();
            Path events = Files.createTempDirectory("bench-cold-events");
            for (int r = 0; r < repetitions; r++) {
                baseline.add(ChildJvm.run(List.of(), Map.of("JAVA_TOOL_OPTIONS", ""), EmptyMain.class.getName(),
                        List.of(), 5));
                // Fresh data for each setting, so no handler meets events it already applied; the primed
                // handlers (HTTP APIs) read the template setting's data again, under request ids of their own.
                Map<Setting, Run> data = new EnumMap<>(Setting.class);
                data.put(Setting.DEFAULTS, prepare(commands, 2 * r, outputs));
                data.put(Setting.TEMPLATE, prepare(commands, 2 * r + 1, outputs));
                data.put(Setting.PRIMED, data.get(Setting.TEMPLATE).tagged("primed"));
                // Handlers in this order: the query API then reads balances the projection handlers just
                // wrote. Each handler's settings side by side, so a change in the machine's load hits both.
                for (Handler handler : handlers) {
                    for (Setting setting : Setting.values()) {
                        Run run = data.get(setting);
                        Template.Function function = functions.get(handler.handlerClass());
                        boolean primes = function.snapStartApplyOn().isPresent()
                                && Resource.class.isAssignableFrom(Class.forName(handler.handlerClass()));
                        if (setting == Setting.PRIMED && !primes) {
                            continue;
                        }
                        String flags = setting == Setting.DEFAULTS ? ""
                                : function.environment().get("JAVA_TOOL_OPTIONS").asText();
                        List<ObjectNode> requests = handler.requests().apply(run);
                        String stem = handler.handlerClass() + "-" + run.n() + "-" + setting;
                        Path first = events.resolve(stem + "-request-1.json");
                        Path second = events.resolve(stem + "-request-2.json");
                        Files.writeString(first, JSON.writeValueAsString(requests.get(0)), StandardCharsets.UTF_8);
                        Files.writeString(second, JSON.writeValueAsString(requests.get(1)), StandardCharsets.UTF_8);
                        List<String> probeArgs = new ArrayList<>(List.of(handler.handlerClass(), handler.eventClass(),
                                first.toString(), second.toString()));
                        if (setting == Setting.PRIMED) {
                            probeArgs.add("prime");
                        }
                        ChildJvm.Finished finished = ChildJvm.run(options, Map.of("JAVA_TOOL_OPTIONS", flags),
                                ColdStartProbe.class.getName(), probeArgs, 5);
                        if (finished.exit() != 0 || !handler.ok().test(finished.probe("firstOutcome"))
                                || !handler.ok().test(finished.probe("secondOutcome"))) {
                            throw new IllegalStateException(handler.name() + " (" + setting.label
                                    + ") did not serve its requests: exit " + finished.exit() + ", " + finished.probes());
                        }
                        runs.computeIfAbsent(setting, k -> new LinkedHashMap<>())
                                .computeIfAbsent(handler.name(), k -> new ArrayList<>()).add(finished);
                        System.err.printf(Locale.ROOT, "%s, %s, run %d: construct %.0f ms, prime %.0f ms, first %.0f ms,"
                                        + " second %.0f ms, classes %s/%s%n", handler.name(), setting.label, r,
                                finished.millis("constructMs"), finished.millis("primeMs"), finished.millis("firstMs"),
                                finished.millis("secondMs"), finished.probe("classesReady"),
                                finished.probe("classesFirst"));
                    }
                }
            }
            return report(runs, baseline, repetitions);
        }
    }

    private static Run prepare(CommandService commands, int r, Map<String, String> outputs) {
        String a = "cold-" + r + "-a";
        String b = "cold-" + r + "-b";
        List<StoredEvent> openedA = execute(commands, l -> l.openAccount(new OpenAccount(a, LogSeeder.EUR,
                OverdraftLimit.NONE)));
        List<StoredEvent> openedB = execute(commands, l -> l.openAccount(new OpenAccount(b, LogSeeder.EUR,
                OverdraftLimit.NONE)));
        List<StoredEvent> transferA = execute(commands, l -> l.transfer("cold-" + r + "-t1",
                TransferRequest.posted("bank", a, Money.parse("10.00", LogSeeder.EUR))));
        List<StoredEvent> transferB = execute(commands, l -> l.transfer("cold-" + r + "-t2",
                TransferRequest.posted("bank", b, Money.parse("10.00", LogSeeder.EUR))));
        return new Run(r, "", a, b, transferA, transferB, openedA, openedB, outputs);
    }

    private static List<Handler> handlers() {
        Predicate<String> success = outcome -> outcome.matches("status 2\\d\\d");
        Predicate<String> noFailures = "failed records 0"::equals;
        return List.of(
                new Handler("token authorizer", "dev.ledger.functions.api.TokenAuthorizerHandler",
                        "com.amazonaws.services.lambda.runtime.events.APIGatewayV2CustomAuthorizerEvent",
                        run -> List.of(authorizer(run, 1), authorizer(run, 2)), "authorized true"::equals),
                new Handler("command API (POST /transfers)", "dev.ledger.functions.api.CommandApiHandler",
                        "com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent",
                        run -> List.of(transferRequest(run, run.accountA(), 1), transferRequest(run, run.accountB(), 2)),
                        success),
                new Handler("event publisher (DynamoDB stream -> Kinesis)",
                        "dev.ledger.functions.publisher.EventPublisherHandler",
                        "com.amazonaws.services.lambda.runtime.events.DynamodbEvent",
                        run -> List.of(dynamoDbBatch(run, run.transferA()), dynamoDbBatch(run, run.transferB())),
                        noFailures),
                new Handler("balances projection", "dev.ledger.projections.BalancesProjectionHandler",
                        "com.amazonaws.services.lambda.runtime.events.KinesisEvent",
                        run -> List.of(kinesisBatch(run, accountEvents(run.openedA(), run.transferA())),
                                kinesisBatch(run, accountEvents(run.openedB(), run.transferB()))), noFailures),
                new Handler("history projection", "dev.ledger.projections.HistoryProjectionHandler",
                        "com.amazonaws.services.lambda.runtime.events.KinesisEvent",
                        run -> List.of(kinesisBatch(run, accountEvents(run.openedA(), run.transferA())),
                                kinesisBatch(run, accountEvents(run.openedB(), run.transferB()))), noFailures),
                new Handler("transfers projection", "dev.ledger.projections.TransfersProjectionHandler",
                        "com.amazonaws.services.lambda.runtime.events.KinesisEvent",
                        run -> List.of(kinesisBatch(run, run.transferA()), kinesisBatch(run, run.transferB())),
                        noFailures),
                new Handler("query API (GET /accounts/{id})", "dev.ledger.projections.api.QueryApiHandler",
                        "com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent",
                        run -> List.of(http(run, 1, "GET", "/accounts/" + run.accountA(), null),
                                http(run, 2, "GET", "/accounts/" + run.accountB(), null)), success),
                new Handler("hold expiry sweeper (schedule)", "dev.ledger.functions.sweeper.HoldExpirySweeperHandler",
                        "com.amazonaws.services.lambda.runtime.events.ScheduledEvent",
                        run -> List.of(scheduled(run, 1), scheduled(run, 2)), outcome -> outcome.contains("\"expired\":")));
    }

    private static List<StoredEvent> execute(CommandService commands, Function<Ledger, LedgerResult> command) {
        CommandService.Committed committed = commands.execute("bench-cold", command);
        if (committed.result().isRejected()) {
            throw new IllegalStateException("benchmark command refused: " + committed.result().rejection());
        }
        return committed.events();
    }

    /** An account's opening and its leg of a transfer: what its projection items are made of. */
    private static List<StoredEvent> accountEvents(List<StoredEvent> opened, List<StoredEvent> transfer) {
        List<StoredEvent> events = new ArrayList<>(opened);
        StreamId account = opened.get(0).stream();
        transfer.stream().filter(e -> e.stream().equals(account)).forEach(events::add);
        return events;
    }

    // ---- The events Lambda sends, as JSON (the payload formats the Lambda Java runtime deserializes)

    private static ObjectNode transferRequest(Run run, String credit, int request) {
        return http(run, request, "POST", "/transfers", "{\"transferId\":\"cold-" + run.n() + run.tag() + "-api-"
                + request
                + "\",\"debitAccountId\":\"bank\",\"creditAccountId\":\"" + credit
                + "\",\"amount\":\"1.00\",\"currency\":\"EUR\"}");
    }

    private static ObjectNode http(Run run, int request, String method, String path, String body) {
        ObjectNode event = JSON.createObjectNode();
        event.put("version", "2.0");
        event.put("routeKey", "$default");
        event.put("rawPath", path);
        event.put("rawQueryString", "");
        event.putObject("headers").put("authorization", "Bearer " + TOKEN).put("content-type", "application/json");
        ObjectNode context = event.putObject("requestContext");
        context.put("requestId", "cold-" + run.n() + run.tag() + "-" + request);
        context.put("stage", "$default");
        context.put("timeEpoch", Instant.now().toEpochMilli());
        context.putObject("http").put("method", method).put("path", path).put("protocol", "HTTP/1.1")
                .put("sourceIp", "127.0.0.1");
        // What the authorizer passes on: the API handlers take the caller from it.
        context.putObject("authorizer").putObject("lambda").put("role", "payments").put("subject", "cold-start");
        if (body != null) {
            event.put("body", body);
        }
        event.put("isBase64Encoded", false);
        return event;
    }

    private static ObjectNode authorizer(Run run, int request) {
        ObjectNode event = JSON.createObjectNode();
        event.put("version", "2.0");
        event.put("type", "REQUEST");
        event.put("routeArn", "arn:aws:execute-api:us-east-1:123456789012:bench/$default/POST/transfers");
        event.putArray("identitySource").add("Bearer " + TOKEN);
        event.put("routeKey", "POST /transfers");
        event.put("rawPath", "/transfers");
        event.putObject("headers").put("authorization", "Bearer " + TOKEN);
        event.putObject("requestContext").put("requestId", "cold-" + run.n() + "-auth-" + request);
        return event;
    }

    private static ObjectNode dynamoDbBatch(Run run, List<StoredEvent> events) {
        ObjectNode batch = JSON.createObjectNode();
        ArrayNode records = batch.putArray("Records");
        for (StoredEvent event : events) {
            ObjectNode record = records.addObject();
            record.put("eventID", event.stream() + "-" + event.version());
            record.put("eventName", "INSERT");
            record.put("eventVersion", "1.1");
            record.put("eventSource", "aws:dynamodb");
            record.put("awsRegion", "us-east-1");
            ObjectNode dynamodb = record.putObject("dynamodb");
            dynamodb.put("ApproximateCreationDateTime", event.recordedAt().getEpochSecond());
            ObjectNode image = dynamodb.putObject("NewImage");
            EventsTable.toItem(event).forEach((name, value) -> {
                if (value.s() != null) {
                    image.putObject(name).put("S", value.s());
                } else {
                    image.putObject(name).put("N", value.n());
                }
            });
            ObjectNode keys = dynamodb.putObject("Keys");
            keys.set("pk", image.get("pk"));
            keys.set("sk", image.get("sk"));
            dynamodb.put("SequenceNumber", Long.toString(1000L * run.n() + event.version()));
            dynamodb.put("StreamViewType", "NEW_IMAGE");
            record.put("eventSourceARN", run.outputs().get("EventsStreamArn"));
        }
        return batch;
    }

    private static ObjectNode kinesisBatch(Run run, List<StoredEvent> events) {
        ObjectNode batch = JSON.createObjectNode();
        ArrayNode records = batch.putArray("Records");
        int sequence = 0;
        for (StoredEvent event : events) {
            ObjectNode record = records.addObject();
            ObjectNode kinesis = record.putObject("kinesis");
            kinesis.put("kinesisSchemaVersion", "1.0");
            kinesis.put("partitionKey", event.stream().toString());
            kinesis.put("sequenceNumber", Long.toString(1_000_000L * run.n() + ++sequence));
            kinesis.put("data", Base64.getEncoder().encodeToString(event.toJsonLine().getBytes(StandardCharsets.UTF_8)));
            kinesis.put("approximateArrivalTimestamp", event.recordedAt().toEpochMilli() / 1000.0);
            record.put("eventSource", "aws:kinesis");
            record.put("eventVersion", "1.0");
            record.put("eventID", "shardId-000000000000:" + kinesis.get("sequenceNumber").asText());
            record.put("eventName", "aws:kinesis:record");
            record.put("awsRegion", "us-east-1");
            record.put("eventSourceARN", run.outputs().get("LedgerStreamArn"));
        }
        return batch;
    }

    private static ObjectNode scheduled(Run run, int request) {
        ObjectNode event = JSON.createObjectNode();
        event.put("version", "0");
        event.put("id", "cold-" + run.n() + "-sweep-" + request);
        event.put("detail-type", "Scheduled Event");
        event.put("source", "aws.events");
        event.put("account", "123456789012");
        event.put("time", Instant.now().toString().replaceAll("\\.\\d+Z$", "Z"));
        event.put("region", "us-east-1");
        event.putArray("resources").add("arn:aws:events:us-east-1:123456789012:rule/bench-sweep");
        event.putObject("detail");
        return event;
    }

    // ----

    private static String report(Map<Setting, Map<String, List<ChildJvm.Finished>>> runs,
                                 List<ChildJvm.Finished> baseline, int repetitions) {
        double jvmWall = median(baseline.stream().map(ChildJvm.Finished::wallMillis).toList());
        double jvmMain = median(baseline.stream().map(f -> f.millis("mainAt")).toList());
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "Each handler in a fresh JVM (`java -cp <the benchmarks' runtime"
                + " classpath> ColdStartProbe <handler>`), %d times, medians shown; configuration as the template"
                + " gives it (tables, stream, queue, the token secret, the emulator's endpoint) as system properties,"
                + " and the JVM flags as the template gives them: its function's `JAVA_TOOL_OPTIONS` in the child's"
                + " environment, which Lambda's java runtimes read (`%s` for every function now). Construct = the"
                + " public no-arg constructor, as Lambda's init phase calls it. First and second request ="
                + " `handleRequest` on events deserialized beforehand with the Lambda Java runtime's serializer,"
                + " each answered correctly (checked): a POST /transfers of a new transfer; a GET /accounts/{id} of"
                + " an account the projection handlers just wrote; a DynamoDB stream batch of one transfer's 3"
                + " events published to Kinesis; a Kinesis batch of an account's opening and its transfer leg"
                + " (balances, history) or of a transfer (transfers); a schedule tick that Queries the 16"
                + " pending-hold buckets (no hold due); an authorizer request with a known token (the first reads"
                + " the token secret). Every setting gets data of its own. Baseline: a fresh JVM running an empty"
                + " main with JVM defaults, launched the same way, in the same loop.%n%n", repetitions, Template.bundled().function("CommandApiFunction")
                .environment().get("JAVA_TOOL_OPTIONS").asText()));
        out.append("### As the template starts each function (no SnapStart: `$LATEST`, the stream functions and the"
                + " sweeper always)\n\n");
        out.append("| handler | JVM start -> main, ms | construct, ms | first request, ms | second request, ms |"
                + " construct + first / JVM startup | CPU time, construct + first, ms | classes loaded: constructed,"
                + " after first | whole process, ms |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        out.append(String.format(Locale.ROOT, "| **baseline: empty main** | %.0f | | | | | | | **%.0f** |%n", jvmMain,
                jvmWall));
        runs.get(Setting.TEMPLATE).forEach((name, finished) -> {
            double construct = median(finished, "constructMs");
            double first = median(finished, "firstMs");
            out.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.0f | %.1f | %.1f | %.0f | %.0f, %.0f | %.0f |%n",
                    name, median(finished, "mainAt"), construct, first, median(finished, "secondMs"),
                    (construct + first) / jvmWall, median(finished, "cpuToFirstMs"), median(finished, "classesReady"),
                    median(finished, "classesFirst"),
                    median(finished.stream().map(ChildJvm.Finished::wallMillis).toList())));
        });
        out.append("\nJVM startup = the baseline's whole process (launch to exit). A handler's whole process also"
                + " counts reading its two events with the Lambda serializer (not in the other columns) and the"
                + " exit. Ratio = (construct + first request) / JVM startup. CPU time = the process's, all threads"
                + " (class loading, the JIT compiler's threads, GC), from the constructor's start to the first"
                + " request's end, in steps of the OS's accounting (10 ms here): less moved by other work on the"
                + " machine than wall time, and what a function's share of a core has to get through (Lambda gives"
                + " one vCPU per 1,769 MB of memory, so about 0.58 of one at 1,024 MB).\n\n");

        out.append("### Construct + first request: JVM defaults against the template's flags, side by side\n\n");
        out.append("| handler | JVM defaults, ms | template's JAVA_TOOL_OPTIONS, ms | flags / defaults |"
                + " CPU time, JVM defaults, ms | CPU time, template's flags, ms | flags / defaults, CPU |\n"
                + "|---|---:|---:|---:|---:|---:|---:|\n");
        runs.get(Setting.TEMPLATE).forEach((name, flagged) -> {
            List<ChildJvm.Finished> defaults = runs.get(Setting.DEFAULTS).get(name);
            double before = median(defaults, "constructMs") + median(defaults, "firstMs");
            double after = median(flagged, "constructMs") + median(flagged, "firstMs");
            double cpuBefore = median(defaults, "cpuToFirstMs");
            double cpuAfter = median(flagged, "cpuToFirstMs");
            out.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.2f | %.0f | %.0f | %.2f |%n", name, before,
                    after, after / before, cpuBefore, cpuAfter, cpuAfter / cpuBefore));
        });
        out.append("\nWall time: median construct + median first request of that setting's JVMs; CPU time as above.\n\n");

        out.append("### SnapStart: what priming moves before the snapshot (functions with SnapStart whose handler"
                + " primes)\n\n");
        out.append("| handler | construct + priming, ms (before the snapshot) | first request after priming, ms |"
                + " its CPU time, ms | second request, ms | classes loaded: primed, after first | first request"
                + " unprimed, ms (first table) | its CPU time, ms |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
        runs.getOrDefault(Setting.PRIMED, Map.of()).forEach((name, finished) -> out.append(String.format(Locale.ROOT,
                "| %s | %.0f | %.0f | %.0f | %.1f | %.0f, %.0f | %.0f | %.0f |%n", name,
                median(finished, "constructMs") + median(finished, "primeMs"), median(finished, "firstMs"),
                median(finished, "cpuFirstMs"), median(finished, "secondMs"), median(finished, "classesReady"),
                median(finished, "classesFirst"), median(runs.get(Setting.TEMPLATE).get(name), "firstMs"),
                median(runs.get(Setting.TEMPLATE).get(name), "cpuFirstMs"))));
        out.append("\nPriming = the handler's `org.crac.Resource#beforeCheckpoint`, called by the probe right after"
                + " the constructor (this JVM cannot take a snapshot): on AWS, Lambda runs it once per published"
                + " version, before the snapshot, and restored environments start from its end. The first request"
                + " after priming is therefore the part a restored environment still runs (plus AWS's restore,"
                + " not measured here, and a new connection where the snapshot's pooled one is gone).\n");
        return out.toString();
    }

    private static double median(List<ChildJvm.Finished> finished, String probe) {
        return median(finished.stream().map(f -> f.millis(probe)).toList());
    }

    private static double median(List<Double> values) {
        return LogSizeBenchmark.median(values);
    }
}
