package dev.ledger.domain.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ledger.domain.RejectionCode;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.AccountEvent.TransactionEntriesPosted;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.TransactionEntry;
import dev.ledger.domain.api.TransactionEvent.TransactionRejected;
import dev.ledger.domain.api.TransactionRequest;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.ledger.LedgerResult.Status;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.domain.reversal.ReversalState;
import dev.ledger.domain.transaction.TransactionState;
import dev.ledger.domain.transaction.TransactionStatus;
import dev.ledger.domain.transfer.TransferState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The unit of work across a multi-leg transaction and every one of its accounts, against the log in memory. */
class LedgerTransactionTest {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");
    private static final CurrencyUnit USD = CurrencyUnit.of("USD");

    private final TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final InMemoryLog log = new InMemoryLog();
    private final Ledger ledger = new Ledger(log, clock);

    @BeforeEach
    void givenACardCustomerAMerchantAndTheFeesAccount() {
        open("bank", EUR, OverdraftLimit.UNLIMITED);
        open("card", EUR, OverdraftLimit.NONE);
        open("merchant", EUR, OverdraftLimit.NONE);
        open("fees", EUR, OverdraftLimit.NONE);
        open("eur-pool", EUR, OverdraftLimit.UNLIMITED);
        open("usd-pool", USD, OverdraftLimit.UNLIMITED);
        open("usd-wallet", USD, OverdraftLimit.NONE);
        commit(ledger.transfer("fund-card", TransferRequest.posted("bank", "card", eur("150.00"))));
    }

    @Test
    void aCardPaymentWithAFeeMovesEveryAccountInOneResult() {
        LedgerResult result = ledger.transaction("tx-1", request(false,
                entry("card", Side.DEBIT, eur("100.00")), entry("merchant", Side.CREDIT, eur("97.10")),
                entry("fees", Side.CREDIT, eur("2.90"))));

        assertThat(result.status()).isEqualTo(Status.APPLIED);
        assertThat(result.changes()).extracting(StreamChange::stream).containsExactly(StreamId.transaction("tx-1"),
                StreamId.account("card"), StreamId.account("merchant"), StreamId.account("fees"));
        assertThat(result.changes().get(2).events()).containsExactly(new TransactionEntriesPosted("merchant", "tx-1",
                ((TransactionState) result.changes().get(0).stateAfter()).request().entries()));
        commit(result);
        assertThat(account("card").balance()).isEqualTo(5000);
        assertThat(account("merchant").balance()).isEqualTo(9710);
        assertThat(account("fees").balance()).isEqualTo(290);
    }

    @Test
    void entriesThatDoNotBalanceInACurrencyAreRefusedNamingTheCurrencyAndTheDifference() {
        LedgerResult result = ledger.transaction("tx-1", request(false,
                entry("card", Side.DEBIT, eur("100.00")), entry("merchant", Side.CREDIT, eur("97.10"))));

        assertThat(result.rejection().code()).isEqualTo(RejectionCode.UNBALANCED);
        assertThat(result.rejection().message()).contains("EUR").contains("2.90 EUR");
        assertThat(result.rejection().failedEntry()).isNull();
        assertThat(result.changes()).singleElement().satisfies(change -> assertThat(change.events())
                .singleElement().isInstanceOf(TransactionRejected.class));
    }

    @Test
    void anExchangeThroughLiquidityAccountsBalancesPerCurrency() {
        LedgerResult balanced = ledger.transaction("fx-1", request(false,
                entry("card", Side.DEBIT, eur("100.00")), entry("eur-pool", Side.CREDIT, eur("100.00")),
                entry("usd-pool", Side.DEBIT, usd("108.00")), entry("usd-wallet", Side.CREDIT, usd("108.00"))));
        LedgerResult lopsided = ledger.transaction("fx-2", request(false,
                entry("card", Side.DEBIT, eur("10.00")), entry("eur-pool", Side.CREDIT, eur("10.00")),
                entry("usd-pool", Side.DEBIT, usd("10.80")), entry("usd-wallet", Side.CREDIT, usd("10.00"))));

        assertThat(balanced.status()).isEqualTo(Status.APPLIED);
        assertThat(lopsided.rejection().code()).isEqualTo(RejectionCode.UNBALANCED);
        assertThat(lopsided.rejection().message()).contains("USD").contains("0.80 USD");
    }

