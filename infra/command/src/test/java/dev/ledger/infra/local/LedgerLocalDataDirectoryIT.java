package dev.ledger.infra.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ledger.domain.api.StreamId;
import dev.ledger.infra.demo.LedgerHttp;
import dev.ledger.infra.demo.ReplayTool;
import dev.ledger.infra.local.KillRestartWorkload.Payment;
import dev.ledger.localaws.AwsClients;
import dev.ledger.store.DynamoEventStore;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code ./ledger local} with a data directory and its own emulator: both processes, the
 * stack's JVM and the emulator, are killed with SIGKILL in the middle of a payment workload, and
 * the script is started again on the same data directory. Every command the API acknowledged
 * (the 200/201 answers the clients collected) must be in the log before anything is sent again,
 * the stack must come back as it was (same outputs, same generated tokens), the projections must
 * catch up from their checkpoints to the client's own account of what was accepted, and the replay
 * tool's verify must pass. Then a clean stop (SIGTERM, as Ctrl-C) and a third start give the same
 * ledger back once more.
 *
 * <p>The script runs with LEDGER_SKIP_BUILD=1: this runs in Maven's integration-test phase, after
 * {@code package} built the infra jar and target/lib.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class LedgerLocalDataDirectoryIT {

    private static final long SEED = Long.getLong("ledger.datadir.seed", 20_261_129L);
    private static final int CUSTOMERS = 6;
    private static final int CLIENTS = 4;
    private static final int ACCEPTED_BEFORE_KILL = 60;
    private static final int PAYMENTS_AFTER_RESTART = 30;
    private static final int PLANNED = 400;
    private static final String STACK = "ledger-datadir";
    // Hang guards, not time budgets: the JVM's start, and the journal's replay, on a loaded machine.
    private static final Duration START_TIMEOUT = Duration.ofMinutes(5);

    @TempDir
    Path directory;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void stopWhatIsLeft() throws InterruptedException {
        for (Process process : started) {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        }
    }

    @Test
    void a_local_stack_and_its_emulator_killed_together_mid_workload_come_back_from_the_data_directory_with_every_acknowledged_command()
            throws Exception {
        System.out.println("LedgerLocalDataDirectoryIT seed " + SEED + " (-Dledger.datadir.seed=" + SEED + " repeats it)");
        Path data = directory.resolve("data");
        Path stateFile = directory.resolve("local.json");
        String funding = "dd-funding";
        List<String> customers = new ArrayList<>();
        for (int i = 0; i < CUSTOMERS; i++) {
            customers.add("dd-c" + i);
        }
        List<String> accounts = new ArrayList<>(customers);
        accounts.add(funding);
        List<Payment> plan = KillRestartWorkload.plan(SEED, PLANNED, "dd", funding, customers);

        // Given a local stack started by the script with a data directory, its tokens generated
        Process first = startLedgerLocal(data, stateFile, directory.resolve("local-1.log"));
        JsonNode state = KillRestartWorkload.awaitServing(first, stateFile, START_TIMEOUT);
        String token = state.path("tokens").path("payments").asText();
        assertThat(token).isNotBlank();
        assertThat(Files.getPosixFilePermissions(data.resolve("api-tokens")))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        // ... and a token issued with `./ledger tokens` on the running stack (its digest goes into the
        // emulator's secret, and so into the journal)
        String issued = ledgerTokens(stateFile, "issue", "--role", "payments", "--name", "dd-issued").strip();
        AtomicReference<LedgerHttp> api = new AtomicReference<>(new LedgerHttp(URI.create(state.path("httpUrl").asText()),
                token));
        for (String account : accounts) {
            assertThat(api.get().openAccount(account, "EUR", account.equals(funding) ? null : "0.00").status())
                    .isEqualTo(201);
        }

        // When the stack and its emulator are killed with SIGKILL together while clients send payments
        KillRestartWorkload.Clients clients = KillRestartWorkload.Clients.start(api, plan,
                plan.size() - PAYMENTS_AFTER_RESTART, CLIENTS);
        clients.awaitAccepted(ACCEPTED_BEFORE_KILL);
        Map<String, LedgerHttp.Answer> answers = clients.answers();
        ProcessHandle emulator = ProcessHandle.of(state.path("emulatorPid").asLong()).orElseThrow();
        assertThat(first.descendants()).as("the emulator is the stack's").contains(emulator);
        emulator.destroyForcibly(); // SIGKILL to both, back to back: neither gets to shut down
        first.destroyForcibly();
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(first.exitValue()).isEqualTo(137); // 128 + SIGKILL
        emulator.onExit().get(30, TimeUnit.SECONDS);
        clients.awaitStopped();
        // Acknowledged before the kill: what must be there after the restart, before anything is sent again.
        Map<String, LedgerHttp.Answer> acknowledged = Map.copyOf(answers);
        assertThat(acknowledged.values().stream().filter(LedgerHttp.Answer::ok).count())
                .isGreaterThanOrEqualTo(ACCEPTED_BEFORE_KILL);

        // ... and the script is started again on the same data directory
        Process second = startLedgerLocal(data, stateFile, directory.resolve("local-2.log"));
        JsonNode restarted = KillRestartWorkload.awaitServing(second, stateFile, START_TIMEOUT);
        URI endpoint = URI.create(restarted.path("emulatorEndpoint").asText());

        // Then the stack is the same one, reused, with the same tokens
        assertThat(restarted.path("outputs")).isEqualTo(state.path("outputs"));
        assertThat(restarted.path("tokens")).isEqualTo(state.path("tokens"));
        assertThat(state.path("stackReused").asBoolean()).as("deployed by the first start").isFalse();
        assertThat(restarted.path("stackReused").asBoolean()).as("found in the emulator, reused").isTrue();

        // ... every acknowledged command is in the log: each accepted transfer's stream and each account
        try (AwsClients aws = AwsClients.forEndpoint(endpoint)) {
            DynamoEventStore log = new DynamoEventStore(aws.dynamoDb(), restarted.path("outputs").path("EventsTableName").asText());
            for (String account : accounts) {
                assertThat(log.readHead(StreamId.account(account))).as(account).isPresent();
            }
            acknowledged.forEach((transferId, answer) -> {
                if (answer.ok()) {
                    assertThat(log.readHead(StreamId.transfer(transferId))).as(transferId + " " + answer.body()).isPresent();
                }
            });
        }

        // ... and, once the client has sent again what the kill left unanswered (same ids) and gone on,
        api.set(new LedgerHttp(URI.create(restarted.path("httpUrl").asText()), token));
        for (Payment payment : clients.unanswered()) {
            answers.put(payment.transferId(), KillRestartWorkload.send(api.get(), payment));
        }
        int resumeAt = clients.firstUntaken();
        for (Payment payment : plan.subList(resumeAt, resumeAt + PAYMENTS_AFTER_RESTART)) {
            answers.put(payment.transferId(), KillRestartWorkload.send(api.get(), payment));
        }
        // an acknowledged command answers the same when sent again: it was recorded, not done twice
        acknowledged.entrySet().stream().filter(e -> e.getValue().ok()).limit(10).forEach(e -> {
            Payment payment = plan.stream().filter(p -> p.transferId().equals(e.getKey())).findFirst().orElseThrow();
            LedgerHttp.Answer again = KillRestartWorkload.send(api.get(), payment);
            assertThat(again.body().path("status")).as(e.getKey()).isEqualTo(e.getValue().body().path("status"));
        });
        List<Payment> sent = plan.stream().filter(p -> answers.containsKey(p.transferId())).toList();
        assertThat(answers.values()).allSatisfy(answer -> assertThat(answer.ok() || answer.status() == 422
                || answer.errorCode().equals(LedgerHttp.CONTENTION)).as(answer.body().toString()).isTrue());

        // the projections catch up from their checkpoints to the client's own ledger
        List<String> transferIds = sent.stream().map(Payment::transferId).toList();
        KillRestartWorkload.awaitProjectionsAtHead(endpoint, restarted.path("outputs"), accounts, transferIds);
        Map<String, Long> expected = KillRestartWorkload.expectedBalances(sent, answers, funding, customers);
        assertThat(KillRestartWorkload.projectedBalances(api.get(), expected.keySet())).isEqualTo(expected);
        assertThat(expected.values().stream().mapToLong(Long::longValue).sum()).isZero();

        // ... and the replay tool finds the log intact and every projection equal to its fold
        assertVerifyPasses(stateFile, sent.size());

        // A clean stop (SIGTERM, as Ctrl-C) and a third start give the same ledger back again
        second.destroy();
        assertThat(second.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("stopped").isTrue();
        Process third = startLedgerLocal(data, stateFile, directory.resolve("local-3.log"));
        JsonNode again = KillRestartWorkload.awaitServing(third, stateFile, START_TIMEOUT);
        assertThat(again.path("tokens")).isEqualTo(state.path("tokens"));
        LedgerHttp thirdApi = new LedgerHttp(URI.create(again.path("httpUrl").asText()), token);
        assertThat(KillRestartWorkload.projectedBalances(thirdApi, expected.keySet())).isEqualTo(expected);
        // the token issued before the kill still works, its digest kept beside the stack's own tokens
        assertThat(new LedgerHttp(URI.create(again.path("httpUrl").asText()), issued)
                .openAccount("dd-issued-account", "EUR", "0.00").status()).isEqualTo(201);
        assertVerifyPasses(stateFile, sent.size());
    }

    private static void assertVerifyPasses(Path stateFile, int transfers) {
        ReplayTool.Run verify = new ReplayTool(stateFile, Duration.ofMinutes(5)).verify(System.out::println);
        assertThat(verify.exitCode()).as(verify.stdout()).isZero();
        assertThat(verify.summary().path("findingCount").asLong()).isZero();
        assertThat(verify.summary().path("transfers").asLong()).isGreaterThanOrEqualTo(transfers);
    }

    /** {@code ./ledger tokens ARGS} against the running stack of the state file: its standard output. */
    private static String ledgerTokens(Path stateFile, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash",
                KillRestartWorkload.repositoryRoot().resolve("ledger").toString(), "tokens"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().put("LEDGER_SKIP_BUILD", "1");
        builder.environment().put("LEDGER_STATE_FILE", stateFile.toString());
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("./ledger tokens finished").isTrue();
        assertThat(process.exitValue()).as("./ledger tokens " + String.join(" ", args)).isZero();
        return out;
    }

    private Process startLedgerLocal(Path data, Path stateFile, Path log) throws IOException {
        Path script = KillRestartWorkload.repositoryRoot().resolve("ledger");
        ProcessBuilder builder = new ProcessBuilder("bash", script.toString(), "local", "--port", "0",
                "--stack-name", STACK, "--data-dir", data.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> environment = builder.environment();
        environment.remove("LEDGER_AWS_ENDPOINT"); // its own emulator, which keeps its state in the data directory
        environment.remove("LEDGER_API_TOKENS"); // generated, and kept in the data directory
        environment.put("LEDGER_SKIP_BUILD", "1");
        environment.put("LEDGER_STATE_FILE", stateFile.toString());
        environment.put("LEDGER_MOTO_LOG_DIR", directory.resolve("moto-logs").toString());
        Process process = builder.start();
        started.add(process);
        return process;
    }
}
