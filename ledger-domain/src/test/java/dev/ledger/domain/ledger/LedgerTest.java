package dev.ledger.domain.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.domain.RejectionCode;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.AccountEvent.EntryPosted;
import dev.ledger.domain.api.AccountEvent.HoldExpired;
import dev.ledger.domain.api.AccountEvent.TransferLeg;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.TransferEvent.TransferRecorded;
import dev.ledger.domain.api.TransferEvent.TransferRejected;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.ledger.LedgerResult.Status;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.domain.transfer.TransferStatus;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The unit of work across a transfer and its two accounts, against the log in memory. */
class LedgerTest {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");
    private static final CurrencyUnit USD = CurrencyUnit.of("USD");

    private final TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final InMemoryLog log = new InMemoryLog();
    private final Ledger ledger = new Ledger(log, clock);

    @BeforeEach
    void givenAFundedCustomer() {
        open("bank", EUR, OverdraftLimit.UNLIMITED);
        open("alice", EUR, OverdraftLimit.NONE);
        open("bob", EUR, OverdraftLimit.NONE);
        open("dollars", USD, OverdraftLimit.NONE);
        commit(ledger.transfer("deposit-1", TransferRequest.posted("bank", "alice", eur("100.00"))));
    }

    @Test
    void aTransferAppendsBothLegsWithTheSameTransferIdInOneResult() {
        LedgerResult result = ledger.transfer("t1", TransferRequest.posted("alice", "bob", eur("30.00")));

        assertThat(result.status()).isEqualTo(Status.APPLIED);
        assertThat(result.changes()).extracting(StreamChange::stream)
                .containsExactly(StreamId.transfer("t1"), StreamId.account("alice"), StreamId.account("bob"));
        assertThat(result.changes().get(1).events()).containsExactly(
                new EntryPosted("alice", "t1", Side.DEBIT, "bob", eur("30.00")));
        assertThat(result.changes().get(2).events()).containsExactly(
                new EntryPosted("bob", "t1", Side.CREDIT, "alice", eur("30.00")));
        commit(result);
        assertThat(account("alice").balance()).isEqualTo(7000);
        assertThat(account("bob").balance()).isEqualTo(3000);
    }

    @Test
    void theSameTransferAgainIsAlreadyAppliedAndAppendsNothing() {
        TransferRequest request = TransferRequest.posted("alice", "bob", eur("30.00"));
        commit(ledger.transfer("t1", request));
        int events = log.eventCount();

        LedgerResult retry = ledger.transfer("t1", request);

        assertThat(retry.status()).isEqualTo(Status.ALREADY_APPLIED);
        assertThat(retry.changes()).isEmpty();
        assertThat(log.eventCount()).isEqualTo(events);
    }

    @Test
    void anotherRequestUnderAUsedTransferIdIsAnIdempotencyConflict() {
        commit(ledger.transfer("t1", TransferRequest.posted("alice", "bob", eur("30.00"))));

        LedgerResult other = ledger.transfer("t1", TransferRequest.posted("alice", "bob", eur("31.00")));

        assertRejected(other, RejectionCode.IDEMPOTENCY_CONFLICT);
        assertThat(other.changes()).isEmpty();
    }

    @Test
    void aRefusedTransferIsRecordedOnlyInItsOwnStreamAndStaysRefused() {
        LedgerResult refused = ledger.transfer("t1", TransferRequest.posted("alice", "bob", eur("100.01")));

        assertRejected(refused, RejectionCode.INSUFFICIENT_FUNDS);
        assertThat(refused.changes()).singleElement().satisfies(change -> {
            assertThat(change.stream()).isEqualTo(StreamId.transfer("t1"));
            assertThat(change.events()).singleElement().isInstanceOf(TransferRejected.class);
        });
        commit(refused);

        // Even once alice could pay, the same id keeps its first answer.
        commit(ledger.transfer("deposit-2", TransferRequest.posted("bank", "alice", eur("50.00"))));
        LedgerResult retry = ledger.transfer("t1", TransferRequest.posted("alice", "bob", eur("100.01")));
        assertRejected(retry, RejectionCode.INSUFFICIENT_FUNDS);
        assertThat(retry.changes()).isEmpty();
        assertThat(log.events(StreamId.account("bob"))).hasSize(1);
    }

    @Test
    void aTransferToTheSameAccountIsRefused() {
        assertRejected(ledger.transfer("t1", TransferRequest.posted("alice", "alice", eur("1.00"))),
                RejectionCode.SAME_ACCOUNT);
    }

    @Test
    void aTransferInAnotherCurrencyIsRefused() {
        assertRejected(ledger.transfer("t1", TransferRequest.posted("alice", "dollars", eur("1.00"))),
                RejectionCode.CURRENCY_MISMATCH);
    }

    @Test
    void aTransferToAnUnknownAccountIsRefusedWithoutBeingRecorded() {
        LedgerResult result = ledger.transfer("t1", TransferRequest.posted("alice", "nobody", eur("1.00")));

        assertRejected(result, RejectionCode.ACCOUNT_NOT_FOUND);
        assertThat(result.rejection().message()).contains("credit account nobody");
        assertThat(result.changes()).isEmpty();
    }

