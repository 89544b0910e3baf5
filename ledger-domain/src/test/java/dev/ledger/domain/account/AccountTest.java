package dev.ledger.domain.account;

import static dev.ledger.domain.testing.Decisions.accepted;
import static dev.ledger.domain.testing.Decisions.rejectedWith;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ledger.domain.RejectionCode;
import dev.ledger.domain.api.AccountCommand.CloseAccount;
import dev.ledger.domain.api.AccountCommand.FreezeAccount;
import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.AccountCommand.PlaceHold;
import dev.ledger.domain.api.AccountCommand.PostEntry;
import dev.ledger.domain.api.AccountCommand.PostHold;
import dev.ledger.domain.api.AccountCommand.ReverseEntry;
import dev.ledger.domain.api.AccountCommand.ReverseTransactionEntries;
import dev.ledger.domain.api.AccountCommand.UnfreezeAccount;
import dev.ledger.domain.api.AccountCommand.VoidHold;
import dev.ledger.domain.api.AccountEvent.AccountClosed;
import dev.ledger.domain.api.AccountCommand;
import dev.ledger.domain.api.AccountEvent;
import dev.ledger.domain.api.AccountEvent.AccountFrozen;
import dev.ledger.domain.api.AccountEvent.AccountOpened;
import dev.ledger.domain.api.AccountEvent.AccountUnfrozen;
import dev.ledger.domain.api.AccountEvent.EntryPosted;
import dev.ledger.domain.api.AccountEvent.EntryReversed;
import dev.ledger.domain.api.AccountEvent.HoldPlaced;
import dev.ledger.domain.api.AccountEvent.HoldPosted;
import dev.ledger.domain.api.AccountEvent.HoldVoided;
import dev.ledger.domain.api.AccountEvent.TransactionEntriesReversed;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.api.TransactionEntry;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.InvalidMoneyException;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.axonframework.test.aggregate.FixtureConfiguration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Every account rule as given(events) / when(command) / then(events or rejection). */
class AccountTest {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");
    private static final CurrencyUnit USD = CurrencyUnit.of("USD");
    private static final Instant LATER = Instant.parse("2026-01-01T01:00:00Z");

