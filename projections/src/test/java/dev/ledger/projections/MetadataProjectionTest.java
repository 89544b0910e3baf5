package dev.ledger.projections;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.domain.api.AccountEvent.AccountFrozen;
import dev.ledger.domain.api.AccountEvent.AccountMetadataSet;
import dev.ledger.domain.api.AccountEvent.AccountOpened;
import dev.ledger.domain.api.TransferEvent.PendingTransferVoided;
import dev.ledger.domain.api.TransferEvent.TransferRecorded;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.projections.Projection.Step;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The metadata index's {@code next()}, without I/O: which slots each event writes. */
class MetadataProjectionTest {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");
    private final MetadataProjection projection = new MetadataProjection(null, "unused");

    @Test
    void anAccountsKeysTakeSlotsInKeyOrderAndItsOpeningTimeOrdersThem() {
        List<Step> steps = StoredEvents.fold(projection, StoredEvents.stream(
                new AccountOpened("alice", EUR, OverdraftLimit.NONE), set(Map.of("b", "2", "a", "1"))));

        assertThat(slots(steps.get(0))).isEmpty();
        assertThat(slots(steps.get(1))).isEqualTo(Map.of(1, "account#a=1", 2, "account#b=2"));
        // Version 1 was recorded at START + 1 s: the account's place in every listing.
        assertThat(steps.get(1).items()).allSatisfy(item -> assertThat(item.get("at").s())
                .isEqualTo("2026-03-01T09:00:01.000000000Z#account#alice"));
    }

    @Test
    void anUnchangedValueWritesNothingAChangedOneKeepsItsSlotAndARemovedOneFreesItsSlotForTheNextKey() {
        List<Step> steps = StoredEvents.fold(projection, StoredEvents.stream(
                new AccountOpened("alice", EUR, OverdraftLimit.NONE), set(Map.of("a", "1", "b", "2")),
                set(Map.of("b", "3", "c", "4")), new AccountFrozen("alice")));

        // 'a' (slot 1) removed: written without a pair; 'b' changed in place; 'c' takes slot 1 back.
        List<Map<String, AttributeValue>> third = steps.get(2).items();
        assertThat(third.subList(0, third.size() - 1)).extracting(item -> item.get("sk").n() + " "
                        + (item.containsKey("pair") ? item.get("pair").s() : "-"))
                .containsExactly("1 -", "2 account#b=3", "1 account#c=4");
        assertThat(steps.get(3).items()).as("a freeze moves the cursor only").hasSize(1);
        assertThat(steps.get(3).after().item().get("state").s())
                .isEqualTo("{\"metadata\":{\"b\":\"3\",\"c\":\"4\"},\"slots\":{\"b\":2,\"c\":1}}");
    }

    @Test
    void aTransfersMetadataIsItsRequestsAndItsLaterEventsWriteNoSlot() {
        TreeMap<String, String> metadata = new TreeMap<>(Map.of("order", "A-17"));
        List<Step> steps = StoredEvents.fold(projection, StoredEvents.stream(
                new TransferRecorded("t-1", new TransferRequest("alice", "bob", Money.of(500, EUR), true, 60, metadata),
                        Instant.parse("2026-03-01T10:00:00Z")),
                new PendingTransferVoided("t-1", Money.of(500, EUR))));

        assertThat(slots(steps.get(0))).isEqualTo(Map.of(1, "transfer#order=A-17"));
        assertThat(steps.get(1).items()).hasSize(1);
        assertThat(steps.get(1).after().item().get("id").s()).isEqualTo("transfer#t-1");
    }

    private static AccountMetadataSet set(Map<String, String> metadata) {
        return new AccountMetadataSet("alice", new TreeMap<>(metadata));
    }

    /** The slots a step writes with a pair: sk to pair. */
    private static Map<Integer, String> slots(Step step) {
        return step.items().subList(0, step.items().size() - 1).stream().filter(item -> item.containsKey("pair"))
                .collect(Collectors.toMap(item -> Integer.parseInt(item.get("sk").n()), item -> item.get("pair").s()));
    }
}
