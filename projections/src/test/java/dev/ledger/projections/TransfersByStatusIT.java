package dev.ledger.projections;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.domain.api.TransferEvent.TransferRecorded;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A status list (GET /transfers?status=, issue 16) is read by key: a page is one Query of the
 * {@code transfers-by-status} index and one BatchGetItem of its items, counted with an interceptor.
 */
@ExtendWith(LocalAwsExtension.class)
class TransfersByStatusIT {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");

    @Test
    void aPageOfAStatusIsOneQueryAndOneBatchReadAndTransfersRecordedTogetherGoByIdNewestFirst(AwsClients aws,
                                                                                           TestNames names) {
        DynamoDbClient dynamo = aws.dynamoDb();
        String table = names.table("transfers");
        ProjectionCatalog.TRANSFERS.createTable(dynamo, table);
        TransfersProjection writer = new TransfersProjection(dynamo, table);
        // Every stream's first event is recorded at the same instant (StoredEvents): the order is by id alone.
        for (int n = 0; n < 30; n++) {
            Map<String, AttributeValue> item = StoredEvents.fold(writer, StoredEvents.stream(new TransferRecorded(
                    String.format("t%02d", n), TransferRequest.posted("bank", "alice", Money.parse("1.00", EUR)), null)))
                    .get(0).items().get(0);
            dynamo.putItem(r -> r.tableName(table).item(item));
        }
        DynamoRequests requests = new DynamoRequests();
        try (AwsClients counted = AwsClients.forEndpoint(aws.endpoint(), List.of(requests))) {
            TransfersProjection transfers = new TransfersProjection(counted.dynamoDb(), table);

            requests.reset();
            TransfersProjection.StatusPage first = transfers.byStatus("POSTED", Optional.empty(), Optional.empty(), 10,
                    null);

            assertThat(requests.counts()).isEqualTo(Map.of("Query", 1, "BatchGetItem", 1));
            assertThat(ids(first)).containsExactly("t29", "t28", "t27", "t26", "t25", "t24", "t23", "t22", "t21", "t20");
            TransfersProjection.StatusPage second = transfers.byStatus("POSTED", Optional.empty(), Optional.empty(), 10,
                    first.lastListAt());
            assertThat(ids(second)).containsExactly("t19", "t18", "t17", "t16", "t15", "t14", "t13", "t12", "t11", "t10");
            assertThat(transfers.byStatus("PENDING", Optional.empty(), Optional.empty(), 10, null).rows()).isEmpty();
        }
    }

    private static List<String> ids(TransfersProjection.StatusPage page) {
        List<String> ids = new ArrayList<>();
        page.rows().forEach(row -> ids.add(row.transfer().state().transferId()));
        return ids;
    }
}
