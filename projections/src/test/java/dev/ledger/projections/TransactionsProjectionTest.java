package dev.ledger.projections;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.domain.RejectionCode;
import dev.ledger.domain.api.AccountEvent.AccountOpened;
import dev.ledger.domain.api.AccountEvent.TransactionEntriesPosted;
import dev.ledger.domain.api.AccountEvent.TransactionEntriesReversed;
import dev.ledger.domain.api.AccountEvent.TransactionHoldPlaced;
import dev.ledger.domain.api.AccountEvent.TransactionHoldPosted;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.TransactionEntry;
import dev.ledger.domain.api.TransactionEvent.PendingTransactionPosted;
import dev.ledger.domain.api.TransactionEvent.TransactionRecorded;
import dev.ledger.domain.api.TransactionEvent.TransactionRejected;
import dev.ledger.domain.api.TransactionEvent.TransactionReversed;
import dev.ledger.domain.api.TransactionRequest;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.domain.transaction.TransactionState;
import dev.ledger.domain.transaction.TransactionStatus;
import dev.ledger.projections.Projection.Step;
import dev.ledger.store.StoredEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Multi-leg transactions through the projections' pure {@code next()}: their items, their history entries. */
class TransactionsProjectionTest {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");
    private static final Instant EXPIRES = Instant.parse("2026-03-01T10:00:00Z");
    private static final List<TransactionEntry> CARD_PAYMENT = List.of(
            new TransactionEntry(0, "card", Side.DEBIT, Money.parse("100.00", EUR)),
            new TransactionEntry(1, "merchant", Side.CREDIT, Money.parse("97.10", EUR)),
            new TransactionEntry(2, "fees", Side.CREDIT, Money.parse("2.90", EUR)));
    private static final TransactionRequest HOLD = new TransactionRequest(CARD_PAYMENT, true, 3600,
            new TreeMap<>(Map.of("order", "A-17")));

    private final Projection transfers = ProjectionCatalog.TRANSFERS.projection(null, "no-table");
    private final Projection history = ProjectionCatalog.HISTORY.projection(null, "no-table");
    private final Projection balances = ProjectionCatalog.BALANCES.projection(null, "no-table");

    @Test
    void theTransfersProjectionFollowsTransactionsUnderAKeyNoTransferCanHave() {
        assertThat(transfers.follows(StreamId.transaction("tx-1"))).isTrue();
        assertThat(history.follows(StreamId.transaction("tx-1"))).isFalse();
        assertThat(ProjectionCatalog.TRANSFERS.itemId(StreamId.transaction("tx-1"))).isEqualTo("transaction#tx-1");
        assertThat(ProjectionCatalog.TRANSFERS.itemId(StreamId.transfer("tx-1"))).isEqualTo("tx-1");
    }

    @Test
    void aReversalLeavesTheStatusHistoryAndIsShownApartWithItsVersionAndTime() {
        List<StoredEvent> stream = StoredEvents.stream(new TransactionRecorded("tx-1", HOLD, EXPIRES),
                new PendingTransactionPosted("tx-1"), new TransactionReversed("tx-1", "r-1", true));

        Step reversed = StoredEvents.fold(transfers, stream).get(2);

        Map<String, AttributeValue> item = reversed.items().get(0);
        assertThat(item.get("state").s()).endsWith(",\"reversal\":{\"forced\":true,\"recordedAt\":"
                + "\"2026-03-01T09:00:03Z\",\"reversalId\":\"r-1\",\"version\":3},\"status\":\"POSTED\","
                + "\"timeoutSeconds\":3600,\"transactionId\":\"tx-1\"}");
        assertThat(item.get("statusHistory").l()).extracting(change -> change.m().get("status").s())
                .containsExactly("PENDING", "POSTED");
        assertThat(TransactionsItemCodec.state(item).reversedBy())
                .isEqualTo(new TransactionState.ReversedBy("r-1", true));
        assertThat(TransactionsItemCodec.reversal(item)).isEqualTo(new TransfersProjection.TransactionReversal("r-1",
                true, 3, Instant.parse("2026-03-01T09:00:03Z")));
    }

    @Test
    void aReversalsHistoryEntryNamesTheTransactionAndTheReversalAndCarriesTheEntriesReversed() {
        TransactionRequest posted = new TransactionRequest(CARD_PAYMENT, false, 0, new TreeMap<>());
        List<StoredEvent> stream = StoredEvents.stream(new AccountOpened("merchant", EUR, OverdraftLimit.NONE),
                new TransactionEntriesPosted("merchant", "tx-1", CARD_PAYMENT),
                new TransactionEntriesReversed("merchant", "tx-1", "r-1", posted.reversedEntries(), false));

        Map<String, AttributeValue> entry = StoredEvents.fold(history, stream).get(2).items().get(0);

        assertThat(entry.get("type").s()).isEqualTo("TransactionEntriesReversed");
        assertThat(entry.get("transactionId").s()).isEqualTo("tx-1");
        assertThat(entry.get("reversalId").s()).isEqualTo("r-1");
        assertThat(entry.get("forced").bool()).isFalse();
        assertThat(entry.get("amount").s()).isEqualTo("-97.10");
        assertThat(entry.get("balanceAfter").s()).isEqualTo("0.00");
        assertThat(entry.get("entries").s()).contains(
                "{\"accountId\":\"merchant\",\"amount\":\"97.10\",\"currency\":\"EUR\",\"direction\":\"DEBIT\",\"index\":1}");
    }

