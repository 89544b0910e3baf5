package dev.ledger.domain.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.domain.RejectionCode;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.AccountEvent.TransactionEntriesReversed;
import dev.ledger.domain.api.OriginalKind;
import dev.ledger.domain.api.ReversalEvent;
import dev.ledger.domain.api.ReversalEvent.ReversalRecorded;
import dev.ledger.domain.api.ReversalEvent.ReversalRejected;
import dev.ledger.domain.api.ReversalRequest;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.TransactionEntry;
import dev.ledger.domain.api.TransactionEvent.TransactionReversed;
import dev.ledger.domain.api.TransactionRequest;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.ledger.LedgerResult.Status;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.domain.transaction.TransactionState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The reversal of a multi-leg transaction (issue 12 §2), in full and once: one unit of work over the
 * reversal, the transaction and each of its accounts; and a repeated post or void of a pending one.
 */
class TransactionReversalLedgerTest {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");

    private final TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final InMemoryLog log = new InMemoryLog();
    private final Ledger ledger = new Ledger(log, clock);

    @BeforeEach
    void givenACardPaymentWithAFee() {
        open("bank", OverdraftLimit.UNLIMITED);
        open("card", OverdraftLimit.NONE);
        open("merchant", OverdraftLimit.NONE);
        open("fees", OverdraftLimit.NONE);
        commit(ledger.transfer("fund", TransferRequest.posted("bank", "card", eur("500.00"))));
        commit(ledger.transaction("pay", cardPayment(false)));
    }

    @Test
    void aReversalBooksTheOppositeOfEveryEntryOnTheReversalTheTransactionAndEachAccountInOneResult() {
        // when
        LedgerResult result = reverse("r-1", "pay", false);

        // then
        assertThat(result.status()).isEqualTo(Status.APPLIED);
        assertThat(result.changes()).extracting(StreamChange::stream).containsExactly(StreamId.reversal("r-1"),
                StreamId.transaction("pay"), StreamId.account("card"), StreamId.account("merchant"),
                StreamId.account("fees"));
        ReversalRecorded recorded = (ReversalRecorded) result.changes().get(0).events().get(0);
        assertThat(recorded.amount()).as("a transaction has no single amount").isNull();
        assertThat(recorded.legs()).containsExactly(new ReversalEvent.Leg("card", Side.CREDIT, eur("100.00")),
                new ReversalEvent.Leg("merchant", Side.DEBIT, eur("97.10")),
                new ReversalEvent.Leg("fees", Side.DEBIT, eur("2.90")));
        assertThat(result.changes().get(1).events()).containsExactly(new TransactionReversed("pay", "r-1", false));
        assertThat(result.changes().get(1).expectedVersion()).isEqualTo(1);
        List<TransactionEntry> reversed = cardPayment(false).reversedEntries();
        assertThat(result.changes().get(3).events()).containsExactly(
                new TransactionEntriesReversed("merchant", "pay", "r-1", reversed, false));
        assertThat(reversed).extracting(TransactionEntry::direction)
                .containsExactly(Side.CREDIT, Side.DEBIT, Side.DEBIT);
        commit(result);
        assertThat(account("card").balance()).isEqualTo(500_00);
        assertThat(account("merchant").balance()).isZero();
        assertThat(account("fees").balance()).isZero();
        assertThat(transaction("pay").reversedBy()).isEqualTo(new TransactionState.ReversedBy("r-1", false));
        assertThat(log.replay()).as("the log replays to the same state").isEqualTo(log.states());
    }

