package dev.ledger.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountEvent;
import dev.ledger.domain.api.AccountEvent.AccountOpened;
import dev.ledger.domain.api.AccountEvent.AccountMetadataSet;
import dev.ledger.domain.api.AccountEvent.AccountSharded;
import dev.ledger.domain.api.AccountEvent.EntryPosted;
import dev.ledger.domain.api.AccountEvent.ShardFundsMoved;
import dev.ledger.domain.api.AccountEvent.ShardOpened;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.TransferEvent.TransferRecorded;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.domain.transfer.TransferState;
import dev.ledger.store.StoredEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The checks of sharded accounts across their streams, fed stream by stream as verify feeds them, without
 * a log: what the ledger writes holds, and each way a log can differ from it is a finding naming it.
 */
class ShardChecksTest {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");
    private static final CurrencyUnit USD = CurrencyUnit.of("USD");
    private static final Instant AT = Instant.parse("2026-11-29T10:00:00Z");
    private static final Money FIVE = Money.of(5_00, EUR);

    private final Findings findings = new Findings();
    private final ShardChecks checks = new ShardChecks(findings);

    @Test
    void aMoveBetweenTwoShardsWrittenInOneAppendHolds() {
        stream("a", "c-1", new AccountOpened("a", EUR, OverdraftLimit.NONE), new AccountSharded("a", 2),
                new ShardFundsMoved("a", "pay-1", Side.CREDIT, "a#1", FIVE));
        stream("a#1", "c-1", new ShardOpened("a#1", EUR, OverdraftLimit.NONE, false),
                new EntryPosted("a#1", "fund", Side.CREDIT, "bank", FIVE),
                new ShardFundsMoved("a#1", "pay-1", Side.DEBIT, "a", FIVE));

        checks.finish();

        assertThat(found()).isEmpty();
    }

    @Test
    void aCreditOfAnotherAmountOrFromAnotherAppendIsAFinding() {
        stream("a", "c-2", new AccountOpened("a", EUR, OverdraftLimit.NONE), new AccountSharded("a", 2),
                new ShardFundsMoved("a", "pay-1", Side.CREDIT, "a#1", Money.of(4_00, EUR)));
        stream("a#1", "c-1", new ShardOpened("a#1", EUR, OverdraftLimit.NONE, false),
                new EntryPosted("a#1", "fund", Side.CREDIT, "bank", FIVE),
                new ShardFundsMoved("a#1", "pay-1", Side.DEBIT, "a", FIVE));

        checks.finish();

        assertThat(found()).containsExactlyInAnyOrder(
                "account:a#1 v3 shardFundsMoved.pay-1: gives 5.00 EUR to account:a, which takes 4.00 EUR",
                "account:a#1 v3 shardFundsMoved.pay-1: its debit and its credit on account:a were not written in one "
                        + "append (recorded at " + AT + " by c-1; the credit at " + AT + " by c-2)");
    }

    @Test
    void metadataOnAShardsStreamIsAFindingAndOnTheAccountsOwnIsNot() {
        stream("a", "c-1", new AccountOpened("a", EUR, OverdraftLimit.NONE), new AccountSharded("a", 2),
                new AccountMetadataSet("a", new java.util.TreeMap<>(java.util.Map.of("customer", "c-1"))));
        stream("a#1", "c-1", new ShardOpened("a#1", EUR, OverdraftLimit.NONE, false),
                new AccountMetadataSet("a#1", new java.util.TreeMap<>(java.util.Map.of("customer", "c-1"))));

        checks.finish();

        assertThat(found()).containsExactly("account:a#1 v2 event: AccountMetadataSet belongs on the account's own "
                + "stream, account:a, not on a shard's");
    }

