package dev.ledger.domain.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.domain.RejectionCode;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.AccountEvent.EntryReversed;
import dev.ledger.domain.api.OriginalKind;
import dev.ledger.domain.api.ReversalEvent.ReversalRecorded;
import dev.ledger.domain.api.ReversalEvent.ReversalRejected;
import dev.ledger.domain.api.ReversalRequest;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.TransferEvent.TransferReversed;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.ledger.LedgerResult.Status;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.domain.transfer.TransferState;
import java.time.Instant;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Reversals (issue 12 §2): one unit of work over the reversal, the original transfer and its two accounts. */
class ReversalLedgerTest {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");

    private final TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final InMemoryLog log = new InMemoryLog();
    private final Ledger ledger = new Ledger(log, clock);

    @BeforeEach
    void givenAPaymentFromAliceToTheShop() {
        open("bank", OverdraftLimit.UNLIMITED);
        open("alice", OverdraftLimit.NONE);
        open("shop", OverdraftLimit.NONE);
        commit(ledger.transfer("fund", TransferRequest.posted("bank", "alice", eur("100.00"))));
        commit(ledger.transfer("pay", TransferRequest.posted("alice", "shop", eur("40.00"))));
    }

    @Test
    void aReversalBooksTheOppositeLegsOnTheReversalTheTransferAndBothAccountsInOneResult() {
        // when
        LedgerResult result = reverse("r-1", "pay", "15.00", false);

        // then
        assertThat(result.status()).isEqualTo(Status.APPLIED);
        assertThat(result.changes()).extracting(StreamChange::stream).containsExactly(StreamId.reversal("r-1"),
                StreamId.transfer("pay"), StreamId.account("shop"), StreamId.account("alice"));
        assertThat(result.changes().get(0).events()).singleElement().isInstanceOf(ReversalRecorded.class);
        assertThat(result.changes().get(1).events()).containsExactly(new TransferReversed("pay", "r-1", eur("15.00"), false));
        assertThat(result.changes().get(2).events()).containsExactly(
                new EntryReversed("shop", "pay", "r-1", Side.DEBIT, "alice", eur("15.00"), false));
        assertThat(result.changes().get(3).events()).containsExactly(
                new EntryReversed("alice", "pay", "r-1", Side.CREDIT, "shop", eur("15.00"), false));
        commit(result);
        assertThat(account("shop").balance()).isEqualTo(25_00);
        assertThat(account("alice").balance()).isEqualTo(75_00);
        assertThat(transfer("pay").reversibleAmount()).isEqualTo(eur("25.00"));
    }

    @Test
    void aPartialReversalThenOneWithoutAnAmountGivesBackTheRestAndThenNothingIsLeft() {
        commit(reverse("r-1", "pay", "10.00", false));

        LedgerResult rest = reverse("r-2", "pay", null, false);
        commit(rest);

        assertThat(((ReversalRecorded) rest.changes().get(0).events().get(0)).amount()).isEqualTo(eur("30.00"));
        assertThat(transfer("pay").reversedAmount()).isEqualTo(eur("40.00"));
        LedgerResult more = reverse("r-3", "pay", "0.01", false);
        assertThat(more.rejection().code()).isEqualTo(RejectionCode.REVERSAL_EXCEEDS_POSTED);
        assertThat(more.changes()).as("the refusal is recorded under the reversal id only")
                .extracting(StreamChange::stream).containsExactly(StreamId.reversal("r-3"));
        assertThat(more.changes().get(0).events()).singleElement().isInstanceOf(ReversalRejected.class);
    }

    @Test
    void aReversalOfMoreThanWasPostedIsRefused() {
        LedgerResult result = reverse("r-1", "pay", "40.01", false);

        assertThat(result.rejection().code()).isEqualTo(RejectionCode.REVERSAL_EXCEEDS_POSTED);
        assertThat(result.rejection().message()).contains("40.00 EUR", "40.01 EUR");
    }

    @Test
    void aPendingVoidedOrRefusedTransferIsNotPostedAndCannotBeReversed() {
        commit(ledger.transfer("hold", TransferRequest.pending("alice", "shop", eur("5.00"), 60)));
        assertThat(reverse("r-1", "hold", null, false).rejection().code()).isEqualTo(RejectionCode.TRANSFER_NOT_POSTED);
        commit(ledger.voidPendingTransfer("hold"));
        assertThat(reverse("r-2", "hold", null, false).rejection().code()).isEqualTo(RejectionCode.TRANSFER_NOT_POSTED);
        commit(ledger.transfer("broke", TransferRequest.posted("alice", "shop", eur("500.00"))));
        assertThat(reverse("r-3", "broke", null, false).rejection().code()).isEqualTo(RejectionCode.TRANSFER_NOT_POSTED);
    }

    @Test
    void aHoldPostedInPartIsReversibleUpToWhatWasPosted() {
        commit(ledger.transfer("hold", TransferRequest.pending("alice", "shop", eur("20.00"), 60)));
        commit(ledger.postPendingTransfer("hold", eur("8.00")));

        assertThat(reverse("r-1", "hold", "8.01", false).rejection().code())
                .isEqualTo(RejectionCode.REVERSAL_EXCEEDS_POSTED);
        LedgerResult all = reverse("r-2", "hold", null, false);
        assertThat(all.status()).isEqualTo(Status.APPLIED);
        assertThat(((ReversalRecorded) all.changes().get(0).events().get(0)).amount()).isEqualTo(eur("8.00"));
    }

