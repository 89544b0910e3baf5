package dev.ledger.infra.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ledger.http.ApiTokens.StoredToken;
import dev.ledger.http.Role;
import dev.ledger.infra.GeneratedTokens;
import dev.ledger.infra.TokenSecret;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.cloudformation.model.Output;

/**
 * {@code ./ledger tokens}: issues, revokes and lists a stack's static API tokens in its token secret
 * ({@link TokenSecret}), with no deploy: the authorizer sees a change within its cache time (2 min)
 * plus the HTTP API's authorizer cache (1 min). Only digests are stored; an issued token is printed
 * once, on standard output alone, so that {@code TOKEN=$(./ledger tokens issue ...)} keeps it.
 *
 * <p>The stack: the running {@code ./ledger local}'s (its state file names the emulator and stack),
 * unless {@code --stage}, {@code --stack-name} or {@code --endpoint} say otherwise; then AWS (or that
 * endpoint) with the SDK's credentials. Exit codes: 0 done; 1 refused (a name taken or unknown);
 * 2 the stack or its secret could not be reached.
 */
@Command(name = "tokens", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Issue, revoke and list the stack's static API tokens. Only their SHA-256 digests are kept,"
                + " in the stack's Secrets Manager secret (stack output " + TokenSecret.OUTPUT + "); changes take"
                + " effect within 3 minutes, without a deploy."},
        subcommands = {TokensMain.Issue.class, TokensMain.Revoke.class, TokensMain.ListTokens.class})
public final class TokensMain implements Callable<Integer> {

    static final int OK = 0;
    static final int REFUSED = 1;
    static final int UNREACHABLE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs one command line with these streams: what tests call. */
    static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine commandLine = new CommandLine(new TokensMain()).setOut(out).setErr(err);
        commandLine.setExecutionExceptionHandler((e, line, parsed) -> {
            err.println("tokens: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            err.flush();
            return e instanceof IllegalArgumentException && !(e instanceof TargetException) ? REFUSED : UNREACHABLE;
        });
        int code = commandLine.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "give a command: issue, revoke or list");
    }

    /** Which stack: options, else the running local stack's state file, else AWS's ledger-dev. */
    static final class Target {

        @Option(names = "--stage", paramLabel = "NAME", description = "the stack ledger-<stage> on AWS (default dev when no local stack runs)")
        String stage;

        @Option(names = "--stack-name", paramLabel = "NAME", description = "the stack (default: the local stack's, else ledger-<stage>)")
        String stackName;

        @Option(names = "--region", paramLabel = "R", description = "AWS region (default: the SDK's chain; us-east-1 with --endpoint)")
        String region;

        @Option(names = "--endpoint", paramLabel = "URL", description = "an AWS-compatible endpoint, e.g. a moto server")
        URI endpoint;

        @Option(names = "--state-file", paramLabel = "FILE", defaultValue = "${env:LEDGER_STATE_FILE:-.ledger/local.json}",
                description = "state file of a running `./ledger local` (default: ${DEFAULT-VALUE})")
        Path stateFile;

        /** Opens the secret and runs {@code action} on it, telling on standard error which stack that is. */
        int with(PrintWriter err, SecretAction action) {
            Optional<JsonNode> local = stage == null && stackName == null && endpoint == null ? runningLocalStack()
                    : Optional.empty();
            Optional<URI> target = Optional.ofNullable(endpoint)
                    .or(() -> local.map(s -> URI.create(s.path("emulatorEndpoint").asText())));
            Optional<String> regionName = Optional.ofNullable(region)
                    .or(() -> local.map(s -> s.path("region").asText(null)));
            String stack = stackName != null ? stackName
                    : local.map(s -> s.path("stackName").asText()).orElse("ledger-" + (stage == null ? "dev" : stage));
            try (DeployClients clients = DeployClients.create(target, regionName)) {
                String secretId = clients.cloudFormation().describeStacks(r -> r.stackName(stack)).stacks().get(0)
                        .outputs().stream().collect(Collectors.toMap(Output::outputKey, Output::outputValue))
                        .get(TokenSecret.OUTPUT);
                if (secretId == null) {
                    throw new TargetException("stack " + stack + " has no output " + TokenSecret.OUTPUT
                            + " (deployed from a template before tokens were kept in a secret?)");
                }
                err.println("tokens: stack " + stack + (local.isPresent() ? " (the running ./ledger local)"
                        : target.map(t -> " at " + t).orElse(" in " + clients.region().id())));
                return action.run(new TokenSecret(clients.secretsManager(), secretId));
            } catch (SdkException unreachable) {
                throw new TargetException("cannot reach stack " + stack + " or its token secret: "
                        + unreachable.getMessage());
            }
        }

        private Optional<JsonNode> runningLocalStack() {
            if (stateFile == null || !Files.isRegularFile(stateFile)) {
                return Optional.empty();
            }
            try {
                JsonNode state = new ObjectMapper().readTree(stateFile.toFile());
                long pid = state.path("pid").asLong(-1);
                return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) ? Optional.of(state) : Optional.empty();
            } catch (IOException unreadable) {
                return Optional.empty(); // a stale or half-written file: no local stack
            }
        }
    }

    @FunctionalInterface
    interface SecretAction {
        int run(TokenSecret secret);
    }

    /** The stack or its secret could not be found: exit code 2. */
    static final class TargetException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        TargetException(String message) {
            super(message);
        }
    }

    @Command(name = "issue", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Issue a new token: prints it once (standard output); only its digest is kept.")
    static final class Issue implements Callable<Integer> {

        @Option(names = "--role", required = true, paramLabel = "ROLE", description = "payments, auditor or operator")
        String role;

        @Option(names = "--name", required = true, paramLabel = "NAME",
                description = "who holds it (1-64 letters, digits, '.', '_', '-'); the caller's subject in the API")
        String name;

        @Mixin
        Target target;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Role granted = Role.fromLabel(role);
            String token = GeneratedTokens.forRole(granted);
            StoredToken stored = StoredToken.of(name, granted, token); // checks the name before the stack is reached
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            return target.with(err, secret -> {
                secret.add(stored);
                err.println("tokens: issued " + name + " (" + granted.label() + "); the token is printed once, below,"
                        + " and kept nowhere in the clear");
                out.println(token);
                return OK;
            });
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Revoke a token by name: refused within 3 minutes (the authorizer's caches).")
    static final class Revoke implements Callable<Integer> {

        @Option(names = "--name", required = true, paramLabel = "NAME", description = "the token's name")
        String name;

        @Mixin
        Target target;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            return target.with(err, secret -> {
                if (!secret.revoke(name)) {
                    err.println("tokens: no token named " + name);
                    return REFUSED;
                }
                err.println("tokens: revoked " + name + "; the API refuses it within 3 minutes");
                return OK;
            });
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, sortOptions = false,
            description = "List the tokens' names and roles (never a token or digest).")
    static final class ListTokens implements Callable<Integer> {

        @Mixin
        Target target;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            return target.with(spec.commandLine().getErr(), secret -> {
                Map<String, String> roles = new java.util.LinkedHashMap<>();
                secret.list().forEach(t -> roles.put(t.name(), t.role().label()));
                roles.forEach((name, role) -> out.printf("%-24s %s%n", name, role));
                return OK;
            });
        }
    }
}
