package dev.ledger.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ledger.domain.api.AuditEvent;
import dev.ledger.domain.api.AuditEvent.OperationFinished;
import dev.ledger.domain.api.AuditEvent.OperationPerformed;
import dev.ledger.domain.api.AuditEvent.OperationStarted;
import dev.ledger.domain.api.AuditEvent.Outcome;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import dev.ledger.store.AuditLog;
import dev.ledger.store.EventsTable;
import dev.ledger.store.StoredEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The replay tool's operator actions on the audit trail (issue 15 §3): a rebuild started and finished, its
 * lock taken, refused or broken, a route switch, each with who ran it (the emulator's STS caller identity,
 * the OS user, the host) and its options and outcome; {@code replay audit} lists them and
 * {@code replay verify} checks the trail's chain and finds an entry edited on the emulator.
 */
@ExtendWith(LocalAwsExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditTrailIT {

    private DynamoDbClient dynamo;
    private Workload workload;
    private ReplayRunner replay;
    private String control;

    @BeforeAll
    void aSmallWorkloadWithItsProjections(AwsClients aws, TestNames names) {
        dynamo = aws.dynamoDb();
        control = names.table("replay-control");
        workload = new Workload(dynamo, names.prefix(), 15).run(20);
        workload.project(aws.sqs(), names.queue("dlq"));
        replay = new ReplayRunner(aws.endpoint().toString(), workload, control);
    }

    @Test
    void aSwapIsRecordedAsARebuildStartedALockTakenARouteSwitchedAndTheRebuildFinished() {
        int before = trail().size();

        ReplayRunner.Run run = replay.run("rebuild", "--projection", "balances", "--swap");

        assertThat(run.code()).as(run.out() + run.err()).isZero();
        List<StoredEvent> entries = trail().subList(before, trail().size());
        assertThat(entries).extracting(entry -> ((AuditEvent) entry.event()).action() + " " + entry.type())
                .containsExactly("rebuild OperationStarted", "rebuild_lock_taken OperationPerformed",
                        "route_switch OperationPerformed", "rebuild OperationFinished");
        OperationStarted started = (OperationStarted) entries.get(0).event();
        OperationFinished finished = (OperationFinished) entries.get(3).event();
        assertThat(finished.actionId()).isEqualTo(started.actionId());
        assertThat(started.target()).isEqualTo("projection:balances");
        assertThat(started.options()).containsEntry("swap", "true").containsEntry("into", "shadow")
                .containsEntry("projection", "balances").containsEntry("lockTtlSeconds", "60");
        assertThat(started.operator().principal()).as("the STS caller identity of the tool's credentials")
                .startsWith("arn:aws:");
        assertThat(started.operator().osUser()).isEqualTo(System.getProperty("user.name"));
        assertThat(started.operator().host()).isNotBlank();
        assertThat(started.operator().role()).isNull();
        assertThat(finished.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(finished.detail()).contains("now serves it (was " + workload.balances + ")");
        OperationPerformed switched = (OperationPerformed) entries.get(2).event();
        assertThat(switched.target()).isEqualTo("route#balances");
        assertThat(switched.options()).containsEntry("from", workload.balances);
        assertThat(switched.options().get("to")).as("the shadow table this swap built")
                .startsWith(workload.balances + "-rebuild-").isNotEqualTo(workload.balances);
        assertThat(run.out()).contains(switched.options().get("to") + " built from");
        OperationPerformed lock = (OperationPerformed) entries.get(1).event();
        assertThat(lock.target()).isEqualTo("lock#balances");
        assertThat(lock.options().get("owner")).startsWith(System.getProperty("user.name") + "@");
        assertThat(entries).extracting(StoredEvent::recordedAt).isSorted();
    }

    @Test
    void aLockLeftByAKilledRunIsRecordedAsBrokenAndALockHeldByALiveRunAsRefused() {
        ControlTable table = new ControlTable(dynamo, control).ensureExists();
        // A run killed outright: its lock item stays, expired a minute ago.
        dynamo.putItem(r -> r.tableName(table.table()).item(Map.of(ControlTable.ID, AttributeValue.fromS("lock#history"),
                RebuildLock.OWNER, AttributeValue.fromS("killed-run"),
                RebuildLock.EXPIRES_AT, AttributeValue.fromN(Long.toString(Instant.now().minusSeconds(60).toEpochMilli())),
                RebuildLock.ACQUIRED_AT, AttributeValue.fromS(Instant.now().minusSeconds(120).toString()))));
        int before = trail().size();

        ReplayRunner.Run run = replay.run("rebuild", "--projection", "history");

        assertThat(run.code()).as(run.out() + run.err()).isZero();
        List<StoredEvent> broke = trail().subList(before, trail().size());
        assertThat(broke).extracting(entry -> ((AuditEvent) entry.event()).action()).containsExactly("rebuild",
                "rebuild_lock_taken", "rebuild_lock_broken", "rebuild");
        OperationPerformed broken = (OperationPerformed) broke.get(2).event();
        assertThat(broken.options()).containsEntry("previousOwner", "killed-run").containsKey("previousExpiredAt");

        int beforeRefusal = trail().size();
        try (RebuildLock held = RebuildLock.acquire(table, "transfers", "operator-a", Duration.ofMinutes(5),
                Clock.systemUTC())) {
            assertThat(replay.run("rebuild", "--projection", "transfers").code()).isEqualTo(2);
        }
        List<StoredEvent> refused = trail().subList(beforeRefusal, trail().size());
        assertThat(refused).extracting(entry -> ((AuditEvent) entry.event()).action() + " " + outcome(entry))
                .containsExactly("rebuild null", "rebuild_lock_taken refused", "rebuild refused");
        assertThat(((OperationPerformed) refused.get(1).event()).detail()).contains("lock held by operator-a");
    }

    @Test
    void auditListsTheTrailNewestFirstVerifyChecksItsChainAndFindsAnEditedEntry() {
        // two rebuilds: at least six entries, whichever tests ran before
        assertThat(replay.run("rebuild", "--projection", "transfers").code()).isZero();
        assertThat(replay.run("rebuild", "--projection", "transfers").code()).isZero();
        List<StoredEvent> trail = trail();
        long newest = trail.get(trail.size() - 1).version();

        ReplayRunner.Run listed = replay.run("audit", "--limit", "3", "--json");
        ReplayRunner.Run text = replay.run("audit", "--limit", "2");

        assertThat(listed.code()).as(listed.out() + listed.err()).isZero();
        JsonNode operations = listed.json().get("operations");
        assertThat(operations).extracting(entry -> entry.get("version").asLong())
                .containsExactly(newest, newest - 1, newest - 2);
        assertThat(operations.get(0).get("action").asText()).isEqualTo("rebuild");
        assertThat(operations.get(0).get("phase").asText()).isEqualTo("finished");
        assertThat(operations.get(0).get("outcome").asText()).isEqualTo("succeeded");
        assertThat(listed.json().get("next").asText()).isEqualTo(Long.toString(newest - 2));
        assertThat(text.out()).contains("rebuild finished succeeded projection:transfers")
                .contains("older: replay audit --before " + (newest - 1));

        ReplayRunner.Run healthy = replay.run("verify", "--json", "--log-only");
        assertThat(healthy.code()).as(healthy.out() + healthy.err()).isZero();
        assertThat(healthy.json().get("auditEntries").asLong()).isEqualTo(newest);

        // An operator hides what a rebuild did by editing its finished entry on the emulator.
        Map<String, AttributeValue> key = EventsTable.key(AuditLog.TRAIL, newest);
        Map<String, AttributeValue> original = dynamo.getItem(r -> r.tableName(workload.events).key(key)).item();
        Map<String, AttributeValue> edited = new HashMap<>(original);
        edited.put(EventsTable.DATA, AttributeValue.fromS(original.get(EventsTable.DATA).s()
                .replace("\"outcome\":\"succeeded\"", "\"outcome\":\"failed\"")));
        dynamo.putItem(r -> r.tableName(workload.events).item(edited));
        try {
            ReplayRunner.Run tampered = replay.run("verify", "--log-only");

            assertThat(tampered.code()).as(tampered.out() + tampered.err()).isEqualTo(1);
            assertThat(tampered.out()).contains("audit:operations v" + newest + " hash: stored ");
            assertThat(tampered.out()).as("the money checks still ran").doesNotContain("not checked: conservation");
        } finally {
            dynamo.putItem(r -> r.tableName(workload.events).item(original));
        }
        assertThat(replay.run("verify", "--log-only").code()).isZero();
    }

    @Test
    void theExportedTrailChecksOutsideTheLedgerWithPythonAlone(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        assertThat(replay.run("rebuild", "--projection", "balances").code()).isZero();
        java.nio.file.Path file = dir.resolve("audit.jsonl");

        ReplayRunner.Run export = replay.run("export", "--audit-trail", "-o", file.toString());

        assertThat(export.code()).as(export.out() + export.err()).isZero();
        List<String> lines = java.nio.file.Files.readAllLines(file);
        assertThat(lines).hasSize(trail().size()).allSatisfy(line -> assertThat(line).startsWith("{")
                .contains("\"stream\":\"audit:operations\""));
        Process python = new ProcessBuilder(System.getenv().getOrDefault("LEDGER_PYTHON", "python3"),
                java.nio.file.Path.of("..", "docs", "verify_chain.py").toString(), file.toString())
                .redirectErrorStream(true).start();
        python.getOutputStream().close();
        String report = new String(python.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(python.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(python.exitValue()).as(report).isZero();
        assertThat(report).contains("OK: 1 streams, " + lines.size() + " events");
    }

    private static String outcome(StoredEvent entry) {
        if (entry.event() instanceof OperationFinished finished) {
            return finished.outcome().name().toLowerCase(java.util.Locale.ROOT);
        }
        return entry.event() instanceof OperationPerformed performed
                ? performed.outcome().name().toLowerCase(java.util.Locale.ROOT) : "null";
    }

    private List<StoredEvent> trail() {
        List<StoredEvent> events = new ArrayList<>();
        workload.store().readStream(AuditLog.TRAIL, 1).forEachRemaining(events::add);
        return events;
    }
}
