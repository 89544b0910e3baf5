package dev.ledger.projections;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.domain.RejectionCode;
import dev.ledger.domain.api.TransferEvent.PendingTransferPosted;
import dev.ledger.domain.api.TransferEvent.TransferRecorded;
import dev.ledger.domain.api.TransferEvent.TransferRejected;
import dev.ledger.domain.api.TransferEvent.TransferReversed;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.transfer.TransferState;
import dev.ledger.domain.transfer.TransferStatus;
import dev.ledger.projections.Projection.Step;
import dev.ledger.projections.TransfersProjection.StatusChange;
import dev.ledger.store.StoredEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The transfers projection's pure {@code next()}, without the emulator (no client at all). */
class TransfersProjectionTest {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");

    private final Projection transfers = ProjectionCatalog.TRANSFERS.projection(null, "no-table");

    private final List<StoredEvent> hold = StoredEvents.stream(
            new TransferRecorded("hold-1", new TransferRequest("alice", "bank", Money.parse("10.00", EUR), true, 3600,
                    new TreeMap<>(Map.of("order", "o-7"))), Instant.parse("2026-03-01T10:00:00Z")),
            new PendingTransferPosted("hold-1", Money.parse("4.00", EUR), Money.parse("6.00", EUR)));

    @Test
    void theStoredItemOfATransferIsPinnedByteForByte() {
        Step posted = StoredEvents.fold(transfers, hold).get(1);

        assertThat(posted.items()).containsExactly(Map.of(
                "id", AttributeValue.fromS("hold-1"),
                "version", AttributeValue.fromN("2"),
                "state", AttributeValue.fromS("{\"expiresAt\":\"2026-03-01T10:00:00Z\",\"postedAmount\":\"4.00\","
                        + "\"request\":{\"amount\":\"10.00\",\"creditAccountId\":\"bank\",\"currency\":\"EUR\","
                        + "\"debitAccountId\":\"alice\",\"metadata\":{\"order\":\"o-7\"},\"pending\":true,"
                        + "\"timeoutSeconds\":3600},\"status\":\"POSTED\",\"transferId\":\"hold-1\"}"),
                "statusHistory", AttributeValue.fromL(List.of(
                        AttributeValue.fromM(Map.of("status", AttributeValue.fromS("PENDING"),
                                "version", AttributeValue.fromN("1"),
                                "recordedAt", AttributeValue.fromS("2026-03-01T09:00:01Z"))),
                        AttributeValue.fromM(Map.of("status", AttributeValue.fromS("POSTED"),
                                "version", AttributeValue.fromN("2"),
                                "recordedAt", AttributeValue.fromS("2026-03-01T09:00:02Z"))))),
                "createdAt", AttributeValue.fromS("2026-03-01T09:00:01Z"),
                "listStatus", AttributeValue.fromS("POSTED"),
                "listAt", AttributeValue.fromS("2026-03-01T09:00:01.000000000Z#transfer#hold-1")));
    }

    @Test
    void aStatusChangeMovesTheItemToItsNewStatusListAtTheSamePlace() {
        List<Step> steps = StoredEvents.fold(transfers, hold);

        assertThat(steps).extracting(step -> step.after().item().get("listStatus").s()).containsExactly("PENDING", "POSTED");
        assertThat(steps).extracting(step -> step.after().item().get("listAt").s()).containsOnly(
                "2026-03-01T09:00:01.000000000Z#transfer#hold-1");
    }

    @Test
    void listPositionsSortAsTheirInstantsEvenWhenTheInstantHasNoFraction() {
        String whole = TransfersItemCodec.listAt(Instant.parse("2026-03-01T09:00:01Z"), TransfersItemCodec.Kind.TRANSFER, "b");
        String later = TransfersItemCodec.listAt(Instant.parse("2026-03-01T09:00:01.5Z"), TransfersItemCodec.Kind.TRANSFER, "a");

        assertThat(whole).as("Instant#toString would write ...01Z, which sorts after ...01.5Z").isLessThan(later);
    }