    @Test
    void aMoveToAnotherAccountAndADebitWithNoCreditAreFindings() {
        stream("a", "c-1", new AccountOpened("a", EUR, OverdraftLimit.NONE), new AccountSharded("a", 2));
        stream("a#1", "c-1", new ShardOpened("a#1", EUR, OverdraftLimit.NONE, false),
                new EntryPosted("a#1", "fund", Side.CREDIT, "bank", FIVE),
                new ShardFundsMoved("a#1", "pay-1", Side.DEBIT, "b#1", FIVE));

        checks.finish();

        assertThat(found()).containsExactlyInAnyOrder(
                "account:a#1 v3 shardFundsMoved.pay-1: 1 debit(s) on account:a#1 and 0 credit(s) on account:b#1 of "
                        + "5.00 EUR under this move: a move between shards is exactly one debit and one matching credit",
                "account:a#1 v3 shardFundsMoved.pay-1: moves funds between a#1 and b#1, which are not two shards of one "
                        + "account");
    }

    @Test
    void aMissingShardAShardWithAnotherFloorAndAShardOfNoAccountAreFindings() {
        stream("a", "c-1", new AccountOpened("a", EUR, OverdraftLimit.of(10_00)), new AccountSharded("a", 3));
        stream("a#1", "c-1", new ShardOpened("a#1", EUR, OverdraftLimit.of(10_00), false));
        stream("u", "c-1", new AccountOpened("u", USD, OverdraftLimit.UNLIMITED), new AccountSharded("u", 2));
        stream("u#1", "c-1", new ShardOpened("u#1", USD, OverdraftLimit.NONE, false));
        stream("ghost#1", "c-1", new ShardOpened("ghost#1", EUR, OverdraftLimit.NONE, false));

        checks.finish();

        assertThat(found()).containsExactlyInAnyOrder(
                "account:a shards: its last AccountSharded counts 3 shards, but the log has no stream account:a#2",
                "account:a#1 v1 overdraftLimit: a shard k >= 1 of an account with a finite floor has a zero one "
                        + "(shard 0 keeps the whole limit), not 10.00 EUR",
                "account:ghost#1 shards: a shard of account ghost, which the log does not have",
                "account:u#1 v1 overdraftLimit: a shard k >= 1 of an account with an unlimited floor has an "
                        + "unlimited one, not 0.00 USD");
    }

    @Test
    void aTransferLegOnAnotherShardThanItsTransferNamesIsAFinding() {
        stream("a", "c-1", new AccountOpened("a", EUR, OverdraftLimit.NONE), new AccountSharded("a", 3));
        stream("a#1", "c-1", new ShardOpened("a#1", EUR, OverdraftLimit.NONE, false),
                new EntryPosted("a#1", "right", Side.CREDIT, "bank", FIVE));
        stream("a#2", "c-1", new ShardOpened("a#2", EUR, OverdraftLimit.NONE, false),
                new EntryPosted("a#2", "wrong", Side.CREDIT, "bank", FIVE));
        checks.transfer(recorded("right", 1));
        checks.transfer(recorded("wrong", 1));

        checks.finish();
        checks.checkLegShards();

        assertThat(found()).containsExactlyInAnyOrder("transfer:wrong v1 creditShard: its credit leg is on account:a#2, but the "
                + "transfer names account:a#1");
    }

    private static TransferState recorded(String transferId, int creditShard) {
        return TransferState.evolve(Optional.empty(), new TransferRecorded(transferId,
                TransferRequest.posted("bank", "a", FIVE), null, 0, creditShard));
    }

    /** One account stream as verify walks it: first event, every event after its fold, the state at its end. */
    private void stream(String streamAccountId, String correlationId, AccountEvent... events) {
        StreamId stream = StreamId.account(streamAccountId);
        AccountState state = null;
        long version = 0;
        for (AccountEvent event : events) {
            StoredEvent stored = new StoredEvent(stream, ++version, event.getClass().getSimpleName(), 1, AT, null,
                    correlationId, "{}", "not-checked-here");
            state = AccountState.evolve(Optional.ofNullable(state), event);
            if (version == 1) {
                checks.first(stream, stored, event);
            }
            checks.accept(stream, stored, event);
        }
        checks.last(stream, state);
    }

    private List<String> found() {
        List<String> lines = new ArrayList<>();
        findings.sorted().forEach(finding -> lines.add(finding.toString()));
        return lines;
    }
}
