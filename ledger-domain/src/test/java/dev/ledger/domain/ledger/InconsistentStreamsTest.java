package dev.ledger.domain.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.ledger.InconsistentStreamsException.View;
import dev.ledger.domain.ledger.LedgerResult.Status;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.domain.reversal.ReversalState;
import dev.ledger.domain.transaction.TransactionState;
import dev.ledger.domain.transfer.TransferState;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A command reads a transfer's head and then its accounts' heads, one by one. When another command
 * settles the same hold in between, the transfer still says PENDING while the accounts have already
 * released the hold. The ledger must say so with its own signal, never fold the release twice.
 */
class InconsistentStreamsTest {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");

    private final TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final InMemoryLog log = new InMemoryLog();
    private final Ledger ledger = new Ledger(log, clock);

    @BeforeEach
    void givenAHoldFromAliceToBob() {
        open("bank", OverdraftLimit.UNLIMITED);
        open("alice", OverdraftLimit.NONE);
        open("bob", OverdraftLimit.NONE);
        commit(ledger.transfer("deposit-1", TransferRequest.posted("bank", "alice", eur("100.00"))));
        commit(ledger.transfer("hold", TransferRequest.pending("alice", "bob", eur("40.00"), 60)));
    }

    @Test
    void aPostThatReadTheTransferBeforeAVoidAndTheAccountsAfterItIsToldTheStreamsDisagree() {
        Ledger late = readingTheHoldAsItWasBefore(() -> commit(ledger.voidPendingTransfer("hold")));

        assertDisagreement(ledger -> ledger.postPendingTransfer("hold", null), late);
    }

    @Test
    void aPartialPostThatReadTheTransferBeforeAnotherPartialPostIsToldTheStreamsDisagree() {
        Ledger late = readingTheHoldAsItWasBefore(() -> commit(ledger.postPendingTransfer("hold", eur("10.00"))));

        assertDisagreement(ledger -> ledger.postPendingTransfer("hold", eur("25.00")), late);
    }

    @Test
    void aVoidThatReadTheTransferBeforeAPostIsToldTheStreamsDisagree() {
        Ledger late = readingTheHoldAsItWasBefore(() -> commit(ledger.postPendingTransfer("hold", null)));

        assertDisagreement(ledger -> ledger.voidPendingTransfer("hold"), late);
    }

    @Test
    void anExpiryThatReadTheTransferBeforeAVoidIsToldTheStreamsDisagree() {
        Ledger late = readingTheHoldAsItWasBefore(() -> commit(ledger.voidPendingTransfer("hold")));
        clock.advance(Duration.ofSeconds(60));

        assertDisagreement(ledger -> ledger.expirePendingTransfer("hold"), late);
    }

    @Test
    void aPostOfAnOverdueHoldWhoseExpiryAnotherPostRecordedIsToldTheStreamsDisagree() {
        clock.advance(Duration.ofSeconds(60));
        // The first late post records the expiry the sweeper has not written yet.
        Ledger late = readingTheHoldAsItWasBefore(() -> commit(ledger.postPendingTransfer("hold", null)));

        assertDisagreement(ledger -> ledger.postPendingTransfer("hold", null), late);
        assertDisagreement(ledger -> ledger.voidPendingTransfer("hold"), late);
    }

    @Test
    void whenAnotherHoldCoversTheAmountTheStaleTransferDecidesAndItsAppendIsRefused() {
        // The accounts cannot tell holds apart, so here the disagreement is invisible to the domain;
        // the transfer's version, decided on as read, is what makes the append fail.
        commit(ledger.transfer("other-hold", TransferRequest.pending("alice", "bob", eur("40.00"), 60)));
        Ledger late = readingTheHoldAsItWasBefore(() -> commit(ledger.voidPendingTransfer("hold")));

        LedgerResult decided = late.postPendingTransfer("hold", null);

        assertThat(decided.status()).isEqualTo(Status.APPLIED);
        assertThatThrownBy(() -> commit(decided)).hasMessageContaining("transfer:hold is at version 2, not 1");
    }

    @Test
    void anAccountOfARecordedTransferMissingFromTheLogIsStillCorruptionNotARace() {
        LedgerStreams withoutBob = new LedgerStreams() {
            @Override
            public Optional<Versioned<AccountState>> account(String accountId) {
                return accountId.equals("bob") ? Optional.empty() : log.account(accountId);
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

        assertThatThrownBy(() -> new Ledger(withoutBob, clock).postPendingTransfer("hold", null))
                .isExactlyInstanceOf(IllegalStateException.class)
                .hasMessageContaining("account bob of a recorded transfer or transaction is missing from the log");
    }

    /**
     * A ledger that reads the hold's transfer head as it was before {@code meanwhile} ran, and every
     * account head as it is after: the view of a command that read the transfer, lost the CPU while
     * {@code meanwhile} committed, and then read the accounts.
     */
    private Ledger readingTheHoldAsItWasBefore(Runnable meanwhile) {
        Versioned<TransferState> readFirst = log.transfer("hold").orElseThrow();
        meanwhile.run();
        assertThat(log.transfer("hold").orElseThrow().version()).isGreaterThan(readFirst.version());
        return new Ledger(new LedgerStreams() {
            @Override
            public Optional<Versioned<AccountState>> account(String accountId) {
                return log.account(accountId);
            }

            @Override
            public Optional<Versioned<TransferState>> transfer(String transferId) {
                return transferId.equals("hold") ? Optional.of(readFirst) : log.transfer(transferId);
            }

            @Override
            public Optional<Versioned<TransactionState>> transaction(String transactionId) {
                return log.transaction(transactionId);
            }

            @Override
            public Optional<Versioned<ReversalState>> reversal(String reversalId) {
                return log.reversal(reversalId);
            }
        }, clock);
    }

    private void assertDisagreement(Function<Ledger, LedgerResult> command, Ledger late) {
        long aliceVersion = log.account("alice").orElseThrow().version();
        assertThatThrownBy(() -> command.apply(late))
                .isExactlyInstanceOf(InconsistentStreamsException.class)
                .hasMessageContaining("transfer hold")
                .hasMessageContaining("account alice")
                .satisfies(thrown -> assertThat(((InconsistentStreamsException) thrown).view()).isEqualTo(
                        new View(StreamId.transfer("hold"), 1, StreamId.account("alice"), aliceVersion)));
    }

    private void open(String id, OverdraftLimit limit) {
        commit(ledger.openAccount(new OpenAccount(id, EUR, limit)));
    }

    private void commit(LedgerResult result) {
        log.append(result);
    }

    private static Money eur(String amount) {
        return Money.parse(amount, EUR);
    }
}
