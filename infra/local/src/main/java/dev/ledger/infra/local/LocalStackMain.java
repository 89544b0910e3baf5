package dev.ledger.infra.local;

import dev.ledger.infra.Template;
import dev.ledger.infra.local.streams.MappingSpec;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ./ledger local}: starts the {@link LocalStack} in the foreground, prints where it
 * listens and the API tokens, and stops everything on Ctrl-C or SIGTERM.
 */
public final class LocalStackMain {

    static final String USAGE = """
            Usage: ledger local [--port N] [options]

            Starts the emulator, deploys infra/template.yaml to it (Stage=local), serves the HTTP API on
            127.0.0.1 and runs the template's event source mappings (events table stream -> publisher ->
            Kinesis -> projections), with the template's handler classes running in this process.
            Ctrl-C stops it. With --data-dir the ledger survives a restart (Ctrl-C or kill -9 alike):
            the emulator journals every write it acknowledges there and replays the journal when it
            starts, so the stack, the events, the projections and the stream checkpoints (kept in a
            second emulator of their own, journaled the same way) come back, the stack is reused as
            deployed, and generated API tokens stay the same.

              --port N                HTTP port on 127.0.0.1 (default 8080; 0 picks a free port)
              --template FILE         the template to deploy (default: the one built into the jar)
              --state-file FILE       write endpoint, port, outputs and tokens there while running
              --emulator URL          use a moto server that is already running instead of starting one
              --data-dir DIR          keep the ledger in DIR across restarts (./ledger local: .ledger/data);
                                      without it the emulator keeps everything in memory
              --fresh                 with --data-dir: forget what DIR holds and start empty
              --stack-name NAME       CloudFormation stack name (default ledger-local)
              --schedule-interval S   seconds between runs of scheduled functions (default 60, AWS's rate)
              --artifact FILE         Lambda artifact to upload (default: the ledger-functions jar)
              --no-event-sources      do not run the stream consumers (publisher, projections)
              --hide-tokens           do not print the API tokens (they are in the state file); for
                                      output kept in a log file, as ./ledger demo keeps it
              --auth MODE             tokens (default: static bearer tokens, the Lambda authorizer) or jwt
                                      (JWTs checked as API Gateway's JWT authorizer checks them; docs/jwt.md)
              --jwt-issuer URL        jwt: the tokens' iss; keys from URL/.well-known/openid-configuration
                                      (https, or plain http to 127.0.0.1/localhost)
              --jwt-audience AUD      jwt: accepted aud (or client_id) values, comma separated
              --role-claim C          jwt: the claim naming the roles (default scope)
              --role-prefix P         jwt: what each role value starts with, e.g. ledger/ (default none)
              -h, --help              this text

            Environment: LEDGER_API_TOKENS=token=role,... sets the API tokens (roles: payments, auditor,
            operator); unset, one random token per role is generated and printed (with --data-dir, once:
            they are kept in DIR/api-tokens, mode 600, and reused). The stack keeps only their SHA-256
            digests, in its token secret, beside tokens issued with `./ledger tokens issue`.
            """;