    @Test
    void theStoredItemOfATransactionIsPinnedByteForByte() {
        List<StoredEvent> stream = StoredEvents.stream(new TransactionRecorded("tx-1", HOLD, EXPIRES),
                new PendingTransactionPosted("tx-1"));

        Step posted = StoredEvents.fold(transfers, stream).get(1);

        assertThat(posted.items()).containsExactly(Map.of(
                "id", AttributeValue.fromS("transaction#tx-1"),
                "version", AttributeValue.fromN("2"),
                "state", AttributeValue.fromS("{\"entries\":["
                        + "{\"accountId\":\"card\",\"amount\":\"100.00\",\"currency\":\"EUR\",\"direction\":\"DEBIT\",\"index\":0},"
                        + "{\"accountId\":\"merchant\",\"amount\":\"97.10\",\"currency\":\"EUR\",\"direction\":\"CREDIT\",\"index\":1},"
                        + "{\"accountId\":\"fees\",\"amount\":\"2.90\",\"currency\":\"EUR\",\"direction\":\"CREDIT\",\"index\":2}],"
                        + "\"expiresAt\":\"2026-03-01T10:00:00Z\",\"metadata\":{\"order\":\"A-17\"},\"pending\":true,"
                        + "\"status\":\"POSTED\",\"timeoutSeconds\":3600,\"transactionId\":\"tx-1\"}"),
                "statusHistory", AttributeValue.fromL(List.of(
                        AttributeValue.fromM(Map.of("status", AttributeValue.fromS("PENDING"),
                                "version", AttributeValue.fromN("1"),
                                "recordedAt", AttributeValue.fromS("2026-03-01T09:00:01Z"))),
                        AttributeValue.fromM(Map.of("status", AttributeValue.fromS("POSTED"),
                                "version", AttributeValue.fromN("2"),
                                "recordedAt", AttributeValue.fromS("2026-03-01T09:00:02Z"))))),
                "createdAt", AttributeValue.fromS("2026-03-01T09:00:01Z"),
                "listStatus", AttributeValue.fromS("POSTED"),
                "listAt", AttributeValue.fromS("2026-03-01T09:00:01.000000000Z#transaction#tx-1")));
        TransactionState state = TransactionsItemCodec.state(posted.after().item());
        assertThat(state.status()).isEqualTo(TransactionStatus.POSTED);
        assertThat(state.request()).isEqualTo(HOLD);
    }

    @Test
    void aRefusedTransactionKeepsItsRejectionAndTheEntryThatFailed() {
        Step rejected = StoredEvents.fold(transfers, StoredEvents.stream(new TransactionRejected("tx-2", HOLD,
                RejectionCode.INSUFFICIENT_FUNDS, "short", 0))).get(0);

        TransactionState state = TransactionsItemCodec.state(rejected.after().item());
        assertThat(state.rejection().code()).isEqualTo(RejectionCode.INSUFFICIENT_FUNDS);
        assertThat(state.rejection().failedEntry()).isZero();
    }

    @Test
    void anAccountsHistoryEntryNamesTheTransactionItsNetAndEveryEntry() {
        List<StoredEvent> merchant = StoredEvents.stream(
                new AccountOpened("merchant", EUR, OverdraftLimit.NONE),
                new TransactionHoldPlaced("merchant", "tx-1", CARD_PAYMENT, EXPIRES),
                new TransactionHoldPosted("merchant", "tx-1", CARD_PAYMENT),
                new TransactionEntriesPosted("merchant", "tx-2", List.of(
                        new TransactionEntry(0, "merchant", Side.DEBIT, Money.parse("5.00", EUR)),
                        new TransactionEntry(1, "merchant", Side.CREDIT, Money.parse("1.00", EUR)),
                        new TransactionEntry(2, "fees", Side.CREDIT, Money.parse("4.00", EUR)))));

        List<Step> steps = StoredEvents.fold(history, merchant);

        Map<String, AttributeValue> posted = steps.get(2).items().get(0);
        assertThat(posted.get("type").s()).isEqualTo("TransactionHoldPosted");
        assertThat(posted.get("transactionId").s()).isEqualTo("tx-1");
        assertThat(posted.get("amount").s()).isEqualTo("97.10");
        assertThat(posted.get("balanceAfter").s()).isEqualTo("97.10");
        assertThat(posted.get("entries").s()).isEqualTo("["
                + "{\"accountId\":\"card\",\"amount\":\"100.00\",\"currency\":\"EUR\",\"direction\":\"DEBIT\",\"index\":0},"
                + "{\"accountId\":\"merchant\",\"amount\":\"97.10\",\"currency\":\"EUR\",\"direction\":\"CREDIT\",\"index\":1},"
                + "{\"accountId\":\"fees\",\"amount\":\"2.90\",\"currency\":\"EUR\",\"direction\":\"CREDIT\",\"index\":2}]");
        assertThat(posted).doesNotContainKeys("transferId", "counterpartyAccountId");
        Map<String, AttributeValue> netted = steps.get(3).items().get(0);
        assertThat(netted.get("amount").s()).isEqualTo("-4.00");
        assertThat(netted.get("balanceAfter").s()).isEqualTo("93.10");

        Step balance = StoredEvents.fold(balances, merchant).get(3);
        assertThat(BalancesItemCodec.account(balance.after().item()).balance()).isEqualTo(9310);
    }
}