    private FixtureConfiguration<Account> fixture;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(Account.class);
    }

    @Test
    void openingAnAccountRecordsItsCurrencyAndOverdraftLimit() {
        fixture.givenNoPriorActivity()
                .when(new OpenAccount("alice", EUR, OverdraftLimit.of(5000)))
                .expectEvents(new AccountOpened("alice", EUR, OverdraftLimit.of(5000)));
    }

    @Nested
    class Metadata {

        private final java.util.SortedMap<String, String> order1 = new java.util.TreeMap<>(java.util.Map.of("order", "o-1"));
        private final java.util.SortedMap<String, String> order2 = new java.util.TreeMap<>(java.util.Map.of("order", "o-2"));

        @Test
        void anAccountOpenedWithMetadataRecordsItAsItsOwnEventAfterTheOpening() {
            fixture.givenNoPriorActivity()
                    .when(new OpenAccount("alice", EUR, OverdraftLimit.NONE, order1))
                    .expectEvents(new AccountOpened("alice", EUR, OverdraftLimit.NONE),
                            new AccountEvent.AccountMetadataSet("alice", order1));
        }

        @Test
        void metadataIsReplacedWholeAndTheSameAgainRecordsNothing() {
            fixture.given(opened("alice", OverdraftLimit.NONE), new AccountEvent.AccountMetadataSet("alice", order1))
                    .when(new AccountCommand.SetAccountMetadata("alice", order2))
                    .expectResultMessagePayloadMatching(accepted())
                    .expectEvents(new AccountEvent.AccountMetadataSet("alice", order2));
            fixture.given(opened("alice", OverdraftLimit.NONE), new AccountEvent.AccountMetadataSet("alice", order1))
                    .when(new AccountCommand.SetAccountMetadata("alice", order1))
                    .expectResultMessagePayloadMatching(accepted())
                    .expectNoEvents();
        }

        @Test
        void aFrozenAccountsMetadataMayChangeAClosedAccountsMayNot() {
            fixture.given(opened("alice", OverdraftLimit.NONE), new AccountFrozen("alice"))
                    .when(new AccountCommand.SetAccountMetadata("alice", order1))
                    .expectEvents(new AccountEvent.AccountMetadataSet("alice", order1));
            fixture.given(opened("alice", OverdraftLimit.NONE), new AccountEvent.AccountClosed("alice"))
                    .when(new AccountCommand.SetAccountMetadata("alice", order1))
                    .expectNoEvents()
                    .expectResultMessagePayloadMatching(rejectedWith(RejectionCode.ACCOUNT_CLOSED));
        }

        @Test
        void metadataLeavesTheBalancesAsTheyWere() {
            AccountState before = AccountState.opened(new AccountOpened("alice", EUR, OverdraftLimit.NONE));
            AccountState after = before.evolve(new AccountEvent.AccountMetadataSet("alice", order1));

            assertThat(after.metadata()).isEqualTo(order1);
            assertThat(new AccountState(after.accountId(), after.currency(), after.overdraftLimit(), after.status(),
                    after.debitsPosted(), after.creditsPosted(), after.debitsPending(), after.creditsPending(),
                    after.shardCount(), after.shardMovesIn(), after.shardMovesOut())).isEqualTo(before);
        }
    }

    @Nested
    class Debits {

        @Test
        void aDebitWithinTheAvailableBalanceIsPosted() {
            fixture.given(opened("alice", OverdraftLimit.NONE), credited("alice", "50.00"))
                    .when(debit("alice", "50.00"))
                    .expectResultMessagePayloadMatching(accepted())
                    .expectEvents(new EntryPosted("alice", "t", Side.DEBIT, "bob", eur("50.00")));
        }

        @Test
        void aDebitMayUseTheOverdraftLimitButNotGoBelowIt() {
            fixture.given(opened("alice", OverdraftLimit.of(1000)), credited("alice", "50.00"))
                    .when(debit("alice", "60.00"))
                    .expectEvents(new EntryPosted("alice", "t", Side.DEBIT, "bob", eur("60.00")));
            fixture.given(opened("alice", OverdraftLimit.of(1000)), credited("alice", "50.00"))
                    .when(debit("alice", "60.01"))
                    .expectNoEvents()
                    .expectResultMessagePayloadMatching(rejectedWith(RejectionCode.INSUFFICIENT_FUNDS));
        }

        @Test
        void anAccountWithAnUnlimitedOverdraftCanGoAsNegativeAsNeeded() {
            fixture.given(opened("bank", OverdraftLimit.UNLIMITED))
                    .when(new PostEntry("bank", "t", Side.DEBIT, "alice", eur("1000000.00")))
                    .expectEvents(new EntryPosted("bank", "t", Side.DEBIT, "alice", eur("1000000.00")));
        }

        @Test
        void pendingDebitsCountAgainstTheAvailableBalance() {
            fixture.given(opened("alice", OverdraftLimit.NONE), credited("alice", "50.00"),
                            new HoldPlaced("alice", "h", Side.DEBIT, "bob", eur("30.00"), LATER))
                    .when(debit("alice", "20.01"))
                    .expectNoEvents()
                    .expectResultMessagePayloadMatching(rejectedWith(RejectionCode.INSUFFICIENT_FUNDS));
        }

        @Test
        void aHoldIsRefusedLikeADebitWhenFundsAreShort() {
            fixture.given(opened("alice", OverdraftLimit.NONE), credited("alice", "10.00"))
                    .when(new PlaceHold("alice", "h", Side.DEBIT, "bob", eur("10.01"), LATER))
                    .expectNoEvents()
                    .expectResultMessagePayloadMatching(rejectedWith(RejectionCode.INSUFFICIENT_FUNDS));
        }

        @Test
        void aDebitInAnotherCurrencyIsRefused() {
            fixture.given(opened("alice", OverdraftLimit.UNLIMITED))
                    .when(new PostEntry("alice", "t", Side.DEBIT, "bob", Money.parse("1.00", USD)))
                    .expectNoEvents()
                    .expectResultMessagePayloadMatching(rejectedWith(RejectionCode.CURRENCY_MISMATCH));
        }
    }

    @Nested
    class Credits {

        @Test
        void aCreditIsPosted() {
            fixture.given(opened("bob", OverdraftLimit.NONE))
                    .when(new PostEntry("bob", "t", Side.CREDIT, "alice", eur("5.00")))
                    .expectEvents(new EntryPosted("bob", "t", Side.CREDIT, "alice", eur("5.00")));
        }

        @Test
        void aCreditThatWouldOverflowTheTotalsIsRefused() {
            fixture.given(opened("bob", OverdraftLimit.NONE),
                            new EntryPosted("bob", "big", Side.CREDIT, "bank", Money.of(Long.MAX_VALUE - 5, EUR)))
                    .when(new PostEntry("bob", "t", Side.CREDIT, "bank", Money.of(6, EUR)))
                    .expectNoEvents()
                    .expectResultMessagePayloadMatching(rejectedWith(RejectionCode.BALANCE_OVERFLOW));
        }
    }

    /**
     * Issue 10: limits and amounts near the largest amount. {@code LEGACY} is what an older ledger let
     * any client open: 92233720368547758.00 EUR, 7 cents short of 2^63 - 1 cents.
     */
    @Nested
    class NearTheLargestAmount {

        private static final OverdraftLimit LEGACY = OverdraftLimit.of(9_223_372_036_854_775_800L);
        /** The largest overdraft limit an account can be opened with: 10^18 minor units. */
        private static final long MAX_LIMIT = 1_000_000_000_000_000_000L;

        @Test
        void aDebitWithinTheFundsOfAnAccountOpenedWithALimitNearTheLargestAmountIsPosted() {
            fixture.given(opened("old", LEGACY), credited("old", "1.00"))
                    .when(debit("old", "0.50"))
                    .expectResultMessagePayloadMatching(accepted())
                    .expectEvents(new EntryPosted("old", "t", Side.DEBIT, "bob", eur("0.50")));
        }

        @Test
        void theMoneyOfSuchAnAccountCanLeaveSoItCanClose() {
            fixture.given(opened("old", LEGACY), credited("old", "1.00"),
                            new EntryPosted("old", "t", Side.DEBIT, "bob", eur("1.00")))
                    .when(new CloseAccount("old"))
                    .expectResultMessagePayloadMatching(accepted())
                    .expectEvents(new AccountClosed("old"));
        }

        @Test
        void anAccountWithTheLargestLimitIsDebitedDownToItsFloorAndNoFurther() {
            fixture.given(opened("max", OverdraftLimit.of(MAX_LIMIT)), credited("max", "1.00"))
                    .when(new PostEntry("max", "t", Side.DEBIT, "bob", Money.of(MAX_LIMIT + 100, EUR)))
                    .expectResultMessagePayloadMatching(accepted());
            fixture.given(opened("max", OverdraftLimit.of(MAX_LIMIT)), credited("max", "1.00"))
                    .when(new PostEntry("max", "t", Side.DEBIT, "bob", Money.of(MAX_LIMIT + 101, EUR)))
                    .expectNoEvents()
                    .expectResultMessagePayloadMatching(rejectedWith(RejectionCode.INSUFFICIENT_FUNDS));
        }

        @Test
        void aCreditThatWouldTakeTheAvailableBalancePastTheLargestAmountIsRefused() {
            // available = balance + credits pending + limit must stay a long: here the limit is 10.00.
            fixture.given(opened("bob", OverdraftLimit.of(1000)))
                    .when(new PostEntry("bob", "t", Side.CREDIT, "bank", Money.of(Long.MAX_VALUE - 1000, EUR)))
                    .expectResultMessagePayloadMatching(accepted());
            fixture.given(opened("bob", OverdraftLimit.of(1000)))
                    .when(new PostEntry("bob", "t", Side.CREDIT, "bank", Money.of(Long.MAX_VALUE - 999, EUR)))
                    .expectNoEvents()
                    .expectResultMessagePayloadMatching(rejectedWith(RejectionCode.BALANCE_OVERFLOW));
            // A credit hold counts too, as posting it later is not checked again.
            fixture.given(opened("bob", OverdraftLimit.of(1000)),
                            new HoldPlaced("bob", "h", Side.CREDIT, "bank", Money.of(Long.MAX_VALUE - 1500, EUR), LATER))
                    .when(new PostEntry("bob", "t", Side.CREDIT, "bank", Money.of(501, EUR)))
                    .expectNoEvents()
                    .expectResultMessagePayloadMatching(rejectedWith(RejectionCode.BALANCE_OVERFLOW));
        }

        @Test
        void anAccountCannotBeOpenedWithALimitAboveTheLargestNamingIt() {
            assertThatThrownBy(() -> new OpenAccount("x", EUR, OverdraftLimit.of(MAX_LIMIT + 1)))
                    .isInstanceOf(InvalidMoneyException.class)
                    .hasMessageContaining("10000000000000000.00 EUR");
            assertThatThrownBy(() -> new OpenAccount("x", EUR, LEGACY))
                    .isInstanceOf(InvalidMoneyException.class);
            fixture.givenNoPriorActivity()
                    .when(new OpenAccount("x", EUR, OverdraftLimit.of(MAX_LIMIT)))
                    .expectEvents(new AccountOpened("x", EUR, OverdraftLimit.of(MAX_LIMIT)));
        }

        @Test
        void availableIsExactEvenPastTheLargestAmount() {
            AccountState old = new AccountState("old", EUR, LEGACY, AccountStatus.OPEN, 50, 100, 0, 0);
            assertThat(old.available()).contains(BigInteger.valueOf(Long.MAX_VALUE).add(BigInteger.valueOf(43)));
            AccountState deep = new AccountState("deep", EUR, OverdraftLimit.of(0), AccountStatus.OPEN,
                    Long.MAX_VALUE, 0, Long.MAX_VALUE, 0);
            assertThat(deep.available()).contains(BigInteger.valueOf(Long.MAX_VALUE).multiply(BigInteger.TWO).negate());
        }
    }

    @Nested
    class FreezingAndClosing {

        @Test
        void aFrozenAccountTakesNoMovementUntilUnfrozen() {
            fixture.given(opened("bob", OverdraftLimit.NONE))
                    .when(new FreezeAccount("bob"))
                    .expectEvents(new AccountFrozen("bob"));
            fixture.given(opened("bob", OverdraftLimit.NONE), new AccountFrozen("bob"))
                    .when(new PostEntry("bob", "t", Side.CREDIT, "alice", eur("5.00")))
                    .expectNoEvents()
                    .expectResultMessagePayloadMatching(rejectedWith(RejectionCode.ACCOUNT_FROZEN));
            fixture.given(opened("bob", OverdraftLimit.NONE), new AccountFrozen("bob"))
                    .when(new UnfreezeAccount("bob"))
                    .expectEvents(new AccountUnfrozen("bob"));
        }

        @Test
        void freezingAFrozenAccountChangesNothing() {
            fixture.given(opened("bob", OverdraftLimit.NONE), new AccountFrozen("bob"))
                    .when(new FreezeAccount("bob"))
                    .expectResultMessagePayloadMatching(accepted())
                    .expectNoEvents();
        }

        @Test
        void aFrozenAccountStillReleasesAHoldButDoesNotPostOne() {
            HoldPlaced hold = new HoldPlaced("bob", "h", Side.CREDIT, "alice", eur("5.00"), LATER);
            fixture.given(opened("bob", OverdraftLimit.NONE), hold, new AccountFrozen("bob"))
                    .when(new VoidHold("bob", "h", Side.CREDIT, "alice", eur("5.00")))
                    .expectEvents(new HoldVoided("bob", "h", Side.CREDIT, "alice", eur("5.00")));
            fixture.given(opened("bob", OverdraftLimit.NONE), hold, new AccountFrozen("bob"))
                    .when(new PostHold("bob", "h", Side.CREDIT, "alice", eur("5.00"), eur("5.00")))
                    .expectNoEvents()
                    .expectResultMessagePayloadMatching(rejectedWith(RejectionCode.ACCOUNT_FROZEN));
        }

        @Test
        void anAccountClosesOnlyAtZeroBalanceWithNoHolds() {
            fixture.given(opened("bob", OverdraftLimit.NONE))
                    .when(new CloseAccount("bob"))
                    .expectEvents(new AccountClosed("bob"));
            fixture.given(opened("bob", OverdraftLimit.NONE), credited("bob", "0.01"))
                    .when(new CloseAccount("bob"))
                    .expectNoEvents()
                    .expectResultMessagePayloadMatching(rejectedWith(RejectionCode.ACCOUNT_NOT_EMPTY));
            fixture.given(opened("bob", OverdraftLimit.NONE),
                            new HoldPlaced("bob", "h", Side.CREDIT, "alice", eur("5.00"), LATER))
                    .when(new CloseAccount("bob"))
                    .expectNoEvents()
                    .expectResultMessagePayloadMatching(rejectedWith(RejectionCode.ACCOUNT_NOT_EMPTY));
        }

        @Test
        void aClosedAccountRefusesMovementAndFreezing() {
            fixture.given(opened("bob", OverdraftLimit.NONE), new AccountClosed("bob"))
                    .when(new PostEntry("bob", "t", Side.CREDIT, "alice", eur("5.00")))
                    .expectNoEvents()
                    .expectResultMessagePayloadMatching(rejectedWith(RejectionCode.ACCOUNT_CLOSED));
            fixture.given(opened("bob", OverdraftLimit.NONE), new AccountClosed("bob"))
                    .when(new FreezeAccount("bob"))
                    .expectNoEvents()
                    .expectResultMessagePayloadMatching(rejectedWith(RejectionCode.ACCOUNT_CLOSED));
        }
    }

    @Test
    void postingPartOfAHoldRecordsBothTheHeldAndThePostedAmount() {
        fixture.given(opened("alice", OverdraftLimit.NONE), credited("alice", "50.00"),
                        new HoldPlaced("alice", "h", Side.DEBIT, "bob", eur("30.00"), LATER))
                .when(new PostHold("alice", "h", Side.DEBIT, "bob", eur("30.00"), eur("12.50")))
                .expectEvents(new HoldPosted("alice", "h", Side.DEBIT, "bob", eur("30.00"), eur("12.50")));
    }

    @Nested
    class Reversals {

        @Test
        void aReversalDebitWithinTheAvailableBalanceIsBookedAsAReversedEntry() {
            fixture.given(opened("shop", OverdraftLimit.NONE), credited("shop", "40.00"))
                    .when(reverse("shop", Side.DEBIT, "40.00", false))
                    .expectResultMessagePayloadMatching(accepted())
                    .expectEvents(new EntryReversed("shop", "t", "r", Side.DEBIT, "alice", eur("40.00"), false));
        }

        @Test
        void aReversalDebitPastTheFloorIsRefusedUnlessForced() {
            fixture.given(opened("shop", OverdraftLimit.NONE), credited("shop", "5.00"))
                    .when(reverse("shop", Side.DEBIT, "10.00", false))
                    .expectNoEvents()
                    .expectResultMessagePayloadMatching(rejectedWith(RejectionCode.INSUFFICIENT_FUNDS));
            fixture.given(opened("shop", OverdraftLimit.NONE), credited("shop", "5.00"))
                    .when(reverse("shop", Side.DEBIT, "10.00", true))
                    .expectEvents(new EntryReversed("shop", "t", "r", Side.DEBIT, "alice", eur("10.00"), true));
        }

        @Test
        void aFrozenAccountTakesAReversalOnlyWhenForcedAndAClosedOneNever() {
            fixture.given(opened("alice", OverdraftLimit.NONE), new AccountFrozen("alice"))
                    .when(reverse("alice", Side.CREDIT, "1.00", false))
                    .expectResultMessagePayloadMatching(rejectedWith(RejectionCode.ACCOUNT_FROZEN));
            fixture.given(opened("alice", OverdraftLimit.NONE), new AccountFrozen("alice"))
                    .when(reverse("alice", Side.CREDIT, "1.00", true))
                    .expectEvents(new EntryReversed("alice", "t", "r", Side.CREDIT, "alice", eur("1.00"), true));
            fixture.given(opened("alice", OverdraftLimit.NONE), new AccountClosed("alice"))
                    .when(reverse("alice", Side.CREDIT, "1.00", true))
                    .expectNoEvents()
                    .expectResultMessagePayloadMatching(rejectedWith(RejectionCode.ACCOUNT_CLOSED));
        }

        @Test
        void aForcedReversalStillNeverPassesTheLargestAmount() {
            fixture.given(opened("alice", OverdraftLimit.NONE), credited("alice", "92233720368547758.07"))
                    .when(reverse("alice", Side.CREDIT, "0.01", true))
                    .expectNoEvents()
                    .expectResultMessagePayloadMatching(rejectedWith(RejectionCode.BALANCE_OVERFLOW));
        }

        private ReverseEntry reverse(String id, Side side, String amount, boolean forced) {
            return new ReverseEntry(id, "t", "r", side, "alice", eur(amount), forced);
        }
    }

    /** This account's part of the reversal of a multi-leg transaction: the opposite of its net, as a new movement. */
    @Nested
    class TransactionReversals {

        /** A card payment reversed: the merchant's 97.10 credit becomes a debit, entry 1. */
        private final List<TransactionEntry> reversed = List.of(
                new TransactionEntry(0, "card", Side.CREDIT, eur("100.00")),
                new TransactionEntry(1, "shop", Side.DEBIT, eur("97.10")),
                new TransactionEntry(2, "fees", Side.DEBIT, eur("2.90")));

        @Test
        void theNetGoesBackWithinTheAvailableBalance() {
            fixture.given(opened("shop", OverdraftLimit.NONE), credited("shop", "97.10"))
                    .when(new ReverseTransactionEntries("shop", "tx", "r", reversed, false))
                    .expectResultMessagePayloadMatching(accepted())
                    .expectEvents(new TransactionEntriesReversed("shop", "tx", "r", reversed, false));
        }

        @Test
        void pastTheFloorItIsRefusedAtTheAccountsEntryUnlessForced() {
            fixture.given(opened("shop", OverdraftLimit.NONE), credited("shop", "5.00"))
                    .when(new ReverseTransactionEntries("shop", "tx", "r", reversed, false))
                    .expectNoEvents()
                    .expectResultMessagePayloadMatching(rejectedWith(RejectionCode.INSUFFICIENT_FUNDS));
            fixture.given(opened("shop", OverdraftLimit.NONE), credited("shop", "5.00"))
                    .when(new ReverseTransactionEntries("shop", "tx", "r", reversed, true))
                    .expectEvents(new TransactionEntriesReversed("shop", "tx", "r", reversed, true));
        }

        @Test
        void aFrozenAccountTakesItOnlyWhenForcedAndAClosedOneNever() {
            fixture.given(opened("card", OverdraftLimit.NONE), new AccountFrozen("card"))
                    .when(new ReverseTransactionEntries("card", "tx", "r", reversed, false))
                    .expectResultMessagePayloadMatching(rejectedWith(RejectionCode.ACCOUNT_FROZEN));
            fixture.given(opened("card", OverdraftLimit.NONE), new AccountFrozen("card"))
                    .when(new ReverseTransactionEntries("card", "tx", "r", reversed, true))
                    .expectEvents(new TransactionEntriesReversed("card", "tx", "r", reversed, true));
            fixture.given(opened("card", OverdraftLimit.NONE), new AccountClosed("card"))
                    .when(new ReverseTransactionEntries("card", "tx", "r", reversed, true))
                    .expectNoEvents()
                    .expectResultMessagePayloadMatching(rejectedWith(RejectionCode.ACCOUNT_CLOSED));
        }
    }

    private static AccountOpened opened(String id, OverdraftLimit limit) {
        return new AccountOpened(id, EUR, limit);
    }

    private static EntryPosted credited(String id, String amount) {
        return new EntryPosted(id, "deposit", Side.CREDIT, "bank", eur(amount));
    }

    private static PostEntry debit(String id, String amount) {
        return new PostEntry(id, "t", Side.DEBIT, "bob", eur(amount));
    }

    private static Money eur(String amount) {
        return Money.parse(amount, EUR);
    }
}
