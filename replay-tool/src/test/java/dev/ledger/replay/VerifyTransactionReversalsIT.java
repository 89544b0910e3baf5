package dev.ledger.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.AccountEvent.TransactionEntriesReversed;
import dev.ledger.domain.api.LedgerEvent;
import dev.ledger.domain.api.OriginalKind;
import dev.ledger.domain.api.ReversalEvent;
import dev.ledger.domain.api.ReversalEvent.ReversalRecorded;
import dev.ledger.domain.api.ReversalRequest;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.StreamState;
import dev.ledger.domain.api.TransactionEntry;
import dev.ledger.domain.api.TransactionEvent.TransactionReversed;
import dev.ledger.domain.api.TransactionRequest;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.ledger.Ledger;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.domain.ledger.StreamChange;
import dev.ledger.domain.ledger.StreamFold;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.functions.command.CommandService;
import dev.ledger.functions.command.RetryPolicy;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import dev.ledger.store.EventStore;
import dev.ledger.store.StateCodec;
import dev.ledger.store.StoreSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replay tool over reversals of multi-leg transactions (issue 12 §2): verify, export and rebuild
 * cover them; a forged reversal whose account events do not mirror the transaction's nets, and a
 * second accepted reversal of one transaction, are findings (exit 1).
 */
@ExtendWith(LocalAwsExtension.class)
class VerifyTransactionReversalsIT {

    @Test
    void verifyExportAndRebuildCoverATransactionsReversalAndAForgedOneThatDoesNotMirrorItsNetsIsAFinding(
            AwsClients aws, TestNames names, @TempDir Path dir) throws Exception {
        Workload workload = new Workload(aws.dynamoDb(), names.prefix(), 7).run(10);
        CommandService commands = new CommandService(workload.store(), workload.clock,
                RetryPolicy.standard(new SplittableRandom(7)));
        for (String id : List.of("trv-a", "trv-b", "trv-c")) {
            run(workload, commands, l -> l.openAccount(new OpenAccount(id, Workload.EUR, OverdraftLimit.NONE)));
        }
        run(workload, commands, l -> l.transfer("trv-fund", TransferRequest.posted("bank-eur", "trv-a", eur("50.00"))));
        run(workload, commands, l -> l.transaction("trv-pay", new TransactionRequest(List.of(
                entry(0, "trv-a", Side.DEBIT, "30.00"), entry(1, "trv-b", Side.CREDIT, "20.00"),
                entry(2, "trv-c", Side.CREDIT, "10.00")), false, 0, null)));
        run(workload, commands, l -> l.reverseTransaction("trv-r-ok", whole("trv-pay")));
        TransactionRequest second = new TransactionRequest(List.of(entry(0, "trv-a", Side.DEBIT, "10.00"),
                entry(1, "trv-b", Side.CREDIT, "10.00")), false, 0, null);
        run(workload, commands, l -> l.transaction("trv-pay-2", second));
        // An operator's reversal past trv-c's floor: trv-c spent what trv-pay-3 gave it.
        run(workload, commands, l -> l.transaction("trv-pay-3", new TransactionRequest(List.of(
                entry(0, "trv-a", Side.DEBIT, "5.00"), entry(1, "trv-c", Side.CREDIT, "5.00")), false, 0, null)));
        run(workload, commands, l -> l.transfer("trv-spend", TransferRequest.posted("trv-c", "bank-eur", eur("5.00"))));
        run(workload, commands, l -> l.reverseTransaction("trv-r-forced", new ReversalRequest(OriginalKind.TRANSACTION,
                "trv-pay-3", null, true, new TreeMap<>())));
        workload.accounts.addAll(List.of("trv-a", "trv-b", "trv-c"));
        workload.transferIds.addAll(List.of("trv-fund", "trv-spend"));
        workload.transactionIds.addAll(List.of("trv-pay", "trv-pay-2", "trv-pay-3"));
        workload.project(aws.sqs(), names.queue("dlq"));
        ReplayRunner replay = new ReplayRunner(aws.endpoint().toString(), workload, names.table("control"));

        ReplayRunner.Run verify = replay.run("verify", "--json");
        assertThat(verify.code()).as("a forced reversal below the floor is allowed: " + verify.out() + verify.err())
                .isZero();
        ReplayRunner.Run state = replay.run("state", "--account", "trv-c");
        assertThat(state.code()).as(state.out() + state.err()).isZero();
        assertThat(state.json().get("balance").asText()).isEqualTo("-5.00");
        Path export = dir.resolve("reversal.jsonl");
        ReplayRunner.Run exported = replay.run("export", "--reversals", "trv-r-ok", "--transactions", "trv-pay",
                "-o", export.toString());
        assertThat(exported.code()).as(exported.out() + exported.err()).isZero();
        assertThat(Files.readAllLines(export)).hasSize(1 + 2)
                .anySatisfy(line -> assertThat(line).contains("\"stream\":\"reversal:trv-r-ok\"",
                        "\"type\":\"ReversalRecorded\"", "\"originalKind\":\"transaction\""))
                .anySatisfy(line -> assertThat(line).contains("\"type\":\"TransactionReversed\""));
        ReplayRunner.Run rebuild = replay.run("rebuild", "--projection", "all", "--json");
        assertThat(rebuild.code()).as(rebuild.out() + rebuild.err()).isZero();
        rebuild.json().get("projections").forEach(p -> assertThat(p.get("equalToLive").asBoolean()).as(p.toString())
                .isTrue());

        // By hand, past every rule: trv-pay-2 "reversed", its record mirroring the nets but its account
        // events giving trv-a back 10.00 and taking only 9.00 from trv-b; and trv-pay reversed a second time.
        List<TransactionEntry> forged = List.of(entry(0, "trv-a", Side.CREDIT, "10.00"),
                entry(1, "trv-b", Side.DEBIT, "9.00"));
        appendAsWritten(workload, List.of(
                new ReversalRecorded("trv-forged", whole("trv-pay-2"), null, List.of(
                        new ReversalEvent.Leg("trv-a", Side.CREDIT, eur("10.00")),
                        new ReversalEvent.Leg("trv-b", Side.DEBIT, eur("10.00")))),
                new TransactionReversed("trv-pay-2", "trv-forged", false),
                new TransactionEntriesReversed("trv-a", "trv-pay-2", "trv-forged", forged, false),
                new TransactionEntriesReversed("trv-b", "trv-pay-2", "trv-forged", forged, false)));
        appendAsWritten(workload, List.of(new ReversalRecorded("trv-twice", whole("trv-pay"), null, List.of(
                new ReversalEvent.Leg("trv-a", Side.CREDIT, eur("30.00")),
                new ReversalEvent.Leg("trv-b", Side.DEBIT, eur("20.00")),
                new ReversalEvent.Leg("trv-c", Side.DEBIT, eur("10.00"))))));
        ReplayRunner.Run broken = replay.run("verify", "--json", "--log-only");

        assertThat(broken.code()).as(broken.out() + broken.err()).isEqualTo(1);
        List<String> findings = new ArrayList<>();
        for (JsonNode finding : broken.json().get("findings")) {
            findings.add(finding.get("stream").asText() + " " + finding.get("field").asText() + ": "
                    + finding.get("detail").asText());
        }
        assertThat(findings).anySatisfy(f -> assertThat(f).startsWith("transaction:trv-pay-2 reversal.legs.trv-b: "
                + "transaction trv-pay-2 posted 1000 minor units on it, so its reversal gives back -1000; its "
                + "reversal's account events move -900"));
        assertThat(findings).anySatisfy(f -> assertThat(f).startsWith(
                "transaction:trv-pay-2 reversal.conservation.EUR: its reversal's account events do not balance"));
        assertThat(findings).anySatisfy(f -> assertThat(f).startsWith(
                "transaction:trv-pay reversal: reversed more than once: accepted reversals [trv-r-ok, trv-twice]"));
        assertThat(findings).anySatisfy(f -> assertThat(f).startsWith("reversal:trv-twice reversal: accepted, "
                + "reversing transaction trv-pay, but that transaction's stream shows reversal trv-r-ok"));
        assertThat(findings).as("the reversal the ledger wrote mirrors its transaction")
                .noneMatch(f -> f.startsWith("reversal:trv-r-ok") || f.startsWith("transaction:trv-pay reversal.")
                        || f.startsWith("reversal:trv-forged") || f.startsWith("account:trv-c"));
    }

