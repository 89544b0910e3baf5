package dev.ledger.benchmarks;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.ledger.Ledger;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.functions.command.CommandService;
import dev.ledger.functions.command.RetryPolicy;
import dev.ledger.functions.publisher.EventPublisher;
import dev.ledger.functions.publisher.EventPublisherHandler;
import dev.ledger.infra.local.LocalFunction;
import dev.ledger.infra.local.LocalStack;
import dev.ledger.infra.local.streams.CheckpointStore;
import dev.ledger.infra.local.streams.EventSourceRuntime;
import dev.ledger.infra.local.streams.MappingSpec;
import dev.ledger.infra.local.streams.SourceKind;
import dev.ledger.infra.local.streams.StreamFunction;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.MotoServer;
import dev.ledger.store.DynamoEventStore;
import java.io.IOException;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.DoubleStream;
import java.util.stream.Stream;
import software.amazon.awssdk.services.kinesis.model.StreamDescription;

/**
 * Issue 14 §2: does a second emulator process raise the pipeline's sustained rate? moto is one
 * Python process (one core at most); the machine has two. The same workload runs against three
 * layouts, alternating round by round, each on fresh emulators:
 *
 * <ul>
 *   <li><b>one</b>: one moto for everything, as {@code ./ledger local} runs today;
 *   <li><b>checkpoints</b>: the event-source runtime's checkpoint table on a second moto
 *       ({@link CheckpointStore} takes its own client), everything else on the first;
 *   <li><b>kinesis</b>: the Kinesis stream and the checkpoints on the second moto: the publisher puts
 *       there, the projections' mappings read there; the tables (events, its DynamoDB stream,
 *       projections) stay on the first.
 * </ul>
 *
 * <p>Workload: {@code workers} threads commit posted transfers (each its own funding -> customer
 * pair, no contention) as fast as they can through {@link CommandService} (the command Lambda's
 * unit of work) against the stack's events table for {@code seconds}, while the event-source
 * runtime carries them events table stream -> publisher -> Kinesis -> every projection of
 * {@code ProjectionCatalog} (balances, history, transfers, metadata: the template's mappings and
 * handler classes, run as the local stack runs them; {@link ProjectionMappings}). Then the load stops and the run waits until every projection has been handed every event.
 * Figures: commits/s under load, the pipeline's events/s (events committed over the time from the
 * first commit until the slowest projection had them all), what was still behind when the load
 * stopped, and each moto process's CPU seconds.
 *
 * <p>The local stack deploys the template on the first moto with its own event sources; this
 * benchmark takes their settings ({@link MappingSpec}s from the template) and stops them before
 * any event is written, then runs its own runtime(s) with the layout's clients, so every layout
 * runs the same construction and only the endpoints differ.
 *
 * <p>Arguments: results file, rounds (default 2), seconds of load per run (default 20), workers
 * (default 8).
 */
public final class SecondEmulatorBenchmark {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");
    private static final String PUBLISHER_MAPPING = "EventPublisherMapping";
    private static final List<String> PROJECTION_MAPPINGS = ProjectionMappings.ids();
    private static final String CHECKPOINT_TABLE = "bench-second-emulator-esm-checkpoints";
    private static final long DRAIN_DEADLINE_NANOS = TimeUnit.MINUTES.toNanos(10);
    private static final long CLOCK_TICKS_PER_SECOND = 100;

    enum Layout {
        ONE("one moto for everything"),
        CHECKPOINTS("checkpoint table on a second moto"),
        KINESIS("Kinesis stream and checkpoint table on a second moto");

        final String description;

        Layout(String description) {
            this.description = description;
        }

        boolean secondMoto() {
            return this != ONE;
        }
    }

    record Run(Layout layout, int round, long commits, long events, double loadSeconds, double drainSeconds,
               long behindAtLoadEnd, double cpuFirst, double cpuSecond) {

        double commitsPerSecond() {
            return commits / loadSeconds;
        }

        double pipelineEventsPerSecond() {
            return events / (loadSeconds + drainSeconds);
        }

        /**
         * The pipeline's own rate once the commands stopped: what was behind, over the time it took to
         * hand it to every projection. With the load on, the commits set the pace; here the pipeline does.
         */
        double drainEventsPerSecond() {
            return drainSeconds == 0 ? Double.NaN : behindAtLoadEnd / drainSeconds;
        }

        /** The work each emulator did per event, in CPU milliseconds: unlike rates, little moved by other load. */
        double firstCpuMsPerEvent() {
            return cpuFirst * 1e3 / events;
        }

        double secondCpuMsPerEvent() {
            return cpuSecond * 1e3 / events;
        }

        /** The second moto's share of the emulators' CPU: the most a second core could take off the first. */
        double secondShare() {
            return cpuSecond / (cpuFirst + cpuSecond);
        }
    }

