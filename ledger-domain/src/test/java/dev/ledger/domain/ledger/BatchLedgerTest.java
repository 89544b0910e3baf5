package dev.ledger.domain.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ledger.domain.RejectionCode;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.AccountEvent.EntryPosted;
import dev.ledger.domain.api.AccountEvent.TransactionEntriesPosted;
import dev.ledger.domain.api.BatchEvent.BatchRecorded;
import dev.ledger.domain.api.BatchEvent.BatchRejected;
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
import dev.ledger.domain.ledger.LedgerResult.Status;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The unit of work of an atomic batch: its items decided in order over what the earlier ones left, all or none. */
class BatchLedgerTest {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");

    private final TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final InMemoryLog log = new InMemoryLog();
    private final Ledger ledger = new Ledger(log, clock);

    @BeforeEach
    void givenAFundingAccountAndThreeCustomers() {
        open("bank", OverdraftLimit.UNLIMITED);
        for (String customer : List.of("alice", "bob", "carol")) {
            open(customer, OverdraftLimit.NONE);
        }
        commit(ledger.transfer("fund-alice", TransferRequest.posted("bank", "alice", eur("100.00"))));
    }

    @Test
    void aTransferAndATransactionOnASharedAccountAreOneResultWithOneChangePerStream() {
        // given alice at version 2 (opened, funded)
        long aliceBefore = log.account("alice").orElseThrow().version();

        // when a batch pays bob from alice, then splits a payment from alice to bob and carol
        LedgerResult result = ledger.atomicBatch("b-1", batch(true,
                transfer("t-1", "alice", "bob", "10.00"),
                transaction("tx-1", entry("alice", Side.DEBIT, "30.00"), entry("bob", Side.CREDIT, "20.00"),
                        entry("carol", Side.CREDIT, "10.00"))));

        // then one change per stream: the batch, both items, and alice's two events on from version 2
        assertThat(result.status()).isEqualTo(Status.APPLIED);
        assertThat(result.subject()).isEqualTo(StreamId.batch("b-1"));
        assertThat(result.changes()).extracting(StreamChange::stream).containsExactly(StreamId.batch("b-1"),
                StreamId.transfer("t-1"), StreamId.account("alice"), StreamId.account("bob"),
                StreamId.transaction("tx-1"), StreamId.account("carol"));
        StreamChange alice = change(result, StreamId.account("alice"));
        assertThat(alice.expectedVersion()).isEqualTo(aliceBefore);
        assertThat(alice.events()).hasSize(2);
        assertThat(alice.events().get(0)).isInstanceOf(EntryPosted.class);
        assertThat(alice.events().get(1)).isInstanceOf(TransactionEntriesPosted.class);
        assertThat(((BatchRecorded) result.changes().get(0).events().get(0)).items())
                .extracting(ItemOutcome::outcome).containsExactly(Outcome.APPLIED, Outcome.APPLIED);
        commit(result);
        assertThat(account("alice").balance()).isEqualTo(6000);
        assertThat(account("bob").balance()).isEqualTo(3000);
        assertThat(account("carol").balance()).isEqualTo(1000);
    }

    @Test
    void aLaterItemSeesTheFundsAnEarlierItemMoved() {
        // given bob with nothing
        // when the first item funds bob and the second spends it
        LedgerResult inOrder = ledger.atomicBatch("b-1", batch(true,
                transfer("t-1", "alice", "bob", "50.00"), transfer("t-2", "bob", "carol", "50.00")));

        // then both stand
        assertThat(inOrder.status()).isEqualTo(Status.APPLIED);
        commit(inOrder);
        assertThat(account("carol").balance()).isEqualTo(5000);
        assertThat(account("bob").balance()).isZero();
    }