    @Test
    void aRefusedTransferKeepsItsRejection() {
        Step rejected = StoredEvents.fold(transfers, StoredEvents.stream(new TransferRejected("t-2",
                TransferRequest.posted("alice", "bank", Money.parse("500.00", EUR)), RejectionCode.INSUFFICIENT_FUNDS,
                "account alice has 21.00 EUR available"))).get(0);

        TransferState state = TransfersItemCodec.state(rejected.after().item());
        assertThat(state.status()).isEqualTo(TransferStatus.REJECTED);
        assertThat(state.rejection().code()).isEqualTo(RejectionCode.INSUFFICIENT_FUNDS);
        assertThat(rejected.after().item().get("state").s())
                .contains("\"rejectionCode\":\"insufficient_funds\",\"rejectionMessage\":\"account alice has 21.00 EUR "
                        + "available\"");
    }

    @Test
    void theStatusHistoryGrowsAndTheCreationTimeStays() {
        List<Step> steps = StoredEvents.fold(transfers, hold);

        Map<String, AttributeValue> item = steps.get(1).after().item();
        assertThat(TransfersItemCodec.history(item)).containsExactly(
                new StatusChange("PENDING", 1, Instant.parse("2026-03-01T09:00:01Z")),
                new StatusChange("POSTED", 2, Instant.parse("2026-03-01T09:00:02Z")));
        assertThat(TransfersItemCodec.createdAt(item)).isEqualTo(hold.get(0).recordedAt());
        assertThat(TransfersItemCodec.state(item).postedAmount()).isEqualTo(Money.parse("4.00", EUR));
    }

    @Test
    void aReversalIsListedApartFromTheStatusHistoryAndItsTotalIsInTheState() {
        List<Step> steps = StoredEvents.fold(transfers, StoredEvents.stream(
                new TransferRecorded("pay", TransferRequest.posted("alice", "shop", Money.parse("40.00", EUR)), null),
                new TransferReversed("pay", "r-1", Money.parse("10.00", EUR), false),
                new TransferReversed("pay", "r-2", Money.parse("5.00", EUR), true)));

        Map<String, AttributeValue> item = steps.get(2).after().item();
        assertThat(TransfersItemCodec.history(item)).extracting(StatusChange::status).containsExactly("POSTED");
        assertThat(TransfersItemCodec.reversals(item)).containsExactly(
                new TransfersProjection.Reversal("r-1", Money.parse("10.00", EUR), false, 2,
                        Instant.parse("2026-03-01T09:00:02Z")),
                new TransfersProjection.Reversal("r-2", Money.parse("5.00", EUR), true, 3,
                        Instant.parse("2026-03-01T09:00:03Z")));
        assertThat(TransfersItemCodec.state(item).reversibleAmount()).isEqualTo(Money.parse("25.00", EUR));
        assertThat(item.get("state").s()).contains("\"reversedAmount\":\"15.00\"");
        assertThat(item.get("reversals").l().get(1).m()).isEqualTo(Map.of(
                "reversalId", AttributeValue.fromS("r-2"), "amount", AttributeValue.fromS("5.00"),
                "forced", AttributeValue.fromBool(true), "version", AttributeValue.fromN("3"),
                "recordedAt", AttributeValue.fromS("2026-03-01T09:00:03Z")));
        assertThat(steps.get(0).after().item()).as("an item never reversed has no reversals").doesNotContainKey("reversals");
    }

    @Test
    void aTransferOnShardsOfShardedAccountsKeepsThemAndOthersKeepTheirBytes() {
        Step recorded = StoredEvents.fold(transfers, StoredEvents.stream(new TransferRecorded("hold-2",
                new TransferRequest("hot", "bank", Money.parse("10.00", EUR), true, 3600, new TreeMap<>()),
                Instant.parse("2026-03-01T10:00:00Z"), 3, 0))).get(0);

        assertThat(recorded.after().item().get("state").s()).contains("\"debitShard\":3")
                .doesNotContain("creditShard");
        TransferState state = TransfersItemCodec.state(recorded.after().item());
        assertThat(state.debitShard()).isEqualTo(3);
        assertThat(state.creditShard()).isZero();
        assertThat(StoredEvents.fold(transfers, hold).get(0).after().item().get("state").s())
                .doesNotContain("Shard");
    }
}