    @Test
    void anAccountInSeveralEntriesMovesByItsNetAndItsFloorSeesTheNet() {
        // card has 150.00; it pays 200.00 and gets 60.00 back in the same transaction: net -140.00.
        LedgerResult netted = ledger.transaction("tx-1", request(false,
                entry("card", Side.DEBIT, eur("200.00")), entry("card", Side.CREDIT, eur("60.00")),
                entry("merchant", Side.CREDIT, eur("140.00"))));
        commit(netted);
        assertThat(account("card").balance()).isEqualTo(1000);
        assertThat(account("card").debitsPosted()).isEqualTo(14000);

        LedgerResult tooMuch = ledger.transaction("tx-2", request(false,
                entry("merchant", Side.CREDIT, eur("30.00")), entry("card", Side.DEBIT, eur("40.00")),
                entry("card", Side.CREDIT, eur("10.00")), entry("card", Side.DEBIT, eur("0.01")),
                entry("fees", Side.CREDIT, eur("0.01"))));
        assertThat(tooMuch.rejection().code()).isEqualTo(RejectionCode.INSUFFICIENT_FUNDS);
        assertThat(tooMuch.rejection().failedEntry()).isEqualTo(1);
    }

    @Test
    void theRefusalNamesTheLowestEntryThatFailsAndNoAccountMoves() {
        commit(ledger.freezeAccount("fees"));
        Map<StreamId, ?> before = log.states();

        LedgerResult result = ledger.transaction("tx-1", request(false,
                entry("merchant", Side.CREDIT, eur("97.10")), entry("fees", Side.CREDIT, eur("2.90")),
                entry("card", Side.DEBIT, eur("500.00")), entry("usd-wallet", Side.CREDIT, eur("1.00")),
                entry("bank", Side.CREDIT, eur("399.00"))));
        commit(result);

        assertThat(result.rejection().code()).isEqualTo(RejectionCode.ACCOUNT_FROZEN);
        assertThat(result.rejection().failedEntry()).isEqualTo(1);
        Map<StreamId, Object> after = new TreeMap<>(log.states());
        after.remove(StreamId.transaction("tx-1"));
        assertThat(after).isEqualTo(before);
        assertThat(log.transaction("tx-1").orElseThrow().state().rejection().failedEntry()).isEqualTo(1);
    }

    @Test
    void anEntryInAnotherCurrencyThanItsAccountIsACurrencyMismatchAtThatEntry() {
        LedgerResult result = ledger.transaction("tx-1", request(false,
                entry("card", Side.DEBIT, eur("1.00")), entry("usd-wallet", Side.CREDIT, eur("1.00"))));

        assertThat(result.rejection().code()).isEqualTo(RejectionCode.CURRENCY_MISMATCH);
        assertThat(result.rejection().failedEntry()).isEqualTo(1);
    }

    @Test
    void anAccountThatDoesNotExistIsNotRecordedSoTheSameIdMaySucceedLater() {
        TransactionRequest request = request(false, entry("card", Side.DEBIT, eur("1.00")),
                entry("shop", Side.CREDIT, eur("1.00")));
        LedgerResult first = ledger.transaction("tx-1", request);
        assertThat(first.rejection().code()).isEqualTo(RejectionCode.ACCOUNT_NOT_FOUND);
        assertThat(first.rejection().failedEntry()).isEqualTo(1);
        assertThat(first.changes()).isEmpty();

        open("shop", EUR, OverdraftLimit.NONE);
        assertThat(ledger.transaction("tx-1", request).status()).isEqualTo(Status.APPLIED);
    }

