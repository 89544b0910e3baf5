package dev.ledger.domain.transfer;

import static dev.ledger.domain.testing.Decisions.accepted;
import static dev.ledger.domain.testing.Decisions.rejectedWith;

import dev.ledger.domain.Decision;
import dev.ledger.domain.Rejection;
import dev.ledger.domain.RejectionCode;
import dev.ledger.domain.api.PostRequest;
import dev.ledger.domain.api.TransferCommand.ExpirePendingTransfer;
import dev.ledger.domain.api.TransferCommand.PostPendingTransfer;
import dev.ledger.domain.api.TransferCommand.RecordTransfer;
import dev.ledger.domain.api.TransferCommand.RejectTransfer;
import dev.ledger.domain.api.TransferCommand.ReverseTransfer;
import dev.ledger.domain.api.TransferCommand.VoidPendingTransfer;
import dev.ledger.domain.api.TransferEvent.PendingTransferExpired;
import dev.ledger.domain.api.TransferEvent.PendingTransferPosted;
import dev.ledger.domain.api.TransferEvent.PendingTransferVoided;
import dev.ledger.domain.api.TransferEvent.TransferRecorded;
import dev.ledger.domain.api.TransferEvent.TransferRejected;
import dev.ledger.domain.api.TransferEvent.TransferReversed;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import java.time.Instant;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.axonframework.test.aggregate.FixtureConfiguration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The rules of a transfer's life: holds are posted (in full or part), voided or expire, once. */
class TransferTest {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");
    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant EXPIRES = START.plusSeconds(60);
    private static final TransferRequest HOLD = TransferRequest.pending("alice", "bob", eur("40.00"), 60);
    private static final TransferRecorded HELD = new TransferRecorded("h", HOLD, EXPIRES);

