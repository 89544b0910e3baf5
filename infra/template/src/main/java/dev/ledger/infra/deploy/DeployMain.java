package dev.ledger.infra.deploy;

import dev.ledger.infra.StackDeployer;
import dev.ledger.infra.StackDeploymentException;
import dev.ledger.infra.Template;
import dev.ledger.infra.TokenSecret;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * {@code ./ledger deploy}: uploads the Lambda artifact and creates or updates the stack from the
 * template with the same {@link StackDeployer} the local stack uses, then prints the API URL and
 * the table names from the stack's outputs.
 *
 * <p>Exit codes: 0 the stack is CREATE_COMPLETE or UPDATE_COMPLETE (or had nothing to update);
 * 1 the stack did not settle there (the first failed resource, its status and reason are printed);
 * 2 the deployment could not start (options, credentials, an AWS error before CloudFormation ran).
 */
@Command(name = "deploy", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Upload the Lambda artifact and create or update the ledger's CloudFormation stack.",
                "Credentials come from the AWS SDK's default chain (environment, profile, SSO, instance role)."},
        footer = {"", "Callers: --auth tokens (default) puts the token authorizer in front of the API; --auth jwt puts"
                + " API Gateway's JWT authorizer there instead, for the tokens of --jwt-issuer whose aud (or client_id)"
                + " is one of --jwt-audience, the roles read from claim --role-claim (default scope) as"
                + " --role-prefix<role> (docs/jwt.md: Amazon Cognito step by step). The template refuses jwt without"
                + " issuer and audience.",
                "", "API tokens (--auth tokens) are not deployed: a new stack's token secret is empty, and `./ledger"
                + " tokens issue --role R --name N` issues one (only its digest is kept). A deploy leaves issued tokens"
                + " as they are."})
public final class DeployMain implements Callable<Integer> {

    static final int OK = 0;
    static final int STACK_FAILED = 1;
    static final int NOT_STARTED = 2;

    /** Parameters this command sets itself, which --parameter may not. */
    private static final Set<String> SET_BY_DEPLOY = Set.of("Stage", StackDeployer.CODE_BUCKET,
            StackDeployer.CODE_KEY, StackDeployer.REVISION);

    /** Outputs printed after a deployment, in this order, with these labels. */
    private static final Map<String, String> PRINTED_OUTPUTS = outputsToPrint();

    @Option(names = "--stage", paramLabel = "NAME", defaultValue = "dev",
            description = "the template's Stage: dev, prod... (default ${DEFAULT-VALUE}); `local` is what the emulator can create")
    String stage;

    @Option(names = "--region", paramLabel = "R", description = "AWS region (default: the SDK's chain; us-east-1 with --endpoint)")
    String region;

    @Option(names = "--endpoint", paramLabel = "URL", description = "an AWS-compatible endpoint, e.g. a moto server")
    URI endpoint;

    @Option(names = "--stack-name", paramLabel = "NAME", description = "default: ledger-<stage>")
    String stackName;

    @Option(names = "--code-bucket", paramLabel = "NAME",
            description = "S3 bucket for the artifact, created if missing (default: ledger-artifacts-<account>-<region>)")
    String codeBucket;

    // Not required by picocli: `./ledger deploy` builds the artifact and passes it, so its help must
    // not show it as something to give. Run directly, call() asks for it.
    @Option(names = "--artifact", paramLabel = "FILE",
            description = "the Lambda artifact (lambda-package/target/lambda-package-*.jar), built and passed by "
                    + "./ledger deploy; give it only to deploy another")
    Path artifact;

    @Option(names = "--template", paramLabel = "FILE", description = "default: the template built into this jar")
    Path template;

    @Option(names = "--parameter", paramLabel = "NAME=VALUE",
            description = "another template parameter, e.g. EventsStreamMode=PROVISIONED, EventsStreamShards=4, "
                    + "ProjectionParallelization=5 (docs/pipeline-capacity.md); repeatable. Left out, a parameter takes "
                    + "its default")
    Map<String, String> extraParameters = new LinkedHashMap<>();

    // The template's AuthMode, JwtIssuer, JwtAudience, RoleClaim and RoleValuePrefix, named as ./ledger local names them.
    @Option(names = "--auth", paramLabel = "MODE", description = "tokens (default) or jwt: who may call the API")
    String auth;

    @Option(names = "--jwt-issuer", paramLabel = "URL",
            description = "jwt: the tokens' iss, e.g. https://cognito-idp.<region>.amazonaws.com/<user pool id>")
    String jwtIssuer;

    @Option(names = "--jwt-audience", paramLabel = "AUD", description = "jwt: accepted aud (or client_id) values, comma separated")
    String jwtAudience;

    @Option(names = "--role-claim", paramLabel = "C", description = "jwt: the claim naming the roles (default scope)")
    String roleClaim;

    @Option(names = "--role-prefix", paramLabel = "P", description = "jwt: what each role value starts with, e.g. ledger/")
    String rolePrefix;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec commandSpec;

    private final Map<String, String> environment;
    private PrintWriter out;
    private PrintWriter err;

