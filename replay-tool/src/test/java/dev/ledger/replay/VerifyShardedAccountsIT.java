package dev.ledger.replay;

import static dev.ledger.replay.ShardedAccountRunsDryIT.api;
import static dev.ledger.replay.ShardedAccountRunsDryIT.assertCreated;
import static dev.ledger.replay.ShardedAccountRunsDryIT.call;
import static dev.ledger.replay.ShardedAccountRunsDryIT.transfer;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountEvent;
import dev.ledger.domain.api.AccountEvent.EntryPosted;
import dev.ledger.domain.api.AccountEvent.ShardFundsMoved;
import dev.ledger.domain.api.AccountEvent.ShardOpened;
import dev.ledger.domain.api.AccountShards;
import dev.ledger.domain.api.LedgerEvent;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.StreamState;
import dev.ledger.domain.api.TransferEvent.TransferRecorded;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.domain.ledger.StreamChange;
import dev.ledger.domain.ledger.StreamFold;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.functions.api.CommandApiHandler;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import dev.ledger.store.EventStore;
import dev.ledger.store.StateCodec;
import dev.ledger.store.StoreSession;
import dev.ledger.store.StoredEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * verify over a sharded account (issue 13): the log the ledger writes, moves between shards and an open
 * hold on a shard included, holds; a move between shards with no credit, and a shard stream the account
 * does not count (in another currency), are findings that name the stream and what is wrong (exit 1),
 * with every shard checked or with --accounts alone.
 */
@ExtendWith(LocalAwsExtension.class)
class VerifyShardedAccountsIT {

