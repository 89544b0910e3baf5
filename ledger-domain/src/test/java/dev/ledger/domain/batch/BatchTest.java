package dev.ledger.domain.batch;

import dev.ledger.domain.Rejection;
import dev.ledger.domain.RejectionCode;
import dev.ledger.domain.api.BatchCommand.RecordBatch;
import dev.ledger.domain.api.BatchCommand.RejectBatch;
import dev.ledger.domain.api.BatchEvent.BatchRecorded;
import dev.ledger.domain.api.BatchEvent.BatchRejected;
import dev.ledger.domain.api.BatchEvent.ItemOutcome;
import dev.ledger.domain.api.BatchEvent.Outcome;
import dev.ledger.domain.api.BatchItem.TransferItem;
import dev.ledger.domain.api.BatchRequest;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import java.util.List;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.axonframework.test.aggregate.FixtureConfiguration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A batch's record: written once, with the request's digest and what became of each item, or the refusal. */
class BatchTest {

    private static final String DIGEST = "a".repeat(64);
    private static final String ITEM_DIGEST = "b".repeat(64);
    private static final BatchRequest ONE_TRANSFER = new BatchRequest(true, List.of(new TransferItem("t-1",
            TransferRequest.posted("bank", "alice", Money.parse("5.00", CurrencyUnit.of("EUR"))))), DIGEST,
            List.of(ITEM_DIGEST));

    private FixtureConfiguration<Batch> fixture;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(Batch.class);
    }

    @Test
    void anAcceptedBatchIsRecordedWithItsDigestAndEachItemsOutcome() {
        List<ItemOutcome> items = List.of(new ItemOutcome(0, "transfer", "t-1", ITEM_DIGEST, Outcome.APPLIED, null,
                null, null));

        fixture.givenNoPriorActivity()
                .when(new RecordBatch("b-1", ONE_TRANSFER, items))
                .expectEvents(new BatchRecorded("b-1", true, DIGEST, items));
    }

    @Test
    void aRefusedAtomicBatchIsRecordedWithTheItemThatRefusedIt() {
        Rejection refusal = new Rejection(RejectionCode.INSUFFICIENT_FUNDS, "item 0 was refused", null, 0);

        fixture.givenNoPriorActivity()
                .when(new RejectBatch("b-1", ONE_TRANSFER, refusal))
                .expectEvents(new BatchRejected("b-1", DIGEST, 1, RejectionCode.INSUFFICIENT_FUNDS,
                        "item 0 was refused", 0, null));
    }
}