    private FixtureConfiguration<Transfer> fixture;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(Transfer.class);
    }

    @Test
    void anAcceptedTransferIsRecordedWithItsRequest() {
        TransferRequest request = TransferRequest.posted("alice", "bob", eur("1.00"));
        fixture.givenNoPriorActivity()
                .when(new RecordTransfer("t", request, null))
                .expectEvents(new TransferRecorded("t", request, null));
    }

    @Test
    void aRefusedFirstAttemptIsRecordedWithItsCodeAndMessage() {
        TransferRequest request = TransferRequest.posted("alice", "bob", eur("1.00"));
        fixture.givenNoPriorActivity()
                .when(new RejectTransfer("t", request, new Rejection(RejectionCode.INSUFFICIENT_FUNDS, "short")))
                .expectEvents(new TransferRejected("t", request, RejectionCode.INSUFFICIENT_FUNDS, "short"));
    }

    @Test
    void postingAHoldInFullReleasesNothing() {
        fixture.given(HELD)
                .when(new PostPendingTransfer("h", null, START))
                .expectResultMessagePayloadMatching(accepted())
                .expectEvents(new PendingTransferPosted("h", eur("40.00"), eur("0.00"), PostRequest.whole()));
    }

    @Test
    void postingPartOfAHoldReleasesTheRest() {
        fixture.given(HELD)
                .when(new PostPendingTransfer("h", eur("15.00"), START))
                .expectEvents(new PendingTransferPosted("h", eur("15.00"), eur("25.00"), PostRequest.of(eur("15.00"))));
    }

    @Test
    void postingMoreThanTheHoldIsRefused() {
        fixture.given(HELD)
                .when(new PostPendingTransfer("h", eur("40.01"), START))
                .expectNoEvents()
                .expectResultMessagePayloadMatching(rejectedWith(RejectionCode.AMOUNT_EXCEEDS_PENDING));
    }

    @Test
    void theSamePostAgainIsAlreadyAppliedAndChangesNothing() {
        fixture.given(HELD, new PendingTransferPosted("h", eur("15.00"), eur("25.00"), PostRequest.of(eur("15.00"))))
                .when(new PostPendingTransfer("h", eur("15.00"), START))
                .expectNoEvents()
                .expectResultMessagePayload(Decision.alreadyApplied());
        fixture.given(HELD, new PendingTransferPosted("h", eur("40.00"), eur("0.00"), PostRequest.whole()))
                .when(new PostPendingTransfer("h", null, START))
                .expectNoEvents()
                .expectResultMessagePayload(Decision.alreadyApplied());
    }

    @Test
    void theSamePostAgainIsAlreadyAppliedEvenPastTheHoldsTimeout() {
        fixture.given(HELD, new PendingTransferPosted("h", eur("40.00"), eur("0.00"), PostRequest.whole()))
                .when(new PostPendingTransfer("h", null, EXPIRES.plusSeconds(3600)))
                .expectNoEvents()
                .expectResultMessagePayload(Decision.alreadyApplied());
    }

    @Test
    void anotherPostOfAPostedHoldIsRefused() {
        fixture.given(HELD, new PendingTransferPosted("h", eur("15.00"), eur("25.00"), PostRequest.of(eur("15.00"))))
                .when(new PostPendingTransfer("h", eur("15.01"), START))
                .expectNoEvents()
                .expectResultMessagePayloadMatching(rejectedWith(RejectionCode.TRANSFER_NOT_PENDING));
        fixture.given(HELD, new PendingTransferPosted("h", eur("15.00"), eur("25.00"), PostRequest.of(eur("15.00"))))
                .when(new PostPendingTransfer("h", null, START))
                .expectNoEvents()
                .expectResultMessagePayloadMatching(rejectedWith(RejectionCode.TRANSFER_NOT_PENDING));
    }

    @Test
    void aFullPostWithoutAnAmountIsNotRepeatedByOneNamingTheFullAmount() {
        fixture.given(HELD, new PendingTransferPosted("h", eur("40.00"), eur("0.00"), PostRequest.whole()))
                .when(new PostPendingTransfer("h", eur("40.00"), START))
                .expectNoEvents()
                .expectResultMessagePayloadMatching(rejectedWith(RejectionCode.TRANSFER_NOT_PENDING));
    }

    @Test
    void aFullPostLoggedBeforeRequestsWereRecordedIsRepeatedByNoAmountOrTheFullAmount() {
        PendingTransferPosted oldFullPost = new PendingTransferPosted("h", eur("40.00"), eur("0.00"));
        fixture.given(HELD, oldFullPost)
                .when(new PostPendingTransfer("h", null, START))
                .expectResultMessagePayload(Decision.alreadyApplied());
        fixture.given(HELD, oldFullPost)
                .when(new PostPendingTransfer("h", eur("40.00"), START))
                .expectResultMessagePayload(Decision.alreadyApplied());
        fixture.given(HELD, oldFullPost)
                .when(new PostPendingTransfer("h", eur("39.99"), START))
                .expectResultMessagePayloadMatching(rejectedWith(RejectionCode.TRANSFER_NOT_PENDING));
    }

    @Test
    void aPartialPostLoggedBeforeRequestsWereRecordedIsRepeatedOnlyByItsAmount() {
        PendingTransferPosted oldPartialPost = new PendingTransferPosted("h", eur("15.00"), eur("25.00"));
        fixture.given(HELD, oldPartialPost)
                .when(new PostPendingTransfer("h", eur("15.00"), START))
                .expectResultMessagePayload(Decision.alreadyApplied());
        fixture.given(HELD, oldPartialPost)
                .when(new PostPendingTransfer("h", null, START))
                .expectResultMessagePayloadMatching(rejectedWith(RejectionCode.TRANSFER_NOT_PENDING));
    }

    @Test
    void aVoidAgainIsAlreadyAppliedButVoidAfterPostAndPostAfterVoidAreRefused() {
        fixture.given(HELD, new PendingTransferVoided("h", eur("40.00")))
                .when(new VoidPendingTransfer("h", START))
                .expectNoEvents()
                .expectResultMessagePayload(Decision.alreadyApplied());
        fixture.given(HELD, new PendingTransferPosted("h", eur("40.00"), eur("0.00"), PostRequest.whole()))
                .when(new VoidPendingTransfer("h", START))
                .expectNoEvents()
                .expectResultMessagePayloadMatching(rejectedWith(RejectionCode.TRANSFER_NOT_PENDING));
        fixture.given(HELD, new PendingTransferVoided("h", eur("40.00")))
                .when(new PostPendingTransfer("h", null, START))
                .expectNoEvents()
                .expectResultMessagePayloadMatching(rejectedWith(RejectionCode.TRANSFER_NOT_PENDING));
    }

    @Test
    void anExpiredHoldStaysRefusedForAVoidAsForAPost() {
        fixture.given(HELD, new PendingTransferExpired("h", eur("40.00")))
                .when(new VoidPendingTransfer("h", START))
                .expectNoEvents()
                .expectResultMessagePayloadMatching(rejectedWith(RejectionCode.TRANSFER_EXPIRED));
    }

    @Test
    void aPostedTransferIsReversedInPartsNeverPastWhatItPosted() {
        TransferRecorded paid = new TransferRecorded("t", TransferRequest.posted("alice", "bob", eur("40.00")), null);
        fixture.given(paid, new TransferReversed("t", "r-1", eur("30.00"), false))
                .when(new ReverseTransfer("t", "r-2", eur("10.00"), true))
                .expectResultMessagePayloadMatching(accepted())
                .expectEvents(new TransferReversed("t", "r-2", eur("10.00"), true));
        fixture.given(paid, new TransferReversed("t", "r-1", eur("30.00"), false))
                .when(new ReverseTransfer("t", "r-2", eur("10.01"), false))
                .expectNoEvents()
                .expectResultMessagePayloadMatching(rejectedWith(RejectionCode.REVERSAL_EXCEEDS_POSTED));
    }

    @Test
    void aReversalWithoutAnAmountGivesBackAllThatIsLeftAndThenNothingIs() {
        TransferRecorded paid = new TransferRecorded("t", TransferRequest.posted("alice", "bob", eur("40.00")), null);
        fixture.given(paid, new TransferReversed("t", "r-1", eur("30.00"), false))
                .when(new ReverseTransfer("t", "r-2", null, false))
                .expectEvents(new TransferReversed("t", "r-2", eur("10.00"), false));
        fixture.given(paid, new TransferReversed("t", "r-1", eur("40.00"), false))
                .when(new ReverseTransfer("t", "r-2", null, false))
                .expectNoEvents()
                .expectResultMessagePayloadMatching(rejectedWith(RejectionCode.REVERSAL_EXCEEDS_POSTED));
    }

    @Test
    void aPendingVoidedOrExpiredHoldCannotBeReversedButOnePostedInPartCanUpToItsPost() {
        fixture.given(HELD)
                .when(new ReverseTransfer("h", "r", null, false))
                .expectResultMessagePayloadMatching(rejectedWith(RejectionCode.TRANSFER_NOT_POSTED));
        fixture.given(HELD, new PendingTransferVoided("h", eur("40.00")))
                .when(new ReverseTransfer("h", "r", null, false))
                .expectResultMessagePayloadMatching(rejectedWith(RejectionCode.TRANSFER_NOT_POSTED));
        fixture.given(HELD, new PendingTransferExpired("h", eur("40.00")))
                .when(new ReverseTransfer("h", "r", null, false))
                .expectResultMessagePayloadMatching(rejectedWith(RejectionCode.TRANSFER_NOT_POSTED));
        fixture.given(HELD, new PendingTransferPosted("h", eur("15.00"), eur("25.00"), PostRequest.of(eur("15.00"))))
                .when(new ReverseTransfer("h", "r", null, false))
                .expectEvents(new TransferReversed("h", "r", eur("15.00"), false));
    }

    @Test
    void aTransferThatPostedAtOnceHasNoHoldToPost() {
        fixture.given(new TransferRecorded("t", TransferRequest.posted("alice", "bob", eur("1.00")), null))
                .when(new PostPendingTransfer("t", null, START))
                .expectNoEvents()
                .expectResultMessagePayloadMatching(rejectedWith(RejectionCode.TRANSFER_NOT_PENDING));
    }

    @Test
    void aVoidReleasesTheWholeHold() {
        fixture.given(HELD)
                .when(new VoidPendingTransfer("h", START))
                .expectEvents(new PendingTransferVoided("h", eur("40.00")));
    }

    @Test
    void aHoldCannotBePostedOnceItsTimeoutHasPassed() {
        fixture.given(HELD)
                .when(new PostPendingTransfer("h", null, EXPIRES))
                .expectNoEvents()
                .expectResultMessagePayloadMatching(rejectedWith(RejectionCode.TRANSFER_EXPIRED));
        fixture.given(HELD, new PendingTransferExpired("h", eur("40.00")))
                .when(new PostPendingTransfer("h", null, START))
                .expectNoEvents()
                .expectResultMessagePayloadMatching(rejectedWith(RejectionCode.TRANSFER_EXPIRED));
    }

    @Test
    void anOverdueHoldExpiresAndAHoldNotYetDueDoesNot() {
        fixture.given(HELD)
                .when(new ExpirePendingTransfer("h", EXPIRES))
                .expectEvents(new PendingTransferExpired("h", eur("40.00")));
        fixture.given(HELD)
                .when(new ExpirePendingTransfer("h", EXPIRES.minusMillis(1)))
                .expectResultMessagePayloadMatching(accepted())
                .expectNoEvents();
    }

    private static Money eur(String amount) {
        return Money.parse(amount, EUR);
    }
}
