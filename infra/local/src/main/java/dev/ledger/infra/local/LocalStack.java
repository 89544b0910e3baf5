package dev.ledger.infra.local;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2CustomAuthorizerEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import dev.ledger.http.ApiTokens;
import dev.ledger.infra.GeneratedTokens;
import dev.ledger.infra.Intrinsics;
import dev.ledger.infra.StackDeployer;
import dev.ledger.infra.Template;
import dev.ledger.infra.TokenSecret;
import dev.ledger.infra.local.jwt.JwtAuthorizer;
import dev.ledger.infra.local.streams.CheckpointStore;
import dev.ledger.infra.local.streams.EventSourceRuntime;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.MotoServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The whole system on one machine: the emulator (moto, through {@link MotoServer}), the template
 * deployed to it with CloudFormation (Stage=local), and the template's functions run in this JVM
 * — HTTP routes served on 127.0.0.1 by {@link HttpApiGateway}, schedules by
 * {@link ScheduleRunner}, event source mappings by {@link EventSourceRuntime}. The functions are the handler classes the template names, configured
 * as Lambda would configure them: their Environment, evaluated against the deployed stack, set as
 * system properties (which the handlers read when no environment variable is set), plus the
 * emulator's endpoint, region and dummy credentials.
 *
 * <p>{@link #close()} stops everything it started, restores the system properties and deletes
 * the state file.
 */
public final class LocalStack implements AutoCloseable {

    public static final String STAGE = "local";
    /** moto's account. */
    public static final String ACCOUNT_ID = "123456789012";
    public static final String REGION = AwsClients.REGION.id();
    public static final String ENDPOINT_PROPERTY = "LEDGER_AWS_ENDPOINT";
    /**
     * The environment variable of {@code ./ledger local} that chooses its API tokens ({@code token=role,...}).
     * Only their digests reach the stack (its token secret); no function is given tokens.
     */
    public static final String API_TOKENS_PROPERTY = "LEDGER_API_TOKENS";

    /**
     * How to run it.
     *
     * @param port HTTP port on 127.0.0.1, 0 for any free port
     * @param templateFile the template to deploy; empty for the one on the classpath
     * @param emulator an emulator already running; empty to start one
     * @param apiTokens {@code token=role,...}; empty to generate one token per role
     * @param scheduleInterval how often the template's schedules run locally
     * @param stateFile where to write what later tools need (endpoint, port, outputs, tokens); empty for none
     * @param artifact the Lambda artifact to upload; empty for the ledger-functions jar on the classpath
     * @param httpConcurrency how many HTTP requests the local API serves at once (each may need its own
     *     function instance, as with Lambda's concurrency); further whole requests wait their turn.
     *     Connections are not limited by it: each has its own thread, up to 1024, with read timeouts
     *     (see {@link LocalHttpServer})
     * @param eventSources how the template's event source mappings run (poll interval, backoff,
     *     injected delivery faults); see {@link EventSourceRuntime}
     * @param runEventSources false to leave the stream consumers out (the write path alone, e.g. for a benchmark)
     * @param dataDirectory where the ledger is kept across restarts (see {@link DataDirectory}); empty: the
     *     emulator keeps everything in memory, and a restart starts empty
     * @param fresh with a data directory: forget what it holds and start empty
     * @param auth who may call the API: static tokens (the default) or JWTs of an issuer
     */
    public record Options(int port, Optional<Path> templateFile, Optional<URI> emulator, String stackName,
                          String codeBucket, Optional<String> apiTokens, Duration scheduleInterval,
                          Optional<Path> stateFile, Optional<Path> artifact, int httpConcurrency,
                          EventSourceRuntime.Settings eventSources, boolean runEventSources,
                          Optional<Path> dataDirectory, boolean fresh, ApiAuth auth) {

        public Options {
            Objects.requireNonNull(auth);
            Objects.requireNonNull(stackName);
            Objects.requireNonNull(codeBucket);
            Objects.requireNonNull(eventSources);
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("Not a port: " + port);
            }
            if (scheduleInterval.isNegative() || scheduleInterval.isZero()) {
                throw new IllegalArgumentException("The schedule interval must be positive");
            }
        }

        /**
         * Schedules run every minute, the template's rate on AWS. Not faster: the hold-expiry sweep
         * queries the pending-holds index, and moto walks the whole events table for an index query,
         * so at 10 s it stalled the one-process emulator for about 1.5 s every 10-15 s (the
         * projections' lag p99 in the read-path benchmark came from those stalls).
         */
        public static final Duration DEFAULT_SCHEDULE_INTERVAL = Duration.ofMinutes(1);

        public static Options defaults() {
            return new Options(8080, Optional.empty(), Optional.empty(), "ledger-local", "ledger-local-code",
                    Optional.empty(), DEFAULT_SCHEDULE_INTERVAL, Optional.empty(), Optional.empty(), 16,
                    EventSourceRuntime.Settings.defaults(), true, Optional.empty(), false, ApiAuth.tokens());
        }

        public Options withPort(int value) {
            return new Options(value, templateFile, emulator, stackName, codeBucket, apiTokens, scheduleInterval,
                    stateFile, artifact, httpConcurrency, eventSources, runEventSources, dataDirectory, fresh, auth);
        }

        public Options withTemplateFile(Path value) {
            return new Options(port, Optional.of(value), emulator, stackName, codeBucket, apiTokens, scheduleInterval,
                    stateFile, artifact, httpConcurrency, eventSources, runEventSources, dataDirectory, fresh, auth);
        }

        public Options withEmulator(URI value) {
            return new Options(port, templateFile, Optional.of(value), stackName, codeBucket, apiTokens,
                    scheduleInterval, stateFile, artifact, httpConcurrency, eventSources, runEventSources, dataDirectory, fresh, auth);
        }

        public Options withStackName(String value) {
            return new Options(port, templateFile, emulator, value, codeBucket, apiTokens, scheduleInterval, stateFile,
                    artifact, httpConcurrency, eventSources, runEventSources, dataDirectory, fresh, auth);
        }

        public Options withCodeBucket(String value) {
            return new Options(port, templateFile, emulator, stackName, value, apiTokens, scheduleInterval, stateFile,
                    artifact, httpConcurrency, eventSources, runEventSources, dataDirectory, fresh, auth);
        }

        public Options withApiTokens(String value) {
            return new Options(port, templateFile, emulator, stackName, codeBucket, Optional.of(value),
                    scheduleInterval, stateFile, artifact, httpConcurrency, eventSources, runEventSources, dataDirectory, fresh, auth);
        }

        public Options withScheduleInterval(Duration value) {
            return new Options(port, templateFile, emulator, stackName, codeBucket, apiTokens, value, stateFile,
                    artifact, httpConcurrency, eventSources, runEventSources, dataDirectory, fresh, auth);
        }

        public Options withStateFile(Path value) {
            return new Options(port, templateFile, emulator, stackName, codeBucket, apiTokens, scheduleInterval,
                    Optional.of(value), artifact, httpConcurrency, eventSources, runEventSources, dataDirectory, fresh, auth);
        }

        public Options withArtifact(Path value) {
            return new Options(port, templateFile, emulator, stackName, codeBucket, apiTokens, scheduleInterval,
                    stateFile, Optional.of(value), httpConcurrency, eventSources, runEventSources, dataDirectory, fresh, auth);
        }

        public Options withEventSources(EventSourceRuntime.Settings value) {
            return new Options(port, templateFile, emulator, stackName, codeBucket, apiTokens, scheduleInterval,
                    stateFile, artifact, httpConcurrency, value, runEventSources, dataDirectory, fresh, auth);
        }

        public Options withDataDirectory(Path value) {
            return new Options(port, templateFile, emulator, stackName, codeBucket, apiTokens, scheduleInterval,
                    stateFile, artifact, httpConcurrency, eventSources, runEventSources, Optional.of(value), fresh, auth);
        }

        /** Starts with an empty data directory (what it held is deleted). */
        public Options withFresh() {
            return new Options(port, templateFile, emulator, stackName, codeBucket, apiTokens, scheduleInterval,
                    stateFile, artifact, httpConcurrency, eventSources, runEventSources, dataDirectory, true, auth);
        }

        public Options withAuth(ApiAuth value) {
            return new Options(port, templateFile, emulator, stackName, codeBucket, apiTokens, scheduleInterval,
                    stateFile, artifact, httpConcurrency, eventSources, runEventSources, dataDirectory, fresh, value);
        }

        public Options withoutEventSources() {
            return new Options(port, templateFile, emulator, stackName, codeBucket, apiTokens, scheduleInterval,
                    stateFile, artifact, httpConcurrency, eventSources, false, dataDirectory, fresh, auth);
        }
    }

    /** One API token and its role. */
    public record ApiToken(String token, String role) {
    }

    private final AtomicBoolean closed = new AtomicBoolean();
    private final List<AutoCloseable> resources = new ArrayList<>(); // closed in reverse order
    private final HandlerProperties handlerProperties = new HandlerProperties();
    private MotoServer moto;
    /** Where the event-source checkpoints are kept: a second emulator of the stack's own, else {@link #clients}. */
    private AwsClients checkpointClients;
    private AwsClients clients;
    private Template template;
    private StackDeployer.Result deployment;
    private Map<String, String> handlerConfiguration = Map.of();
    private String tokenSpec;
    private List<ApiToken> tokens = List.of();
    private HttpApiGateway gateway;
    private EventSourceRuntime eventSources;
    private Optional<Path> stateFile = Optional.empty();
    private Optional<DataDirectory> dataDirectory = Optional.empty();
    private boolean reusedDeployment;

    private LocalStack() {
    }

    public static LocalStack start(Options options) {
        LocalStack stack = new LocalStack();
        try {
            stack.boot(options);
            return stack;
        } catch (RuntimeException | Error e) {
            stack.close();
            throw e;
        }
    }

    private void boot(Options options) {
        template = options.templateFile().map(Template::read).orElseGet(Template::bundled);
        options.stateFile().ifPresent(StateFile::refuseIfRunning);
        dataDirectory = options.dataDirectory().map(DataDirectory::new);

        // The emulator first: with a data directory it takes the directory's lock, so a --fresh
        // start cannot delete the tokens of a stack that is still running on it.
        URI endpoint = startEmulator(options);
        tokenSpec = tokenSpec(options);
        // In jwt mode the token authorizer and its secret do not exist: no token would be let in.
        tokens = options.auth().isJwt() ? List.of() : parseTokens(tokenSpec);
        Map<String, String> physicalIds = deployOrReuse(options);
        HandlerEnvironment environment = HandlerEnvironment.evaluate(template, deployment, physicalIds, REGION, ACCOUNT_ID);
        if (!options.auth().isJwt()) {
            LocalSecrets.create(template, deployment.parameters(), environment.resolver(), clients.secretsManager());
            storeTokenDigests();
        }
        configureHandlers(environment, endpoint);
        LocalFunctions functions = LocalFunctions.load(template, deployment.parameters(), physicalIds, REGION, ACCOUNT_ID,
                resources::add);
        startGateway(options, functions, environment.resolver());
        startSchedules(options, functions, physicalIds);
        startEventSources(options, functions, environment.resolver());
        writeStateFile(options);
    }

    /**
     * The emulator: the one given, or a moto server of its own; with a data directory, one that
     * keeps its state there (replayed from its journal first, unless fresh).
     */
    private URI startEmulator(Options options) {
        URI endpoint;
        if (options.emulator().isPresent()) {
            endpoint = options.emulator().get();
        } else {
            moto = dataDirectory.map(data -> MotoServer.startPersistent(data.emulator(), options.fresh()))
                    .orElseGet(MotoServer::start);
            resources.add(moto);
            endpoint = moto.endpoint();
        }
        clients = AwsClients.forEndpoint(endpoint);
        resources.add(clients);
        checkpointClients = clients;
        if (options.emulator().isEmpty() && options.runEventSources()) {
            // The checkpoints on a moto process of their own: every batch of every mapping waits for
            // its checkpoint write, which on the one emulator queued behind the commands' traffic.
            // Measured (benchmarks/run second-emulator, quiet machine, 2026-11-30): 1.11x the pipeline's
            // events/s, and 128-320 events behind at the end of 30 s of load instead of 873-963, for
            // 2.8% of the emulators' CPU. Kinesis on it too gave 1.20x, but needs the publisher and
            // the runtime to split their endpoints; not done.
            MotoServer checkpoints = dataDirectory
                    .map(data -> MotoServer.startPersistent(data.checkpoints(), options.fresh()))
                    .orElseGet(MotoServer::start);
            resources.add(checkpoints);
            checkpointClients = AwsClients.forEndpoint(checkpoints.endpoint());
            resources.add(checkpointClients);
        }
        return endpoint;
    }

    /**
     * The API tokens: the caller's; else, with a data directory, the ones generated for its first
     * run (so clients keep working across restarts); else new ones, kept in the data directory if any.
     */
    private String tokenSpec(Options options) {
        Optional<String> given = options.apiTokens().filter(s -> !s.isBlank());
        if (given.isPresent()) {
            return given.get();
        }
        if (dataDirectory.isEmpty()) {
            return GeneratedTokens.oneForEachRole();
        }
        DataDirectory data = dataDirectory.get();
        if (options.fresh()) {
            data.forgetTokens();
        }
        return data.generatedTokens().orElseGet(() -> {
            String generated = GeneratedTokens.oneForEachRole();
            data.keepGeneratedTokens(generated);
            return generated;
        });
    }

    /**
     * The template, deployed as CloudFormation would deploy it on AWS, or with a data directory
     * found deployed and reused (see {@link StackDeployment}); its resources' physical ids.
     */
    private Map<String, String> deployOrReuse(Options options) {
        Map<String, String> parameters = new LinkedHashMap<>(Map.of("Stage", STAGE));
        parameters.putAll(options.auth().templateParameters());
        StackDeployment.Deployed deployed = StackDeployment.deployOrReuse(template, clients, options.stackName(),
                options.codeBucket(), parameters,
                () -> options.artifact().orElseGet(() -> FunctionArtifact.find(template, resources::add)),
                dataDirectory.isPresent());
        deployment = deployed.result();
        reusedDeployment = deployed.reused();
        return deployed.physicalIds();
    }

    /**
     * This run's tokens into the stack's token secret, as digests (what {@code ./ledger tokens issue}
     * writes on AWS), beside any issued with {@code ./ledger tokens}: the authorizer then accepts them.
     */
    private void storeTokenDigests() {
        String secretId = deployment.outputs().get(TokenSecret.OUTPUT);
        if (secretId == null) {
            throw new IllegalStateException("The template has no output " + TokenSecret.OUTPUT
                    + ": the local stack cannot give its authorizer the API tokens");
        }
        new TokenSecret(clients.secretsManager(), secretId)
                .keep(ApiTokens.named(ApiTokens.grants(tokenSpec)));
    }

    /** The handlers' configuration: what Lambda would put in their environment, and the emulator. */
    private void configureHandlers(HandlerEnvironment environment, URI endpoint) {
        Map<String, String> configuration = new LinkedHashMap<>(environment.variables());
        configuration.put(ENDPOINT_PROPERTY, endpoint.toString());
        configuration.put("aws.region", REGION);
        configuration.put("aws.accessKeyId", "local");
        configuration.put("aws.secretAccessKey", "local");
        configuration.put("aws.cborEnabled", "false");
        handlerConfiguration = Map.copyOf(configuration);
        handlerProperties.set(configuration);
    }

    /**
     * The HTTP API: the template's routes, whatever their Condition (moto cannot create them), each
     * with the authorizer the stack's parameters give it (AuthMode).
     */
    private void startGateway(Options options, LocalFunctions functions, Intrinsics.Resolver resolver) {
        List<Template.Route> routes = template.routes(deployment.parameters());
        Map<String, Template.Authorizer> authorizers = new LinkedHashMap<>();
        Map<String, HttpApiGateway.JwtGate> jwtAuthorizers = new LinkedHashMap<>();
        for (Template.Route route : routes) {
            functions.require(route.functionLogicalId(), "route " + route.routeKey())
                    .requireInput(APIGatewayV2HTTPEvent.class, "the HTTP route " + route.routeKey());
            route.authorizerLogicalId().filter(id -> template.authorizerType(id).equals("JWT"))
                    .ifPresent(id -> jwtAuthorizers.computeIfAbsent(id, jwt -> jwtGate(jwt, resolver, options.auth().clock())));
            route.authorizerLogicalId().filter(id -> !template.authorizerType(id).equals("JWT"))
                    .ifPresent(id -> authorizers.computeIfAbsent(id, template::authorizer));
        }
        for (Template.Authorizer authorizer : authorizers.values()) {
            functions.require(authorizer.functionLogicalId(), "authorizer " + authorizer.logicalId())
                    .requireInput(APIGatewayV2CustomAuthorizerEvent.class, "the HTTP API authorizer");
        }
        gateway = HttpApiGateway.start(routes, authorizers, jwtAuthorizers, functions.byLogicalId(), options.port(),
                LocalHttpServer.Settings.defaults().withMaxConcurrentRequests(options.httpConcurrency()), REGION,
                ACCOUNT_ID);
        resources.add(gateway);
    }

    /** The template's JWT authorizer with its issuer and audience evaluated against the stack's parameters. */
    private HttpApiGateway.JwtGate jwtGate(String logicalId, Intrinsics.Resolver resolver, Clock clock) {
        Template.JwtAuthorizer spec = template.jwtAuthorizer(logicalId);
        String issuer = Intrinsics.evaluate(spec.issuer(), resolver).asText();
        List<String> audiences = new ArrayList<>();
        Intrinsics.evaluate(spec.audience(), resolver).forEach(audience -> audiences.add(audience.asText()));
        return new HttpApiGateway.JwtGate(spec.identitySources(), JwtAuthorizer.forIssuer(issuer, audiences, clock));
    }

    /** Schedules, on a local period. */
    private void startSchedules(Options options, LocalFunctions functions, Map<String, String> physicalIds) {
        List<ScheduleRunner.Job> jobs = new ArrayList<>();
        for (Template.Schedule schedule : template.schedules()) {
            if (!schedule.enabled() || !template.isCreated(schedule.logicalId(), deployment.parameters())) {
                continue;
            }
            List<LocalFunction> targets = new ArrayList<>();
            for (String id : schedule.functionLogicalIds()) {
                LocalFunction target = functions.require(id, "schedule " + schedule.logicalId());
                target.requireInput(ScheduledEvent.class, "the schedule " + schedule.logicalId());
                targets.add(target);
            }
            String ruleName = physicalIds.getOrDefault(schedule.logicalId(), schedule.logicalId());
            jobs.add(new ScheduleRunner.Job(schedule.logicalId(),
                    "arn:aws:events:" + REGION + ":" + ACCOUNT_ID + ":rule/" + ruleName, List.copyOf(targets)));
        }
        if (!jobs.isEmpty()) {
            resources.add(ScheduleRunner.start(jobs, options.scheduleInterval(), REGION, ACCOUNT_ID));
        }
    }

    /**
     * Stream consumers: the template's event source mappings (not created in moto on
     * Stage=local, where it would swallow the streams), run in-process with Lambda's semantics.
     */
    private void startEventSources(Options options, LocalFunctions functions, Intrinsics.Resolver resolver) {
        List<EventSourceRuntime.Binding> bindings = EventSourceRuntime.bindings(template, resolver,
                functions.byLogicalId(), ACCOUNT_ID);
        if (!bindings.isEmpty() && options.runEventSources()) {
            eventSources = EventSourceRuntime.create(bindings, clients,
                    new CheckpointStore(checkpointClients.dynamoDb(), CheckpointStore.tableFor(options.stackName()),
                            options.eventSources().clock()),
                    options.eventSources());
            resources.add(eventSources);
            eventSources.start();
        }
    }

    /** The state file, for later tools. */
    private void writeStateFile(Options options) {
        if (options.stateFile().isPresent()) {
            StateFile.write(options.stateFile().get(), this);
            stateFile = options.stateFile();
        }
    }

    /** The HTTP API's base URL, e.g. http://127.0.0.1:8080. */
    public URI httpUrl() {
        return URI.create("http://127.0.0.1:" + gateway.port());
    }

    public int httpPort() {
        return gateway.port();
    }

    public URI emulatorEndpoint() {
        return clients.endpoint();
    }

    /** The data directory the ledger is kept in across restarts, if any. */
    public Optional<Path> dataDirectory() {
        return dataDirectory.map(DataDirectory::root);
    }

    /** True when the stack was found deployed in the emulator (a restart on a data directory) and reused as it was. */
    public boolean reusedDeployment() {
        return reusedDeployment;
    }

    /** The emulator's process id, when this stack started the emulator. */
    public Optional<Long> emulatorPid() {
        return Optional.ofNullable(moto).map(MotoServer::pid);
    }

    /** The emulator's log file, when this stack started the emulator. */
    public Optional<Path> emulatorLog() {
        return Optional.ofNullable(moto).map(MotoServer::logFile);
    }

    /** Clients for the emulator (closed with the stack). */
    public AwsClients clients() {
        return clients;
    }

    public String stackName() {
        return deployment.stackName();
    }

    public Map<String, String> outputs() {
        return deployment.outputs();
    }

    public List<ApiToken> tokens() {
        return tokens;
    }

    /** The first token of a role (payments, auditor, operator). */
    public Optional<String> token(String role) {
        return tokens.stream().filter(t -> t.role().equals(role)).map(ApiToken::token).findFirst();
    }

    /** This run's API tokens in the clear, {@code token=role,...}: for the state file (mode 600), never for the stack. */
    String tokenSpec() {
        return tokenSpec;
    }

    /** The system properties the handlers run with (ids and names; no token). */
    public Map<String, String> handlerConfiguration() {
        return handlerConfiguration;
    }

    public Template template() {
        return template;
    }

    /** The runtime of the template's event source mappings, if the template has any. */
    public Optional<EventSourceRuntime> eventSources() {
        return Optional.ofNullable(eventSources);
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        stateFile.ifPresent(StateFile::delete);
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                System.err.println("[local stack] stopping " + resources.get(i).getClass().getSimpleName() + " failed: " + e);
            }
        }
        resources.clear();
        handlerProperties.restore();
    }

    // ----------------------------------------------------------------------------------------

    /** The tokens of a {@code token=role,...} value, read by the handlers' own parser ({@link ApiTokens#grants}). */
    static List<ApiToken> parseTokens(String spec) {
        try {
            return ApiTokens.grants(spec).stream().map(grant -> new ApiToken(grant.token(), grant.role().label()))
                    .toList();
        } catch (IllegalArgumentException malformed) {
            throw new IllegalArgumentException(API_TOKENS_PROPERTY + ": " + malformed.getMessage(), malformed);
        }
    }
}