    @Test
    void aRefusedItemRefusesTheBatchNamingItAndOnlyTheBatchsRefusalIsRecorded() {
        // given bob with nothing
        // when the spending comes before the funding
        LedgerResult refused = ledger.atomicBatch("b-1", batch(true,
                transfer("t-1", "bob", "carol", "50.00"), transfer("t-2", "alice", "bob", "50.00")));

        // then the batch is refused by item 0, and nothing but its own record is written
        assertThat(refused.status()).isEqualTo(Status.REJECTED);
        assertThat(refused.rejection().code()).isEqualTo(RejectionCode.INSUFFICIENT_FUNDS);
        assertThat(refused.rejection().failedItem()).isZero();
        assertThat(refused.rejection().message()).startsWith("item 0 (transfer t-1)");
        assertThat(refused.changes()).singleElement().satisfies(change -> {
            assertThat(change.stream()).isEqualTo(StreamId.batch("b-1"));
            assertThat(change.events()).singleElement().isInstanceOf(BatchRejected.class);
        });
        commit(refused);
        assertThat(log.transfer("t-1")).isEmpty();
        assertThat(log.transfer("t-2")).isEmpty();
        // and the same batch again is the same refusal
        LedgerResult again = ledger.atomicBatch("b-1", batch(true,
                transfer("t-1", "bob", "carol", "50.00"), transfer("t-2", "alice", "bob", "50.00")));
        assertThat(again.rejection()).isEqualTo(refused.rejection());
        assertThat(again.changes()).isEmpty();
    }

    @Test
    void aTransactionItemRefusedAtAnEntryNamesTheItemAndTheEntry() {
        LedgerResult refused = ledger.atomicBatch("b-1", batch(true,
                transfer("t-1", "alice", "bob", "1.00"),
                transaction("tx-1", entry("bob", Side.CREDIT, "5.00"), entry("carol", Side.DEBIT, "5.00"))));

        assertThat(refused.rejection().code()).isEqualTo(RejectionCode.INSUFFICIENT_FUNDS);
        assertThat(refused.rejection().failedItem()).isEqualTo(1);
        assertThat(refused.rejection().failedEntry()).isEqualTo(1);
    }

    @Test
    void anItemRecordedBeforeWithTheSameContentCountsAsDoneAndIsNotWrittenAgain() {
        // given t-1 recorded on its own
        commit(ledger.transfer("t-1", TransferRequest.posted("alice", "bob", eur("10.00"))));

        // when a batch carries it again beside a new item
        LedgerResult result = ledger.atomicBatch("b-1", batch(true,
                transfer("t-1", "alice", "bob", "10.00"), transfer("t-2", "alice", "carol", "10.00")));

        // then it is done, and only t-2 moves money
        assertThat(((BatchRecorded) result.changes().get(0).events().get(0)).items())
                .extracting(ItemOutcome::outcome).containsExactly(Outcome.ALREADY_APPLIED, Outcome.APPLIED);
        assertThat(result.changes()).extracting(StreamChange::stream).doesNotContain(StreamId.transfer("t-1"),
                StreamId.account("bob"));
        commit(result);
        assertThat(account("bob").balance()).isEqualTo(1000);
    }

    @Test
    void anItemIdUsedForOtherContentRefusesTheBatchWithAConflictNamingTheItemAndRecordsNothing() {
        commit(ledger.transfer("t-1", TransferRequest.posted("alice", "bob", eur("10.00"))));

        LedgerResult refused = ledger.atomicBatch("b-1", batch(true,
                transfer("t-2", "alice", "carol", "1.00"), transfer("t-1", "alice", "bob", "11.00")));

        assertThat(refused.rejection().code()).isEqualTo(RejectionCode.IDEMPOTENCY_CONFLICT);
        assertThat(refused.rejection().failedItem()).isEqualTo(1);
        assertThat(refused.rejection().message()).contains("transfer t-1");
        assertThat(refused.changes()).isEmpty();
    }

    @Test
    void anUnknownAccountRefusesTheBatchWithoutARecordSoTheSameBatchMaySucceedLater() {
        LedgerResult refused = ledger.atomicBatch("b-1", batch(true, transfer("t-1", "alice", "dave", "1.00")));
        assertThat(refused.rejection().code()).isEqualTo(RejectionCode.ACCOUNT_NOT_FOUND);
        assertThat(refused.changes()).isEmpty();

        open("dave", OverdraftLimit.NONE);
        assertThat(ledger.atomicBatch("b-1", batch(true, transfer("t-1", "alice", "dave", "1.00"))).status())
                .isEqualTo(Status.APPLIED);
    }

