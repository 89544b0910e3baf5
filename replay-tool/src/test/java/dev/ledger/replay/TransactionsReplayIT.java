package dev.ledger.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountEvent;
import dev.ledger.domain.api.AccountEvent.AccountOpened;
import dev.ledger.domain.api.AccountEvent.TransactionEntriesPosted;
import dev.ledger.domain.api.LedgerEvent;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.StreamState;
import dev.ledger.domain.api.TransactionEntry;
import dev.ledger.domain.api.TransactionEvent;
import dev.ledger.domain.api.TransactionEvent.TransactionRecorded;
import dev.ledger.domain.api.TransactionRequest;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.domain.ledger.StreamChange;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.domain.transaction.TransactionState;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import dev.ledger.store.DynamoEventStore;
import dev.ledger.store.EventStore;
import dev.ledger.store.StateCodec;
import dev.ledger.store.StoreSession;
import dev.ledger.store.StoredEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replay tool over a log with multi-leg transactions: verify checks them (and finds a forged one
 * whose account events do not balance, though every hash chains), state folds their account events,
 * export writes their streams, rebuild reproduces their items. The forgery comes last: the tests
 * before it need a healthy log.
 */
@ExtendWith(LocalAwsExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TransactionsReplayIT {

    @TempDir
    Path directory;
    private Workload workload;
    private String endpoint;
    private String control;

    @BeforeAll
    void aWorkloadOfTransfersAndTransactions(AwsClients aws, TestNames names) {
        endpoint = aws.endpoint().toString();
        control = names.table("replay-control");
        workload = new Workload(aws.dynamoDb(), names.prefix(), 12).run(20).transactions(24);
        workload.project(aws.sqs(), names.queue("dlq"));
    }

    @Test
    @Order(1)
    void verifyChecksEveryTransactionAndPassesOnAHealthyLog() {
        ReplayRunner.Run run = replay("verify", "--json");

        assertThat(run.code()).as(run.out() + run.err()).isZero();
        JsonNode summary = run.json();
        assertThat(summary.get("transactions").asLong()).isEqualTo(workload.transactionIds.size());
        assertThat(summary.get("balanceSumByCurrency").get("EUR").asText()).isEqualTo("0");
        assertThat(summary.get("balanceSumByCurrency").get("USD").asText()).isEqualTo("0");
        assertThat(summary.get("findingCount").asLong()).isZero();
    }

    @Test
    @Order(2)
    void verifyOfTheAccountsAloneChecksTheirOpenTransactionHolds() {
        assertThat(workload.transactionIds).anySatisfy(id -> assertThat(StateCodec.decodeTransaction(
                workload.store().readHead(StreamId.transaction(id)).orElseThrow().state()).isPending()).isTrue());

        ReplayRunner.Run run = replay("verify", "--accounts", String.join(",", workload.accounts));

        assertThat(run.code()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("OK: " + workload.accounts.size() + " accounts");
    }

    @Test
    @Order(2)
    void rebuildReproducesEveryProjectionItemTransactionsIncluded() {
        ReplayRunner.Run run = replay("rebuild", "--projection", "all", "--json");

        assertThat(run.code()).as(run.out() + run.err()).isZero();
        for (JsonNode projection : run.json().get("projections")) {
            assertThat(projection.get("equalToLive").asBoolean()).as(projection.toString()).isTrue();
        }
        JsonNode transfers = run.json().get("projections").get(2);
        assertThat(transfers.get("itemsCompared").asLong())
                .isEqualTo(workload.transferIds.size() + workload.transactionIds.size());
    }

    @Test
    @Order(3)
    void stateFoldsAnAccountsTransactionEventsAndExportWritesATransactionsStream() throws Exception {
        String account = "eur-1";
        EventStore.Head head = workload.store().readHead(StreamId.account(account)).orElseThrow();
        AccountState now = StateCodec.decodeAccount(head.state());

        ReplayRunner.Run state = replay("state", "--account", account);
        assertThat(state.code()).as(state.out() + state.err()).isZero();
        assertThat(state.json().get("balance").asText())
                .isEqualTo(Money.toDecimalString(now.balance(), 2));

        Path file = directory.resolve("transactions.jsonl");
        ReplayRunner.Run export = replay("export", "--transactions", "tx-0,tx-1", "--accounts", account,
                "--out", file.toString());
        assertThat(export.code()).as(export.err()).isZero();
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("\"stream\":\"transaction:tx-0\""));
        // The auditors' Python check reads a transaction's stream like any other.
        Process python = new ProcessBuilder(System.getenv().getOrDefault("LEDGER_PYTHON", "python3"),
                Path.of("..", "docs", "verify_chain.py").toString(), file.toString()).redirectErrorStream(true).start();
        python.getOutputStream().close();
        String report = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(python.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(python.exitValue()).as(report).isZero();
        assertThat(report).contains("transaction:tx-0 ok", "transaction:tx-1 ok", "OK: 3 streams, " + lines.size());
        assertThat(replay("export", "--transactions", "nothing").code()).isEqualTo(1);
    }

    @Test
    @Order(4)
    void verifyFindsAForgedTransactionWhoseAccountEventsDoNotBalance() {
        appendAsWritten(new AccountOpened("forger", Workload.EUR, OverdraftLimit.UNLIMITED));
        List<TransactionEntry> recorded = List.of(
                new TransactionEntry(0, "forger", Side.DEBIT, Money.parse("10.00", Workload.EUR)),
                new TransactionEntry(1, "eur-2", Side.CREDIT, Money.parse("10.00", Workload.EUR)));
        // eur-2's event claims 10.01: every hash chains, but the transaction does not balance across accounts.
        List<TransactionEntry> claimed = List.of(recorded.get(0),
                new TransactionEntry(1, "eur-2", Side.CREDIT, Money.parse("10.01", Workload.EUR)));
        appendAsWritten(new TransactionRecorded("forged", new TransactionRequest(recorded, false, 0, null), null),
                new TransactionEntriesPosted("forger", "forged", recorded),
                new TransactionEntriesPosted("eur-2", "forged", claimed));

        ReplayRunner.Run run = replay("verify", "--log-only", "--json");

        assertThat(run.code()).as(run.out() + run.err()).isEqualTo(1);
        List<String> findings = new ArrayList<>();
        run.json().get("findings").forEach(f -> findings.add(f.get("stream").asText() + " "
                + f.get("field").asText() + ": " + f.get("detail").asText()));
        assertThat(findings).anySatisfy(f -> assertThat(f).startsWith("transaction:forged conservation.EUR: ")
                .contains("debits of 1000", "credits of 1001"));
        assertThat(findings).anySatisfy(f -> assertThat(f).startsWith("transaction:forged legs.eur-2: ")
                .contains("posts 1000", "events 1001"));
        assertThat(findings).noneSatisfy(f -> assertThat(f).contains(" hash"));
    }

    /**
     * Appends these events as they are, hash-chained, with each stream's fold as its head: a log
     * written by hand, with none of today's rules applied.
     */
    private void appendAsWritten(LedgerEvent... events) {
        workload.clock.step(Duration.ofSeconds(1));
        DynamoEventStore store = workload.store();
        StoreSession session = store.session();
        Map<StreamId, List<LedgerEvent>> byStream = new LinkedHashMap<>();
        for (LedgerEvent event : events) {
            byStream.computeIfAbsent(event.streamId(), s -> new ArrayList<>()).add(event);
        }
        List<StreamChange> changes = new ArrayList<>();
        byStream.forEach((stream, streamEvents) -> {
            Optional<EventStore.Head> head = session.head(stream);
            StreamState state = head.map(h -> StateCodec.decode(stream, h.state())).orElse(null);
            for (LedgerEvent event : streamEvents) {
                state = event instanceof AccountEvent a
                        ? AccountState.evolve(Optional.ofNullable((AccountState) state), a)
                        : TransactionState.evolve(Optional.ofNullable((TransactionState) state), (TransactionEvent) event);
            }
            changes.add(new StreamChange(stream, head.map(EventStore.Head::version).orElse(0L), streamEvents, state));
        });
        List<StoredEvent> stored = session.append(new LedgerResult(LedgerResult.Status.APPLIED,
                changes.get(0).stream(), null, changes), workload.clock.instant(), "forged");
        assertThat(stored).hasSize(events.length);
    }

    private ReplayRunner.Run replay(String... args) {
        return new ReplayRunner(endpoint, workload, control).run(args);
    }
}
