package dev.ledger.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.AccountEvent.EntryReversed;
import dev.ledger.domain.api.LedgerEvent;
import dev.ledger.domain.api.OriginalKind;
import dev.ledger.domain.api.ReversalRequest;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.StreamState;
import dev.ledger.domain.api.TransferEvent.TransferReversed;
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
 * The replay tool over reversals (issue 12 §2): verify checks reversal streams and accepts an account
 * below its floor only by a forced reversal; export, state and rebuild cover them; and a log whose
 * reversals give back more than the transfer posted, or whose transfer shows a reversal that has no
 * record of its own, is a finding (exit 1).
 */
@ExtendWith(LocalAwsExtension.class)
class VerifyReversalsIT {

    @Test
    void verifyExportStateAndRebuildCoverReversalsAndAReversalPastPostedIsAFinding(AwsClients aws, TestNames names,
                                                                                   @TempDir Path dir) throws Exception {
        Workload workload = new Workload(aws.dynamoDb(), names.prefix(), 5).run(15);
        CommandService commands = new CommandService(workload.store(), workload.clock,
                RetryPolicy.standard(new SplittableRandom(5)));
        run(workload, commands, l -> l.openAccount(new OpenAccount("rv-a", Workload.EUR, OverdraftLimit.NONE)));
        run(workload, commands, l -> l.openAccount(new OpenAccount("rv-b", Workload.EUR, OverdraftLimit.NONE)));
        run(workload, commands, l -> l.transfer("rv-fund", TransferRequest.posted("bank-eur", "rv-a", eur("50.00"))));
        run(workload, commands, l -> l.transfer("rv-pay", TransferRequest.posted("rv-a", "rv-b", eur("40.00"))));
        run(workload, commands, l -> l.reverseTransfer("r-ok", "rv-pay", c -> reversal(c, "10.00", false)));
        run(workload, commands, l -> l.transfer("rv-spend", TransferRequest.posted("rv-b", "bank-eur", eur("30.00"))));
        run(workload, commands, l -> l.reverseTransfer("r-forced", "rv-pay", c -> reversal(c, "5.00", true)));
        workload.accounts.addAll(List.of("rv-a", "rv-b"));
        workload.transferIds.addAll(List.of("rv-fund", "rv-pay", "rv-spend"));
        workload.project(aws.sqs(), names.queue("dlq"));
        ReplayRunner replay = new ReplayRunner(aws.endpoint().toString(), workload, names.table("control"));

        ReplayRunner.Run verify = replay.run("verify", "--json");
        assertThat(verify.code()).as(verify.out() + verify.err()).isZero();
        ReplayRunner.Run state = replay.run("state", "--account", "rv-b");
        assertThat(state.code()).as(state.out() + state.err()).isZero();
        assertThat(state.json().get("balance").asText()).isEqualTo("-5.00");
        Path export = dir.resolve("reversals.jsonl");
        ReplayRunner.Run exported = replay.run("export", "--reversals", "r-ok,r-forced", "--transfers", "rv-pay",
                "-o", export.toString());
        assertThat(exported.code()).as(exported.out() + exported.err()).isZero();
        assertThat(Files.readAllLines(export)).hasSize(2 + 3).anySatisfy(line -> assertThat(line)
                .contains("\"stream\":\"reversal:r-forced\"", "\"type\":\"ReversalRecorded\"", "\"force\":true"));
        ReplayRunner.Run rebuild = replay.run("rebuild", "--projection", "all", "--json");
        assertThat(rebuild.code()).as(rebuild.out() + rebuild.err()).isZero();
        rebuild.json().get("projections").forEach(p -> assertThat(p.get("equalToLive").asBoolean()).as(p.toString())
                .isTrue());

        // By hand, past every rule: 26.00 more back from rv-b, unforced, when only 25.00 was left.
        appendAsWritten(workload, List.of(new TransferReversed("rv-pay", "r-hand", eur("26.00"), false),
                new EntryReversed("rv-b", "rv-pay", "r-hand", Side.DEBIT, "rv-a", eur("26.00"), false),
                new EntryReversed("rv-a", "rv-pay", "r-hand", Side.CREDIT, "rv-b", eur("26.00"), false)));
        ReplayRunner.Run broken = replay.run("verify", "--json", "--log-only");

        assertThat(broken.code()).as(broken.out() + broken.err()).isEqualTo(1);
        List<String> findings = new ArrayList<>();
        for (JsonNode finding : broken.json().get("findings")) {
            findings.add(finding.get("stream").asText() + " " + finding.get("field").asText() + ": "
                    + finding.get("detail").asText());
        }
        assertThat(findings).anySatisfy(f -> assertThat(f).startsWith("transfer:rv-pay reversedAmount: ")
                .contains("41.00 EUR", "40.00 EUR"));
        assertThat(findings).anySatisfy(f -> assertThat(f).startsWith("account:rv-b available: below the overdraft floor"));
        assertThat(findings).anySatisfy(f -> assertThat(f).startsWith("reversal:r-hand reversal: transfer rv-pay gives "
                + "back 26.00 EUR under this reversal id, but the log has no accepted reversal of that id"));
        assertThat(findings).as("the reversals the ledger wrote are in their transfers' streams")
                .noneMatch(f -> f.startsWith("reversal:r-ok") || f.startsWith("reversal:r-forced"));
    }

    private static ReversalRequest reversal(dev.ledger.domain.money.CurrencyUnit currency, String amount, boolean force) {
        return new ReversalRequest(OriginalKind.TRANSFER, "rv-pay", Money.parse(amount, currency), force,
                new TreeMap<>());
    }

    private static void run(Workload workload, CommandService commands, Function<Ledger, LedgerResult> command) {
        workload.clock.step(Duration.ofSeconds(1));
        LedgerResult result = commands.execute("rv", command).result();
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