    @Test
    void aTransactionOnASingleAccountIsRefused() {
        LedgerResult result = ledger.transaction("tx-1", request(false,
                entry("card", Side.DEBIT, eur("1.00")), entry("card", Side.CREDIT, eur("1.00"))));

        assertThat(result.rejection().code()).isEqualTo(RejectionCode.SAME_ACCOUNT);
    }

    @Test
    void theSameRequestAgainIsAlreadyAppliedAnotherIsAConflictAndARefusalRepeats() {
        TransactionRequest request = request(false, entry("card", Side.DEBIT, eur("1.00")),
                entry("merchant", Side.CREDIT, eur("1.00")));
        commit(ledger.transaction("tx-1", request));
        TransactionRequest refused = request(false, entry("card", Side.DEBIT, eur("900.00")),
                entry("merchant", Side.CREDIT, eur("900.00")));
        commit(ledger.transaction("tx-2", refused));

        assertThat(ledger.transaction("tx-1", request).status()).isEqualTo(Status.ALREADY_APPLIED);
        assertThat(ledger.transaction("tx-1", refused).rejection().code()).isEqualTo(RejectionCode.IDEMPOTENCY_CONFLICT);
        LedgerResult again = ledger.transaction("tx-2", refused);
        assertThat(again.rejection().code()).isEqualTo(RejectionCode.INSUFFICIENT_FUNDS);
        assertThat(again.rejection().failedEntry()).isEqualTo(0);
        assertThat(again.changes()).isEmpty();
    }

    @Test
    void aPendingTransactionHoldsEveryNetMovementUntilItIsPostedInFull() {
        commit(ledger.transaction("tx-1", request(true, entry("card", Side.DEBIT, eur("100.00")),
                entry("merchant", Side.CREDIT, eur("97.10")), entry("fees", Side.CREDIT, eur("2.90")))));
        assertThat(account("card").debitsPending()).isEqualTo(10000);
        assertThat(account("merchant").creditsPending()).isEqualTo(9710);
        assertThat(account("card").available()).hasValueSatisfying(a -> assertThat(a.longValue()).isEqualTo(5000));

        commit(ledger.postPendingTransaction("tx-1"));

        assertThat(log.transaction("tx-1").orElseThrow().state().status()).isEqualTo(TransactionStatus.POSTED);
        assertThat(account("card").balance()).isEqualTo(5000);
        assertThat(account("card").debitsPending()).isZero();
        assertThat(account("fees").balance()).isEqualTo(290);
        assertThat(ledger.postPendingTransaction("tx-1").status()).as("the same post again repeats its answer")
                .isEqualTo(LedgerResult.Status.ALREADY_APPLIED);
        assertThat(ledger.voidPendingTransaction("tx-1").rejection().code())
                .isEqualTo(RejectionCode.TRANSACTION_NOT_PENDING);
    }

    @Test
    void aVoidedOrExpiredTransactionReleasesEveryHold() {
        commit(ledger.transaction("tx-1", request(true, entry("card", Side.DEBIT, eur("100.00")),
                entry("merchant", Side.CREDIT, eur("100.00")))));
        commit(ledger.transaction("tx-2", request(true, entry("card", Side.DEBIT, eur("10.00")),
                entry("fees", Side.CREDIT, eur("10.00")))));
        commit(ledger.voidPendingTransaction("tx-1"));
        assertThat(account("card").debitsPending()).isEqualTo(1000);

        clock.advance(Duration.ofSeconds(60));
        LedgerResult late = ledger.postPendingTransaction("tx-2");
        assertThat(late.rejection().code()).isEqualTo(RejectionCode.TRANSACTION_EXPIRED);
        commit(late);

        assertThat(log.transaction("tx-2").orElseThrow().state().status()).isEqualTo(TransactionStatus.EXPIRED);
        assertThat(account("card").debitsPending()).isZero();
        assertThat(account("fees").creditsPending()).isZero();
        assertThat(account("card").balance()).isEqualTo(15000);
    }