    @Test
    void theSameReversalAgainIsAlreadyAppliedAndAnotherIdIsRefusedAsNothingIsLeft() {
        commit(reverse("r-1", "pay", false));

        // when
        LedgerResult again = reverse("r-1", "pay", false);
        LedgerResult other = reverse("r-2", "pay", false);

        // then
        assertThat(again.status()).isEqualTo(Status.ALREADY_APPLIED);
        assertThat(again.originalVersion()).isEqualTo(1);
        assertThat(other.rejection().code()).isEqualTo(RejectionCode.REVERSAL_EXCEEDS_POSTED);
        assertThat(other.rejection().message()).contains("already reversed", "r-1");
        assertThat(other.changes()).extracting(StreamChange::stream).containsExactly(StreamId.reversal("r-2"));
        assertThat(reverse("r-1", "pay", true).rejection().code()).as("other content under the id")
                .isEqualTo(RejectionCode.IDEMPOTENCY_CONFLICT);
    }

    @Test
    void aPendingVoidedOrRefusedTransactionIsNotPostedAndTheRefusalIsRecorded() {
        commit(ledger.transaction("held", cardPayment(true)));
        commit(ledger.transaction("voided", cardPayment(true)));
        commit(ledger.voidPendingTransaction("voided"));

        for (String id : List.of("held", "voided")) {
            LedgerResult refused = reverse("r-" + id, id, false);
            assertThat(refused.rejection().code()).as(id).isEqualTo(RejectionCode.TRANSACTION_NOT_POSTED);
            assertThat(refused.changes().get(0).events()).singleElement().isInstanceOf(ReversalRejected.class);
            commit(refused);
            assertThat(reverse("r-" + id, id, false).rejection().code()).as("stays refused")
                    .isEqualTo(RejectionCode.TRANSACTION_NOT_POSTED);
        }
    }

    @Test
    void aPendingTransactionPostedThenReversedGivesEveryAccountBack() {
        commit(ledger.transaction("held", cardPayment(true)));
        commit(ledger.postPendingTransaction("held"));

        commit(reverse("r-1", "held", false));

        assertThat(account("card").balance()).isEqualTo(400_00);
        assertThat(account("merchant").balance()).isEqualTo(97_10);
        assertThat(account("card").debitsPending()).isZero();
    }

    @Test
    void aPayerBelowItsFloorRefusesNamingTheEntryUnlessAnOperatorForcesIt() {
        commit(ledger.transfer("spent", TransferRequest.posted("merchant", "bank", eur("97.00"))));

        LedgerResult refused = reverse("r-1", "pay", false);
        assertThat(refused.rejection().code()).isEqualTo(RejectionCode.INSUFFICIENT_FUNDS);
        assertThat(refused.rejection().message()).startsWith("entry 1 (account merchant): ");

        LedgerResult forced = reverse("r-2", "pay", true);
        assertThat(forced.status()).isEqualTo(Status.APPLIED);
        commit(forced);
        assertThat(account("merchant").balance()).isEqualTo(-97_00);
        assertThat(transaction("pay").reversedBy().forced()).isTrue();
    }

    @Test
    void aClosedAccountRefusesEvenAForcedReversal() {
        commit(ledger.transfer("empty", TransferRequest.posted("fees", "bank", eur("2.90"))));
        commit(ledger.closeAccount("fees"));

        LedgerResult refused = reverse("r-1", "pay", true);

        assertThat(refused.rejection().code()).isEqualTo(RejectionCode.ACCOUNT_CLOSED);
    }

    @Test
    void aReversalOfAReversalOrOfNoTransactionIsRefusedWithoutARecord() {
        commit(reverse("r-1", "pay", false));

        assertThat(reverse("r-2", "r-1", false).rejection().code()).isEqualTo(RejectionCode.CANNOT_REVERSE_REVERSAL);
        LedgerResult missing = reverse("r-3", "nope", false);
        assertThat(missing.rejection().code()).isEqualTo(RejectionCode.TRANSACTION_NOT_FOUND);
        assertThat(missing.changes()).isEmpty();
    }

