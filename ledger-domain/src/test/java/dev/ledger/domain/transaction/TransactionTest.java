package dev.ledger.domain.transaction;

import static dev.ledger.domain.testing.Decisions.accepted;
import static dev.ledger.domain.testing.Decisions.alreadyApplied;
import static dev.ledger.domain.testing.Decisions.rejectedWith;

import dev.ledger.domain.Rejection;
import dev.ledger.domain.RejectionCode;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.api.TransactionCommand.ExpirePendingTransaction;
import dev.ledger.domain.api.TransactionCommand.PostPendingTransaction;
import dev.ledger.domain.api.TransactionCommand.RecordTransaction;
import dev.ledger.domain.api.TransactionCommand.RejectTransaction;
import dev.ledger.domain.api.TransactionCommand.ReverseTransaction;
import dev.ledger.domain.api.TransactionCommand.VoidPendingTransaction;
import dev.ledger.domain.api.TransactionEntry;
import dev.ledger.domain.api.TransactionEvent.PendingTransactionExpired;
import dev.ledger.domain.api.TransactionEvent.PendingTransactionPosted;
import dev.ledger.domain.api.TransactionEvent.PendingTransactionVoided;
import dev.ledger.domain.api.TransactionEvent.TransactionRecorded;
import dev.ledger.domain.api.TransactionEvent.TransactionRejected;
import dev.ledger.domain.api.TransactionEvent.TransactionReversed;
import dev.ledger.domain.api.TransactionRequest;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import java.time.Instant;
import java.util.List;
import java.util.TreeMap;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.axonframework.test.aggregate.FixtureConfiguration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The rules of a multi-leg transaction's life: a pending one is posted in full, voided or expires, once. */
class TransactionTest {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");
    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant EXPIRES = START.plusSeconds(60);
    private static final TransactionRequest CARD_PAYMENT = new TransactionRequest(List.of(
            new TransactionEntry(0, "card", Side.DEBIT, eur("100.00")),
            new TransactionEntry(1, "merchant", Side.CREDIT, eur("97.10")),
            new TransactionEntry(2, "fees", Side.CREDIT, eur("2.90"))), true, 60, new TreeMap<>());
    private static final TransactionRecorded HELD = new TransactionRecorded("tx", CARD_PAYMENT, EXPIRES);

    private FixtureConfiguration<Transaction> fixture;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(Transaction.class);
    }

    @Test
    void anAcceptedTransactionIsRecordedWithItsRequest() {
        fixture.givenNoPriorActivity()
                .when(new RecordTransaction("tx", CARD_PAYMENT, EXPIRES))
                .expectEvents(HELD);
    }

    @Test
    void aRefusedFirstAttemptIsRecordedWithItsCodeMessageAndFailedEntry() {
        fixture.givenNoPriorActivity()
                .when(new RejectTransaction("tx", CARD_PAYMENT,
                        new Rejection(RejectionCode.INSUFFICIENT_FUNDS, "short", 0)))
                .expectEvents(new TransactionRejected("tx", CARD_PAYMENT, RejectionCode.INSUFFICIENT_FUNDS, "short", 0));
    }

    @Test
    void aPendingTransactionIsPostedInFullBeforeItsTimeout() {
        fixture.given(HELD)
                .when(new PostPendingTransaction("tx", EXPIRES.minusSeconds(1)))
                .expectResultMessagePayloadMatching(accepted())
                .expectEvents(new PendingTransactionPosted("tx"));
    }

    @Test
    void aPendingTransactionIsVoided() {
        fixture.given(HELD)
                .when(new VoidPendingTransaction("tx", START))
                .expectEvents(new PendingTransactionVoided("tx"));
    }

    @Test
    void aPostedTransactionCannotBePostedOrVoidedAgain() {
        fixture.given(HELD, new PendingTransactionPosted("tx"))
                .when(new VoidPendingTransaction("tx", START))
                .expectResultMessagePayloadMatching(rejectedWith(RejectionCode.TRANSACTION_NOT_PENDING))
                .expectNoEvents();
    }

    @Test
    void aPostSentAgainAfterItPostedIsAlreadyAppliedAndWritesNothing() {
        fixture.given(HELD, new PendingTransactionPosted("tx"))
                .when(new PostPendingTransaction("tx", EXPIRES.plusSeconds(5)))
                .expectResultMessagePayloadMatching(alreadyApplied())
                .expectNoEvents();
    }

    @Test
    void aVoidSentAgainAfterItVoidedIsAlreadyAppliedButAPostAfterAVoidIsRefused() {
        fixture.given(HELD, new PendingTransactionVoided("tx"))
                .when(new VoidPendingTransaction("tx", START))
                .expectResultMessagePayloadMatching(alreadyApplied())
                .expectNoEvents();
        fixture.given(HELD, new PendingTransactionVoided("tx"))
                .when(new PostPendingTransaction("tx", START))
                .expectResultMessagePayloadMatching(rejectedWith(RejectionCode.TRANSACTION_NOT_PENDING))
                .expectNoEvents();
    }

    @Test
    void aPostedTransactionIsReversedOnceInFull() {
        fixture.given(HELD, new PendingTransactionPosted("tx"))
                .when(new ReverseTransaction("tx", "r-1", true))
                .expectResultMessagePayloadMatching(accepted())
                .expectEvents(new TransactionReversed("tx", "r-1", true));
        fixture.given(HELD, new PendingTransactionPosted("tx"), new TransactionReversed("tx", "r-1", false))
                .when(new ReverseTransaction("tx", "r-2", false))
                .expectResultMessagePayloadMatching(rejectedWith(RejectionCode.REVERSAL_EXCEEDS_POSTED))
                .expectNoEvents();
    }

    @Test
    void aPendingVoidedOrExpiredTransactionIsNotPostedAndCannotBeReversed() {
        fixture.given(HELD)
                .when(new ReverseTransaction("tx", "r-1", false))
                .expectResultMessagePayloadMatching(rejectedWith(RejectionCode.TRANSACTION_NOT_POSTED))
                .expectNoEvents();
        fixture.given(HELD, new PendingTransactionVoided("tx"))
                .when(new ReverseTransaction("tx", "r-1", false))
                .expectResultMessagePayloadMatching(rejectedWith(RejectionCode.TRANSACTION_NOT_POSTED));
        fixture.given(HELD, new PendingTransactionExpired("tx"))
                .when(new ReverseTransaction("tx", "r-1", false))
                .expectResultMessagePayloadMatching(rejectedWith(RejectionCode.TRANSACTION_NOT_POSTED));
    }

    @Test
    void aTransactionPastItsTimeoutCanNoLongerBePosted() {
        fixture.given(HELD)
                .when(new PostPendingTransaction("tx", EXPIRES))
                .expectResultMessagePayloadMatching(rejectedWith(RejectionCode.TRANSACTION_EXPIRED))
                .expectNoEvents();
    }

    @Test
    void anOverdueTransactionExpiresOnceAndOneNotDueIsLeftAlone() {
        fixture.given(HELD)
                .when(new ExpirePendingTransaction("tx", EXPIRES.minusSeconds(1)))
                .expectResultMessagePayloadMatching(accepted())
                .expectNoEvents();
        fixture.given(HELD)
                .when(new ExpirePendingTransaction("tx", EXPIRES))
                .expectEvents(new PendingTransactionExpired("tx"));
        fixture.given(HELD, new PendingTransactionExpired("tx"))
                .when(new ExpirePendingTransaction("tx", EXPIRES.plusSeconds(5)))
                .expectNoEvents();
    }

    private static Money eur(String amount) {
        return Money.parse(amount, EUR);
    }
}