    @Test
    void aMoveBetweenShardsWithoutItsCreditAndAShardTheAccountDoesNotCountAreFindings(AwsClients aws,
                                                                                      TestNames names) throws Exception {
        // Given: an account of 4 shards and no overdraft, funded on several shards, paying more than one holds.
        Workload workload = new Workload(aws.dynamoDb(), names.prefix(), 21);
        CommandApiHandler api = api(workload, 21);
        assertCreated(call(api, "/accounts", "{\"accountId\":\"bank\",\"currency\":\"EUR\",\"overdraftLimit\":null}"));
        assertCreated(call(api, "/accounts", "{\"accountId\":\"split\",\"currency\":\"EUR\",\"shards\":4}"));
        assertCreated(call(api, "/accounts", "{\"accountId\":\"payee\",\"currency\":\"EUR\"}"));
        for (int i = 0; i < 4; i++) {
            assertCreated(call(api, "/transfers", transfer("fund-" + i, "bank", "split", "10.00")));
        }
        assertCreated(call(api, "/transfers", transfer("gather", "split", "payee", "25.00")));
        assertCreated(call(api, "/transfers", "{\"transferId\":\"held\",\"debitAccountId\":\"split\","
                + "\"creditAccountId\":\"payee\",\"amount\":\"2.00\",\"currency\":\"EUR\",\"pending\":true,"
                + "\"timeoutSeconds\":600}"));
        List<AccountState> shards = new ArrayList<>();
        long moves = 0;
        for (int shard = 0; shard < 4; shard++) {
            AccountState state = null;
            for (Iterator<StoredEvent> events = workload.store().readStream(StreamId.account(
                    AccountShards.streamAccountId("split", shard)), 1); events.hasNext(); ) {
                AccountEvent event = (AccountEvent) events.next().event();
                moves += event instanceof ShardFundsMoved ? 1 : 0;
                state = AccountState.evolve(Optional.ofNullable(state), event);
            }
            shards.add(state);
        }
        assertThat(moves).as("the payment gathered funds from other shards").isPositive();
        ReplayRunner replay = new ReplayRunner(aws.endpoint().toString(), workload, names.table("control"));
        ReplayRunner.Run written = replay.run("verify", "--log-only", "--json");
        assertThat(written.code()).as(written.out() + written.err()).isZero();

        // When: by hand, a shard gives 1.00 to another with no credit there, a fifth shard opens in USD, and a
        // deposit's credit lands on shard 1 while its transfer names shard 2.
        AccountState giver = shards.stream().filter(s -> s.covers(1_00)).findFirst().orElseThrow();
        String receiver = AccountShards.streamAccountId("split", (giver.shard() + 1) % 4);
        appendAsWritten(workload, List.of(new ShardFundsMoved(giver.accountId(), "by-hand", Side.DEBIT, receiver,
                Money.of(1_00, Workload.EUR))));
        appendAsWritten(workload, List.of(new ShardOpened(AccountShards.streamAccountId("split", 4), Workload.USD,
                OverdraftLimit.NONE, false)));
        Money one = Money.of(1_00, Workload.EUR);
        appendAsWritten(workload, List.of(
                new TransferRecorded("misplaced", TransferRequest.posted("bank", "split", one), null, 0, 2),
                new EntryPosted("bank", "misplaced", Side.DEBIT, "split", one),
                new EntryPosted(AccountShards.streamAccountId("split", 1), "misplaced", Side.CREDIT, "bank", one)));
        ReplayRunner.Run all = replay.run("verify", "--log-only", "--json");
        ReplayRunner.Run alone = replay.run("verify", "--accounts", "split", "--log-only", "--json");
        ReplayRunner.Run byShard = replay.run("verify", "--accounts", "split#2", "--log-only", "--json");

        // Then
        String giverStream = StreamId.account(giver.accountId()).toString();
        for (ReplayRunner.Run run : List.of(all, alone, byShard)) {
            assertThat(run.code()).as(run.out() + run.err()).isEqualTo(1);
            List<String> findings = findings(run.json());
            assertThat(findings).anySatisfy(f -> assertThat(f).startsWith(giverStream + " shardFundsMoved.by-hand: "
                    + "1 debit(s) on " + giverStream + " and 0 credit(s) on account:" + receiver + " of 1.00 EUR"));
            assertThat(findings).contains("account:split#4 shards: shard 4, but account split has 4 shards",
                    "account:split#4 currency: the shard holds USD, its account EUR");
            assertThat(findings).as("the moves and the hold the ledger wrote hold")
                    .allMatch(f -> f.contains("by-hand") || f.startsWith("account:split#4")
                            || f.startsWith("currency:") || f.startsWith("transfer:misplaced"));
        }
        assertThat(findings(all.json())).contains("transfer:misplaced creditShard: its credit leg is on "
                + "account:split#1, but the transfer names account:split#2");
        assertThat(findings(all.json())).contains("currency:EUR conservation: account balances sum to -100 minor "
                + "units, not 0");
    }

    private static List<String> findings(JsonNode summary) {
        List<String> findings = new ArrayList<>();
        for (JsonNode finding : summary.get("findings")) {
            findings.add(finding.get("stream").asText() + " " + finding.get("field").asText() + ": "
                    + finding.get("detail").asText());
        }
        return findings;
    }

    /** Appends these events as they are, hash-chained, each stream's fold as its head's snapshot. */
    private static void appendAsWritten(Workload workload, List<LedgerEvent> events) {
        workload.clock.step(Duration.ofSeconds(1));
        StoreSession session = workload.store().session();
        List<StreamChange> changes = new ArrayList<>();
        for (LedgerEvent event : events) {
            StreamId stream = event.streamId();
            Optional<EventStore.Head> head = session.head(stream);
            StreamState state = StreamFold.evolve(head.map(h -> StateCodec.decode(stream, h.state())).orElse(null),
                    event);
            changes.add(new StreamChange(stream, head.map(EventStore.Head::version).orElse(0L), List.of(event), state));
        }
        session.append(new LedgerResult(LedgerResult.Status.APPLIED, changes.get(0).stream(), null, changes),
                workload.clock.instant(), "by-hand");
    }
}