    @Test
    void aTransactionOnMoreThan48AccountsCannotBeReversedInOneAppend() {
        List<TransactionEntry> entries = new ArrayList<>();
        entries.add(new TransactionEntry(0, "bank", Side.DEBIT, eur("48.00")));
        for (int i = 1; i < TransactionRequest.MAX_ACCOUNTS; i++) {
            open("m" + i, OverdraftLimit.NONE);
            entries.add(new TransactionEntry(i, "m" + i, Side.CREDIT, eur("1.00")));
        }
        commit(ledger.transaction("wide", new TransactionRequest(entries, false, 0, new TreeMap<>())));

        LedgerResult refused = reverse("r-wide", "wide", false);

        assertThat(TransactionRequest.MAX_REVERSIBLE_ACCOUNTS).isEqualTo(48);
        assertThat(refused.rejection().code()).isEqualTo(RejectionCode.REVERSAL_TOO_LARGE);
        assertThat(refused.rejection().message()).contains("49 distinct accounts", "at most 48");
    }

    @Test
    void aPostOrVoidSentAgainAfterItCompletedIsAlreadyAppliedAtVersion2AndTheOtherIsStillRefused() {
        commit(ledger.transaction("held", cardPayment(true)));
        commit(ledger.transaction("dropped", cardPayment(true)));
        commit(ledger.postPendingTransaction("held"));
        commit(ledger.voidPendingTransaction("dropped"));

        LedgerResult postAgain = ledger.postPendingTransaction("held");
        LedgerResult voidAgain = ledger.voidPendingTransaction("dropped");

        assertThat(postAgain.status()).isEqualTo(Status.ALREADY_APPLIED);
        assertThat(postAgain.originalVersion()).isEqualTo(2);
        assertThat(voidAgain.status()).isEqualTo(Status.ALREADY_APPLIED);
        assertThat(voidAgain.originalVersion()).isEqualTo(2);
        assertThat(ledger.voidPendingTransaction("held").rejection().code())
                .isEqualTo(RejectionCode.TRANSACTION_NOT_PENDING);
        assertThat(ledger.postPendingTransaction("dropped").rejection().code())
                .isEqualTo(RejectionCode.TRANSACTION_NOT_PENDING);
        assertThat(ledger.postPendingTransaction("pay").rejection().code())
                .as("a transaction posted at once was never pending: a post of it repeats nothing")
                .isEqualTo(RejectionCode.TRANSACTION_NOT_PENDING);
        commit(reverse("r-held", "held", false));
        assertThat(ledger.postPendingTransaction("held").status()).as("still, after a reversal")
                .isEqualTo(Status.ALREADY_APPLIED);
    }

    @Test
    void aPostOrVoidAfterExpiryStaysExpired() {
        commit(ledger.transaction("held", cardPayment(true)));
        clock.advance(Duration.ofSeconds(61));

        assertThat(ledger.postPendingTransaction("held").rejection().code())
                .isEqualTo(RejectionCode.TRANSACTION_EXPIRED);
        commit(ledger.expirePendingTransaction("held"));
        assertThat(ledger.voidPendingTransaction("held").rejection().code())
                .isEqualTo(RejectionCode.TRANSACTION_EXPIRED);
        assertThat(reverse("r-1", "held", false).rejection().code()).isEqualTo(RejectionCode.TRANSACTION_NOT_POSTED);
    }

    private static TransactionRequest cardPayment(boolean pending) {
        return new TransactionRequest(List.of(
                new TransactionEntry(0, "card", Side.DEBIT, eur("100.00")),
                new TransactionEntry(1, "merchant", Side.CREDIT, eur("97.10")),
                new TransactionEntry(2, "fees", Side.CREDIT, eur("2.90"))), pending, pending ? 60 : 0, new TreeMap<>());
    }

    private LedgerResult reverse(String reversalId, String transactionId, boolean force) {
        return ledger.reverseTransaction(reversalId, new ReversalRequest(OriginalKind.TRANSACTION, transactionId, null,
                force, new TreeMap<>()));
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

    private TransactionState transaction(String id) {
        return log.transaction(id).orElseThrow().state();
    }

    private static Money eur(String amount) {
        return Money.parse(amount, EUR);
    }
}