    @Test
    void aTransactionReadBeforeAnotherCommandSettledItIsARaceNotADecision() {
        commit(ledger.transaction("tx-1", request(true, entry("card", Side.DEBIT, eur("10.00")),
                entry("merchant", Side.CREDIT, eur("10.00")))));
        Versioned<TransactionState> readFirst = log.transaction("tx-1").orElseThrow();
        commit(ledger.voidPendingTransaction("tx-1"));
        Ledger stale = new Ledger(new LedgerStreams() {
            @Override
            public Optional<Versioned<AccountState>> account(String accountId) {
                return log.account(accountId);
            }

            @Override
            public Optional<Versioned<TransferState>> transfer(String transferId) {
                return log.transfer(transferId);
            }

            @Override
            public Optional<Versioned<TransactionState>> transaction(String transactionId) {
                return Optional.of(readFirst);
            }

            @Override
            public Optional<Versioned<ReversalState>> reversal(String reversalId) {
                return log.reversal(reversalId);
            }
        }, clock);

        assertThatThrownBy(() -> stale.postPendingTransaction("tx-1"))
                .isInstanceOf(InconsistentStreamsException.class)
                .hasMessageContaining("transaction tx-1 at version 1 is PENDING");
    }

    @Test
    void aTransactionAtTheAccountLimitFitsOneAtomicAppend() {
        List<TransactionEntry> entries = new ArrayList<>();
        entries.add(new TransactionEntry(0, "bank", Side.DEBIT, eur("0.48")));
        for (int i = 1; i < TransactionRequest.MAX_ACCOUNTS; i++) {
            open("shop-" + i, EUR, OverdraftLimit.NONE);
            entries.add(new TransactionEntry(i, "shop-" + i, Side.CREDIT, eur("0.01")));
        }
        LedgerResult result = ledger.transaction("tx-max", new TransactionRequest(entries, true, 60, new TreeMap<>()));

        assertThat(result.status()).isEqualTo(Status.APPLIED);
        int items = result.changes().stream().mapToInt(change -> change.events().size() + 1).sum();
        assertThat(items).isEqualTo(2 + 2 * TransactionRequest.MAX_ACCOUNTS).isLessThanOrEqualTo(100);
        commit(result);
        int settled = ledger.postPendingTransaction("tx-max").changes().stream()
                .mapToInt(change -> change.events().size() + 1).sum();
        assertThat(settled).isLessThanOrEqualTo(100);
    }

    @Test
    void oneAccountPastTheLimitIsRefusedWhereItComesInYetSuchARequestStillDecodes() {
        List<TransactionEntry> entries = new ArrayList<>();
        entries.add(new TransactionEntry(0, "bank", Side.DEBIT, eur("0.49")));
        for (int i = 1; i <= TransactionRequest.MAX_ACCOUNTS; i++) {
            entries.add(new TransactionEntry(i, "shop-" + i, Side.CREDIT, eur("0.01")));
        }
        // The record itself takes it: a log keeps what the limits of its day allowed.
        TransactionRequest pastTheLimit = new TransactionRequest(entries, false, 0, new TreeMap<>());

        assertThatThrownBy(() -> ledger.transaction("tx-past", pastTheLimit))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(Integer.toString(TransactionRequest.MAX_ACCOUNTS));
        assertThat(TransactionRequest.MAX_ACCOUNTS).isEqualTo(49);
    }

    private static TransactionEntry entry(String account, Side side, Money amount) {
        return new TransactionEntry(0, account, side, amount);
    }

    private static TransactionRequest request(boolean pending, TransactionEntry... entries) {
        List<TransactionEntry> indexed = new ArrayList<>();
        for (int i = 0; i < entries.length; i++) {
            indexed.add(new TransactionEntry(i, entries[i].accountId(), entries[i].direction(), entries[i].amount()));
        }
        return new TransactionRequest(indexed, pending, pending ? 60 : 0, new TreeMap<>());
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

    private static Money usd(String amount) {
        return Money.parse(amount, USD);
    }
}
