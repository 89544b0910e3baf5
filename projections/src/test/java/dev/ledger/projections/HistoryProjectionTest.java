package dev.ledger.projections;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.domain.api.AccountEvent.AccountFrozen;
import dev.ledger.domain.api.AccountEvent.AccountOpened;
import dev.ledger.domain.api.AccountEvent.AccountSharded;
import dev.ledger.domain.api.AccountEvent.EntryPosted;
import dev.ledger.domain.api.AccountEvent.EntryReversed;
import dev.ledger.domain.api.AccountEvent.HoldPlaced;
import dev.ledger.domain.api.AccountEvent.HoldPosted;
import dev.ledger.domain.api.AccountEvent.ShardFundsMoved;
import dev.ledger.domain.api.AccountEvent.ShardOpened;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.store.StoredEvent;
import dev.ledger.projections.Projection.Step;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The history projection's pure {@code next()}, without the emulator (no client at all). */
class HistoryProjectionTest {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");

    private final Projection history = ProjectionCatalog.HISTORY.projection(null, "no-table");

    private final List<StoredEvent> alice = StoredEvents.stream(
            new AccountOpened("alice", EUR, OverdraftLimit.NONE),
            new EntryPosted("alice", "t-1", Side.CREDIT, "bank", Money.parse("25.00", EUR)),
            new HoldPlaced("alice", "hold-1", Side.DEBIT, "bank", Money.parse("10.00", EUR),
                    Instant.parse("2026-03-01T10:00:00Z")),
            new HoldPosted("alice", "hold-1", Side.DEBIT, "bank", Money.parse("10.00", EUR),
                    Money.parse("4.00", EUR)));

    @Test
    void anEventWritesItsEntryThenTheAccountsCursorPinnedByteForByte() {
        Step posted = StoredEvents.fold(history, alice).get(3);

        assertThat(posted.items()).containsExactly(
                Map.of("id", AttributeValue.fromS("alice"),
                        "sk", AttributeValue.fromN("4"),
                        "type", AttributeValue.fromS("HoldPosted"),
                        "recordedAt", AttributeValue.fromS("2026-03-01T09:00:04Z"),
                        "recordedUpTo", AttributeValue.fromS("2026-03-01T09:00:04Z"),
                        "hash", AttributeValue.fromS("hash-4"),
                        "balanceAfter", AttributeValue.fromS("21.00"),
                        "transferId", AttributeValue.fromS("hold-1"),
                        "counterpartyAccountId", AttributeValue.fromS("bank"),
                        "amount", AttributeValue.fromS("-4.00")),
                Map.of("id", AttributeValue.fromS("alice"),
                        "sk", AttributeValue.fromN("0"),
                        "version", AttributeValue.fromN("4"),
                        "recordedUpTo", AttributeValue.fromS("2026-03-01T09:00:04Z"),
                        "state", AttributeValue.fromS("{\"accountId\":\"alice\",\"creditsPending\":0,"
                                + "\"creditsPosted\":2500,\"currency\":\"EUR\",\"debitsPending\":0,"
                                + "\"debitsPosted\":400,\"overdraftLimit\":0,\"status\":\"OPEN\"}")));
        assertThat(posted.after().item()).isEqualTo(posted.items().get(1));
        assertThat(posted.after().version()).isEqualTo(4);
    }

    @Test
    void anEventThatIsNoTransferLegHasNoAmountOrCounterparty() {
        Step opened = StoredEvents.fold(history, alice).get(0);

        assertThat(opened.items().get(0)).containsOnlyKeys("id", "sk", "type", "recordedAt", "recordedUpTo", "hash", "balanceAfter")
                .containsEntry("type", AttributeValue.fromS("AccountOpened"))
                .containsEntry("balanceAfter", AttributeValue.fromS("0.00"));
    }

    @Test
    void amountsAreSignedAsTheBalanceSeesThemAndTheBalanceAfterOnlyMovesWhenPosted() {
        List<Step> steps = StoredEvents.fold(history, alice);

        assertThat(steps).extracting(s -> s.items().get(0).get("amount"))
                .containsExactly(null, AttributeValue.fromS("25.00"), AttributeValue.fromS("-10.00"),
                        AttributeValue.fromS("-4.00"));
        assertThat(steps).extracting(s -> s.items().get(0).get("balanceAfter").s())
                .containsExactly("0.00", "25.00", "25.00", "21.00");
    }

    @Test
    void eachStepContinuesFromTheCursorAlone() {
        Step fromScratch = StoredEvents.fold(history, alice).get(3);

        // The cursor of version 3, as a table would hold it, is all next() needs: it reads no log.
        Step fromCursor = history.next(alice.get(3), StoredEvents.fold(history, alice).get(2).after());

        assertThat(fromCursor).isEqualTo(fromScratch);
    }