    private static ReversalRequest whole(String transactionId) {
        return new ReversalRequest(OriginalKind.TRANSACTION, transactionId, null, false, new TreeMap<>());
    }

    private static TransactionEntry entry(int index, String accountId, Side side, String amount) {
        return new TransactionEntry(index, accountId, side, eur(amount));
    }

    private static void run(Workload workload, CommandService commands, Function<Ledger, LedgerResult> command) {
        workload.clock.step(Duration.ofSeconds(1));
        LedgerResult result = commands.execute("trv", command).result();
        assertThat(result.isRejected()).as(String.valueOf(result.rejection())).isFalse();
    }

    /** Appends these events as they are, hash-chained, each stream's fold as its head's snapshot. */
    private static void appendAsWritten(Workload workload, List<LedgerEvent> events) {
        workload.clock.step(Duration.ofSeconds(1));
        StoreSession session = workload.store().session();
        Map<StreamId, List<LedgerEvent>> byStream = new LinkedHashMap<>();
        events.forEach(e -> byStream.computeIfAbsent(e.streamId(), s -> new ArrayList<>()).add(e));
        List<StreamChange> changes = new ArrayList<>();
        byStream.forEach((stream, streamEvents) -> {
            Optional<EventStore.Head> head = session.head(stream);
            StreamState state = head.map(h -> StateCodec.decode(stream, h.state())).orElse(null);
            for (LedgerEvent event : streamEvents) {
                state = StreamFold.evolve(state, event);
            }
            changes.add(new StreamChange(stream, head.map(EventStore.Head::version).orElse(0L), streamEvents, state));
        });
        session.append(new LedgerResult(LedgerResult.Status.APPLIED, changes.get(0).stream(), null, changes),
                workload.clock.instant(), "by-hand");
    }

    private static Money eur(String amount) {
        return Money.parse(amount, Workload.EUR);
    }
}
