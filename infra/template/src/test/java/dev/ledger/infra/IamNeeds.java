package dev.ledger.infra;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * What IAM authorizes an AWS SDK request as: the action, the resource it names and, for DynamoDB,
 * the partition keys it touches ({@code dynamodb:LeadingKeys}). The one reading of requests that
 * the least-privilege tests share: the handlers' roles (infra/local's {@code HandlerCalls}) and the
 * people's policies (replay-tool's {@code ReplayCalls}) are both checked against what it says.
 *
 * <p>IAM authorizes a transaction's items one by one (a Put as {@code dynamodb:PutItem}, a
 * ConditionCheck as {@code dynamodb:ConditionCheckItem}...), and a batch call as the batch action
 * on each table it names.
 */
public final class IamNeeds {

    /**
     * One thing a request needs.
     *
     * @param resource    the resource by name (a table, stream or queue), {@code *} if it names none
     * @param index       for a Query or Scan of an index, its name
     * @param leadingKeys the partition key values it reads or writes: empty for a call on no item (a
     *                    Scan, a DescribeTable), absent when this reading does not know them (a
     *                    Query, or a table whose key attribute was not given)
     */
    public record Need(String action, String resource, Optional<String> index, Optional<Set<String>> leadingKeys) {
    }

    private IamNeeds() {
    }

    /**
     * @param partitionKeyOf the partition key attribute of a table, by name, where known
     */
    public static List<Need> of(String service, String operation, SdkRequest request,
                                Function<String, Optional<String>> partitionKeyOf) {
        List<Need> needs = new ArrayList<>();
        if (request instanceof TransactWriteItemsRequest transaction) {
            for (TransactWriteItem item : transaction.transactItems()) {
                if (item.put() != null) {
                    needs.add(item("dynamodb:PutItem", item.put().tableName(), List.of(item.put().item()), partitionKeyOf));
                } else if (item.update() != null) {
                    needs.add(item("dynamodb:UpdateItem", item.update().tableName(), List.of(item.update().key()),
                            partitionKeyOf));
                } else if (item.delete() != null) {
                    needs.add(item("dynamodb:DeleteItem", item.delete().tableName(), List.of(item.delete().key()),
                            partitionKeyOf));
                } else {
                    needs.add(item("dynamodb:ConditionCheckItem", item.conditionCheck().tableName(),
                            List.of(item.conditionCheck().key()), partitionKeyOf));
                }
            }
        } else if (request instanceof TransactGetItemsRequest transaction) {
            transaction.transactItems().forEach(item -> needs.add(item("dynamodb:GetItem", item.get().tableName(),
                    List.of(item.get().key()), partitionKeyOf)));
        } else if (request instanceof BatchGetItemRequest batch) {
            batch.requestItems().forEach((table, keys) -> needs.add(item("dynamodb:BatchGetItem", table, keys.keys(),
                    partitionKeyOf)));
        } else if (request instanceof BatchWriteItemRequest batch) {
            batch.requestItems().forEach((table, writes) -> needs.add(item("dynamodb:BatchWriteItem", table,
                    writes.stream().map(IamNeeds::itemOf).toList(), partitionKeyOf)));
        } else if (request instanceof PutItemRequest put) {
            needs.add(item("dynamodb:PutItem", put.tableName(), List.of(put.item()), partitionKeyOf));
        } else if (request instanceof GetItemRequest get) {
            needs.add(item("dynamodb:GetItem", get.tableName(), List.of(get.key()), partitionKeyOf));
        } else if (request instanceof UpdateItemRequest update) {
            needs.add(item("dynamodb:UpdateItem", update.tableName(), List.of(update.key()), partitionKeyOf));
        } else if (request instanceof DeleteItemRequest delete) {
            needs.add(item("dynamodb:DeleteItem", delete.tableName(), List.of(delete.key()), partitionKeyOf));
        } else {
            String action = service + ":" + operation;
            String name = field(request, "TableName").or(() -> field(request, "StreamName"))
                    .or(() -> field(request, "StreamARN")).or(() -> field(request, "QueueUrl"))
                    .or(() -> field(request, "SecretId"))
                    .orElse("*");
            // A Query names its partition in an expression this reading does not evaluate; every other
            // call here (Scan, DescribeTable, CreateTable...) touches no single item.
            Optional<Set<String>> keys = action.equals("dynamodb:Query") ? Optional.empty() : Optional.of(Set.of());
            needs.add(new Need(action, name, field(request, "IndexName"), keys));
        }
        return needs;
    }

    private static Map<String, AttributeValue> itemOf(WriteRequest write) {
        return write.putRequest() != null ? write.putRequest().item() : write.deleteRequest().key();
    }

    private static Need item(String action, String table, Collection<Map<String, AttributeValue>> items,
                             Function<String, Optional<String>> partitionKeyOf) {
        Optional<Set<String>> keys = partitionKeyOf.apply(table).map(attribute -> {
            Set<String> values = new LinkedHashSet<>();
            for (Map<String, AttributeValue> item : items) {
                AttributeValue value = item.get(attribute);
                values.add(value == null ? "" : value.s() != null ? value.s() : value.n());
            }
            return Set.copyOf(values);
        });
        return new Need(action, table, Optional.empty(), keys);
    }

    private static Optional<String> field(SdkRequest request, String name) {
        return request.getValueForField(name, String.class);
    }
}
