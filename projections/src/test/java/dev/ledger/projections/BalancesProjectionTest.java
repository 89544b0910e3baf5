package dev.ledger.projections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountEvent;
import dev.ledger.domain.api.AccountEvent.AccountFrozen;
import dev.ledger.domain.api.AccountEvent.AccountOpened;
import dev.ledger.domain.api.AccountEvent.EntryPosted;
import dev.ledger.domain.api.AccountEvent.HoldPlaced;
import dev.ledger.domain.api.AccountEvent.ShardFundsMoved;
import dev.ledger.domain.api.AccountEvent.ShardOpened;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.store.StoredEvent;
import dev.ledger.projections.Projection.Position;
import dev.ledger.projections.Projection.Step;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The balances projection's pure {@code next()}, without the emulator (no client at all). */
class BalancesProjectionTest {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");

    private final Projection balances = ProjectionCatalog.BALANCES.projection(null, "no-table");

    private final List<StoredEvent> alice = StoredEvents.stream(
            new AccountOpened("alice", EUR, OverdraftLimit.of(5_000)),
            new EntryPosted("alice", "t-1", Side.CREDIT, "bank", Money.parse("25.00", EUR)),
            new HoldPlaced("alice", "hold-1", Side.DEBIT, "bank", Money.parse("10.00", EUR),
                    Instant.parse("2026-03-01T10:00:00Z")));

    @Test
    void theStoredItemOfAnAccountIsPinnedByteForByte() {
        // The format live tables hold: a change here is a migration (replay rebuild --swap), never silent.
        Step last = StoredEvents.fold(balances, alice).get(2);

        assertThat(last.items()).containsExactly(Map.of(
                "id", AttributeValue.fromS("alice"),
                "version", AttributeValue.fromN("3"),
                "state", AttributeValue.fromS("{\"accountId\":\"alice\",\"creditsPending\":0,\"creditsPosted\":2500,"
                        + "\"currency\":\"EUR\",\"debitsPending\":1000,\"debitsPosted\":0,\"overdraftLimit\":5000,"
                        + "\"status\":\"OPEN\"}"),
                "updatedAt", AttributeValue.fromS("2026-03-01T09:00:03Z"),
                "listAll", AttributeValue.fromS("account"),
                "listCurrency", AttributeValue.fromS("EUR"),
                "listStatusId", AttributeValue.fromS("OPEN#alice")));
    }

    @Test
    void aShardsItemCarriesNoListKeysSoOnlyTheAccountIsListed() {
        Step shard = StoredEvents.fold(balances, StoredEvents.stream(
                new dev.ledger.domain.api.AccountEvent.ShardOpened("alice#1", EUR, OverdraftLimit.NONE, true))).get(0);

        assertThat(shard.after().item()).doesNotContainKeys("listAll", "listCurrency", "listStatusId");
    }

    @Test
    void anUnlimitedOverdraftIsStoredAsNull() {
        Step opened = StoredEvents.fold(balances, StoredEvents.stream(
                new AccountOpened("bank", EUR, OverdraftLimit.UNLIMITED))).get(0);

        assertThat(opened.after().item().get("state").s()).isEqualTo("{\"accountId\":\"bank\",\"creditsPending\":0,"
                + "\"creditsPosted\":0,\"currency\":\"EUR\",\"debitsPending\":0,\"debitsPosted\":0,"
                + "\"overdraftLimit\":null,\"status\":\"OPEN\"}");
    }

    @Test
    void eachStepIsTheFoldOfTheEventsSoFarAtTheirVersion() {
        List<StoredEvent> events = StoredEvents.stream(
                new AccountOpened("alice", EUR, OverdraftLimit.NONE),
                new EntryPosted("alice", "t-1", Side.CREDIT, "bank", Money.parse("25.00", EUR)),
                new AccountFrozen("alice"));

        List<Step> steps = StoredEvents.fold(balances, events);

        AccountState expected = null;
        for (int i = 0; i < events.size(); i++) {
            expected = AccountState.evolve(Optional.ofNullable(expected), (AccountEvent) events.get(i).event());
            Step step = steps.get(i);
            assertThat(step.after().version()).isEqualTo(i + 1);
            assertThat(step.after().blocked()).isFalse();
            assertThat(step.items()).containsExactly(step.after().item());
            assertThat(BalancesItemCodec.account(step.after().item())).isEqualTo(expected);
            assertThat(step.after().item().get("updatedAt").s()).isEqualTo(events.get(i).recordedAt().toString());
        }
    }

    @Test
    void anItemInAnotherShapeIsRefusedNamingTheMigration() {
        Map<String, AttributeValue> older = new HashMap<>(StoredEvents.fold(balances, alice).get(1).after().item());
        older.put("state", AttributeValue.fromS(older.get("state").s().replace("creditsPosted", "credits")));

        assertThatThrownBy(() -> balances.next(alice.get(2), new Position(2, false, older)))
                .isInstanceOf(StoredFormException.class)
                .hasMessageContaining("balances item alice lacks the field 'creditsPosted'")
                .hasMessageContaining("replay rebuild --swap");
    }

    @Test
    void itsFieldsSpreadTheAccountForComparisons() {
        Map<String, String> fields = balances.fields(StoredEvents.fold(balances, alice).get(2).after().item());

        assertThat(fields).containsEntry("version", "3").containsEntry("creditsPosted", "2500")
                .containsEntry("currency", "EUR").containsEntry("overdraftLimit", "5000")
                .containsEntry("updatedAt", "2026-03-01T09:00:03Z").doesNotContainKeys("id", "state");
    }

    @Test
    void aShardsItemKeepsItsShardCountAndMovesSoTheAccountCanBeAddedUp() {
        // Shard 2 of "hot": a shard k >= 1 counts no shards (0), and keeps what moved in and out.
        Step last = StoredEvents.fold(balances, StoredEvents.stream(
                new ShardOpened("hot#2", EUR, OverdraftLimit.NONE, false),
                new EntryPosted("hot#2", "t-1", Side.CREDIT, "bank", Money.parse("30.00", EUR)),
                new ShardFundsMoved("hot#2", "pay", Side.DEBIT, "hot#1", Money.parse("20.00", EUR)))).get(2);

        assertThat(last.after().item().get("state").s()).isEqualTo("{\"accountId\":\"hot#2\",\"creditsPending\":0,"
                + "\"creditsPosted\":3000,\"currency\":\"EUR\",\"debitsPending\":0,\"debitsPosted\":2000,"
                + "\"overdraftLimit\":0,\"shardCount\":0,\"shardMovesOut\":2000,\"status\":\"OPEN\"}");
        AccountState shard = BalancesItemCodec.account(last.after().item());
        assertThat(shard.shardCount()).isZero();
        assertThat(shard.shardMovesOut()).isEqualTo(2000);
        assertThat(shard.shardMovesIn()).isZero();
    }
}