    private LocalStackMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        LocalStack.Options options;
        try {
            options = parse(args, System.getenv());
        } catch (HelpRequested help) {
            System.out.print(USAGE);
            return;
        } catch (IllegalArgumentException e) {
            System.err.println("ledger local: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }

        boolean hideTokens = hidesTokens(args);
        System.out.println("Starting the local stack (emulator, template, handlers)...");
        options.dataDirectory().map(DataDirectory::new).filter(data -> !options.fresh() && data.hasJournal())
                .ifPresent(data -> System.out.println("Restoring the ledger kept in " + data.root() + ": the emulator"
                        + " replays its journal first (" + data.journalSize() / 1_000_000 + " MB; see its log for progress)"));
        LocalStack stack;
        try {
            stack = LocalStack.start(options);
        } catch (RuntimeException e) {
            System.err.println("ledger local: the local stack did not start: " + e.getMessage());
            if (e.getCause() != null) {
                System.err.println("  caused by: " + e.getCause());
            }
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("Stopping the local stack...");
            stack.close();
            System.out.println("Stopped.");
            stopped.countDown();
        }, "local-stack-shutdown"));
        printBanner(System.out, stack, options, hideTokens);
        stopped.await();
    }

    /** Thrown by {@link #parse} for -h/--help. */
    static final class HelpRequested extends RuntimeException {
        private static final long serialVersionUID = 1L;

        HelpRequested() {
            super(null, null, false, false);
        }
    }

    static LocalStack.Options parse(String[] args, Map<String, String> environment) {
        LocalStack.Options options = LocalStack.Options.defaults();
        String tokens = environment.get(LocalStack.API_TOKENS_PROPERTY);
        if (tokens != null && !tokens.isBlank()) {
            options = options.withApiTokens(tokens);
        }
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            boolean inline = arg.contains("=");
            if (name.equals("-h") || name.equals("--help")) {
                throw new HelpRequested();
            }
            if (arg.equals(HIDE_TOKENS)) {
                continue; // read by main (hidesTokens): it changes only what is printed
            }
            if (arg.equals("--no-event-sources")) {
                options = options.withoutEventSources();
                continue;
            }
            if (arg.equals("--fresh")) {
                options = options.withFresh();
                continue;
            }
            String value;
            if (inline) {
                value = arg.substring(arg.indexOf('=') + 1);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException("unknown option or missing value: " + arg);
            }
            options = switch (name) {
                case "--port" -> options.withPort(number(name, value, 0, 65_535));
                case "--template" -> options.withTemplateFile(Path.of(value));
                case "--state-file" -> options.withStateFile(Path.of(value));
                case "--emulator" -> options.withEmulator(URI.create(value));
                case "--stack-name" -> options.withStackName(value);
                case "--schedule-interval" -> options.withScheduleInterval(
                        Duration.ofSeconds(number(name, value, 1, 86_400)));
                case "--artifact" -> options.withArtifact(Path.of(value));
                case "--data-dir" -> options.withDataDirectory(Path.of(value));
                case "--auth" -> options.withAuth(options.auth().withMode(value));
                case "--jwt-issuer" -> options.withAuth(options.auth().withIssuer(value));
                case "--jwt-audience" -> options.withAuth(options.auth().withAudience(java.util.List.of(value.split(",", -1))));
                case "--role-claim" -> options.withAuth(options.auth().withRoleClaim(value));
                case "--role-prefix" -> options.withAuth(options.auth().withRolePrefix(value));
                default -> throw new IllegalArgumentException("unknown option " + name);
            };
        }
        if (!options.auth().isJwt() && (options.auth().jwtIssuer().isPresent() || !options.auth().jwtAudience().isEmpty()
                || options.auth().roleClaim().isPresent() || options.auth().rolePrefix().isPresent())) {
            throw new IllegalArgumentException("--jwt-issuer, --jwt-audience, --role-claim and --role-prefix need --auth jwt");
        }
        if (options.fresh() && options.dataDirectory().isEmpty()) {
            throw new IllegalArgumentException("--fresh needs --data-dir (without one every start is fresh)");
        }
        if (options.dataDirectory().isPresent() && options.emulator().isPresent()) {
            throw new IllegalArgumentException("--data-dir keeps the state of the emulator this command starts; an emulator"
                    + " given with --emulator keeps its own");
        }
        return options;
    }

    private static int number(String option, String value, int min, int max) {
        try {
            int number = Integer.parseInt(value);
            if (number < min || number > max) {
                throw new IllegalArgumentException(option + " must be between " + min + " and " + max + ", not " + value);
            }
            return number;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " takes a number, not '" + value + "'", e);
        }
    }

    static final String HIDE_TOKENS = "--hide-tokens";

    static boolean hidesTokens(String[] args) {
        return java.util.Arrays.asList(args).contains(HIDE_TOKENS);
    }

    /**
     * The banner's token lines: each role's token, or with {@code hide} where to find them instead
     * (output that goes to a log file must not keep secrets after the run).
     */
    static java.util.List<String> tokenLines(java.util.List<LocalStack.ApiToken> tokens, boolean fromEnvironment,
                                             java.util.Optional<Path> stateFile, java.util.Optional<Path> dataDirectory,
                                             boolean hide) {
        java.util.List<String> lines = new java.util.ArrayList<>();
        String origin = fromEnvironment ? "from LEDGER_API_TOKENS"
                : dataDirectory.isPresent() ? "generated once, kept in " + dataDirectory.get().resolve("api-tokens")
                : "generated for this run";
        if (hide) {
            lines.add("  tokens       " + origin + "; not printed (" + HIDE_TOKENS + "): "
                    + stateFile.map(f -> "see \"tokens\" in " + f.toAbsolutePath()).orElse("no state file"));
            return lines;
        }
        lines.add("  tokens       " + origin);
        for (LocalStack.ApiToken token : tokens) {
            lines.add(String.format("                 %-10s %s", token.role(), token.token()));
        }
        return lines;
    }

    static void printBanner(PrintStream out, LocalStack stack, LocalStack.Options options, boolean hideTokens) {
        out.println();
        out.println("Ledger local stack");
        out.println("  HTTP API     " + stack.httpUrl());
        out.println("  console      " + stack.httpUrl() + ConsoleAssets.PREFIX + "/ (read-only; sign in with the auditor"
                + " or payments token)");
        for (Template.Route route : stack.template().routes(options.auth().templateParameters())) {
            out.printf("                 %-40s %s%n", route.routeKey(), switch (route.authorizationType()) {
                case "NONE" -> "no auth";
                case "JWT" -> "bearer JWT";
                default -> "bearer token";
            });
        }
        options.auth().jwtIssuer().filter(issuer -> options.auth().isJwt()).ifPresent(issuer -> out.println(
                "  JWTs         issuer " + issuer + ", audience " + String.join(",", options.auth().jwtAudience())
                        + ", roles in claim " + options.auth().roleClaim().orElse("scope")
                        + options.auth().rolePrefix().map(prefix -> " as " + prefix + "<role>").orElse("")));
        out.println("  emulator     " + stack.emulatorEndpoint()
                + stack.emulatorLog().map(log -> "  (log " + log + ")").orElse(""));
        stack.dataDirectory().ifPresent(directory -> out.println("  data dir     " + directory
                + (options.fresh() ? "  (emptied by --fresh)" : stack.reusedDeployment()
                ? "  (restored: the ledger as it was left; --fresh starts empty)" : "  (new)")));
        out.println("  stack        " + stack.stackName() + " (Stage=" + LocalStack.STAGE + ")"
                + (stack.reusedDeployment() ? ", reused as deployed" : ""));
        new java.util.TreeMap<>(stack.outputs()).forEach((name, value) -> out.printf("                 %-30s %s%n", name, value));
        if (!options.auth().isJwt()) {
            tokenLines(stack.tokens(), options.apiTokens().isPresent(), options.stateFile(), stack.dataDirectory(), hideTokens)
                    .forEach(out::println);
        }
        for (Template.Schedule schedule : stack.template().schedules()) {
            out.println("  schedule     " + schedule.logicalId() + " -> " + String.join(", ", schedule.functionLogicalIds())
                    + " every " + options.scheduleInterval().toSeconds() + " s (" + schedule.expression() + " on AWS)");
        }
        stack.eventSources().ifPresent(runtime -> {
            for (MappingSpec mapping : runtime.mappings()) {
                out.println("  stream       " + mapping.id() + ": " + mapping.sourceArn().split(":", 6)[5] + " -> "
                        + mapping.functionLogicalId() + " (batch "
                        + mapping.batchSize() + ", " + (mapping.retriesForever() ? "retries until it succeeds"
                        : "up to " + mapping.maximumRetryAttempts() + " retries") + ")");
            }
            out.println("  checkpoints  table " + runtime.checkpoints().table());
        });
        if (stack.eventSources().isEmpty() && !stack.template().eventSourceMappings().isEmpty()) {
            out.println("  streams      not consumed (--no-event-sources): the projections stay as they are");
        }
        options.stateFile().ifPresent(file -> out.println("  state file   " + file.toAbsolutePath()));
        out.println();
        out.println("Try: curl -s " + stack.httpUrl() + "/health");
        stack.token("payments").ifPresent(token -> out.println("     curl -s -X POST " + stack.httpUrl()
                + "/accounts -H 'Authorization: Bearer " + (hideTokens ? "$PAYMENTS_TOKEN" : token)
                + "' -H 'Content-Type: application/json'"
                + " -d '{\"accountId\":\"alice\",\"currency\":\"EUR\"}'"));
        out.println("Ctrl-C stops everything.");
        out.flush();
    }
}
