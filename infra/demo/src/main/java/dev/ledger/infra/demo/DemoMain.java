package dev.ledger.infra.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ledger.infra.demo.PaymentPlan.Accounts;
import dev.ledger.infra.demo.PaymentPlan.Payment;
import dev.ledger.localaws.AwsClients;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

/**
 * {@code ./ledger demo}: the whole system end to end on one machine, as a person would try it.
 * Starts the local stack ({@code ./ledger local} in a child process, on a free port), opens the
 * accounts, runs a seeded concurrent payment workload through the HTTP API, waits until the
 * projections have caught up with the log, then simulates a failure (the balances projection's
 * table is dropped), rebuilds it with the replay tool and verifies everything with it. Ends with a
 * short report; the exit code is 0 only if the verification passed (and the projections caught
 * up, and every currency sums to zero).
 *
 * <p>A client like any other: it reads the ledger through the HTTP API only (catch-up, lag, totals)
 * and the replay tool's command line, never a projection's or the log's table; the one table it
 * touches itself is the one it drops to simulate the failure.
 */
public final class DemoMain {

    static final String USAGE = """
            Usage: ledger demo [options]

            Starts the local stack, opens a funding (16 shards), a fee and a liquidity account per currency and
            customer accounts in EUR and USD, runs concurrent payments through the HTTP API (deposits, transfers,
            holds posted or voided, refusals for insufficient funds, retries with the same transfer id; card
            payments with a fee, split payouts and EUR/USD exchanges as multi-leg transactions; transfers
            refunded in part by a reversal; one atomic batch), waits for the projections to catch up, drops
            the balances projection's table, rebuilds it with the replay tool, runs the replay tool's verify
            and prints a report with each phase's time. A progress line every 2 s while it runs: answers so far
            (accepted, refused, 409s), each projection's events applied and how far behind the log it is (from
            the stack's log), then the catch-up's items at the log head, and the replay tool's own progress.
            Exit 0 only if verify passed.

              --seed N               seed of the workload (default: random, printed)
              --customers N          customer accounts, split between EUR and USD (default 200, at least 6)
              --payments N           payments (default 1000)
              --clients N            concurrent HTTP clients (default 16)
              --sample-every N       measure the projection lag of every N-th posted transfer (default 10)
              --tag TEXT             prefix of account and transfer ids (default demo-<seed>)
              --catch-up-timeout S   seconds the projections may take to catch up (default 3600)
              --template FILE        the template the local stack deploys (default: the jar's)
              --state-file FILE      the local stack's state file (default .ledger/demo.json)
              --emulator URL         a moto server already running (default: the local stack starts one)
              --log FILE             the local stack's output (default .ledger/demo-local.log)
              -h, --help             this text
            """;

    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(2);
    private static final Duration STACK_START_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration REPLAY_TIMEOUT = Duration.ofMinutes(15);

    record Options(long seed, int customers, int payments, int clients, int sampleEvery, String tag,
                   Duration catchUpTimeout, Path template, Path stateFile, URI emulator, Path log) {
    }

    /**
     * Set by {@code ./ledger demo}: when the command started (epoch milliseconds) and the seconds its
     * build took, so that the report's phases add up to what the person waited for.
     */
    static final String INVOKED_AT_ENV = "LEDGER_DEMO_INVOKED_AT_MS";
    static final String BUILD_SECONDS_ENV = "LEDGER_DEMO_BUILD_SECONDS";

    private final Options options;
    private final PrintStream out;
    private final long startedNanos = System.nanoTime();
    private final Launch launch;

    /**
     * What came before this JVM's {@code main}: the script's build, and all the time since the script
     * started (the build, then the JVM's own start). NaN when unknown (the demo started some other way).
     */
    record Launch(double buildSeconds, double beforeMainSeconds) {

        static Launch fromEnvironment(Map<String, String> environment, long nowEpochMillis) {
            double build = Double.NaN;
            double beforeMain = Double.NaN;
            try {
                build = Double.parseDouble(environment.getOrDefault(BUILD_SECONDS_ENV, "NaN"));
                long invoked = Long.parseLong(environment.getOrDefault(INVOKED_AT_ENV, "0"));
                if (invoked > 0 && invoked <= nowEpochMillis) {
                    beforeMain = (nowEpochMillis - invoked) / 1e3;
                }
            } catch (NumberFormatException e) {
                // a malformed value is as good as none: the report then leaves the launcher's share out
            }
            return new Launch(build, beforeMain);
        }
    }