    private SecondEmulatorBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        int workers = args.length > 3 ? Integer.parseInt(args[3]) : 8;
        List<Run> runs = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            // Alternating order: a layout is not always the one that runs first (or after the heaviest).
            List<Layout> order = new ArrayList<>(Arrays.asList(Layout.values()));
            Collections.rotate(order, round - 1);
            for (Layout layout : order) {
                Run run = run(layout, round, seconds, workers);
                System.err.printf(Locale.ROOT, "round %d %s: %.1f commits/s, %.1f events/s through the pipeline,"
                                + " %d behind at load end, drain %.1f s, moto CPU %.1f s + %.1f s%n", round, layout,
                        run.commitsPerSecond(), run.pipelineEventsPerSecond(), run.behindAtLoadEnd(),
                        run.drainSeconds(), run.cpuFirst(), run.cpuSecond());
                runs.add(run);
            }
        }
        Results.append(args, report(runs, rounds, seconds, workers));
    }

    static String report(List<Run> runs, int rounds, int seconds, int workers) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "## Pipeline throughput with one moto process against two%n%n"
                + "%d rounds, the three layouts in rotating order each round, every run on fresh emulators. %d workers"
                + " commit posted transfers (one funding -> customer pair each) through CommandService for %d s"
                + " while the template's event-source mappings run (publisher, then the projections: "
                + String.join(", ", PROJECTION_MAPPINGS) + "); then the run waits until every projection was"
                + " handed every event."
                + " Pipeline events/s = events committed / (load + drain). CPU = user + system seconds of each moto"
                + " process (and its children) over load + drain, and per event committed: the work each emulator"
                + " did, which other load on the machine moves far less than it moves the rates.%n%n", rounds, workers,
                seconds));
        out.append("| layout | round | commits/s | events | pipeline events/s | behind at load end | drain s |"
                + " drain events/s | CPU moto 1 s | CPU moto 2 s | moto 1 CPU ms/event | moto 2 CPU ms/event |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Run run : runs) {
            boolean second = run.layout().secondMoto();
            out.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %,d | %.1f | %,d | %.1f | %.1f | %.1f | %s | %.2f | %s"
                            + " |%n", run.layout().name().toLowerCase(Locale.ROOT), run.round(), run.commitsPerSecond(),
                    run.events(), run.pipelineEventsPerSecond(), run.behindAtLoadEnd(), run.drainSeconds(),
                    run.drainEventsPerSecond(), run.cpuFirst(),
                    second ? String.format(Locale.ROOT, "%.1f", run.cpuSecond()) : "-", run.firstCpuMsPerEvent(),
                    second ? String.format(Locale.ROOT, "%.2f", run.secondCpuMsPerEvent()) : "-"));
        }
        Map<Layout, double[]> medians = new EnumMap<>(Layout.class);
        for (Layout layout : Layout.values()) {
            List<Run> of = runs.stream().filter(r -> r.layout() == layout).toList();
            medians.put(layout, new double[] {median(of.stream().mapToDouble(Run::commitsPerSecond)),
                    median(of.stream().mapToDouble(Run::pipelineEventsPerSecond)),
                    median(of.stream().mapToDouble(Run::firstCpuMsPerEvent)),
                    median(of.stream().mapToDouble(Run::secondShare)),
                    median(of.stream().mapToDouble(Run::drainEventsPerSecond))});
        }
        double[] one = medians.get(Layout.ONE);
        out.append("\n| layout | median commits/s | x one | median pipeline events/s | x one | median drain events/s |"
                + " x one | median moto 1 CPU ms/event | second moto's share of emulator CPU |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Layout layout : Layout.values()) {
            double[] m = medians.get(layout);
            out.append(String.format(Locale.ROOT, "| %s (%s) | %.1f | %.2f | %.1f | %.2f | %.1f | %.2f | %.2f | %s |%n",
                    layout.name().toLowerCase(Locale.ROOT), layout.description, m[0], m[0] / one[0], m[1], m[1] / one[1],
                    m[4], m[4] / one[4], m[2], layout.secondMoto() ? String.format(Locale.ROOT, "%.1f%%", m[3] * 100)
                            : "-"));
        }
        out.append('\n');
        return out.toString();
    }

    private static double median(DoubleStream values) {
        double[] sorted = values.sorted().toArray();
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    // ------------------------------------------------------------------------------------------

    static Run run(Layout layout, int round, int seconds, int workers) throws Exception {
        try (MotoServer first = MotoServer.start();
             MotoServer second = layout.secondMoto() ? MotoServer.start() : null;
             AwsClients firstClients = AwsClients.forEndpoint(first.endpoint());
             AwsClients secondClients = second != null ? AwsClients.forEndpoint(second.endpoint()) : null) {
            Path state = Files.createTempDirectory("bench-second-emulator").resolve("local.json");
            String name = "bench-second-" + layout.name().toLowerCase(Locale.ROOT);
            try (LocalStack stack = LocalStack.start(LocalStack.Options.defaults().withPort(0)
                    .withEmulator(first.endpoint()).withStackName(name).withCodeBucket(name + "-code")
                    .withStateFile(state).withApiTokens("bench-token=payments")
                    .withEventSources(EventSourceRuntime.Settings.defaults()))) {
                EventSourceRuntime stacks = stack.eventSources().orElseThrow();
                Map<String, MappingSpec> specs = new LinkedHashMap<>();
                stacks.mappings().forEach(spec -> specs.put(spec.id(), spec));
                // Stopped before any event exists: the runtime(s) below are the only consumers.
                stacks.close();
                List<EventSourceRuntime> runtimes = wire(layout, stack, specs, firstClients, secondClients);
                try {
                    return measure(layout, round, seconds, workers, stack, firstClients, runtimes, first, second);
                } finally {
                    runtimes.forEach(EventSourceRuntime::close);
                }
            }
        }
    }

    /** The layout's runtime(s): the same mappings and handlers, with the layout's clients. */
    private static List<EventSourceRuntime> wire(Layout layout, LocalStack stack, Map<String, MappingSpec> specs,
                                                 AwsClients first, AwsClients second) {
        EventSourceRuntime.Settings settings = EventSourceRuntime.Settings.defaults();
        String role = "arn:aws:iam::123456789012:role/bench";
        List<EventSourceRuntime> runtimes = new ArrayList<>();
        if (layout != Layout.KINESIS) {
            List<EventSourceRuntime.Binding> bindings = new ArrayList<>();
            for (MappingSpec spec : specs.values()) {
                bindings.add(new EventSourceRuntime.Binding(spec, function(stack, spec), role));
            }
            CheckpointStore checkpoints = new CheckpointStore((layout == Layout.ONE ? first : second).dynamoDb(),
                    CHECKPOINT_TABLE, Clock.systemUTC()).ensureTable();
            runtimes.add(EventSourceRuntime.create(bindings, first, checkpoints, settings).start());
            return runtimes;
        }
        // The Kinesis stream on the second moto, as the template made it on the first.
        String streamName = stack.outputs().get("LedgerStreamName");
        StreamDescription made = first.kinesis().describeStream(r -> r.streamName(streamName)).streamDescription();
        second.kinesis().createStream(r -> r.streamName(streamName).shardCount(made.shards().size()));
        second.kinesis().waiter().waitUntilStreamExists(r -> r.streamName(streamName));
        CheckpointStore checkpoints = new CheckpointStore(second.dynamoDb(), CHECKPOINT_TABLE, Clock.systemUTC())
                .ensureTable();
        // The publisher reads the events table's stream on the first moto and puts to the second.
        MappingSpec publisherSpec = specs.get(PUBLISHER_MAPPING);
        StreamFunction publisher = new PublisherOn(new EventPublisherHandler(new EventPublisher(second.kinesis(),
                streamName)), stack.outputs().get("EventPublisherFunctionName"));
        runtimes.add(EventSourceRuntime.create(List.of(new EventSourceRuntime.Binding(publisherSpec, publisher, role)),
                first, checkpoints, settings).start());
        // The projections' mappings read Kinesis on the second moto; their handlers write to the first.
        List<EventSourceRuntime.Binding> projections = new ArrayList<>();
        for (String id : PROJECTION_MAPPINGS) {
            MappingSpec spec = specs.get(id);
            if (spec == null) {
                throw new IllegalStateException("the template has no " + id + " for a projection of the catalog");
            }
            if (spec.kind() != SourceKind.KINESIS) {
                throw new IllegalStateException(id + " does not read Kinesis");
            }
            projections.add(new EventSourceRuntime.Binding(spec, function(stack, spec), role));
        }
        runtimes.add(EventSourceRuntime.create(projections, second, checkpoints, settings).start());
        return runtimes;
    }

    /** The template's handler for the mapping, as the local stack loads it (configured by the stack's properties). */
    private static LocalFunction function(LocalStack stack, MappingSpec spec) {
        String name = stack.outputs().get(spec.functionLogicalId() + "Name");
        return LocalFunction.load(stack.template().function(spec.functionLogicalId()), name,
                "arn:aws:lambda:us-east-1:123456789012:function:" + name);
    }

    /** The publisher handler with a Kinesis client of the benchmark's choosing (the second moto). */
    private record PublisherOn(EventPublisherHandler handler, String functionName) implements StreamFunction {

        @Override
        public String functionArn() {
            return "arn:aws:lambda:us-east-1:123456789012:function:" + functionName;
        }

        @Override
        public Type inputType() {
            return DynamodbEvent.class;
        }

        @Override
        public Object invoke(Object event) {
            // The handler does not read its Lambda context.
            return handler.handleRequest((DynamodbEvent) event, null);
        }
    }

    private static Run measure(Layout layout, int round, int seconds, int workers, LocalStack stack, AwsClients aws,
                               List<EventSourceRuntime> runtimes, MotoServer first, MotoServer second)
            throws Exception {
        String eventsTable = stack.outputs().get("EventsTableName");
        AtomicInteger seeds = new AtomicInteger();
        ThreadLocal<CommandService> commands = ThreadLocal.withInitial(() -> new CommandService(
                new DynamoEventStore(aws.dynamoDb(), eventsTable), Clock.systemUTC(),
                RetryPolicy.standard(new SplittableRandom(seeds.incrementAndGet()))));
        AtomicLong events = new AtomicLong();
        for (int i = 0; i < workers; i++) {
            int pair = i;
            events.addAndGet(commit(commands.get(), "open", l -> l.openAccount(new OpenAccount("f" + pair, EUR,
                    OverdraftLimit.UNLIMITED))));
            events.addAndGet(commit(commands.get(), "open", l -> l.openAccount(new OpenAccount("c" + pair, EUR,
                    OverdraftLimit.NONE))));
        }
        double cpuFirstBefore = cpuSeconds(first.pid());
        double cpuSecondBefore = second == null ? 0 : cpuSeconds(second.pid());
        AtomicLong commits = new AtomicLong();
        long started = System.nanoTime();
        long stopAt = started + TimeUnit.SECONDS.toNanos(seconds);
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        List<Future<?>> running = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            int pair = w;
            running.add(pool.submit(() -> {
                CommandService service = commands.get();
                for (long k = 0; System.nanoTime() < stopAt; k++) {
                    String id = "t-" + pair + "-" + k;
                    events.addAndGet(commit(service, id, l -> l.transfer(id, TransferRequest.posted("f" + pair,
                            "c" + pair, Money.parse("1.00", EUR)))));
                    commits.incrementAndGet();
                }
                return null;
            }));
        }
        for (Future<?> worker : running) {
            worker.get();
        }
        pool.shutdown();
        long loadEnded = System.nanoTime();
        long total = events.get();
        long behind = total - slowestProjection(runtimes);
        while (slowestProjection(runtimes) < total) {
            if (System.nanoTime() - loadEnded > DRAIN_DEADLINE_NANOS) {
                throw new IllegalStateException(layout + ": the projections were still behind after 10 minutes ("
                        + slowestProjection(runtimes) + " of " + total + ")");
            }
            Thread.sleep(50); // a poll of in-process counters, not synchronisation of the work measured
        }
        long drained = System.nanoTime();
        return new Run(layout, round, commits.get(), total, (loadEnded - started) / 1e9, (drained - loadEnded) / 1e9,
                behind, cpuSeconds(first.pid()) - cpuFirstBefore,
                second == null ? 0 : cpuSeconds(second.pid()) - cpuSecondBefore);
    }

    /** Records the slowest projection mapping has been handed (redeliveries count: a lower bound on done). */
    private static long slowestProjection(List<EventSourceRuntime> runtimes) {
        long slowest = Long.MAX_VALUE;
        for (EventSourceRuntime runtime : runtimes) {
            for (MappingSpec spec : runtime.mappings()) {
                if (PROJECTION_MAPPINGS.contains(spec.id())) {
                    slowest = Math.min(slowest, runtime.stats(spec.id()).recordsDelivered());
                }
            }
        }
        return slowest;
    }

    /** Runs a command that must be accepted; returns how many events it appended. */
    private static long commit(CommandService commands, String what,
                               Function<Ledger, LedgerResult> command) {
        CommandService.Committed committed = commands.execute("bench", command);
        if (committed.result().isRejected()) {
            throw new IllegalStateException(what + " was refused: " + committed.result().rejection());
        }
        return committed.events().size();
    }

    /** User + system CPU seconds of the process and its descendants (the launcher may be a wrapper). */
    static double cpuSeconds(long pid) {
        return Stream.concat(Stream.of(pid), ProcessHandle.of(pid).stream().flatMap(ProcessHandle::descendants)
                        .map(ProcessHandle::pid))
                .mapToDouble(SecondEmulatorBenchmark::ownCpuSeconds).sum();
    }

    private static double ownCpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // Fields after the command name (which may hold spaces) in parentheses: utime is the 14th, stime the 15th.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / (double) CLOCK_TICKS_PER_SECOND;
        } catch (IOException | RuntimeException gone) {
            return 0;
        }
    }
}