    @Test
    void aPartialPostMovesPartOfTheHoldAndReleasesTheRest() {
        commit(ledger.transfer("hold", TransferRequest.pending("alice", "bob", eur("40.00"), 60)));
        assertThat(account("alice").debitsPending()).isEqualTo(4000);
        assertThat(account("alice").available()).contains(BigInteger.valueOf(6000));

        commit(ledger.postPendingTransfer("hold", eur("25.00")));

        assertThat(account("alice")).extracting(AccountState::debitsPending, AccountState::balance)
                .containsExactly(0L, 7500L);
        assertThat(account("bob")).extracting(AccountState::creditsPending, AccountState::balance)
                .containsExactly(0L, 2500L);
        assertThat(log.transfer("hold").orElseThrow().state().status()).isEqualTo(TransferStatus.POSTED);
    }

    @Test
    void aPartialPostGivenAsTextIsReadInTheTransfersCurrencyAndAnUnknownTransferIsRefusedFirst() {
        commit(ledger.transfer("hold", TransferRequest.pending("alice", "bob", eur("40.00"), 60)));
        java.util.List<CurrencyUnit> asked = new java.util.ArrayList<>();

        LedgerResult unknown = ledger.postPartOfPendingTransfer("nothing", currency -> {
            asked.add(currency);
            return Money.parse("1.00", currency);
        });
        LedgerResult posted = ledger.postPartOfPendingTransfer("hold", currency -> {
            asked.add(currency);
            return Money.parse("25.00", currency);
        });

        assertRejected(unknown, RejectionCode.TRANSFER_NOT_FOUND);
        assertThat(asked).containsExactly(EUR);
        assertThat(posted.changes()).extracting(StreamChange::stream).containsExactly(StreamId.transfer("hold"),
                StreamId.account("alice"), StreamId.account("bob"));
        commit(posted);
        assertThat(account("alice").balance()).isEqualTo(7500L);
    }

    @Test
    void aVoidReleasesTheHoldOnBothAccounts() {
        commit(ledger.transfer("hold", TransferRequest.pending("alice", "bob", eur("40.00"), 60)));

        commit(ledger.voidPendingTransfer("hold"));

        assertThat(account("alice").available()).contains(BigInteger.valueOf(10000));
        assertThat(account("bob").creditsPending()).isZero();
        assertRejected(ledger.postPendingTransfer("hold", null), RejectionCode.TRANSFER_NOT_PENDING);
    }

    @Test
    void postingAHoldPastItsTimeoutRecordsTheExpiryAndIsRefused() {
        commit(ledger.transfer("hold", TransferRequest.pending("alice", "bob", eur("40.00"), 60)));
        clock.advance(Duration.ofSeconds(60));

        LedgerResult late = ledger.postPendingTransfer("hold", null);

        assertRejected(late, RejectionCode.TRANSFER_EXPIRED);
        assertThat(late.changes()).flatExtracting(StreamChange::events)
                .filteredOn(TransferLeg.class::isInstance).allMatch(HoldExpired.class::isInstance).hasSize(2);
        commit(late);
        assertThat(account("alice").available()).contains(BigInteger.valueOf(10000));
        assertThat(ledger.postPendingTransfer("hold", null).changes()).isEmpty();
    }

    @Test
    void theSweeperLeavesAHoldThatIsNotDueAlone() {
        commit(ledger.transfer("hold", TransferRequest.pending("alice", "bob", eur("40.00"), 60)));
        clock.advance(Duration.ofSeconds(59));

        LedgerResult early = ledger.expirePendingTransfer("hold");

        assertThat(early.status()).isEqualTo(Status.APPLIED);
        assertThat(early.changes()).isEmpty();
    }

    @Test
    void postingAHoldOnAFrozenAccountIsRefusedAndChangesNothing() {
        commit(ledger.transfer("hold", TransferRequest.pending("alice", "bob", eur("40.00"), 60)));
        commit(ledger.freezeAccount("bob"));

        LedgerResult result = ledger.postPendingTransfer("hold", null);

        assertRejected(result, RejectionCode.ACCOUNT_FROZEN);
        assertThat(result.changes()).isEmpty();
    }

    @Test
    void openingAnAccountAgainIsAlreadyAppliedWithTheSameSettingsAndRefusedWithOthers() {
        assertThat(ledger.openAccount(new OpenAccount("alice", EUR, OverdraftLimit.NONE)).status())
                .isEqualTo(Status.ALREADY_APPLIED);
        assertRejected(ledger.openAccount(new OpenAccount("alice", USD, OverdraftLimit.NONE)),
                RejectionCode.ACCOUNT_EXISTS);
    }

    @Test
    void aRecordedTransferNamesItsRequestAndTimeout() {
        LedgerResult result = ledger.transfer("hold", TransferRequest.pending("alice", "bob", eur("1.00"), 30));

        assertThat(result.changes().get(0).events()).containsExactly(new TransferRecorded("hold",
                TransferRequest.pending("alice", "bob", eur("1.00"), 30), Instant.parse("2026-01-01T00:00:30Z")));
    }

    @Test
    void replayingTheLogGivesTheSameStateAsTheUnitsOfWork() {
        commit(ledger.transfer("hold", TransferRequest.pending("alice", "bob", eur("40.00"), 60)));
        commit(ledger.postPendingTransfer("hold", eur("10.00")));
        commit(ledger.transfer("t2", TransferRequest.posted("bob", "alice", eur("5.00"))));

        assertThat(log.replay()).isEqualTo(log.states());
    }

    private void open(String id, CurrencyUnit currency, OverdraftLimit limit) {
        commit(ledger.openAccount(new OpenAccount(id, currency, limit)));
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

    private static void assertRejected(LedgerResult result, RejectionCode code) {
        assertThat(result.status()).isEqualTo(Status.REJECTED);
        assertThat(result.rejection().code()).isEqualTo(code);
        assertThat(result.rejection().message()).isNotBlank();
    }
}
