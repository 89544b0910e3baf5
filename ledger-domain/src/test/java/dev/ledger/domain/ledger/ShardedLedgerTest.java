package dev.ledger.domain.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.domain.RejectionCode;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.AccountShards;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.domain.reversal.ReversalState;
import dev.ledger.domain.transaction.TransactionState;
import dev.ledger.domain.transfer.TransferState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The edges of sharded accounts (issue 13) that the property test does not reach by chance. */
class ShardedLedgerTest {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");
    /** Each shard's share of the largest amount: the shards of an account add up within a long. */
    private static final long SHARE = Long.MAX_VALUE / AccountShards.MAX_SHARDS;

    private final TestClock clock = new TestClock(Instant.parse("2026-11-29T00:00:00Z"));
    private final InMemoryLog log = new InMemoryLog();
    private final Ledger ledger = new Ledger(log, clock);

    @Test
    void aShardTakesNoMoreThanItsShareOfTheLargestAmountSoTheWholeAlwaysAddsUp() {
        log.append(ledger.openAccount(new OpenAccount("bank", EUR, OverdraftLimit.UNLIMITED)));
        log.append(ledger.openAccount(new OpenAccount("house", EUR, OverdraftLimit.UNLIMITED), AccountShards.MAX_SHARDS));
        for (int shard = 0; shard < AccountShards.MAX_SHARDS; shard++) {
            String id = idOnShard("fill-", shard, AccountShards.MAX_SHARDS);
            assertThat(apply(ledger.transfer(id, TransferRequest.posted("bank", "house", Money.of(SHARE, EUR)))).status())
                    .isEqualTo(LedgerResult.Status.APPLIED);
        }
        LedgerResult more = ledger.transfer("one-more", TransferRequest.posted("bank", "house", Money.of(1, EUR)));

        assertThat(more.rejection().code()).isEqualTo(RejectionCode.BALANCE_OVERFLOW);
        assertThat(more.rejection().message()).startsWith("account house cannot take 0.01 EUR");
        AccountState whole = ledger.wholeAccount("house").orElseThrow().state();
        assertThat(whole.creditsPosted()).isEqualTo(SHARE * AccountShards.MAX_SHARDS);
        assertThat(whole.balance()).isPositive();
    }

    @Test
    void anAccountThatMovedMoreThanAShardMayHoldIsNotSharded() {
        log.append(ledger.openAccount(new OpenAccount("bank", EUR, OverdraftLimit.UNLIMITED)));
        log.append(ledger.openAccount(new OpenAccount("big", EUR, OverdraftLimit.NONE)));
        log.append(ledger.transfer("huge", TransferRequest.posted("bank", "big", Money.of(SHARE + 1, EUR))));

        LedgerResult raised = ledger.raiseShards("big", 2);

        assertThat(raised.rejection().code()).isEqualTo(RejectionCode.BALANCE_OVERFLOW);
        assertThat(raised.rejection().message()).contains("it cannot be sharded");
        assertThat(ledger.raiseShards("big", 1).status()).as("one shard is what it has").isEqualTo(LedgerResult.Status.APPLIED);
    }

    @Test
    void aDebitWhoseShardReachedItsShareGoesToAShardThatCanTakeIt() {
        log.append(ledger.openAccount(new OpenAccount("bank", EUR, OverdraftLimit.UNLIMITED)));
        log.append(ledger.openAccount(new OpenAccount("sink", EUR, OverdraftLimit.UNLIMITED)));
        log.append(ledger.openAccount(new OpenAccount("house", EUR, OverdraftLimit.NONE), 2));
        // Shard 1 takes its whole share and pays nearly all of it out; shard 0 holds 5.00.
        apply(ledger.transfer(idOnShard("in-", 1, 2), TransferRequest.posted("bank", "house", Money.of(SHARE, EUR))));
        apply(ledger.transfer(idOnShard("out-", 1, 2), TransferRequest.posted("house", "sink",
                Money.of(SHARE - 1, EUR))));
        apply(ledger.transfer(idOnShard("in-", 0, 2), TransferRequest.posted("bank", "house", Money.of(500, EUR))));
        String debit = idOnShard("debit-", 1, 2);

        LedgerResult paid = apply(ledger.transfer(debit, TransferRequest.posted("house", "sink", Money.of(300, EUR))));

        assertThat(paid.status()).as("shard 1's debits are at its share; shard 0 has the funds")
                .isEqualTo(LedgerResult.Status.APPLIED);
        assertThat(log.transfer(debit).orElseThrow().state().debitShard()).isZero();
        assertThat(ledger.wholeAccount("house").orElseThrow().state().balance()).isEqualTo(201);
    }

    @Test
    void withTheCountRememberedAPaymentReadsOnlyItsShard() {
        log.append(ledger.openAccount(new OpenAccount("bank", EUR, OverdraftLimit.UNLIMITED)));
        log.append(ledger.openAccount(new OpenAccount("house", EUR, OverdraftLimit.UNLIMITED), 8));
        Map<String, Integer> remembered = new HashMap<>();
        ShardCounts counts = new ShardCounts() {
            @Override
            public OptionalInt known(String accountId) {
                return remembered.containsKey(accountId) ? OptionalInt.of(remembered.get(accountId)) : OptionalInt.empty();
            }

            @Override
            public void saw(String accountId, int shardCount) {
                remembered.put(accountId, shardCount);
            }
        };
        List<String> first = new ArrayList<>();
        log.append(new Ledger(reading(first), clock, 1, counts).transfer("pay-1",
                TransferRequest.posted("house", "bank", Money.of(100, EUR))));
        List<String> second = new ArrayList<>();
        log.append(new Ledger(reading(second), clock, 1, counts).transfer("pay-2",
                TransferRequest.posted("house", "bank", Money.of(100, EUR))));

        assertThat(first).as("the first payment learns the count from the account's own stream").contains("house");
        assertThat(remembered).containsEntry("house", 8);
        String shard = AccountShards.streamAccountId("house", AccountShards.pick("pay-2", 1, 8));
        assertThat(second).as("the next reads the shard it picks, and shard 0 only if it picked it")
                .containsExactlyInAnyOrder(shard, "bank");
    }

    /** The log, noting each account stream a command reads. */
    private LedgerStreams reading(List<String> accounts) {
        return new LedgerStreams() {
            @Override
            public Optional<Versioned<AccountState>> account(String accountId) {
                accounts.add(accountId);
                return log.account(accountId);
            }

            @Override
            public Optional<Versioned<TransferState>> transfer(String transferId) {
                return log.transfer(transferId);
            }

            @Override
            public Optional<Versioned<TransactionState>> transaction(String transactionId) {
                return log.transaction(transactionId);
            }

            @Override
            public Optional<Versioned<ReversalState>> reversal(String reversalId) {
                return log.reversal(reversalId);
            }
        };
    }

    private LedgerResult apply(LedgerResult result) {
        log.append(result);
        return result;
    }

    /** An id whose first pick among {@code shards} shards is {@code shard}. */
    private static String idOnShard(String prefix, int shard, int shards) {
        for (int i = 0; ; i++) {
            String id = prefix + i;
            if (AccountShards.pick(id, 1, shards) == shard) {
                return id;
            }
        }
    }
}