    DeployMain(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs one command line with this environment and these streams: what tests call. */
    static int run(String[] args, Map<String, String> environment, PrintWriter out, PrintWriter err) {
        DeployMain command = new DeployMain(environment);
        command.out = out;
        command.err = err;
        CommandLine commandLine = new CommandLine(command).setOut(out).setErr(err);
        commandLine.setExecutionExceptionHandler((e, line, parsed) -> {
            err.println("deploy: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            if (!(e instanceof IllegalArgumentException || e instanceof SdkException)) {
                e.printStackTrace(err);
            }
            command.hintAtTheEmulatorsLimits();
            err.flush();
            return NOT_STARTED;
        });
        int code = commandLine.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    @Override
    public Integer call() {
        if (artifact == null) {
            throw new CommandLine.ParameterException(commandSpec.commandLine(), "no Lambda artifact: give --artifact FILE "
                    + "(lambda-package/target/lambda-package-*.jar), or run ./ledger deploy, which builds and passes it");
        }
        long started = System.nanoTime();
        Template parsed = template == null ? Template.bundled() : Template.read(template);
        Optional<URI> target = Optional.ofNullable(endpoint);
        try (DeployClients clients = DeployClients.create(target, Optional.ofNullable(region))) {
            String stack = stackName != null ? stackName : "ledger-" + stage;
            String bucket = codeBucket != null ? codeBucket
                    : "ledger-artifacts-" + clients.accountId() + "-" + clients.region().id();
            // The emulator settles in well under a second; AWS takes minutes.
            StackDeployer deployer = target.isPresent()
                    ? new StackDeployer(clients.cloudFormation(), clients.s3(), Duration.ofMillis(100), Duration.ofMinutes(2),
                    this::progress)
                    : new StackDeployer(clients.cloudFormation(), clients.s3(), Duration.ofSeconds(5), Duration.ofMinutes(30),
                    this::progress);

            Map<String, String> parameters = new LinkedHashMap<>();
            parameters.put("Stage", stage);
            for (Map.Entry<String, String> extra : extraParameters.entrySet()) {
                if (SET_BY_DEPLOY.contains(extra.getKey())) {
                    throw new IllegalArgumentException("--parameter " + extra.getKey() + " is not yours to set: "
                            + "use --stage or --artifact");
                }
                if (!parsed.parameters().containsKey(extra.getKey())) {
                    throw new IllegalArgumentException("The template has no parameter " + extra.getKey());
                }
                parameters.put(extra.getKey(), extra.getValue());
            }
            parameters.putAll(authParameters());
            Set<String> keepPrevious = Set.of();

            progress("Deploying stack " + stack + " (Stage=" + stage + ") to " + target.map(URI::toString)
                    .orElse("AWS") + " in " + clients.region().id());
            StackDeployer.Result result;
            try {
                result = deployer.deploy(new StackDeployer.Deployment(stack, parsed, artifact, bucket, parameters, true,
                        keepPrevious));
            } catch (StackDeploymentException failed) {
                err.println("deploy: " + failed.getMessage());
                hintAtTheEmulatorsLimits();
                err.flush();
                return STACK_FAILED;
            }
            printResult(result, bucket, Duration.ofNanos(System.nanoTime() - started));
            return OK;
        }
    }

    /**
     * The auth options as the template's parameters. Like every parameter, one left out takes its
     * default on this deployment: a jwt stack is deployed with --auth jwt each time.
     */
    private Map<String, String> authParameters() {
        if (auth != null && !auth.equals("tokens") && !auth.equals("jwt")) {
            throw new IllegalArgumentException("--auth is tokens or jwt, not '" + auth + "'");
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        Optional.ofNullable(auth).ifPresent(value -> parameters.put("AuthMode", value));
        Optional.ofNullable(jwtIssuer).ifPresent(value -> parameters.put("JwtIssuer", value));
        Optional.ofNullable(jwtAudience).ifPresent(value -> parameters.put("JwtAudience", value));
        Optional.ofNullable(roleClaim).ifPresent(value -> parameters.put("RoleClaim", value));
        Optional.ofNullable(rolePrefix).ifPresent(value -> parameters.put("RoleValuePrefix", value));
        return parameters;
    }

    private void printResult(StackDeployer.Result result, String bucket, Duration took) {
        out.printf("Stack %s %s in %.1f s%n", result.stackName(),
                result.changed() ? result.status().toString() : "unchanged (" + result.status() + ")", took.toMillis() / 1000.0);
        Map<String, String> outputs = result.outputs();
        out.printf("  %-18s %s%n", "API URL", Optional.ofNullable(outputs.get("ApiUrl"))
                .orElse("none: Stage=" + stage + " has no HTTP API (`./ledger local` serves the routes itself)"));
        PRINTED_OUTPUTS.forEach((output, label) -> {
            if (outputs.containsKey(output)) {
                out.printf("  %-18s %s%n", label, outputs.get(output));
            }
        });
        out.printf("  %-18s s3://%s/%s%n", "code", bucket, result.codeKey());
        if (outputs.containsKey(TokenSecret.OUTPUT)) {
            out.printf("  %-18s %s (./ledger tokens issue --role R --name N --stack-name %s)%n", "API tokens",
                    outputs.get(TokenSecret.OUTPUT), result.stackName());
        }
        out.flush();
    }

    /** moto answers such a stack with HTTP 500 before creating anything, which explains nothing by itself. */
    private void hintAtTheEmulatorsLimits() {
        if (endpoint != null && !"local".equals(stage)) {
            err.println("deploy: note: moto's CloudFormation cannot create AWS::ApiGatewayV2::* or AWS::Lambda::Alias,"
                    + " which Stage=" + stage + " has; against the emulator use --stage local");
        }
    }

    private void progress(String message) {
        err.println("deploy: " + message);
        err.flush();
    }

    private static Map<String, String> outputsToPrint() {
        Map<String, String> printed = new LinkedHashMap<>();
        printed.put("EventsTableName", "events table");
        printed.put("BalancesTableName", "balances table");
        printed.put("HistoryTableName", "history table");
        printed.put("TransfersTableName", "transfers table");
        printed.put("MetadataTableName", "metadata index table");
        printed.put("LedgerStreamName", "ledger stream");
        printed.put("DeadLetterQueueUrl", "dead letters");
        return printed;
    }
}
