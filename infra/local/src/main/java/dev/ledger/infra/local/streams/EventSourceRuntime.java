package dev.ledger.infra.local.streams;

import dev.ledger.infra.Intrinsics;
import dev.ledger.infra.Template;
import dev.ledger.localaws.AwsClients;
import java.lang.reflect.Type;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The template's event source mappings, run locally the way Lambda runs them: each shard of each
 * mapping's stream is polled with the emulator's real DynamoDB Streams or Kinesis API, its records
 * are handed to the mapping's function in batches (the event JSON Lambda sends, deserialized with
 * Lambda's own serializers), one batch per shard at a time, and each shard's progress is
 * checkpointed in a DynamoDB table ({@link CheckpointStore}) so a restart resumes where the last
 * run stopped. Failures follow the mapping's settings: partial batch responses, bisection, retry
 * and age limits, the OnFailure destination (see {@link ShardPoller}).
 *
 * <p>Two ways to run it: {@link #start()} polls on background threads until {@link #close()};
 * {@link #runUntilIdle(Duration)} (never after start) steps every shard on the caller's thread
 * until nothing is left to do, not waiting out backoffs, which makes tests deterministic.
 *
 * <p>A mapping's ParallelizationFactor F splits each batch into up to F lanes by partition key
 * (item key for DynamoDB Streams), invoked at once on a shared lane pool, each key in order; the
 * checkpoint waits for every lane (see {@link ShardPoller}). {@link Settings#maxParallelization()}
 * caps F (1 by default: one batch at a time, fewest requests on the emulator). Every shard of the stream is polled,
 * however many there are: an on-demand stream's, a provisioned stream's, those of a split.
 *
 * <p>Threads: one scheduled pool ({@link Settings#threads()}). Each shard is a task that does one
 * step and schedules its next (now after work, after the poll interval when idle, at the end of a
 * backoff), so a shard never runs on two threads at once; shards of all mappings share the pool.
 * A discovery task per mapping lists the stream's shards every {@link Settings#shardDiscoveryInterval()}
 * and starts a poller for each new shard once its parent shard (after a split or merge) is done.
 */
public final class EventSourceRuntime implements AutoCloseable {

    /**
     * How to run.
     *
     * @param pollInterval how long a shard waits before reading again when it has read all there
     *     was: after an empty read, and after a batch shorter than BatchSize (Lambda: 1 s for Kinesis,
     *     250 ms for DynamoDB Streams); after a full batch it reads on at once
     * @param retryBackoff the wait before retrying a failed batch
     * @param clock the time records' ages and invocation records are measured with
     * @param faults the faults injected into deliveries
     * @param log where the runtime reports what went wrong (function errors, records given up on)
     * @param maxParallelization the most lanes a batch is split into, whatever a mapping's
     *     ParallelizationFactor (the factor is a ceiling: Lambda too may run fewer concurrent batches;
     *     each key keeps its order either way)
     */
    public record Settings(Duration pollInterval, Duration shardDiscoveryInterval, Backoff retryBackoff, int threads,
                           Clock clock, DeliveryFaults faults, Consumer<String> log, int maxParallelization) {

        public Settings {
            Objects.requireNonNull(pollInterval);
            Objects.requireNonNull(shardDiscoveryInterval);
            Objects.requireNonNull(retryBackoff);
            Objects.requireNonNull(clock);
            Objects.requireNonNull(faults);
            Objects.requireNonNull(log);
            if (threads < 1) {
                throw new IllegalArgumentException("At least one thread");
            }
            if (maxParallelization < 1 || maxParallelization > MappingSpec.MAX_PARALLELIZATION_FACTOR) {
                throw new IllegalArgumentException("maxParallelization must be 1 to "
                        + MappingSpec.MAX_PARALLELIZATION_FACTOR + ", not " + maxParallelization);
            }
        }

        public static Settings defaults() {
            // 250 ms, DynamoDB Streams' cadence on Lambda: each of the 4 mappings then makes at most 4
            // reads a second at the tip, and a batch gathers a quarter second of records, which keeps
            // the one-process emulator free for the batches' own requests; two hops add at most 0.5 s.
            // One lane: a projection applies a batch in a few requests whatever its size, so the
            // template's 10 lanes (concurrency for AWS) cost the one-process emulator up to 10 times
            // the requests for the same records (measured: 2.0 against 0.5 requests per event in a
            // catch-up, benchmarks/results/2026-11-29-read-path.md); each key keeps its order either way.
            return new Settings(Duration.ofMillis(250), Duration.ofSeconds(10),
                    new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5)), 4, Clock.systemUTC(), DeliveryFaults.NONE,
                    message -> System.err.println("[local streams] " + message), 1);
        }

        public Settings withPollInterval(Duration value) {
            return new Settings(value, shardDiscoveryInterval, retryBackoff, threads, clock, faults, log,
                    maxParallelization);
        }

        public Settings withRetryBackoff(Backoff value) {
            return new Settings(pollInterval, shardDiscoveryInterval, value, threads, clock, faults, log,
                    maxParallelization);
        }

        public Settings withThreads(int value) {
            return new Settings(pollInterval, shardDiscoveryInterval, retryBackoff, value, clock, faults, log,
                    maxParallelization);
        }

        public Settings withClock(Clock value) {
            return new Settings(pollInterval, shardDiscoveryInterval, retryBackoff, threads, value, faults, log,
                    maxParallelization);
        }

        public Settings withFaults(DeliveryFaults value) {
            return new Settings(pollInterval, shardDiscoveryInterval, retryBackoff, threads, clock, value, log,
                    maxParallelization);
        }

        public Settings withMaxParallelization(int value) {
            return new Settings(pollInterval, shardDiscoveryInterval, retryBackoff, threads, clock, faults, log,
                    value);
        }

        public Settings withLog(Consumer<String> value) {
            return new Settings(pollInterval, shardDiscoveryInterval, retryBackoff, threads, clock, faults, value,
                    maxParallelization);
        }
    }

    /**
     * A mapping and the function it invokes.
     *
     * @param invokeIdentityArn the function's execution role, which Kinesis records name
     */
    public record Binding(MappingSpec spec, StreamFunction function, String invokeIdentityArn) {
    }

    /** One mapping at run time: its stream, its shards' pollers, its counters. */
    private static final class Mapping {
        final Binding binding;
        final StreamSource source;
        final Optional<FailureDestination> destination;
        final MappingStats stats = new MappingStats();
        final Map<String, ShardPoller> pollers = new ConcurrentHashMap<>();

        Mapping(Binding binding, StreamSource source, Optional<FailureDestination> destination) {
            this.binding = binding;
            this.source = source;
            this.destination = destination;
        }
    }

    private final Map<String, Mapping> mappings;
    private final CheckpointStore checkpoints;
    private final Settings settings;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private ScheduledExecutorService executor;
    /** Runs the lanes of a batch at once for mappings with a ParallelizationFactor above 1. */
    private final ExecutorService lanePool;

    private EventSourceRuntime(Map<String, Mapping> mappings, CheckpointStore checkpoints, Settings settings) {
        this.mappings = mappings;
        this.checkpoints = checkpoints;
        this.settings = settings;
        AtomicInteger number = new AtomicInteger();
        this.lanePool = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "event-lanes-" + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * A runtime for these mappings (disabled ones are left out), reading through the clients'
     * endpoint and keeping checkpoints in {@code checkpoints} (its table is created if missing).
     */
    public static EventSourceRuntime create(List<Binding> bindings, AwsClients clients, CheckpointStore checkpoints,
                                            Settings settings) {
        Map<String, Mapping> mappings = new LinkedHashMap<>();
        for (Binding declared : bindings) {
            if (!declared.spec().enabled()) {
                continue;
            }
            requireInput(declared);
            Binding binding = declared.spec().parallelizationFactor() <= settings.maxParallelization() ? declared
                    : new Binding(declared.spec().withParallelizationFactor(settings.maxParallelization()),
                            declared.function(), declared.invokeIdentityArn());
            MappingSpec spec = binding.spec();
            StreamSource source = spec.kind() == SourceKind.KINESIS
                    ? new KinesisStreamSource(clients.kinesis(), spec.sourceArn(), region(spec.sourceArn()),
                            binding.invokeIdentityArn())
                    : new DynamoDbStreamSource(clients.dynamoDbStreams(), spec.sourceArn(), region(spec.sourceArn()));
            Optional<FailureDestination> destination = spec.onFailureDestinationArn()
                    .map(arn -> new FailureDestination(clients.sqs(), arn));
            if (mappings.put(spec.id(), new Mapping(binding, source, destination)) != null) {
                throw new IllegalArgumentException("Two mappings with the id " + spec.id());
            }
        }
        checkpoints.ensureTable();
        return new EventSourceRuntime(mappings, checkpoints, settings);
    }

    /**
     * The template's event source mappings, whatever their Condition (on Stage=local they are not
     * created in the emulator; this runtime stands in for them), evaluated with the resolver of
     * the deployed stack, each with its function.
     *
     * @param functions the in-process functions by logical id
     */
    public static List<Binding> bindings(Template template, Intrinsics.Resolver resolver,
                                         Map<String, ? extends StreamFunction> functions, String accountId) {
        List<Binding> bindings = new ArrayList<>();
        for (Template.EventSourceMapping mapping : template.eventSourceMappings()) {
            MappingSpec spec = MappingSpec.of(mapping, resolver);
            StreamFunction function = functions.get(spec.functionLogicalId());
            if (function == null) {
                throw new IllegalStateException("The event source mapping " + mapping.logicalId() + " needs function "
                        + spec.functionLogicalId() + ", which is not running");
            }
            String role = template.function(spec.functionLogicalId()).roleLogicalId();
            String roleName;
            try {
                roleName = resolver.ref(role).asText();
            } catch (IllegalArgumentException unknown) {
                roleName = role;
            }
            bindings.add(new Binding(spec, function, "arn:aws:iam::" + accountId + ":role/" + roleName));
        }
        return bindings;
    }

    public CheckpointStore checkpoints() {
        return checkpoints;
    }

    public List<MappingSpec> mappings() {
        return mappings.values().stream().map(m -> m.binding.spec()).toList();
    }

    /** The counters of one mapping since this runtime was created. */
    public MappingStats.Snapshot stats(String mappingId) {
        Mapping mapping = mappings.get(mappingId);
        if (mapping == null) {
            throw new IllegalArgumentException("No mapping " + mappingId);
        }
        return mapping.stats.snapshot();
    }

    /** Starts polling every mapping on background threads. */
    public synchronized EventSourceRuntime start() {
        if (closed.get()) {
            throw new IllegalStateException("closed");
        }
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("already started");
        }
        AtomicInteger number = new AtomicInteger();
        executor = Executors.newScheduledThreadPool(settings.threads(), runnable -> {
            Thread thread = new Thread(runnable, "event-sources-" + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        for (Mapping mapping : mappings.values()) {
            long every = settings.shardDiscoveryInterval().toMillis();
            executor.scheduleWithFixedDelay(() -> discoverAndSchedule(mapping), 0, every, TimeUnit.MILLISECONDS);
        }
        return this;
    }

    /**
     * Steps every shard on this thread until none has anything left to do (every stream read to
     * its end and every batch done with or given up on), not waiting out backoffs, delays or
     * batching windows. Mappings feeding one another (a function writing to a stream another
     * mapping reads) settle together.
     *
     * @return false if there was still work when the timeout passed (a batch that keeps failing
     *     with unlimited retries, say)
     */
    public boolean runUntilIdle(Duration timeout) {
        return runUntilIdle(timeout, () -> false);
    }

    /**
     * As {@link #runUntilIdle(Duration)}, stopping early, between two steps, once {@code stopWhen}
     * holds (a test's way to stop a runtime mid-stream, as a process that is shut down would).
     *
     * @return false if it stopped for the timeout or for {@code stopWhen}, with work left
     */
    public boolean runUntilIdle(Duration timeout, BooleanSupplier stopWhen) {
        if (started.get() || closed.get()) {
            throw new IllegalStateException("runUntilIdle is for a runtime that was not started");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean worked = false;
            for (Mapping mapping : mappings.values()) {
                discover(mapping);
                for (ShardPoller poller : List.copyOf(mapping.pollers.values())) {
                    if (stopWhen.getAsBoolean()) {
                        return false;
                    }
                    ShardPoller.Step step = poller.step(true);
                    if (step instanceof ShardPoller.Step.Worked || step instanceof ShardPoller.Step.Waiting) {
                        worked = true;
                    }
                }
            }
            if (!worked) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (executor != null) {
            executor.shutdown();
            try {
                // A batch in flight finishes and is checkpointed; nothing new starts.
                if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                    executor.shutdownNow();
                }
            } catch (InterruptedException e) {
                executor.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        // After the pollers: a step in flight waits for its lanes.
        lanePool.shutdown();
    }

    // ----------------------------------------------------------------------------------------

    private void discoverAndSchedule(Mapping mapping) {
        if (closed.get()) {
            return;
        }
        try {
            for (ShardPoller poller : discover(mapping)) {
                schedule(mapping, poller, Duration.ZERO);
            }
        } catch (RuntimeException e) {
            settings.log().accept(mapping.binding.spec().id() + ": listing the shards of "
                    + mapping.binding.spec().sourceArn() + " failed: " + e);
        }
    }

    /** Starts pollers for new shards whose parent is done (or unknown); returns them. */
    private synchronized List<ShardPoller> discover(Mapping mapping) {
        List<ShardPoller> added = new ArrayList<>();
        List<StreamSource.Shard> shards = mapping.source.shards();
        List<String> listed = shards.stream().map(StreamSource.Shard::shardId).toList();
        for (StreamSource.Shard shard : shards) {
            if (mapping.pollers.containsKey(shard.shardId())) {
                continue;
            }
            Optional<String> parent = shard.parentShardId().filter(listed::contains);
            if (parent.isPresent() && (!mapping.pollers.containsKey(parent.get())
                    || !mapping.pollers.get(parent.get()).isDone())) {
                continue; // the parent's records come first
            }
            ShardPoller poller = new ShardPoller(mapping.binding.spec(), mapping.source, shard.shardId(),
                    mapping.binding.function(), checkpoints, mapping.destination, settings.clock(), settings.faults(),
                    settings.retryBackoff(), mapping.stats, settings.log(), lanePool);
            mapping.pollers.put(shard.shardId(), poller);
            added.add(poller);
        }
        return added;
    }

    private void schedule(Mapping mapping, ShardPoller poller, Duration delay) {
        if (closed.get()) {
            return;
        }
        try {
            executor.schedule(() -> run(mapping, poller), Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            // closing
        }
    }

    private void run(Mapping mapping, ShardPoller poller) {
        if (closed.get()) {
            return;
        }
        ShardPoller.Step step;
        try {
            step = poller.step(false);
        } catch (RuntimeException | Error e) {
            settings.log().accept(mapping.binding.spec().id() + " " + poller.shardId() + ": " + e);
            schedule(mapping, poller, settings.retryBackoff().initial());
            return;
        }
        if (step instanceof ShardPoller.Step.Worked) {
            schedule(mapping, poller, Duration.ZERO);
        } else if (step instanceof ShardPoller.Step.Idle) {
            schedule(mapping, poller, settings.pollInterval());
        } else if (step instanceof ShardPoller.Step.Waiting waiting) {
            schedule(mapping, poller, Duration.between(settings.clock().instant(), waiting.until()));
        } else {
            discoverAndSchedule(mapping); // a finished parent lets its children start
        }
    }

    private static void requireInput(Binding binding) {
        Type input = binding.function().inputType();
        String expected = binding.spec().kind() == SourceKind.KINESIS
                ? "com.amazonaws.services.lambda.runtime.events.KinesisEvent"
                : "com.amazonaws.services.lambda.runtime.events.DynamodbEvent";
        if (input != null && !input.getTypeName().equals(expected) && !input.getTypeName().equals("java.io.InputStream")
                && !input.getTypeName().equals("java.lang.Object") && !input.getTypeName().startsWith("java.util.Map")) {
            throw new IllegalStateException("Function " + binding.spec().functionLogicalId() + " reads "
                    + binding.spec().sourceArn() + " through " + binding.spec().id() + " and so must take " + expected
                    + ", not " + input.getTypeName());
        }
    }

    private static String region(String arn) {
        return arn.split(":")[3];
    }
}