    DemoMain(Options options, PrintStream out, Launch launch) {
        this.options = options;
        this.out = out;
        this.launch = launch;
    }

    public static void main(String[] args) {
        Launch launch = Launch.fromEnvironment(System.getenv(), System.currentTimeMillis());
        Options options;
        try {
            options = parse(args);
        } catch (HelpRequested help) {
            System.out.print(USAGE);
            return;
        } catch (IllegalArgumentException e) {
            System.err.println("ledger demo: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        int code;
        try {
            code = new DemoMain(options, System.out, launch).run() ? 0 : 1;
        } catch (Exception e) {
            System.err.println("ledger demo: " + e.getMessage());
            e.printStackTrace();
            code = 2;
        }
        System.exit(code);
    }

    /** Runs the demo; true if verify passed, the projections caught up and every currency sums to zero. */
    boolean run() throws Exception {
        say("seed %d (run it again with --seed %d); %,d customers, %,d payments, %d clients", options.seed(),
                options.seed(), options.customers(), options.payments(), options.clients());
        List<String> localArguments = localArguments(options);
        say("starting the local stack (emulator, template, handlers); its output goes to %s", options.log());
        Report report = new Report(launch);
        long stackStarted = System.nanoTime();
        boolean passed;
        try (LocalStackProcess stack = LocalStackProcess.start(localArguments, options.stateFile(), options.log(),
                STACK_START_TIMEOUT)) {
            report.phase("local stack start", stackStarted);
            Thread stopOnCtrlC = new Thread(stack::close, "demo-stop-local-stack");
            Runtime.getRuntime().addShutdownHook(stopOnCtrlC);
            say("local stack pid %d serves %s on the emulator %s (state file %s)", stack.pid(), stack.httpUrl(),
                    stack.emulatorEndpoint(), stack.stateFile());
            try {
                passed = runAgainst(stack, report);
            } finally {
                say("stopping the local stack");
                Runtime.getRuntime().removeShutdownHook(stopOnCtrlC);
            }
        }
        double total = seconds(startedNanos) + (Double.isNaN(launch.beforeMainSeconds()) ? 0
                : launch.beforeMainSeconds());
        say("stopped; %s %.1f s (%.0f min %02.0f s)", Double.isNaN(launch.beforeMainSeconds())
                ? "this run took" : "./ledger demo took", total, Math.floor(total / 60), total % 60);
        return passed;
    }

    private boolean runAgainst(LocalStackProcess stack, Report report) throws Exception {
        LedgerHttp api = new LedgerHttp(stack.httpUrl(), stack.token("payments"));
        String balancesTable = stack.output("BalancesTableName");
        PipelineWatch pipeline = PipelineWatch.fromEndOf(stack.log());

        // 1. Accounts
        Accounts accounts = Accounts.of(options.tag(), options.customers());
        long openStarted = System.nanoTime();
        openAccounts(api, accounts);
        report.openSeconds = report.phase("accounts", openStarted);
        say("opened %d accounts in %.1f s", accounts.all().size(), report.openSeconds);

        // 2. The workload, with the projection lag sampled meanwhile
        List<Payment> plan = PaymentPlan.plan(options.seed(), options.payments(), accounts);
        report.tally = new Tally();
        try (LagSampler lag = new LagSampler(api)) {
            PaymentRunner runner = new PaymentRunner(api, report.tally, lag, options.sampleEvery(),
                    accounts.unsharded());
            long conflictsBefore = StackLog.appendConflicts(stack.log());
            long workloadStarted = System.nanoTime();
            runner.run(plan, options.clients(), PROGRESS_EVERY, line -> say("%s", line), pipeline::status);
            report.workloadSeconds = report.phase("payments", workloadStarted);
            long workloadEnded = System.nanoTime();
            report.commandConflicts = StackLog.appendConflicts(stack.log()) - conflictsBefore;
            Map<String, Long> conflictsByRecord = StackLog.appendConflictsByRecord(stack.log());
            report.depositConflicts = plan.stream().filter(p -> p.kind() == PaymentPlan.Kind.DEPOSIT)
                    .mapToLong(p -> conflictsByRecord.getOrDefault(p.id(), 0L)).sum();

            // 3. Caught up: every stream's item in every projection at the log head, seen through the API
            // (a sharded funding account: its balances item, see ApiCatchUp).
            ApiCatchUp catchUp = new ApiCatchUp(api, 4);
            report.catchUp = catchUp.await(accounts.all(), accounts.sharded(), plan.stream()
                            .flatMap(p -> p.recordIds().stream()).toList(), runner.transferVersions(),
                    runner.transactionVersions(), options.catchUpTimeout(),
                    line -> say("%s | projections: %s", line, pipeline.status()));
            report.catchUpSeconds = report.phase("catch-up", workloadEnded);
            say("%s", report.catchUp.summary());
            lag.finish(Duration.ofSeconds(30));
            report.lagsMillis = lag.sortedLagsMillis();
            report.lagUnresolved = lag.unresolved();
            report.lagUnseen = lag.unseen();
        }
        if (!report.catchUp.caughtUp()) {
            say("the projections did not catch up; not going on to the failure drill");
            report.print(out, options);
            return false;
        }

        // 4. The failure: the balances projection's table is lost
        long drillStarted = System.nanoTime();
        say("simulated failure: deleting the balances projection's table %s", balancesTable);
        // The SDK's clients are made here, where the drill needs them: their start is the drill's time.
        try (AwsClients aws = AwsClients.forEndpoint(stack.emulatorEndpoint())) {
            DynamoDbClient dynamo = aws.dynamoDb();
            dynamo.deleteTable(r -> r.tableName(balancesTable));
            boolean gone = Deadline.in(Duration.ofMinutes(1)).await(() -> !tableExists(dynamo, balancesTable),
                    Duration.ofMillis(100));
            if (!gone) {
                throw new IllegalStateException("the table " + balancesTable + " is still there a minute after"
                        + " DeleteTable");
            }
        }
        String probe = accounts.customersByCurrency().get(0).get(0);
        report.queryWhileLost = api.account(probe);
        say("GET /accounts/%s while the table is gone: %d %s", probe, report.queryWhileLost.status(),
                report.queryWhileLost.errorCode());
        report.phase("failure (table dropped)", drillStarted);

        // 5. The replay tool rebuilds it from the log, then verifies everything
        ReplayTool replay = new ReplayTool(stack.stateFile(), REPLAY_TIMEOUT);
        say("replay rebuild --projection balances --swap");
        long rebuildStarted = System.nanoTime();
        report.rebuild = replay.rebuildAndSwap("balances", line -> say("  [replay] %s", line));
        say("rebuild and swap: exit %d in %.1f s", report.rebuild.exitCode(), report.phase("rebuild + swap",
                rebuildStarted));
        say("replay verify");
        long verifyStarted = System.nanoTime();
        report.verify = replay.verify(line -> say("  [replay] %s", line));
        say("verify: exit %d in %.1f s", report.verify.exitCode(), report.phase("verify", verifyStarted));

        // 6. The books: every currency sums to zero, as the rebuilt projection shows through the query API
        // (the sharded funding accounts as a command answer shows them whole: see 3)
        long booksStarted = System.nanoTime();
        say("reading every account's balance through the query API");
        report.balances = balances(api, accounts);
        report.totals = totalsByCurrency(report.balances);
        report.house = accounts.house().stream().collect(Collectors.toMap(a -> a, report.balances::get,
                (a, b) -> a, LinkedHashMap::new));
        report.phase("balances read", booksStarted);
        report.print(out, options);
        return report.passed();
    }

    private void openAccounts(LedgerHttp api, Accounts accounts) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(options.clients());
        try {
            List<Future<LedgerHttp.Answer>> answers = new ArrayList<>();
            for (String account : accounts.all()) {
                // Funding accounts may go below zero without limit (money enters the ledger there),
                // liquidity accounts down to their credit line; the others not below zero at all.
                answers.add(pool.submit(() -> api.openAccount(account, accounts.currencyOf(account),
                        accounts.overdraftLimit(account), accounts.shards(account))));
            }
            for (int i = 0; i < answers.size(); i++) {
                LedgerHttp.Answer answer = answers.get(i).get();
                if (!answer.ok()) {
                    throw new IllegalStateException("opening " + accounts.all().get(i) + " was refused: "
                            + answer.status() + " " + answer.body());
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** A balance in minor units, in its currency. */
    record Balance(String currency, long minor) {
        @Override
        public String toString() {
            return currency + " " + PaymentPlan.decimal(minor);
        }
    }

    /** Every account's balance, read account by account through the query API (a sharded one whole). */
    private static Map<String, Balance> balances(LedgerHttp api, Accounts accounts) {
        Map<String, Balance> balances = new LinkedHashMap<>();
        for (String account : accounts.all()) {
            LedgerHttp.Answer answer = api.account(account);
            if (!answer.ok()) {
                throw new IllegalStateException("GET /accounts/" + account + " after the rebuild: " + answer.status()
                        + " " + answer.body());
            }
            long minor = new BigDecimal(answer.body().path("balance").asText()).movePointRight(PaymentPlan.MINOR_DIGITS)
                    .longValueExact();
            balances.put(account, new Balance(answer.body().path("currency").asText(), minor));
        }
        return balances;
    }

    /** Each currency's sum of balances, in minor units. */
    static Map<String, Long> totalsByCurrency(Map<String, Balance> balances) {
        Map<String, Long> totals = new TreeMap<>();
        balances.values().forEach(b -> totals.merge(b.currency(), b.minor(), Math::addExact));
        return totals;
    }

    private static boolean tableExists(DynamoDbClient dynamo, String table) {
        try {
            dynamo.describeTable(r -> r.tableName(table));
            return true;
        } catch (ResourceNotFoundException e) {
            return false;
        }
    }

    private void say(String format, Object... arguments) {
        out.printf(Locale.ROOT, "[demo %6.1f s] %s%n", seconds(startedNanos), String.format(Locale.ROOT, format,
                arguments));
        out.flush();
    }

    private static double seconds(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1e9;
    }

    /** What the run found, and the verdict. */
    private final class Report {
        final Launch launch;
        /** Each phase's seconds, in the order they ran. */
        final Map<String, Double> phases = new LinkedHashMap<>();
        double openSeconds;
        Tally tally;
        double workloadSeconds;
        long commandConflicts;
        long depositConflicts;
        ApiCatchUp.Outcome catchUp;
        double catchUpSeconds;
        double[] lagsMillis = new double[0];
        long lagUnresolved;
        long lagUnseen;
        LedgerHttp.Answer queryWhileLost;
        ReplayTool.Run rebuild;
        ReplayTool.Run verify;
        Map<String, Balance> balances = Map.of();
        Map<String, Balance> house = Map.of();
        Map<String, Long> totals = Map.of();

        Report(Launch launch) {
            this.launch = launch;
        }

        /** Records a phase that started at {@code startedNanos} and ends now; returns its seconds. */
        double phase(String name, long startedNanos) {
            double seconds = seconds(startedNanos);
            phases.put(name, seconds);
            return seconds;
        }

        boolean passed() {
            return catchUp.caughtUp() && verify != null && verify.exitCode() == 0 && !totals.isEmpty()
                    && totals.values().stream().allMatch(total -> total == 0);
        }

        void print(PrintStream out, Options options) {
            out.println();
            out.printf(Locale.ROOT, "=== ledger demo report (seed %d) ===%n", options.seed());
            int currencies = PaymentPlan.CURRENCIES.size();
            out.printf(Locale.ROOT, "accounts     %d funding (%d shards each), %d fee, %d liquidity + %d customers (EUR,"
                            + " USD), opened in %.1f s%n", currencies, PaymentPlan.FUNDING_SHARDS, currencies, currencies,
                    options.customers(), openSeconds);
            out.printf(Locale.ROOT, "workload     %,d payments, %,d commands in %.1f s by %d clients: %.1f"
                            + " payments/s, %.1f commands/s%n", options.payments(), tally.sent(), workloadSeconds,
                    options.clients(), options.payments() / workloadSeconds, tally.sent() / workloadSeconds);
            out.printf(Locale.ROOT, "  accepted   %,d: %s%n", tally.acceptedTotal(), counts(tally.acceptedByCommand()));
            out.printf(Locale.ROOT, "  rejected   %,d: %s%n", tally.rejectedTotal(), counts(tally.rejectedByCode()));
            out.printf(Locale.ROOT, "  retried    %s (sent again as is, as the API asks; not counted above)%n",
                    counts(tally.retriedByCode()));
            long sentAgain = tally.retriedByCode().getOrDefault(LedgerHttp.CONTENTION, 0L);
            long finalConflicts = tally.rejectedByCode().getOrDefault(LedgerHttp.CONTENTION, 0L);
            out.printf(Locale.ROOT, "conflicts    %,d answers 409 %s seen by clients (%,d sent again, %,d final); %,d"
                            + " races lost and retried inside the command (append_conflict lines in the stack's log),"
                            + " %,d of them by deposits%n", sentAgain + finalConflicts, LedgerHttp.CONTENTION, sentAgain,
                    finalConflicts, commandConflicts, depositConflicts);
            out.printf(Locale.ROOT, "deposits     %s, sent concurrently from the funding accounts (%d shards each)%n",
                    counts(tally.outcomesOf("deposit")), PaymentPlan.FUNDING_SHARDS);
            out.println("new flows    each command's answers: accepted, or refused by error code");
            for (String flow : PaymentRunner.NEW_FLOWS) {
                Map<String, Long> outcomes = tally.outcomesOf(flow);
                out.printf(Locale.ROOT, "  %-42s %,d: %s%n", flow, outcomes.values().stream().mapToLong(Long::longValue)
                        .sum(), counts(outcomes));
            }
            out.printf(Locale.ROOT, "lag          p50 %.0f ms, p99 %.0f ms, max %.0f ms: %d sampled posted transfers,"
                            + " 2xx -> credited balance visible in the projection (%d unresolved, %d unseen)%n",
                    LagSampler.percentile(lagsMillis, 0.50), LagSampler.percentile(lagsMillis, 0.99),
                    LagSampler.percentile(lagsMillis, 1.0), lagsMillis.length, lagUnresolved, lagUnseen);
            out.printf(Locale.ROOT, "catch-up     %s; %.1f s after the last answer%n", catchUp.summary(),
                    catchUpSeconds);
            if (queryWhileLost != null) {
                out.printf(Locale.ROOT, "failure      balances table dropped; the query API answered %d %s meanwhile%n",
                        queryWhileLost.status(), queryWhileLost.errorCode());
            }
            if (rebuild != null) {
                JsonNode built = rebuild.summary().path("projections").path(0);
                out.printf(Locale.ROOT, "rebuild      exit %d: %,d events from %,d streams in %.1f s = %,d events/s%n",
                        rebuild.exitCode(), built.path("events").asLong(), built.path("streams").asLong(),
                        built.path("seconds").asDouble(), built.path("eventsPerSecond").asLong());
            }
            if (verify != null) {
                JsonNode summary = verify.summary();
                out.printf(Locale.ROOT, "verify       %s (exit %d): %,d accounts, %,d transfers, %,d transactions,"
                                + " %,d events, %d findings; log sums by currency %s%n",
                        verify.exitCode() == 0 ? "OK" : "FAILED", verify.exitCode(), summary.path("accounts").asLong(),
                        summary.path("transfers").asLong(), summary.path("transactions").asLong(),
                        summary.path("events").asLong(), summary.path("findingCount").asLong(),
                        summary.path("balanceSumByCurrency"));
                summary.path("notChecked").forEach(n -> out.println("  not checked " + n.asText()));
                summary.path("findings").forEach(f -> out.println("  finding    " + f));
            }
            out.printf(Locale.ROOT, "totals       %s (sum of every balance through the query API, a sharded account"
                            + " whole; must be zero)%n",
                    totals.entrySet().stream().map(e -> e.getKey() + " " + PaymentPlan.decimal(e.getValue()))
                            .collect(Collectors.joining(", ")));
            if (!house.isEmpty()) {
                out.printf(Locale.ROOT, "house        %s (balances through the query API)%n", house.entrySet().stream()
                        .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ")));
            }
            printPhases(out);
            out.println(passed() ? "PASSED" : "FAILED");
            out.flush();
        }

        /**
         * Where the minutes went: the script's build and the JVM's start (when {@code ./ledger demo}
         * said), then each phase of the run; the stack's stop comes after the report, in the last line.
         */
        private void printPhases(PrintStream out) {
            double run = seconds(startedNanos);
            double measured = phases.values().stream().mapToDouble(Double::doubleValue).sum();
            List<String> parts = new ArrayList<>();
            if (!Double.isNaN(launch.beforeMainSeconds())) {
                double build = Double.isNaN(launch.buildSeconds()) ? 0 : launch.buildSeconds();
                parts.add(String.format(Locale.ROOT, "build %.1f s", build));
                parts.add(String.format(Locale.ROOT, "JVM start %.1f s", launch.beforeMainSeconds() - build));
            }
            phases.forEach((name, seconds) -> parts.add(String.format(Locale.ROOT, "%s %.1f s", name, seconds)));
            parts.add(String.format(Locale.ROOT, "other %.1f s", run - measured));
            out.printf(Locale.ROOT, "phases       %s%n", String.join(", ", parts));
            double wall = run + (Double.isNaN(launch.beforeMainSeconds()) ? 0 : launch.beforeMainSeconds());
            out.printf(Locale.ROOT, "wall time    %.1f s so far%s (the stack's stop follows)%n", wall,
                    Double.isNaN(launch.beforeMainSeconds()) ? " in this JVM" : " since ./ledger demo started");
        }

        private static String counts(Map<String, Long> counts) {
            return counts.isEmpty() ? "none" : counts.entrySet().stream()
                    .map(e -> String.format(Locale.ROOT, "%s %,d", e.getKey(), e.getValue()))
                    .collect(Collectors.joining(", "));
        }
    }

    // ------------------------------------------------------------------------------------------

    /** Thrown by {@link #parse} for -h/--help. */
    static final class HelpRequested extends RuntimeException {
        private static final long serialVersionUID = 1L;

        HelpRequested() {
            super(null, null, false, false);
        }
    }

    static Options parse(String[] args) {
        Long seed = null;
        int customers = 200;
        // The default keeps the whole run, a fresh clone's build included, within a few minutes on two
        // cores (issue 14): about 3,600 events, which the local pipeline carries at some tens per
        // second; larger runs are an option away.
        int payments = 1_000;
        int clients = 16;
        int sampleEvery = 10;
        String tag = null;
        // A deadline against a stuck pipeline, not a target: the local emulator carries some tens of
        // events per second through the pipeline, and 5,000 payments make about 16,000 events.
        Duration catchUp = Duration.ofSeconds(3_600);
        Path template = null;
        Path stateFile = Path.of(".ledger", "demo.json");
        URI emulator = null;
        Path log = Path.of(".ledger", "demo-local.log");
        for (int i = 0; i < args.length; i++) {
            String name = args[i].contains("=") ? args[i].substring(0, args[i].indexOf('=')) : args[i];
            if (name.equals("-h") || name.equals("--help")) {
                throw new HelpRequested();
            }
            String value;
            if (args[i].contains("=")) {
                value = args[i].substring(args[i].indexOf('=') + 1);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException("unknown option or missing value: " + args[i]);
            }
            switch (name) {
                case "--seed" -> seed = number(name, value, Long.MIN_VALUE, Long.MAX_VALUE);
                case "--customers" -> customers = (int) number(name, value,
                        PaymentPlan.MIN_CUSTOMERS_PER_CURRENCY * PaymentPlan.CURRENCIES.size(), 100_000);
                case "--payments" -> payments = (int) number(name, value, 1, 10_000_000);
                case "--clients" -> clients = (int) number(name, value, 1, 256);
                case "--sample-every" -> sampleEvery = (int) number(name, value, 1, 1_000_000);
                case "--tag" -> tag = requireId(value);
                case "--catch-up-timeout" -> catchUp = Duration.ofSeconds(number(name, value, 1, 86_400));
                case "--template" -> template = Path.of(value);
                case "--state-file" -> stateFile = Path.of(value);
                case "--emulator" -> emulator = URI.create(value);
                case "--log" -> log = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option " + name);
            }
        }
        // A short, readable seed when none is given; printed so that the run can be repeated.
        long chosen = seed != null ? seed : new SecureRandom().nextInt(1_000_000_000);
        return new Options(chosen, customers, payments, clients, sampleEvery,
                tag != null ? tag : "demo-" + Long.toUnsignedString(chosen, 36), catchUp, template, stateFile, emulator,
                log);
    }

    private static String requireId(String tag) {
        if (!tag.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,40}")) {
            throw new IllegalArgumentException("--tag takes letters, digits, '.', '_' and '-' (up to 41), not '" + tag + "'");
        }
        return tag;
    }

    private static long number(String option, String value, long min, long max) {
        try {
            long number = Long.parseLong(value);
            if (number < min || number > max) {
                throw new IllegalArgumentException(option + " must be between " + min + " and " + max + ", not " + value);
            }
            return number;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " takes a number, not '" + value + "'", e);
        }
    }

    /**
     * The child {@code ./ledger local}'s arguments. Its output goes to the log file, which outlives the
     * demo: it must not print the API tokens (the demo reads them from the state file, which the
     * stack deletes when it stops).
     */
    static List<String> localArguments(Options options) {
        List<String> arguments = new ArrayList<>(List.of("--port", "0", "--state-file",
                options.stateFile().toString(), "--hide-tokens"));
        if (options.template() != null) {
            arguments.addAll(List.of("--template", options.template().toString()));
        }
        if (options.emulator() != null) {
            arguments.addAll(List.of("--emulator", options.emulator().toString()));
        }
        return arguments;
    }
}
