package dev.ledger.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.BatchEvent.BatchRecorded;
import dev.ledger.domain.api.BatchEvent.ItemOutcome;
import dev.ledger.domain.api.BatchEvent.Outcome;
import dev.ledger.domain.api.BatchItem;
import dev.ledger.domain.api.BatchItem.TransactionItem;
import dev.ledger.domain.api.BatchItem.TransferItem;
import dev.ledger.domain.api.BatchRequest;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.TransactionEntry;
import dev.ledger.domain.api.TransactionRequest;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.batch.BatchState;
import dev.ledger.domain.ledger.Ledger;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.domain.ledger.StreamChange;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.functions.command.CommandService;
import dev.ledger.functions.command.RetryPolicy;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import dev.ledger.store.BatchDigest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replay tool over batches (issue 12 §4): verify checks batch streams and their atomicity; export,
 * state and rebuild cover a log with batches; and a batch record whose items are not all in its append (a
 * partial batch, forged by hand) is a finding (exit 1).
 */
@ExtendWith(LocalAwsExtension.class)
class VerifyBatchesIT {

    @Test
    void verifyExportStateAndRebuildCoverBatchesAndAPartialBatchIsAFinding(AwsClients aws, TestNames names,
                                                                          @TempDir Path dir) throws Exception {
        Workload workload = new Workload(aws.dynamoDb(), names.prefix(), 9).run(10);
        CommandService commands = new CommandService(workload.store(), workload.clock,
                RetryPolicy.standard(new SplittableRandom(9)));
        run(workload, commands, l -> l.openAccount(new OpenAccount("bt-a", Workload.EUR, OverdraftLimit.NONE)));
        run(workload, commands, l -> l.openAccount(new OpenAccount("bt-b", Workload.EUR, OverdraftLimit.NONE)));
        TransferItem fund = new TransferItem("bt-fund", TransferRequest.posted("bank-eur", "bt-a", eur("50.00")));
        TransactionItem split = new TransactionItem("bt-split", new TransactionRequest(List.of(
                new TransactionEntry(0, "bt-a", Side.DEBIT, eur("30.00")),
                new TransactionEntry(1, "bt-b", Side.CREDIT, eur("25.00")),
                new TransactionEntry(2, "bank-eur", Side.CREDIT, eur("5.00"))), false, 0, new TreeMap<>()));
        BatchRequest accepted = BatchDigest.request(true, List.of(fund, split));
        run(workload, commands, l -> l.atomicBatch("b-ok", accepted));
        LedgerResult refused = commands.execute("bt", l -> l.atomicBatch("b-refused", BatchDigest.request(true,
                List.of(new TransferItem("bt-broke", TransferRequest.posted("bt-b", "bt-a", eur("99.00"))))))).result();
        assertThat(refused.isRejected()).isTrue();
        workload.accounts.addAll(List.of("bt-a", "bt-b"));
        workload.transferIds.add("bt-fund");
        workload.transactionIds.add("bt-split");
        workload.project(aws.sqs(), names.queue("dlq"));
        ReplayRunner replay = new ReplayRunner(aws.endpoint().toString(), workload, names.table("control"));

        ReplayRunner.Run verify = replay.run("verify", "--json");
        assertThat(verify.code()).as(verify.out() + verify.err()).isZero();
        ReplayRunner.Run state = replay.run("state", "--account", "bt-b");
        assertThat(state.code()).as(state.out() + state.err()).isZero();
        assertThat(state.json().get("balance").asText()).isEqualTo("25.00");
        Path export = dir.resolve("batches.jsonl");
        ReplayRunner.Run exported = replay.run("export", "--batches", "b-ok,b-refused", "--transfers", "bt-fund",
                "-o", export.toString());
        assertThat(exported.code()).as(exported.out() + exported.err()).isZero();
        List<String> lines = Files.readAllLines(export);
        assertThat(lines).hasSize(3);
        assertThat(lines).anySatisfy(line -> assertThat(line).contains("\"stream\":\"batch:b-ok\"",
                "\"type\":\"BatchRecorded\"", "\"digest\":\"" + accepted.itemDigests().get(1) + "\""));
        assertThat(lines).anySatisfy(line -> assertThat(line).contains("\"stream\":\"batch:b-refused\"",
                "\"type\":\"BatchRejected\"", "\"code\":\"insufficient_funds\""));
        ReplayRunner.Run rebuild = replay.run("rebuild", "--projection", "all", "--json");
        assertThat(rebuild.code()).as(rebuild.out() + rebuild.err()).isZero();
        rebuild.json().get("projections").forEach(p -> assertThat(p.get("equalToLive").asBoolean()).as(p.toString())
                .isTrue());

        // By hand, past every rule: a batch record listing an item the log never got, and one recorded elsewhere.
        TransferItem ghost = new TransferItem("bt-ghost", TransferRequest.posted("bank-eur", "bt-a", eur("1.00")));
        BatchRequest forged = BatchDigest.request(true, List.<BatchItem>of(fund, ghost));
        appendBatchRecordAlone(workload, new BatchRecorded("b-forged", true, forged.digest(), List.of(
                new ItemOutcome(0, "transfer", "bt-fund", forged.itemDigests().get(0), Outcome.APPLIED, null, null, null),
                new ItemOutcome(1, "transfer", "bt-ghost", forged.itemDigests().get(1), Outcome.APPLIED, null, null,
                        null))));
        ReplayRunner.Run broken = replay.run("verify", "--json", "--log-only");

        assertThat(broken.code()).as(broken.out() + broken.err()).isEqualTo(1);
        List<String> findings = new ArrayList<>();
        for (JsonNode finding : broken.json().get("findings")) {
            findings.add(finding.get("stream").asText() + " " + finding.get("field").asText() + ": "
                    + finding.get("detail").asText());
        }
        assertThat(findings).hasSize(2);
        assertThat(findings).anySatisfy(f -> assertThat(f).startsWith("batch:b-forged items[1]: ")
                .contains("transfer bt-ghost", "no such transfer", "partial batch"));
        assertThat(findings).anySatisfy(f -> assertThat(f).startsWith("batch:b-forged items[0]: ")
                .contains("transfer bt-fund", "not recorded in the batch's append"));
    }

    private static void run(Workload workload, CommandService commands, Function<Ledger, LedgerResult> command) {
        workload.clock.step(Duration.ofSeconds(1));
        LedgerResult result = commands.execute("bt", command).result();
        assertThat(result.isRejected()).as(String.valueOf(result.rejection())).isFalse();
    }

    /** Appends a batch's record and nothing else, hash-chained, as a writer bypassing the ledger would. */
    private static void appendBatchRecordAlone(Workload workload, BatchRecorded record) {
        workload.clock.step(Duration.ofSeconds(1));
        StreamId stream = StreamId.batch(record.batchId());
        BatchState state = BatchState.evolve(java.util.Optional.empty(), record);
        workload.store().session().append(new LedgerResult(LedgerResult.Status.APPLIED, stream, null,
                List.of(new StreamChange(stream, 0, List.of(record), state))), workload.clock.instant(), "by-hand");
    }

    private static Money eur(String amount) {
        return Money.parse(amount, Workload.EUR);
    }
}