    @Test
    void theFloorHoldsForThePayingAccountUnlessAnOperatorForcesIt() {
        commit(ledger.transfer("spent", TransferRequest.posted("shop", "bank", eur("35.00"))));

        LedgerResult refused = reverse("r-1", "pay", "10.00", false);
        assertThat(refused.rejection().code()).isEqualTo(RejectionCode.INSUFFICIENT_FUNDS);
        LedgerResult forced = reverse("r-2", "pay", "10.00", true);
        commit(forced);

        assertThat(forced.status()).isEqualTo(Status.APPLIED);
        assertThat(account("shop").balance()).isEqualTo(-5_00);
        assertThat(forced.changes().get(2).events()).containsExactly(
                new EntryReversed("shop", "pay", "r-2", Side.DEBIT, "alice", eur("10.00"), true));
    }

    @Test
    void aFrozenAccountStopsAReversalUnlessForcedAndAClosedOneAlways() {
        commit(ledger.freezeAccount("alice"));
        assertThat(reverse("r-1", "pay", "1.00", false).rejection().code()).isEqualTo(RejectionCode.ACCOUNT_FROZEN);
        assertThat(reverse("r-2", "pay", "1.00", true).status()).isEqualTo(Status.APPLIED);

        commit(ledger.unfreezeAccount("alice"));
        commit(ledger.transfer("t-out", TransferRequest.posted("alice", "bank", eur("60.00"))));
        open("closing", OverdraftLimit.NONE);
        commit(ledger.transfer("fund-2", TransferRequest.posted("bank", "closing", eur("1.00"))));
        commit(ledger.transfer("t-back", TransferRequest.posted("closing", "bank", eur("1.00"))));
        commit(ledger.closeAccount("closing"));
        assertThat(reverse("r-3", "fund-2", null, true).rejection().code()).isEqualTo(RejectionCode.ACCOUNT_CLOSED);
    }

    @Test
    void theSameReversalAgainIsAlreadyAppliedAnotherUnderItsIdAConflictAndARefusalStaysRefused() {
        commit(reverse("r-1", "pay", "5.00", false));
        int events = log.eventCount();

        LedgerResult again = reverse("r-1", "pay", "5.00", false);
        assertThat(again.status()).isEqualTo(Status.ALREADY_APPLIED);
        assertThat(again.originalVersion()).isEqualTo(1);
        assertThat(reverse("r-1", "pay", "5.01", false).rejection().code()).isEqualTo(RejectionCode.IDEMPOTENCY_CONFLICT);
        assertThat(reverse("r-1", "fund", "5.00", false).rejection().code()).isEqualTo(RejectionCode.IDEMPOTENCY_CONFLICT);

        commit(reverse("r-big", "pay", "99.00", false));
        assertThat(reverse("r-big", "pay", "99.00", false).rejection().code())
                .isEqualTo(RejectionCode.REVERSAL_EXCEEDS_POSTED);
        assertThat(log.eventCount()).isEqualTo(events + 1);
    }

    @Test
    void aReversalsIdGivenAsTheTransferIsRefusedAsReversingAReversalAndAnUnknownIdIsNotFound() {
        commit(reverse("r-1", "pay", "5.00", false));

        LedgerResult ofReversal = reverse("r-2", "r-1", null, false);
        LedgerResult unknown = reverse("r-3", "nothing", null, false);

        assertThat(ofReversal.rejection().code()).isEqualTo(RejectionCode.CANNOT_REVERSE_REVERSAL);
        assertThat(ofReversal.changes()).isEmpty();
        assertThat(unknown.rejection().code()).isEqualTo(RejectionCode.TRANSFER_NOT_FOUND);
        assertThat(unknown.changes()).isEmpty();
    }

    @Test
    void aReversalAppendsToTheTransferAtTheVersionItRead() {
        LedgerResult first = reverse("r-1", "pay", "30.00", false);
        LedgerResult second = reverse("r-2", "pay", "30.00", false);
        commit(first);

        assertThat(second.changes().get(1).expectedVersion()).isEqualTo(1);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> commit(second))
                .as("the second reversal was decided on the transfer before the first; its append is refused")
                .isInstanceOf(IllegalStateException.class);
        assertThat(reverse("r-2", "pay", "30.00", false).rejection().code())
                .isEqualTo(RejectionCode.REVERSAL_EXCEEDS_POSTED);
    }

    private LedgerResult reverse(String reversalId, String transferId, String amount, boolean force) {
        return ledger.reverseTransfer(reversalId, transferId, currency -> new ReversalRequest(OriginalKind.TRANSFER,
                transferId, amount == null ? null : Money.parse(amount, currency), force, new TreeMap<>()));
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

    private TransferState transfer(String id) {
        return log.transfer(id).orElseThrow().state();
    }

    private static Money eur(String amount) {
        return Money.parse(amount, EUR);
    }
}
