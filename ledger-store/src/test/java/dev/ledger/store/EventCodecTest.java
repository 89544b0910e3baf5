package dev.ledger.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.domain.RejectionCode;
import dev.ledger.domain.api.AccountEvent.AccountClosed;
import dev.ledger.domain.api.AccountEvent;
import dev.ledger.domain.api.AccountEvent.AccountFrozen;
import dev.ledger.domain.api.AccountEvent.AccountOpened;
import dev.ledger.domain.api.AccountEvent.AccountUnfrozen;
import dev.ledger.domain.api.AccountEvent.EntryPosted;
import dev.ledger.domain.api.AccountEvent.EntryReversed;
import dev.ledger.domain.api.AccountEvent.HoldExpired;
import dev.ledger.domain.api.AccountEvent.HoldPlaced;
import dev.ledger.domain.api.AccountEvent.HoldPosted;
import dev.ledger.domain.api.AccountEvent.HoldVoided;
import dev.ledger.domain.api.AccountEvent.TransactionEntriesPosted;
import dev.ledger.domain.api.AccountEvent.TransactionEntriesReversed;
import dev.ledger.domain.api.AccountEvent.TransactionHoldExpired;
import dev.ledger.domain.api.AccountEvent.TransactionHoldPlaced;
import dev.ledger.domain.api.AccountEvent.TransactionHoldPosted;
import dev.ledger.domain.api.AccountEvent.TransactionHoldVoided;
import dev.ledger.domain.api.BatchEvent.BatchRecorded;
import dev.ledger.domain.api.BatchEvent.BatchRejected;
import dev.ledger.domain.api.BatchEvent.ItemOutcome;
import dev.ledger.domain.api.BatchEvent.Outcome;
import dev.ledger.domain.api.BatchItem;
import dev.ledger.domain.api.BatchRequest;
import dev.ledger.domain.api.LedgerEvent;
import dev.ledger.domain.api.OriginalKind;
import dev.ledger.domain.api.PostRequest;
import dev.ledger.domain.api.ReversalEvent;
import dev.ledger.domain.api.ReversalEvent.ReversalRecorded;
import dev.ledger.domain.api.ReversalEvent.ReversalRejected;
import dev.ledger.domain.api.ReversalRequest;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.TransactionEntry;
import dev.ledger.domain.api.TransactionEvent.PendingTransactionExpired;
import dev.ledger.domain.api.TransactionEvent.PendingTransactionPosted;
import dev.ledger.domain.api.TransactionEvent.PendingTransactionVoided;
import dev.ledger.domain.api.TransactionEvent.TransactionRecorded;
import dev.ledger.domain.api.TransactionEvent.TransactionRejected;
import dev.ledger.domain.api.TransactionEvent.TransactionReversed;
import dev.ledger.domain.api.TransactionRequest;
import dev.ledger.domain.api.TransferEvent.PendingTransferExpired;
import dev.ledger.domain.api.TransferEvent.PendingTransferPosted;
import dev.ledger.domain.api.TransferEvent.PendingTransferVoided;
import dev.ledger.domain.api.TransferEvent.TransferRecorded;
import dev.ledger.domain.api.TransferEvent.TransferRejected;
import dev.ledger.domain.api.TransferEvent.TransferReversed;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.batch.BatchState;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.domain.reversal.ReversalState;
import dev.ledger.domain.transaction.TransactionState;
import dev.ledger.domain.transaction.TransactionStatus;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class EventCodecTest {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");
    private static final CurrencyUnit BHD = CurrencyUnit.of("BHD");
    private static final Instant AT = Instant.parse("2026-02-03T04:05:06.789Z");

    static Stream<LedgerEvent> everyEventType() {
        TransferRequest request = new TransferRequest("a", "b", Money.parse("1.005", BHD), true, 60,
                new TreeMap<>(java.util.Map.of("order", "A-1", "note", "caf\u00e9")));
        return Stream.of(
                new AccountOpened("a", EUR, OverdraftLimit.of(1234)),
                new AccountOpened("bank", EUR, OverdraftLimit.UNLIMITED),
                new AccountFrozen("a"), new AccountUnfrozen("a"), new AccountClosed("a"),
                new AccountEvent.AccountMetadataSet("a", new TreeMap<>(java.util.Map.of("customer", "c-1", "note", "caf\u00e9"))),
                new AccountEvent.AccountMetadataSet("a", new TreeMap<>()),
                new EntryPosted("a", "t", Side.DEBIT, "b", Money.of(Long.MAX_VALUE, EUR)),
                new HoldPlaced("a", "t", Side.CREDIT, "b", Money.parse("3.00", EUR), AT),
                new HoldPosted("a", "t", Side.DEBIT, "b", Money.parse("3.00", EUR), Money.parse("1.50", EUR)),
                new HoldVoided("a", "t", Side.DEBIT, "b", Money.parse("3.00", EUR)),
                new HoldExpired("a", "t", Side.CREDIT, "b", Money.parse("3.00", EUR)),
                new TransferRecorded("t", request, AT),
                new TransferRecorded("t", TransferRequest.posted("a", "b", Money.parse("2.00", EUR)), null),
                new TransferRejected("t", request, RejectionCode.INSUFFICIENT_FUNDS, "not enough"),
                new PendingTransferPosted("t", Money.parse("0.500", BHD), Money.parse("0.505", BHD)),
                new PendingTransferPosted("t", Money.parse("0.500", BHD), Money.parse("0.505", BHD),
                        PostRequest.of(Money.parse("0.500", BHD))),
                new PendingTransferPosted("t", Money.parse("1.005", BHD), Money.parse("0.000", BHD), PostRequest.whole()),
                new PendingTransferVoided("t", Money.parse("1.005", BHD)),
                new PendingTransferExpired("t", Money.parse("1.005", BHD)),
                new TransactionEntriesPosted("a", "tx", TX_ENTRIES),
                new TransactionHoldPlaced("a", "tx", TX_ENTRIES, AT),
                new TransactionHoldPosted("a", "tx", TX_ENTRIES),
                new TransactionHoldVoided("a", "tx", TX_ENTRIES),
                new TransactionHoldExpired("a", "tx", TX_ENTRIES),
                new TransactionRecorded("tx", TX, AT),
                new TransactionRecorded("tx", new TransactionRequest(TX_ENTRIES, false, 0, new TreeMap<>()), null),
                new TransactionRejected("tx", TX, RejectionCode.INSUFFICIENT_FUNDS, "not enough", 1),
                new TransactionRejected("tx", TX, RejectionCode.UNBALANCED, "unbalanced", null),
                new PendingTransactionPosted("tx"), new PendingTransactionVoided("tx"),
                new PendingTransactionExpired("tx"),
                new TransferReversed("t", "r-1", Money.parse("0.250", BHD), true),
                new EntryReversed("b", "t", "r-1", Side.DEBIT, "a", Money.parse("0.250", BHD), false),
                new ReversalRecorded("r-1", new ReversalRequest(OriginalKind.TRANSFER, "t",
                        Money.parse("0.250", BHD), true, new TreeMap<>(java.util.Map.of("case", "C-9"))),
                        Money.parse("0.250", BHD), List.of(new ReversalEvent.Leg("b", Side.DEBIT, Money.parse("0.250", BHD)),
                        new ReversalEvent.Leg("a", Side.CREDIT, Money.parse("0.250", BHD)))),
                new ReversalRejected("r-2", ReversalRequest.ofTransfer("t", null), RejectionCode.REVERSAL_EXCEEDS_POSTED,
                        "nothing left"),
                new BatchRecorded("b-1", true, "d".repeat(64), BATCH_ITEMS),
                new BatchRecorded("b-2", false, "e".repeat(64), List.of(
                        new ItemOutcome(0, "transfer", "t", null, Outcome.REJECTED, "concurrent_modification", "lost",
                                null))),
                new BatchRejected("b-3", "f".repeat(64), 3, RejectionCode.INSUFFICIENT_FUNDS, "item 2 refused", 2, 1),
                new BatchRejected("b-4", "f".repeat(64), 1, RejectionCode.SAME_ACCOUNT, "item 0 refused", 0, null),
                new TransactionReversed("tx", "r-3", true),
                new TransactionEntriesReversed("a", "tx", "r-3", new TransactionRequest(TX_ENTRIES, false, 0,
                        new TreeMap<>()).reversedEntries(), false),
                new ReversalRecorded("r-3", WHOLE_TX, null, TX_REVERSAL_LEGS),
                new ReversalRejected("r-4", WHOLE_TX, RejectionCode.TRANSACTION_NOT_POSTED, "pending"));
    }

    private static final ReversalRequest WHOLE_TX = new ReversalRequest(OriginalKind.TRANSACTION, "tx", null, true,
            new TreeMap<>(java.util.Map.of("case", "C-10")));
    private static final List<ReversalEvent.Leg> TX_REVERSAL_LEGS = List.of(
            new ReversalEvent.Leg("a", Side.CREDIT, Money.parse("0.005", BHD)),
            new ReversalEvent.Leg("b", Side.DEBIT, Money.parse("1.00", EUR)));

    @Test
    void theStoredFormOfAnAccountsMetadataIsExactlyThisAndAStateWithoutMetadataKeepsItsBytes() {
        AccountEvent.AccountMetadataSet set = new AccountEvent.AccountMetadataSet("a",
                new TreeMap<>(java.util.Map.of("order", "o-1", "customer", "c-1")));
        EventCodec.Encoded encoded = EventCodec.encode(set);

        assertThat(encoded.type()).isEqualTo("AccountMetadataSet");
        assertThat(CanonicalJson.string(encoded.body()))
                .isEqualTo("{\"accountId\":\"a\",\"metadata\":{\"customer\":\"c-1\",\"order\":\"o-1\"}}");
        assertThat(EventCodec.transferIdOf(set)).isNull();
        dev.ledger.domain.account.AccountState opened = dev.ledger.domain.account.AccountState.opened(
                new AccountOpened("a", EUR, OverdraftLimit.of(1234)));
        assertThat(StateCodec.encode(opened)).doesNotContain("metadata");
        assertThat(StateCodec.decodeAccount(StateCodec.encode(opened.evolve(set))).metadata()).isEqualTo(set.metadata());
    }

    @Test
    void theStoredFormOfATransactionsReversalIsExactlyThisAndBelongsToNoTransfer() {
        EventCodec.Encoded encoded = EventCodec.encode(new ReversalRecorded("r-3", WHOLE_TX, null, TX_REVERSAL_LEGS));

        assertThat(encoded.type()).isEqualTo("ReversalRecorded");
        assertThat(CanonicalJson.string(encoded.body())).isEqualTo("{\"amount\":null,\"legs\":["
                + "{\"accountId\":\"a\",\"amount\":\"0.005\",\"currency\":\"BHD\",\"side\":\"CREDIT\"},"
                + "{\"accountId\":\"b\",\"amount\":\"1.00\",\"currency\":\"EUR\",\"side\":\"DEBIT\"}],"
                + "\"request\":{\"amount\":null,\"force\":true,\"metadata\":{\"case\":\"C-10\"},"
                + "\"originalId\":\"tx\",\"originalKind\":\"transaction\"},\"reversalId\":\"r-3\"}");
        assertThat(EventCodec.transferIdOf(new ReversalRecorded("r-3", WHOLE_TX, null, TX_REVERSAL_LEGS))).isNull();
        assertThat(CanonicalJson.string(EventCodec.encode(new TransactionReversed("tx", "r-3", false)).body()))
                .isEqualTo("{\"forced\":false,\"reversalId\":\"r-3\",\"transactionId\":\"tx\"}");
    }

    @Test
    void aReversedTransactionsAndATransactionReversalsSnapshotsRoundTrip() {
        var reversed = new TransactionState("tx", new TransactionRequest(TX_ENTRIES, false, 0, new TreeMap<>()),
                TransactionStatus.POSTED, null, null, new TransactionState.ReversedBy("r-3", true));
        assertThat(StateCodec.decodeTransaction(StateCodec.encode(reversed))).isEqualTo(reversed);
        var reversal = new ReversalState("r-3", WHOLE_TX, null, TX_REVERSAL_LEGS, null);
        assertThat(StateCodec.decodeReversal(StateCodec.encode(reversal))).isEqualTo(reversal);
        var refused = new ReversalState("r-4", WHOLE_TX, null, List.of(),
                new dev.ledger.domain.Rejection(RejectionCode.REVERSAL_TOO_LARGE, "49 accounts"));
        assertThat(StateCodec.decodeReversal(StateCodec.encode(refused))).isEqualTo(refused);
    }

    private static final List<ItemOutcome> BATCH_ITEMS = List.of(
            new ItemOutcome(0, "transfer", "t", "a".repeat(64), Outcome.APPLIED, null, null, null),
            new ItemOutcome(1, "transaction", "tx", "b".repeat(64), Outcome.ALREADY_APPLIED, null, null, null),
            new ItemOutcome(2, "transaction", "tx-2", null, Outcome.REJECTED, "unbalanced", "no", 3));

    @Test
    void batchSnapshotsRoundTripAndABatchStreamIsNamedBatch() {
        for (BatchState state : List.of(
                new BatchState("b-1", true, "d".repeat(64), 3, BATCH_ITEMS, null),
                new BatchState("b-2", true, "d".repeat(64), 4, List.of(),
                        new dev.ledger.domain.Rejection(RejectionCode.ACCOUNT_FROZEN, "frozen", 2, 3)),
                new BatchState("b-3", true, "d".repeat(64), 4, List.of(),
                        new dev.ledger.domain.Rejection(RejectionCode.SAME_ACCOUNT, "same", null, 0)))) {
            assertThat(StateCodec.decodeBatch(StateCodec.encode(state))).isEqualTo(state);
        }
        assertThat(EventsTable.streamOf("batch:b-1")).isEqualTo(StreamId.batch("b-1"));
        assertThat(EventCodec.transferIdOf(new BatchRecorded("b-1", true, "d".repeat(64), BATCH_ITEMS))).isNull();
    }

    @Test
    void aBatchsDigestIsOfItsItemsStoredFormsAndTellsOtherContentApart() {
        BatchItem.TransferItem item = new BatchItem.TransferItem("t", TransferRequest.posted("a", "b",
                Money.parse("1.00", EUR)));
        BatchRequest once = BatchDigest.request(true, List.of(item));

        assertThat(BatchDigest.request(true, List.of(item))).isEqualTo(once);
        assertThat(once.itemDigests()).containsExactly(BatchDigest.item(item));
        assertThat(BatchDigest.request(false, List.of(item)).digest()).isNotEqualTo(once.digest());
        assertThat(BatchDigest.request(true, List.of(new BatchItem.TransferItem("t", TransferRequest.posted("a", "b",
                Money.parse("1.01", EUR))))).digest()).isNotEqualTo(once.digest());
    }

    private static final List<TransactionEntry> TX_ENTRIES = List.of(
            new TransactionEntry(0, "a", Side.DEBIT, Money.parse("1.005", BHD)),
            new TransactionEntry(1, "b", Side.CREDIT, Money.parse("1.000", BHD)),
            new TransactionEntry(2, "a", Side.CREDIT, Money.of(Long.MAX_VALUE, EUR)),
            new TransactionEntry(3, "c", Side.DEBIT, Money.of(Long.MAX_VALUE, EUR)));
    private static final TransactionRequest TX = new TransactionRequest(TX_ENTRIES, true, 60,
            new TreeMap<>(java.util.Map.of("order", "A-17")));

    @Test
    void theStoredFormOfATransactionsAccountEventIsExactlyThis() {
        EventCodec.Encoded encoded = EventCodec.encode(new TransactionEntriesPosted("fees", "tx-1", List.of(
                new TransactionEntry(0, "card", Side.DEBIT, Money.parse("100.00", EUR)),
                new TransactionEntry(1, "fees", Side.CREDIT, Money.parse("100.00", EUR)))));

        assertThat(encoded.type()).isEqualTo("TransactionEntriesPosted");
        assertThat(CanonicalJson.string(encoded.body())).isEqualTo("{\"accountId\":\"fees\",\"entries\":["
                + "{\"accountId\":\"card\",\"amount\":\"100.00\",\"currency\":\"EUR\",\"direction\":\"DEBIT\",\"index\":0},"
                + "{\"accountId\":\"fees\",\"amount\":\"100.00\",\"currency\":\"EUR\",\"direction\":\"CREDIT\",\"index\":1}],"
                + "\"transactionId\":\"tx-1\"}");
        assertThat(EventCodec.transferIdOf(new TransactionEntriesPosted("fees", "tx-1", TX_ENTRIES))).isNull();
    }

    @Test
    void transactionSnapshotsRoundTripAndAPendingOneCarriesTheSweepersKeys() {
        for (TransactionState state : List.of(
                new TransactionState("tx", TX, TransactionStatus.PENDING, AT, null),
                new TransactionState("tx", TX, TransactionStatus.REJECTED, null,
                        new dev.ledger.domain.Rejection(RejectionCode.ACCOUNT_FROZEN, "frozen", 2)),
                new TransactionState("tx", TX, TransactionStatus.REJECTED, null,
                        new dev.ledger.domain.Rejection(RejectionCode.UNBALANCED, "unbalanced")))) {
            assertThat(StateCodec.decodeTransaction(StateCodec.encode(state))).isEqualTo(state);
        }
        var head = EventsTable.headItem(StreamId.transaction("tx"), 1, HashChain.GENESIS,
                new TransactionState("tx", TX, TransactionStatus.PENDING, AT, null), AT);
        assertThat(head.get(PendingHolds.EXPIRES_AT).s()).isEqualTo(PendingHolds.sortable(AT));
        assertThat(head.get(PendingHolds.BUCKET).s()).isEqualTo(PendingHolds.bucketOf("tx"));
        var posted = EventsTable.headItem(StreamId.transaction("tx"), 2, HashChain.GENESIS,
                new TransactionState("tx", TX, TransactionStatus.POSTED, AT, null), AT);
        assertThat(posted).doesNotContainKeys(PendingHolds.BUCKET, PendingHolds.EXPIRES_AT);
        assertThat(EventsTable.streamOf("transaction:tx")).isEqualTo(StreamId.transaction("tx"));
    }

    @ParameterizedTest
    @MethodSource("everyEventType")
    void everyEventSurvivesItsStoredForm(LedgerEvent event) {
        EventCodec.Encoded encoded = EventCodec.encode(event);
        String stored = CanonicalJson.string(encoded.body());

        assertThat(EventCodec.decode(encoded.type(), encoded.schemaVersion(), CanonicalJson.parse(stored)))
                .isEqualTo(event);
        assertThat(stored).doesNotContain("dev.ledger", "class");
    }

    @Test
    void theStoredFormOfAnEntryIsExactlyThis() {
        EventCodec.Encoded encoded = EventCodec.encode(
                new EntryPosted("alice", "t-1", Side.DEBIT, "bob", Money.parse("10.00", EUR)));

        assertThat(encoded.type()).isEqualTo("EntryPosted");
        assertThat(encoded.schemaVersion()).isEqualTo(1);
        assertThat(CanonicalJson.string(encoded.body())).isEqualTo("{\"accountId\":\"alice\",\"amount\":\"10.00\","
                + "\"counterpartyAccountId\":\"bob\",\"currency\":\"EUR\",\"side\":\"DEBIT\",\"transferId\":\"t-1\"}");
    }

    @Test
    void aPostRecordsWhatItAskedForAndAPostFromBeforeThatKeepsItsBytes() {
        String old = CanonicalJson.string(EventCodec.encode(new PendingTransferPosted("t", Money.parse("4.00", EUR),
                Money.parse("6.00", EUR))).body());
        String whole = CanonicalJson.string(EventCodec.encode(new PendingTransferPosted("t", Money.parse("10.00", EUR),
                Money.parse("0.00", EUR), PostRequest.whole())).body());
        String part = CanonicalJson.string(EventCodec.encode(new PendingTransferPosted("t", Money.parse("4.00", EUR),
                Money.parse("6.00", EUR), PostRequest.of(Money.parse("4.00", EUR)))).body());

        assertThat(old).isEqualTo("{\"currency\":\"EUR\",\"postedAmount\":\"4.00\",\"releasedAmount\":\"6.00\","
                + "\"transferId\":\"t\"}");
        assertThat(whole).contains("\"requestedAmount\":\"none\"");
        assertThat(part).contains("\"requestedAmount\":\"4.00\"");
    }

    @Test
    void snapshotsRoundTrip() {
        var account = new dev.ledger.domain.account.AccountState("a", EUR, OverdraftLimit.UNLIMITED,
                dev.ledger.domain.account.AccountStatus.FROZEN, 1, 2, 3, 4);
        assertThat(StateCodec.decodeAccount(StateCodec.encode(account))).isEqualTo(account);
        var transfer = new dev.ledger.domain.transfer.TransferState("t",
                TransferRequest.pending("a", "b", Money.parse("1.00", EUR), 5),
                dev.ledger.domain.transfer.TransferStatus.REJECTED, AT, Money.zero(EUR),
                new dev.ledger.domain.Rejection(RejectionCode.SAME_ACCOUNT, "same"));
        assertThat(StateCodec.decodeTransfer(StateCodec.encode(transfer))).isEqualTo(transfer);
        var posted = new dev.ledger.domain.transfer.TransferState("t",
                TransferRequest.pending("a", "b", Money.parse("1.00", EUR), 5),
                dev.ledger.domain.transfer.TransferStatus.POSTED, AT, Money.parse("0.40", EUR), null,
                PostRequest.of(Money.parse("0.40", EUR)));
        assertThat(StateCodec.decodeTransfer(StateCodec.encode(posted))).isEqualTo(posted);
        var reversed = new dev.ledger.domain.transfer.TransferState("t",
                TransferRequest.posted("a", "b", Money.parse("1.00", EUR)),
                dev.ledger.domain.transfer.TransferStatus.POSTED, null, Money.parse("1.00", EUR), null, null,
                Money.parse("0.60", EUR));
        assertThat(StateCodec.decodeTransfer(StateCodec.encode(reversed))).isEqualTo(reversed);
        var reversal = new ReversalState("r", ReversalRequest.ofTransfer("t", null), Money.parse("0.40", EUR),
                List.of(new ReversalEvent.Leg("b", Side.DEBIT, Money.parse("0.40", EUR))), null);
        assertThat(StateCodec.decodeReversal(StateCodec.encode(reversal))).isEqualTo(reversal);
        var refused = new ReversalState("r", ReversalRequest.ofTransfer("t", Money.parse("9.00", EUR)), null, List.of(),
                new dev.ledger.domain.Rejection(RejectionCode.TRANSFER_NOT_POSTED, "pending"));
        assertThat(StateCodec.decodeReversal(StateCodec.encode(refused))).isEqualTo(refused);
    }

    @Test
    void aReversalsEventsBelongToTheTransferTheyReverseInTheEnvelope() {
        assertThat(EventCodec.transferIdOf(new ReversalRejected("r", ReversalRequest.ofTransfer("t-9", null),
                RejectionCode.TRANSFER_NOT_POSTED, "no"))).isEqualTo("t-9");
    }

    @Test
    void canonicalJsonSortsKeysAtEveryLevel() {
        assertThat(CanonicalJson.string(CanonicalJson.parse("{\"b\":{\"z\":1,\"a\":[{\"y\":true,\"x\":null}]},\"a\":\"\u00e9\"}")))
                .isEqualTo("{\"a\":\"\u00e9\",\"b\":{\"a\":[{\"x\":null,\"y\":true}],\"z\":1}}");
    }

    @Test
    void theChainHashesTheLastHashInHexFollowedByTheCanonicalBytes() {
        // Known answer, from the shell: printf '%064d{"a":1}' 0 | sha256sum
        String first = HashChain.next(HashChain.GENESIS, "{\"a\":1}".getBytes(StandardCharsets.UTF_8));
        assertThat(first).isEqualTo("fc6cee09194dd2578bd7664604fcb72a539066fd34544cea0009c43eb6cdc289");
        assertThat(HashChain.next(first, "{\"a\":1}".getBytes(StandardCharsets.UTF_8))).isNotEqualTo(first);
    }
}