    @Test
    void aReversalsEntryNamesTheTransferTheReversalAndWhetherItWasForcedPinnedByteForByte() {
        List<Step> steps = StoredEvents.fold(history, StoredEvents.stream(
                new AccountOpened("shop", EUR, OverdraftLimit.NONE),
                new EntryPosted("shop", "pay", Side.CREDIT, "alice", Money.parse("40.00", EUR)),
                new EntryReversed("shop", "pay", "r-1", Side.DEBIT, "alice", Money.parse("45.00", EUR), true)));

        assertThat(steps.get(2).items().get(0)).isEqualTo(Map.ofEntries(
                Map.entry("id", AttributeValue.fromS("shop")),
                Map.entry("sk", AttributeValue.fromN("3")),
                Map.entry("type", AttributeValue.fromS("EntryReversed")),
                Map.entry("recordedAt", AttributeValue.fromS("2026-03-01T09:00:03Z")),
                Map.entry("recordedUpTo", AttributeValue.fromS("2026-03-01T09:00:03Z")),
                Map.entry("hash", AttributeValue.fromS("hash-3")),
                Map.entry("balanceAfter", AttributeValue.fromS("-5.00")),
                Map.entry("transferId", AttributeValue.fromS("pay")),
                Map.entry("counterpartyAccountId", AttributeValue.fromS("alice")),
                Map.entry("amount", AttributeValue.fromS("-45.00")),
                Map.entry("reversalId", AttributeValue.fromS("r-1")),
                Map.entry("forced", AttributeValue.fromBool(true))));
        assertThat(steps.get(1).items().get(0)).as("a leg that is no reversal keeps its shape")
                .doesNotContainKeys("reversalId", "forced");
    }

    @Test
    void aShardsOpeningAndItsMovesAdvanceTheCursorWithoutAnEntry() {
        List<Step> steps = StoredEvents.fold(history, StoredEvents.stream(
                new ShardOpened("hot#2", EUR, OverdraftLimit.NONE, false),
                new EntryPosted("hot#2", "t-1", Side.CREDIT, "bank", Money.parse("30.00", EUR)),
                new ShardFundsMoved("hot#2", "pay", Side.DEBIT, "hot#1", Money.parse("20.00", EUR)),
                new AccountFrozen("hot#2"),
                new EntryPosted("hot#2", "t-2", Side.CREDIT, "bank", Money.parse("5.00", EUR))));

        assertThat(steps).extracting(step -> step.items().size()).containsExactly(1, 2, 1, 1, 2);
        assertThat(steps).extracting(step -> step.after().version()).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(steps.get(2).items().get(0)).as("the cursor alone")
                .containsEntry("sk", AttributeValue.fromN("0")).containsEntry("version", AttributeValue.fromN("3"));
        assertThat(steps.get(1).items().get(0)).as("before any move: an unsharded entry's shape")
                .doesNotContainKey("shardMoves");
        // After giving 20.00 away the shard holds 15.00, yet its share of the account is still 35.00.
        assertThat(steps.get(4).items().get(0))
                .containsEntry("balanceAfter", AttributeValue.fromS("15.00"))
                .containsEntry("shardMoves", AttributeValue.fromS("-20.00"))
                .containsEntry("counterpartyAccountId", AttributeValue.fromS("bank"));
    }

    @Test
    void anAccountsOwnStreamKeepsItsStatusEntriesButNotItsShardCount() {
        List<Step> steps = StoredEvents.fold(history, StoredEvents.stream(
                new AccountOpened("hot", EUR, OverdraftLimit.NONE),
                new AccountSharded("hot", 4),
                new AccountFrozen("hot")));

        assertThat(steps).extracting(step -> step.items().size()).containsExactly(2, 1, 2);
        assertThat(HistoryItemCodec.account(steps.get(2).after().item()).shardCount()).isEqualTo(4);
        assertThat(steps.get(1).after().item().get("state").s()).contains("\"shardCount\":4");
    }

    @Test
    void anEntryRecordedByAClockBehindAnEarlierOnesKeepsTheLatestTimeSoFarForSeeking() {
        List<StoredEvent> events = StoredEvents.stream(
                new AccountOpened("alice", EUR, OverdraftLimit.NONE),
                new EntryPosted("alice", "t-1", Side.CREDIT, "bank", Money.parse("25.00", EUR)),
                new EntryPosted("alice", "t-2", Side.CREDIT, "bank", Money.parse("5.00", EUR)));
        StoredEvent late = events.get(2);
        // Version 3 written by a writer whose clock ran a minute behind version 2's.
        Instant behind = events.get(1).recordedAt().minusSeconds(60);
        List<StoredEvent> skewed = List.of(events.get(0), events.get(1), new StoredEvent(late.stream(), late.version(),
                late.type(), late.schemaVersion(), behind, late.transferId(), late.correlationId(), late.data(),
                late.hash()));

        List<Step> steps = StoredEvents.fold(history, skewed);

        assertThat(steps.get(2).items().get(0))
                .containsEntry("recordedAt", AttributeValue.fromS(behind.toString()))
                .containsEntry("recordedUpTo", AttributeValue.fromS(events.get(1).recordedAt().toString()));
        assertThat(steps.get(2).after().item())
                .containsEntry("recordedUpTo", AttributeValue.fromS(events.get(1).recordedAt().toString()));
    }
}
