package dev.ledger.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.domain.RejectionCode;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.account.AccountStatus;
import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.AccountShards;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.StreamState;
import dev.ledger.domain.api.TransactionEntry;
import dev.ledger.domain.api.TransactionRequest;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.ledger.Ledger;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.domain.ledger.StreamChange;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.domain.transaction.TransactionState;
import dev.ledger.domain.transfer.TransferState;
import dev.ledger.domain.transfer.TransferStatus;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Wrote the stored-form fixture {@code stored-form/log-v5-shards.jsonl} and its {@code -expected.json}:
 * a whole events table with what sharded accounts (issue 13) write, which no earlier fixture holds. The
 * "house" account has 4 shards and a floor of zero, the "bank" none: deposits whose credits land on
 * different shards ({@code ShardOpened} streams {@code account:house#k}, {@code TransferRecorded} with a
 * {@code creditShard}, one of them on its second attempt); a payout larger than any one shard holds, so
 * two shards move funds to the picked one ({@code ShardFundsMoved} pairs) in the append of its debit; a
 * payout refused as more than the shards hold together (its {@code TransferRejected} conditional on every
 * shard); a hold on shard 3 ({@code HoldPlaced}, a {@code debitShard}) posted there ({@code HoldPosted});
 * an operator raising the shards twice ({@code AccountSharded}, {@code ShardOpened}), once while the
 * account is frozen ({@code AccountFrozen} and {@code AccountUnfrozen} on every shard); and a multi-leg
 * transaction debiting the house that gathers funds into shard 0. {@link StoredFormFixtureV5Test} checks
 * the current code against it.
 *
 * <p><b>Frozen like {@code log-v1}</b> (see {@link StoredFormFixtureGeneratorIT}): never regenerate it
 * or edit it because the code changed. Disabled unless {@code -Dledger.storedFormV5.out=DIR} is set;
 * writes only there and never over a file:
 * <pre>
 * mvn -o -pl ledger-store -am verify -Dit.test=StoredFormFixtureV5GeneratorIT -Dtest=none \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false \
 *     -Dledger.storedFormV5.out=$PWD/target/stored-form-v5
 * </pre>
 */
@ExtendWith(LocalAwsExtension.class)
@EnabledIfSystemProperty(named = StoredFormFixtureV5GeneratorIT.OUT, matches = ".+")
class StoredFormFixtureV5GeneratorIT {

    static final String FIXTURE = "log-v5-shards";
    static final String OUT = "ledger.storedFormV5.out";

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");
    private static final String HOUSE = "house";
    private static final long HOLD_TIMEOUT_SECONDS = 3_600;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-29T10:00:00Z"));
    private final Map<StreamId, StreamState> states = new TreeMap<>();
    private final Map<StreamId, StoredEvent> lastEvents = new TreeMap<>();
    private final Map<String, Long> typesWritten = new TreeMap<>();
    private LedgerWriter commands;
    private int step;

    @Test
    void writeTheFixture(AwsClients aws, TestNames names) throws IOException {
        Path out = Path.of(System.getProperty(OUT));
        DynamoDbClient dynamo = aws.dynamoDb();
        String table = names.table("stored-form-v5");
        EventsTableSchema.create(dynamo, table);
        commands = new LedgerWriter(new DynamoEventStore(dynamo, table), clock);

        workload();

        List<Map<String, AttributeValue>> items = FixtureLogTable.scanInKeyOrder(dynamo, table);
        FixtureLogTable.write(out, FIXTURE, items, expectations(items));
    }

    private void workload() {
        apply("open-bank", l -> l.openAccount(new OpenAccount("bank", EUR, OverdraftLimit.UNLIMITED)));
        apply("open-fees", l -> l.openAccount(new OpenAccount("fees", EUR, OverdraftLimit.NONE)));
        apply("open-house", l -> l.openAccount(new OpenAccount(HOUSE, EUR, OverdraftLimit.NONE), 4));
        assertThat(house(1).overdraftLimit()).isEqualTo(OverdraftLimit.of(0));

        // Deposits: each credit lands on the shard its transfer id picks; the last one on its second attempt,
        // as after a lost race.
        deposit("deposit-1", 1, "100.00", 2);
        deposit("deposit-2", 1, "60.00", 3);
        deposit("deposit-3", 1, "40.00", 0);
        deposit("deposit-4", 1, "30.00", 1);
        deposit("deposit-5", 2, "20.00", 3);
        assertShards("40.00", "30.00", "100.00", "80.00");

        // 150.00 out of shard 1, which holds 30.00 and no shard 150.00: the richest shards give the 120.00 it lacks.
        assertThat(AccountShards.pick("payout-big", 1, 4)).isEqualTo(1);
        LedgerWriter.Written big = write("payout-big", 1,
                l -> l.transfer("payout-big", TransferRequest.posted(HOUSE, "bank", eur("150.00"))));
        assertThat(big.result().status()).isEqualTo(LedgerResult.Status.APPLIED);
        assertThat(big.events()).filteredOn(event -> event.type().equals("ShardFundsMoved"))
                .extracting(event -> event.stream().id())
                .containsExactlyInAnyOrder("house#2", "house#1", "house#3", "house#1");
        assertThat(transfer("payout-big").debitShard()).isEqualTo(1);
        assertShards("40.00", "0.00", "0.00", "60.00");

        // More than the four shards hold together: refused, the refusal conditional on every shard unchanged.
        LedgerResult over = apply("payout-over",
                l -> l.transfer("payout-over", TransferRequest.posted(HOUSE, "bank", eur("500.00"))));
        assertThat(over.rejection().code()).isEqualTo(RejectionCode.INSUFFICIENT_FUNDS);
        assertThat(over.checks()).hasSize(4);
        assertThat(transfer("payout-over").status()).isEqualTo(TransferStatus.REJECTED);

        // A hold on the shard its id picks, shard 3, which has the funds; posted there.
        assertThat(AccountShards.pick("hold-1", 1, 4)).isEqualTo(3);
        apply("hold-1", l -> l.transfer("hold-1",
                TransferRequest.pending(HOUSE, "bank", eur("25.00"), HOLD_TIMEOUT_SECONDS)));
        assertThat(transfer("hold-1").debitShard()).isEqualTo(3);
        assertThat(house(3).debitsPending()).isEqualTo(25_00);
        apply("hold-1-post", l -> l.postPendingTransfer("hold-1", null));
        assertThat(transfer("hold-1").status()).isEqualTo(TransferStatus.POSTED);
        assertShards("40.00", "0.00", "0.00", "35.00");

        // The operator raises the shards to 5, freezes the account, raises them to 6 (the new shard opens
        // frozen), and unfreezes every shard.
        apply("raise-5", l -> l.raiseShards(HOUSE, 5));
        apply("freeze", l -> l.freezeAccount(HOUSE));
        apply("raise-6", l -> l.raiseShards(HOUSE, 6));
        assertThat(house(5).status()).isEqualTo(AccountStatus.FROZEN);
        apply("unfreeze", l -> l.unfreezeAccount(HOUSE));
        for (int shard = 0; shard < 6; shard++) {
            assertThat(house(shard).status()).as("shard %d", shard).isEqualTo(AccountStatus.OPEN);
        }
        assertThat(house(0).shardCount()).isEqualTo(6);
        deposit6("deposit-6", "10.00", 5);

        // A multi-leg transaction keeps the house's leg on shard 0, which has 40.00 of the 70.00: shard 3 gives 30.00.
        apply("tx-1", l -> l.transaction("tx-1", new TransactionRequest(List.of(
                new TransactionEntry(0, HOUSE, Side.DEBIT, eur("70.00")),
                new TransactionEntry(1, "bank", Side.CREDIT, eur("68.00")),
                new TransactionEntry(2, "fees", Side.CREDIT, eur("2.00"))), false, 0, new TreeMap<>())));
        assertThat(((TransactionState) states.get(StreamId.transaction("tx-1"))).rejection()).isNull();
        assertThat(house(0).shardMovesIn()).isEqualTo(30_00);
        assertThat(house(3).shardMovesOut()).as("20.00 to shard 1 for payout-big, 30.00 to shard 0").isEqualTo(50_00);
        assertShards("0.00", "0.00", "0.00", "5.00", "0.00", "10.00");

        assertThat(typesWritten).containsKeys("AccountSharded", "ShardOpened", "ShardFundsMoved", "TransferRecorded",
                "TransferRejected", "HoldPlaced", "HoldPosted", "PendingTransferPosted", "AccountFrozen",
                "AccountUnfrozen", "TransactionRecorded", "TransactionEntriesPosted");
    }

    /** A deposit from the bank to the house while it has 4 shards: its credit on the shard its id and attempt pick. */
    private void deposit(String id, int attempt, String amount, int shard) {
        assertThat(AccountShards.pick(id, attempt, 4)).as("%s on attempt %d", id, attempt).isEqualTo(shard);
        write(id, attempt, l -> l.transfer(id, TransferRequest.posted("bank", HOUSE, eur(amount))));
        assertThat(transfer(id).creditShard()).as(id).isEqualTo(shard);
    }

    /** A deposit once the house has 6 shards. */
    private void deposit6(String id, String amount, int shard) {
        assertThat(AccountShards.pick(id, 1, 6)).as(id).isEqualTo(shard);
        apply(id, l -> l.transfer(id, TransferRequest.posted("bank", HOUSE, eur(amount))));
        assertThat(transfer(id).creditShard()).as(id).isEqualTo(shard);
    }

    private void assertShards(String... balances) {
        for (int shard = 0; shard < balances.length; shard++) {
            assertThat(house(shard).balance()).as("house shard %d", shard).isEqualTo(eur(balances[shard]).minorUnits());
        }
    }

    private AccountState house(int shard) {
        return (AccountState) states.get(StreamId.account(AccountShards.streamAccountId(HOUSE, shard)));
    }

    private TransferState transfer(String id) {
        return (TransferState) states.get(StreamId.transfer(id));
    }

    private LedgerResult apply(String name, Function<Ledger, LedgerResult> command) {
        return write(name, 1, command).result();
    }

    private LedgerWriter.Written write(String name, int attempt, Function<Ledger, LedgerResult> command) {
        step++;
        LedgerWriter.Written committed = commands.execute(String.format("fixture-v5-%02d-%s", step, name), attempt,
                command);
        for (StreamChange change : committed.result().changes()) {
            states.put(change.stream(), change.stateAfter());
        }
        committed.events().forEach(event -> {
            lastEvents.put(event.stream(), event);
            typesWritten.merge(event.type(), 1L, Long::sum);
        });
        clock.advance(step % 4 == 0 ? Duration.ofMillis(1_250) : Duration.ofSeconds(7));
        return committed;
    }


    /**
     * What the domain said at the time, per stream: the fixture test must fold the log to exactly this. Every
     * account stream, shards too (keyed by the stream's account id, {@code house#1}), with its shard count and
     * moves between shards; every transfer with the shards its legs took; and the sharded account as users see
     * it, its shards added up ({@link AccountState#whole}).
     */
    private String expectations(List<Map<String, AttributeValue>> items) throws IOException {
        ObjectNode root = FixtureLogTable.header(FIXTURE + ".jsonl", items);
        ObjectNode accounts = root.putObject("accounts");
        ObjectNode transfers = root.putObject("transfers");
        ObjectNode transactions = root.putObject("transactions");
        ObjectNode wholeAccounts = root.putObject("wholeAccounts");
        Map<String, List<AccountState>> shardsOf = new TreeMap<>();
        states.forEach((stream, state) -> {
            StoredEvent last = lastEvents.get(stream);
            if (state instanceof AccountState a) {
                ObjectNode node = accounts.putObject(a.accountId());
                node.put("events", last.version());
                node.put("headHash", last.hash());
                putAccount(node, a);
                node.put("shardCount", a.shardCount());
                node.put("shardMovesIn", Money.toDecimalString(a.shardMovesIn(), a.currency().minorDigits()));
                node.put("shardMovesOut", Money.toDecimalString(a.shardMovesOut(), a.currency().minorDigits()));
                shardsOf.computeIfAbsent(a.account(), id -> new ArrayList<>()).add(a);
            } else if (state instanceof TransferState t) {
                ObjectNode node = transfers.putObject(t.transferId());
                node.put("events", last.version());
                node.put("headHash", last.hash());
                node.put("status", t.status().name());
                node.put("amount", t.request().amount().toDecimalString());
                node.put("postedAmount", t.postedAmount().toDecimalString());
                node.put("currency", t.request().amount().currency().code());
                node.put("rejectionCode", t.rejection() == null ? null : t.rejection().code().code());
                node.put("reversedAmount", t.reversedAmount().toDecimalString());
                node.put("postRequest", t.postRequest() == null ? null : t.postRequest().toString());
                node.put("debitShard", t.debitShard());
                node.put("creditShard", t.creditShard());
            } else if (state instanceof TransactionState t) {
                ObjectNode node = transactions.putObject(t.transactionId());
                node.put("events", last.version());
                node.put("headHash", last.hash());
                node.put("status", t.status().name());
                node.put("rejectionCode", t.rejection() == null ? null : t.rejection().code().code());
                node.put("reversalId", t.reversedBy() == null ? null : t.reversedBy().reversalId());
                node.put("reversalForced", t.reversedBy() == null ? null : Boolean.toString(t.reversedBy().forced()));
            }
        });
        shardsOf.forEach((account, shards) -> {
            if (shards.size() > 1) {
                List<AccountState> inOrder = shards.stream().sorted(Comparator.comparingInt(AccountState::shard))
                        .toList();
                AccountState whole = AccountState.whole(inOrder);
                ObjectNode node = wholeAccounts.putObject(account);
                node.put("shards", inOrder.size());
                putAccount(node, whole);
            }
        });
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root);
    }

    private static void putAccount(ObjectNode node, AccountState a) {
        int digits = a.currency().minorDigits();
        node.put("currency", a.currency().code());
        node.put("overdraftLimit", a.overdraftLimit().unlimited() ? null
                : Money.toDecimalString(a.overdraftLimit().minorUnits(), digits));
        node.put("status", a.status().name());
        node.put("balance", Money.toDecimalString(a.balance(), digits));
        node.put("debitsPosted", Money.toDecimalString(a.debitsPosted(), digits));
        node.put("creditsPosted", Money.toDecimalString(a.creditsPosted(), digits));
        node.put("debitsPending", Money.toDecimalString(a.debitsPending(), digits));
        node.put("creditsPending", Money.toDecimalString(a.creditsPending(), digits));
    }

    private static Money eur(String amount) {
        return Money.parse(amount, EUR);
    }
}
