package dev.ledger.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountEvent;
import dev.ledger.domain.api.StreamId;
import dev.ledger.http.ApiTokens;
import dev.ledger.http.HttpRequest;
import dev.ledger.http.HttpResponse;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import dev.ledger.projections.BalancesProjection;
import dev.ledger.projections.HistoryReader;
import dev.ledger.projections.ProjectionCatalog;
import dev.ledger.projections.TransfersProjection;
import dev.ledger.projections.api.QueryApi;
import dev.ledger.store.EventsTable;
import dev.ledger.store.StoredEvent;
import dev.ledger.views.Views;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The replay tool's commands, run as an operator runs them, against a random workload on the emulator. */
@ExtendWith(LocalAwsExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplayToolIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private DynamoDbClient dynamo;
    private Workload workload;
    private String endpoint;
    private String control;

    @BeforeAll
    void aRandomWorkloadWithItsProjections(AwsClients aws, TestNames names) {
        dynamo = aws.dynamoDb();
        endpoint = aws.endpoint().toString();
        control = names.table("replay-control");
        workload = new Workload(dynamo, names.prefix(), 42).run(90);
        workload.project(aws.sqs(), names.queue("dlq"));
    }

    @Test
    void verifyExitsZeroOnAHealthySystem() {
        ReplayRunner.Run run = replay("verify", "--json");

        assertThat(run.code()).as(run.out() + run.err()).isZero();
        JsonNode summary = run.json();
        assertThat(summary.get("ok").asBoolean()).isTrue();
        assertThat(summary.get("accounts").asLong()).isEqualTo(workload.accounts.size());
        assertThat(summary.get("transfers").asLong()).isEqualTo(workload.transferIds.size());
        assertThat(summary.get("balanceSumByCurrency").get("EUR").asText()).isEqualTo("0");
        assertThat(summary.get("balanceSumByCurrency").get("USD").asText()).isEqualTo("0");
        assertThat(summary.get("notChecked")).isEmpty();
        assertThat(workload.reversalIds).as("the workload's reversals, accepted ones among them, were verified too")
                .anySatisfy(id -> assertThat(dev.ledger.store.StateCodec.decodeReversal(workload.store()
                        .readHead(StreamId.reversal(id)).orElseThrow().state()).isRejected()).isFalse());
    }

    @Test
    void verifyOfSomeAccountsReadsOnlyThemAndTheirHolds() {
        ReplayRunner.Run run = replay("verify", "--accounts", "eur-0,eur-1,usd-2");

        assertThat(run.code()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("OK: 3 accounts");
    }

    @Test
    void verifyNamesTheAccountVersionAndFieldOfAnAlteredProjectionItem() {
        Map<String, AttributeValue> original = dynamo.getItem(r -> r.tableName(workload.balances)
                .key(Map.of("id", AttributeValue.fromS("eur-2")))).item();
        long version = Long.parseLong(original.get("version").n());
        Map<String, AttributeValue> altered = new HashMap<>(original);
        altered.put("state", AttributeValue.fromS(original.get("state").s()
                .replaceFirst("\"creditsPosted\":(\\d+)", "\"creditsPosted\":1$1")));
        dynamo.putItem(r -> r.tableName(workload.balances).item(altered));
        try {
            ReplayRunner.Run run = replay("verify");

            assertThat(run.code()).isEqualTo(1);
            assertThat(run.out()).contains("account:eur-2 v" + version + " balances.creditsPosted: projection \"1");
            assertThat(run.out().lines().filter(l -> l.startsWith("account:") || l.startsWith("transfer:")))
                    .as("only the altered item is reported").hasSize(1);
        } finally {
            dynamo.putItem(r -> r.tableName(workload.balances).item(original));
        }
    }

    @Test
    void verifyNamesTheVersionAndFieldOfAnAlteredHistoryEntryAndAMissingTransferItem() {
        Map<String, AttributeValue> entryKey = Map.of("id", AttributeValue.fromS("eur-2"), "sk", AttributeValue.fromN("1"));
        Map<String, AttributeValue> entry = dynamo.getItem(r -> r.tableName(workload.history).key(entryKey)).item();
        String transferId = workload.transferIds.get(0);
        Map<String, AttributeValue> transferKey = Map.of("id", AttributeValue.fromS(transferId));
        Map<String, AttributeValue> transfer = dynamo.getItem(r -> r.tableName(workload.transfers).key(transferKey))
                .item();
        Map<String, AttributeValue> altered = new HashMap<>(entry);
        altered.put("balanceAfter", AttributeValue.fromS("999.99"));
        dynamo.putItem(r -> r.tableName(workload.history).item(altered));
        dynamo.deleteItem(r -> r.tableName(workload.transfers).key(transferKey));
        try {
            ReplayRunner.Run run = replay("verify");

            assertThat(run.code()).isEqualTo(1);
            assertThat(run.out()).contains("account:eur-2 v1 history.balanceAfter: projection \"999.99\", log \"0.00\"",
                    "transfer:" + transferId + " v" + transfer.get("version").n() + " transfers: no item; the log is at "
                            + "version " + transfer.get("version").n());
            assertThat(run.out().lines().filter(l -> l.startsWith("account:") || l.startsWith("transfer:")))
                    .as("only the altered entry and the missing item are reported").hasSize(2);
        } finally {
            dynamo.putItem(r -> r.tableName(workload.history).item(entry));
            dynamo.putItem(r -> r.tableName(workload.transfers).item(transfer));
        }
    }

    @Test
    void verifyNamesTheAccountAndVersionOfAnAlteredEvent() {
        Map<String, AttributeValue> key = Map.of(EventsTable.PK, AttributeValue.fromS("account:eur-3"),
                EventsTable.SK, AttributeValue.fromN("2"));
        Map<String, AttributeValue> original = dynamo.getItem(r -> r.tableName(workload.events).key(key)).item();
        Map<String, AttributeValue> altered = new HashMap<>(original);
        altered.put(EventsTable.DATA, AttributeValue.fromS(original.get(EventsTable.DATA).s()
                .replace("100.00", "1000.00")));
        assertThat(altered).isNotEqualTo(original);
        dynamo.putItem(r -> r.tableName(workload.events).item(altered));
        try {
            ReplayRunner.Run run = replay("verify");

            assertThat(run.code()).isEqualTo(1);
            assertThat(run.out()).contains("account:eur-3 v2 hash: stored ");
            assertThat(run.out()).contains("not checked: conservation and pending holds");
        } finally {
            dynamo.putItem(r -> r.tableName(workload.events).item(original));
        }
    }

    @Test
    void stateAsOfAnInstantIsTheFoldOfTheLogUpToIt() throws IOException {
        List<StoredEvent> events = new ArrayList<>();
        workload.store().readStream(StreamId.account("eur-4"), 1).forEachRemaining(events::add);
        Instant asOf = events.get(events.size() / 2).recordedAt().plusMillis(500);
        AccountState expected = null;
        long version = 0;
        for (StoredEvent event : events) {
            if (!event.recordedAt().isAfter(asOf)) {
                expected = AccountState.evolve(Optional.ofNullable(expected), (AccountEvent) event.event());
                version = event.version();
            }
        }

        ReplayRunner.Run run = replay("state", "--account", "eur-4", "--as-of", asOf.toString());

        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.json()).isEqualTo(JSON.readTree(Views.account(expected, version).toString()));
        assertThat(version).isLessThan(events.size());
        JsonNode api = balanceAsOfFromTheApi("eur-4", asOf);
        assertThat(run.json().get("balance").asText()).isEqualTo(api.get("balance").asText());
        assertThat(run.json().get("version").asLong()).isEqualTo(api.get("version").asLong()).isEqualTo(version);
        ReplayRunner.Run byVersion = replay("state", "--account", "eur-4", "--version", Long.toString(version));
        assertThat(byVersion.json()).isEqualTo(run.json());
        assertThat(replay("state", "--account", "eur-4", "--as-of", "2020-01-01T00:00:00Z").code()).isEqualTo(1);
    }

    @Test
    void exportedEventsPassTheAuditorsPythonCheck(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("events.jsonl");

        ReplayRunner.Run run = replay("export", "--accounts", String.join(",", workload.accounts), "--transfers", "t-0,t-1",
                "--out", file.toString(), "--json");

        assertThat(run.code()).as(run.err()).isZero();
        long lines = Files.readAllLines(file).size();
        assertThat(run.json().get("events").asLong()).isEqualTo(lines).isGreaterThan(workload.accounts.size());
        // Exactly as the README says: the file as argument, and on standard input.
        Verifier byArgument = verifyChain(file, false);
        assertThat(byArgument.code()).as(byArgument.output()).isZero();
        assertThat(byArgument.output()).contains("account:eur-0 ok", "transfer:t-1 ok",
                "OK: " + (workload.accounts.size() + 2) + " streams, " + lines + " events").doesNotContain("BROKEN");
        Verifier byStdin = verifyChain(file, true);
        assertThat(byStdin.code()).as(byStdin.output()).isZero();
        assertThat(byStdin.output()).isEqualTo(byArgument.output().replace(file.toString(), "standard input"));
    }

    @Test
    void anExportFromAnInstantIsCheckedFromTheHashItsFirstEventFollows(@TempDir Path dir) throws Exception {
        List<StoredEvent> events = new ArrayList<>();
        workload.store().readStream(StreamId.account("eur-0"), 1).forEachRemaining(events::add);
        StoredEvent firstExported = events.get(events.size() / 2);
        assertThat(firstExported.version()).isGreaterThan(1);
        assertThat(events.get((int) firstExported.version() - 2).recordedAt()).isBefore(firstExported.recordedAt());
        Path file = dir.resolve("from.jsonl");

        ReplayRunner.Run run = replay("export", "--accounts", "eur-0", "--from",
                firstExported.recordedAt().toString(), "--out", file.toString());

        assertThat(run.code()).as(run.err()).isZero();
        List<String> lines = Files.readAllLines(file);
        JsonNode first = JSON.readTree(lines.get(0));
        assertThat(first.get("version").asLong()).isEqualTo(firstExported.version());
        assertThat(first.get("previousHash").asText()).isEqualTo(events.get((int) firstExported.version() - 2).hash());
        assertThat(lines.subList(1, lines.size())).noneMatch(l -> l.contains("previousHash"));
        Verifier verified = verifyChain(file, false);
        assertThat(verified.code()).as(verified.output()).isZero();
        assertThat(verified.output()).contains("account:eur-0 ok " + lines.size() + " events (versions "
                + firstExported.version() + "-" + events.size() + ", from previousHash ");

        Files.write(file, lines.subList(1, lines.size()));
        Verifier cut = verifyChain(file, false);
        assertThat(cut.code()).as("the first line cut off: no hash to start from").isEqualTo(1);
        assertThat(cut.output()).contains("account:eur-0 starts at version " + (firstExported.version() + 1)
                + " without a previousHash");
    }

    @Test
    void exportOfAnAccountTheLogDoesNotHaveExitsOneNamingIt(@TempDir Path dir) {
        Path file = dir.resolve("events.jsonl");

        ReplayRunner.Run run = replay("export", "--accounts", "eur-0,nosuch", "--transfers", "t-0,no-transfer",
                "--out", file.toString());

        assertThat(run.code()).as(run.out() + run.err()).isEqualTo(1);
        assertThat(run.err()).contains("account nosuch", "transfer no-transfer").doesNotContain("account eur-0");
        assertThat(file).doesNotExist();
    }

    @Test
    void progressCountsEveryEventAndItsLastLineShowsTheTotal() {
        ReplayRunner.Run verify = replay("verify", "--json", "--progress", "plain");

        assertThat(verify.code()).as(verify.out() + verify.err()).isZero();
        long events = verify.json().get("events").asLong();
        assertThat(lastProgressLine(verify, "verify")).startsWith("verify: " + events + "/" + events + " events (100%)");

        ReplayRunner.Run rebuild = replay("rebuild", "--projection", "balances", "--json", "--progress", "plain");

        assertThat(rebuild.code()).as(rebuild.out() + rebuild.err()).isZero();
        long applied = rebuild.json().get("projections").get(0).get("events").asLong();
        assertThat(lastProgressLine(rebuild, "rebuild balances"))
                .startsWith("rebuild balances: " + applied + "/" + applied + " events (100%)");
    }

    private static String lastProgressLine(ReplayRunner.Run run, String label) {
        List<String> lines = run.err().lines().filter(l -> l.startsWith(label + ": ")).toList();
        assertThat(lines).as(run.err()).isNotEmpty();
        return lines.get(lines.size() - 1);
    }

    private record Verifier(int code, String output) {
    }

    /** docs/verify_chain.py on a file: as its argument, or redirected to standard input. */
    private static Verifier verifyChain(Path file, boolean onStdin) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(System.getenv().getOrDefault("LEDGER_PYTHON", "python3"),
                Path.of("..", "docs", "verify_chain.py").toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (onStdin) {
            builder.redirectInput(file.toFile());
        } else {
            command.add(file.toString());
            builder.command(command);
        }
        Process python = builder.start();
        if (!onStdin) {
            python.getOutputStream().close();
        }
        String report = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(python.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        return new Verifier(python.exitValue(), report);
    }

    @Test
    void rebuildIntoShadowTablesReproducesTheLiveProjectionsItemForItem() {
        ReplayRunner.Run run = replay("rebuild", "--projection", "all", "--json");

        assertThat(run.code()).as(run.out() + run.err()).isZero();
        for (JsonNode projection : run.json().get("projections")) {
            assertThat(projection.get("equalToLive").asBoolean()).as(projection.toString()).isTrue();
            assertThat(projection.get("itemsCompared").asLong()).isPositive();
            assertThat(projection.get("table").asText()).contains("-rebuild-");
        }
    }

    @Test
    void lostLiveTablesAreRebuiltUnderTheirOwnNamesEqualToWhatTheyWere() {
        ReplayRunner.Run shadow = replay("rebuild", "--projection", "all", "--json");
        assertThat(shadow.code()).as(shadow.out() + shadow.err()).isZero();
        List<String> shadows = new ArrayList<>();
        shadow.json().get("projections").forEach(p -> shadows.add(p.get("table").asText()));
        for (String live : List.of(workload.balances, workload.history, workload.transfers, workload.metadata)) {
            ControlTable.Tables.delete(dynamo, live);
        }

        ReplayRunner.Run run = replay("rebuild", "--projection", "all", "--into", "live");

        assertThat(run.code()).as(run.out() + run.err()).isZero();
        assertThat(TableDiff.compare(dynamo, false, shadows.get(0), workload.balances).equal()).isTrue();
        assertThat(TableDiff.compare(dynamo, true, shadows.get(1), workload.history).equal()).isTrue();
        assertThat(TableDiff.compare(dynamo, false, shadows.get(2), workload.transfers).equal()).isTrue();
        assertThat(TableDiff.compare(dynamo, true, shadows.get(3), workload.metadata).equal()).isTrue();
        assertThat(replay("verify").code()).isZero();
        assertThat(replay("rebuild", "--projection", "balances", "--into", "live").code())
                .as("a live table with items is never overwritten").isEqualTo(2);
    }

    @Test
    void aSecondRebuildOfTheSameProjectionIsRefusedWhileTheFirstHoldsTheLock() {
        ControlTable table = new ControlTable(dynamo, control).ensureExists();
        try (RebuildLock held = RebuildLock.acquire(table, "transfers", "operator-a", Duration.ofMinutes(5),
                Clock.systemUTC())) {
            assertThat(held.lost()).isFalse();
            ReplayRunner.Run run = replay("rebuild", "--projection", "transfers");

            assertThat(run.code()).isEqualTo(2);
            assertThat(run.err()).contains("a rebuild of transfers is already running: lock held by operator-a");
        }
        assertThat(replay("rebuild", "--projection", "transfers").code()).isZero();
    }

    @ParameterizedTest
    @EnumSource(ProjectionCatalog.class)
    void anInterruptedRebuildIsNeverCompletedAndARerunStartsAfreshAndEqualsLive(ProjectionCatalog kind) {
        ControlTable table = new ControlTable(dynamo, control).ensureExists();
        Rebuilder rebuilder = new Rebuilder(dynamo, new EventLog(dynamo, workload.events), table, Clock.systemUTC(), 2, 2);
        String partial = rebuilder.nextShadowName(deployed(kind));
        String records = "rebuild#" + kind.label() + "#" + partial;
        int[] applied = {0};
        try (RebuildLock lock = RebuildLock.acquire(table, kind.label(), "crashing-run", Duration.ofMinutes(1),
                Clock.systemUTC())) {
            assertThatThrownBy(() -> rebuilder.rebuild(kind, partial, null, true, lock, event -> {
                if (++applied[0] == 25) {
                    throw new IllegalStateException("killed");
                }
            })).hasMessageContaining("killed");
        }
        assertThat(table.withPrefix(records))
                .singleElement().satisfies(r -> assertThat(r.get("status").s()).isEqualTo("BUILDING"));

        ReplayRunner.Run rerun = replay("rebuild", "--projection", kind.label(), "--json");

        assertThat(rerun.code()).as(rerun.out() + rerun.err()).isZero();
        assertThat(rerun.err()).contains("deleted " + partial);
        assertThat(ControlTable.Tables.exists(dynamo, partial)).isFalse();
        JsonNode report = rerun.json().get("projections").get(0);
        assertThat(report.get("table").asText()).isNotEqualTo(partial);
        assertThat(report.get("equalToLive").asBoolean()).isTrue();
        assertThat(table.withPrefix(records))
                .singleElement().satisfies(r -> assertThat(r.get("status").s()).isEqualTo("ABANDONED"));
    }

    @Test
    void theRebuildLockIsRenewedWhileItIsHeld() {
        new ControlTable(dynamo, control).ensureExists();
        Map<String, AttributeValue> key = Map.of(ControlTable.ID, AttributeValue.fromS("lock#balances"));
        LongSupplier expiresAt = () -> Long.parseLong(dynamo.getItem(r -> r.tableName(control).key(key)
                .consistentRead(true)).item().get(RebuildLock.EXPIRES_AT).n());
        // The lock as a rebuild takes it: through the tool's own client (a heartbeat every third of its ttl).
        try (DynamoDbClient tool = rebuildClient();
             RebuildLock lock = RebuildLock.acquire(new ControlTable(tool, control), "balances", "long-run",
                     Duration.ofMillis(300), Clock.systemUTC())) {
            long taken = expiresAt.getAsLong();

            await().atMost(Duration.ofSeconds(30)).until(() -> expiresAt.getAsLong() > taken);

            assertThat(lock.lost()).isFalse();
        }
        assertThat(dynamo.getItem(r -> r.tableName(control).key(key).consistentRead(true)).hasItem())
                .as("released at the end").isFalse();
    }

    /** What the read API answers to {@code GET /accounts/{id}/balance?asOf=}, over the same tables. */
    private JsonNode balanceAsOfFromTheApi(String account, Instant asOf) {
        QueryApi api = new QueryApi(new BalancesProjection(dynamo, workload.balances),
                new HistoryReader(dynamo, workload.history), new TransfersProjection(dynamo, workload.transfers),
                workload.store(), ApiTokens.parse("auditor-token=auditor"));
        HttpResponse response = api.handle(new HttpRequest("GET", "/accounts/" + account + "/balance",
                Map.of("authorization", "Bearer auditor-token"), Map.of("asOf", asOf.toString()), null, "r-1"),
                "c-1").response();
        assertThat(response.status()).as(response.body().toString()).isEqualTo(200);
        return response.body();
    }

    private String deployed(ProjectionCatalog kind) {
        return switch (kind) {
            case BALANCES -> workload.balances;
            case HISTORY -> workload.history;
            case TRANSFERS -> workload.transfers;
            case METADATA -> workload.metadata;
        };
    }

    /** A DynamoDB client of the replay tool as {@code rebuild} builds it (its app id included). */
    private DynamoDbClient rebuildClient() {
        AsRebuild holder = new AsRebuild();
        new picocli.CommandLine(holder).parseArgs("--endpoint", endpoint, "--state-file", "does-not-exist.json");
        return holder.target.dynamo();
    }

    @picocli.CommandLine.Command(name = "rebuild")
    static final class AsRebuild {
        @picocli.CommandLine.Mixin
        Target target;
    }

    private ReplayRunner.Run replay(String... args) {
        return new ReplayRunner(endpoint, workload, control).run(args);
    }
}
