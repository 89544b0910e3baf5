package dev.ledger.functions.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.domain.api.BatchItem;
import dev.ledger.domain.api.BatchItem.TransactionItem;
import dev.ledger.domain.api.BatchItem.TransferItem;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.api.TransactionEntry;
import dev.ledger.domain.api.TransactionRequest;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** How the items of a batch that is not atomic are spread over lanes that run at once. */
class BatchLanesTest {

    @Test
    void itemsThatShareAnAccountShareALaneInTheirOrderAndTheOthersRunBesideThem() {
        // given two transfers on a and b, one on c and d, and a transaction on d, f and g
        List<BatchItem> items = List.of(transfer("t0", "a", "b"), transfer("t1", "c", "d"), transfer("t2", "b", "e"),
                transaction("x3", "d", "f", "g"));

        // when / then
        assertThat(BatchApi.lanes(items)).containsExactly(List.of(0, 2), List.of(1, 3));
    }

    @Test
    void anItemOnTwoLanesJoinsThemIntoOne() {
        List<BatchItem> items = List.of(transfer("t0", "a", "b"), transfer("t1", "c", "d"), transfer("t2", "b", "c"));

        assertThat(BatchApi.lanes(items)).containsExactly(List.of(0, 1, 2));
    }

    @Test
    void itemsOnDisjointAccountsHaveALaneEach() {
        List<BatchItem> items = List.of(transfer("t0", "a", "b"), transfer("t1", "c", "d"), transfer("t2", "e", "f"));

        assertThat(BatchApi.lanes(items)).containsExactly(List.of(0), List.of(1), List.of(2));
    }

    private static TransferItem transfer(String id, String debit, String credit) {
        return new TransferItem(id, TransferRequest.posted(debit, credit, eur()));
    }

    private static TransactionItem transaction(String id, String debit, String... credits) {
        List<TransactionEntry> entries = new java.util.ArrayList<>();
        entries.add(new TransactionEntry(0, debit, Side.DEBIT, Money.of(credits.length, CurrencyUnit.of("EUR"))));
        for (String credit : credits) {
            entries.add(new TransactionEntry(entries.size(), credit, Side.CREDIT, eur()));
        }
        return new TransactionItem(id, new TransactionRequest(entries, false, 0, new TreeMap<>()));
    }

    private static Money eur() {
        return Money.of(1, CurrencyUnit.of("EUR"));
    }
}
