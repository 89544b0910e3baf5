package dev.ledger.infra.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ledger.infra.demo.LedgerHttp;
import dev.ledger.infra.demo.ReplayTool;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import dev.ledger.infra.local.KillRestartWorkload.Payment;

/**
 * The real {@code ./ledger local} (the bash script, which execs the JVM) killed with SIGKILL in the
 * middle of a payment workload, then started again on the same emulator: the emulator is this
 * test's (LEDGER_AWS_ENDPOINT), so the tables, streams and the event-source runtime's checkpoints
 * survive the kill, as they would on AWS. After the restart the client re-sends, with the same
 * transfer ids, the requests the kill left without an answer, and goes on. Then the projections
 * must converge to the fold of the log: every projection item at its stream's head, every balance
 * equal to the client's own account of what the API accepted, and the replay tool's verify at exit 0.
 *
 * <p>The script runs with LEDGER_SKIP_BUILD=1: this runs in Maven's integration-test phase, after
 * {@code package} built the infra jar and target/lib; a Maven inside Maven must not rebuild them.
 */
@ExtendWith(LocalAwsExtension.class)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class LedgerScriptKillRestartIT {

    private static final long SEED = Long.getLong("ledger.kill.seed", 20_261_127L);
    private static final String TOKEN = "kill-restart-payments";
    private static final int CUSTOMERS = 6;
    private static final int CLIENTS = 4;
    private static final int ACCEPTED_BEFORE_KILL = 80;
    private static final int PAYMENTS_AFTER_RESTART = 40;
    private static final int PLANNED = 400;
    // Hang guards, not time budgets: the JVM's start (and the emulator's first requests) on a loaded machine.
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

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
    void a_local_stack_killed_mid_workload_restarts_on_the_same_emulator_and_its_projections_converge_to_the_log(
            AwsClients aws, TestNames names) throws Exception {
        System.out.println("LedgerScriptKillRestartIT seed " + SEED + " (-Dledger.kill.seed=" + SEED + " repeats it)");
        String stackName = names.stack("killed");
        Path stateFile = directory.resolve("local.json");
        String tag = names.prefix() + "k";
        String funding = tag + "-funding";
        List<String> customers = new ArrayList<>();
        for (int i = 0; i < CUSTOMERS; i++) {
            customers.add(tag + "-c" + i);
        }
        List<Payment> plan = KillRestartWorkload.plan(SEED, PLANNED, tag, funding, customers);

        // Given a local stack started by the script, on the test's emulator
        Process first = startLedgerLocal(aws.endpoint(), stackName, stateFile, directory.resolve("local-1.log"));
        JsonNode state = KillRestartWorkload.awaitServing(first, stateFile, START_TIMEOUT);
        AtomicReference<LedgerHttp> api = new AtomicReference<>(new LedgerHttp(URI.create(state.path("httpUrl").asText()),
                TOKEN));
        assertThat(api.get().openAccount(funding, "EUR", null).status()).isEqualTo(201);
        for (String customer : customers) {
            assertThat(api.get().openAccount(customer, "EUR", "0.00").status()).isEqualTo(201);
        }

        // When it is killed with SIGKILL while clients send payments
        KillRestartWorkload.Clients clients = KillRestartWorkload.Clients.start(api, plan,
                plan.size() - PAYMENTS_AFTER_RESTART, CLIENTS);
        clients.awaitAccepted(ACCEPTED_BEFORE_KILL);
        Map<String, LedgerHttp.Answer> answers = clients.answers();
        // The script execs java, so the script's process is the stack's JVM: its pid is in the state file.
        assertThat(state.path("pid").asLong()).isEqualTo(first.pid());
        first.destroyForcibly(); // SIGKILL on Unix: no shutdown hook runs, the state file stays behind
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(first.exitValue()).isEqualTo(137); // 128 + SIGKILL
        clients.awaitStopped();
        assertThat(Files.exists(stateFile)).as("a killed stack cannot delete its state file").isTrue();

        // ... and started again by the script on the same emulator (same stack, tables and checkpoints)
        Process second = startLedgerLocal(aws.endpoint(), stackName, stateFile, directory.resolve("local-2.log"));
        JsonNode restarted = KillRestartWorkload.awaitServing(second, stateFile, START_TIMEOUT);
        assertThat(restarted.path("outputs")).isEqualTo(state.path("outputs"));
        api.set(new LedgerHttp(URI.create(restarted.path("httpUrl").asText()), TOKEN));
        // The client does not know what became of the requests the kill cut off: it sends them again,
        // with the same transfer ids, and takes the answer (the original one if they were recorded).
        for (Payment payment : clients.unanswered()) {
            answers.put(payment.transferId(), KillRestartWorkload.send(api.get(), payment));
        }
        // Every payment before `next` was taken by a client: answered, or in `unanswered`.
        int resumeAt = clients.firstUntaken();
        for (Payment payment : plan.subList(resumeAt, resumeAt + PAYMENTS_AFTER_RESTART)) {
            answers.put(payment.transferId(), KillRestartWorkload.send(api.get(), payment));
        }
        List<Payment> sent = plan.stream().filter(p -> answers.containsKey(p.transferId())).toList();
        // Every request got an answer: accepted, refused by the ledger, or (rarely, on a busy machine)
        // still contended after all retries, which the API guarantees changed nothing.
        assertThat(answers.values()).allSatisfy(answer -> assertThat(answer.ok() || answer.status() == 422
                || answer.errorCode().equals(LedgerHttp.CONTENTION)).as(answer.body().toString()).isTrue());

        // Then every projection reaches the log's head for every stream the workload touched
        List<String> accounts = new ArrayList<>(customers);
        accounts.add(funding);
        KillRestartWorkload.awaitProjectionsAtHead(aws.endpoint(), restarted.path("outputs"), accounts,
                sent.stream().map(Payment::transferId).toList());

        // ... every balance is what the client saw the API accept, each transfer counted once
        Map<String, Long> expected = KillRestartWorkload.expectedBalances(sent, answers, funding, customers);
        Map<String, Long> projected = KillRestartWorkload.projectedBalances(api.get(), expected.keySet());
        assertThat(projected).isEqualTo(expected);
        assertThat(expected.values().stream().mapToLong(Long::longValue).sum()).isZero();

        // ... and the replay tool finds the log intact and every projection equal to its fold
        ReplayTool.Run verify = new ReplayTool(stateFile, Duration.ofMinutes(5)).verify(System.out::println);
        assertThat(verify.exitCode()).as(verify.stdout()).isZero();
        assertThat(verify.summary().path("findingCount").asLong()).isZero();
        assertThat(verify.summary().path("transfers").asLong()).isGreaterThanOrEqualTo(sent.size());

        // A clean stop (SIGTERM, as Ctrl-C) deletes the state file
        second.destroy();
        assertThat(second.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("stopped").isTrue();
        assertThat(Files.exists(stateFile)).isFalse();
    }

    private Process startLedgerLocal(URI emulator, String stackName, Path stateFile, Path log) throws IOException {
        Path script = KillRestartWorkload.repositoryRoot().resolve("ledger");
        ProcessBuilder builder = new ProcessBuilder("bash", script.toString(), "local", "--port", "0",
                "--stack-name", stackName)
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> environment = builder.environment();
        environment.put("LEDGER_AWS_ENDPOINT", emulator.toString());
        environment.put("LEDGER_SKIP_BUILD", "1");
        environment.put("LEDGER_STATE_FILE", stateFile.toString());
        environment.put("LEDGER_API_TOKENS", TOKEN + "=payments");
        Process process = builder.start();
        started.add(process);
        return process;
    }
}