    @Test
    void theSameBatchAgainIsAlreadyAppliedAndOtherContentUnderItsIdIsAConflict() {
        commit(ledger.atomicBatch("b-1", batch(true, transfer("t-1", "alice", "bob", "1.00"))));

        LedgerResult again = ledger.atomicBatch("b-1", batch(true, transfer("t-1", "alice", "bob", "1.00")));
        LedgerResult other = ledger.atomicBatch("b-1", batch(true, transfer("t-1", "alice", "bob", "2.00")));
        LedgerResult notAtomic = ledger.recordBatch("b-1", batch(false, transfer("t-1", "alice", "bob", "1.00")),
                List.of(new ItemOutcome(0, "transfer", "t-1", null, Outcome.ALREADY_APPLIED, null, null, null)));

        assertThat(again.status()).isEqualTo(Status.ALREADY_APPLIED);
        assertThat(again.originalVersion()).isEqualTo(1);
        assertThat(other.rejection().code()).isEqualTo(RejectionCode.IDEMPOTENCY_CONFLICT);
        assertThat(notAtomic.rejection().code()).isEqualTo(RejectionCode.IDEMPOTENCY_CONFLICT);
    }

    @Test
    void aBatchIsRefusedAsTooLargeWhenWhatItWouldWritePassesOneTransactionsHundredItems() {
        // given 24 customers of their own
        List<BatchItem> spread = new ArrayList<>();
        List<BatchItem> shared = new ArrayList<>();
        for (int i = 0; i < BatchRequest.MAX_ATOMIC_ITEMS; i++) {
            open("c-" + i, OverdraftLimit.NONE);
            spread.add(transfer("s-" + i, "bank", "c-" + i, "1.00"));
            shared.add(transfer("p-" + i, "bank", "alice", "1.00"));
        }

        // when 24 transfers each touch an account of their own: 2 + 24 * (2 + 2 + 1) + 1 items
        LedgerResult tooLarge = ledger.atomicBatch("b-spread", batch(true, spread.toArray(BatchItem[]::new)));
        // and 24 transfers share two accounts: 2 + 24 * 4 + 2 = 100 items
        LedgerResult atTheLimit = ledger.atomicBatch("b-shared", batch(true, shared.toArray(BatchItem[]::new)));

        // then
        assertThat(tooLarge.rejection().code()).isEqualTo(RejectionCode.BATCH_TOO_LARGE);
        assertThat(tooLarge.rejection().message()).contains("123 items", "100");
        assertThat(tooLarge.changes()).isEmpty();
        assertThat(atTheLimit.status()).isEqualTo(Status.APPLIED);
        int items = atTheLimit.changes().stream().mapToInt(change -> change.events().size() + 1).sum();
        assertThat(items).isEqualTo(100);
        assertThat(BatchRequest.MAX_ATOMIC_ITEMS).isEqualTo(24);
    }

    @Test
    void anAtomicBatchPastTheStaticLimitIsNotDecided() {
        List<BatchItem> items = new ArrayList<>();
        for (int i = 0; i <= BatchRequest.MAX_ATOMIC_ITEMS; i++) {
            items.add(transfer("p-" + i, "bank", "alice", "1.00"));
        }
        assertThatThrownBy(() -> ledger.atomicBatch("b-1", batch(true, items.toArray(BatchItem[]::new))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("24");
    }

    static BatchRequest batch(boolean atomic, BatchItem... items) {
        List<String> digests = new ArrayList<>();
        for (BatchItem item : items) {
            digests.add(sha256(item.toString()));
        }
        return new BatchRequest(atomic, List.of(items), sha256(atomic + List.of(items).toString()), digests);
    }

    static TransferItem transfer(String id, String debit, String credit, String amount) {
        return new TransferItem(id, TransferRequest.posted(debit, credit, eur(amount)));
    }

    static TransactionItem transaction(String id, TransactionEntry... entries) {
        List<TransactionEntry> indexed = new ArrayList<>();
        for (int i = 0; i < entries.length; i++) {
            indexed.add(new TransactionEntry(i, entries[i].accountId(), entries[i].direction(), entries[i].amount()));
        }
        return new TransactionItem(id, new TransactionRequest(indexed, false, 0, new TreeMap<>()));
    }

    static TransactionEntry entry(String account, Side side, String amount) {
        return new TransactionEntry(0, account, side, eur(amount));
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static StreamChange change(LedgerResult result, StreamId stream) {
        return result.changes().stream().filter(change -> change.stream().equals(stream)).findFirst().orElseThrow();
    }

    private void open(String id, OverdraftLimit limit) {
        commit(ledger.openAccount(new OpenAccount(id, EUR, limit)));
    }

    private void commit(LedgerResult result) {
        log.append(result);
    }

    private AccountState account(String id) {
        return log.account(id).orElseThrow().state();
    }

    private static Money eur(String amount) {
        return Money.parse(amount, EUR);
    }
}
