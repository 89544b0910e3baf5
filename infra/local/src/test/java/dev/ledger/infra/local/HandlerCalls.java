package dev.ledger.infra.local;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;

/**
 * Every AWS call a template function's handler makes in this test JVM, as the IAM action it needs
 * and the resource it names: an SDK interceptor registered for every client on the test classpath
 * ({@code software/amazon/awssdk/global/handlers/execution.interceptors}), so the handlers' own
 * clients are seen without any hook in them. A call is a function's when its handler runs on the
 * calling thread ({@link LocalFunction#running()}); the event-source runtime's own reads (what
 * Lambda's mappings do with the role) are not.
 *
 * <p>IAM authorizes a transaction's items one by one (a Put as {@code dynamodb:PutItem}, a
 * ConditionCheck as {@code dynamodb:ConditionCheckItem}...), and a batch call as the batch action.
 */
public final class HandlerCalls implements ExecutionInterceptor {

    /** One call: which function (its logical id), the IAM action, and the resource by name (a table, index, stream or queue). */
    public record Call(String function, String action, Resource resource) {
    }

    /** @param index for a Query or Scan of an index, its name */
    public record Resource(String name, Optional<String> index) {
    }

    private static final Set<String> WATCHED = ConcurrentHashMap.newKeySet();
    private static final Set<Call> CALLS = ConcurrentHashMap.newKeySet();

    /** Starts recording the calls of these functions (logical ids), forgetting any recorded before. */
    public static void watch(Set<String> functions) {
        WATCHED.clear();
        WATCHED.addAll(functions);
        CALLS.clear();
    }

    /** The distinct calls recorded since {@link #watch}. */
    public static Set<Call> recorded() {
        return Set.copyOf(CALLS);
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        if (WATCHED.isEmpty()) {
            return;
        }
        Optional<String> function = LocalFunction.running().filter(WATCHED::contains);
        if (function.isEmpty()) {
            return;
        }
        // IAM's prefix: the SDK's service name without spaces ("Secrets Manager" -> secretsmanager).
        String service = attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME).toLowerCase().replace(" ", "");
        String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        for (Map.Entry<String, Resource> need : needs(service, operation, context.request())) {
            CALLS.add(new Call(function.get(), need.getKey(), need.getValue()));
        }
    }

    /** action -> resource, for each thing the request touches. */
    private static List<Map.Entry<String, Resource>> needs(String service, String operation, SdkRequest request) {
        List<Map.Entry<String, Resource>> needs = new ArrayList<>();
        if (request instanceof TransactWriteItemsRequest transaction) {
            for (TransactWriteItem item : transaction.transactItems()) {
                if (item.put() != null) {
                    needs.add(Map.entry("dynamodb:PutItem", table(item.put().tableName())));
                } else if (item.update() != null) {
                    needs.add(Map.entry("dynamodb:UpdateItem", table(item.update().tableName())));
                } else if (item.delete() != null) {
                    needs.add(Map.entry("dynamodb:DeleteItem", table(item.delete().tableName())));
                } else {
                    needs.add(Map.entry("dynamodb:ConditionCheckItem", table(item.conditionCheck().tableName())));
                }
            }
        } else if (request instanceof TransactGetItemsRequest transaction) {
            transaction.transactItems().forEach(item -> needs.add(Map.entry("dynamodb:GetItem",
                    table(item.get().tableName()))));
        } else if (request instanceof BatchGetItemRequest batch) {
            batch.requestItems().keySet().forEach(t -> needs.add(Map.entry("dynamodb:BatchGetItem", table(t))));
        } else if (request instanceof BatchWriteItemRequest batch) {
            batch.requestItems().keySet().forEach(t -> needs.add(Map.entry("dynamodb:BatchWriteItem", table(t))));
        } else {
            String name = field(request, "TableName").or(() -> field(request, "StreamName"))
                    .or(() -> field(request, "StreamARN")).or(() -> field(request, "QueueUrl"))
                    .or(() -> field(request, "SecretId"))
                    .orElse("*");
            needs.add(Map.entry(service + ":" + operation, new Resource(name, field(request, "IndexName"))));
        }
        return needs;
    }

    private static Resource table(String name) {
        return new Resource(name, Optional.empty());
    }

    private static Optional<String> field(SdkRequest request, String name) {
        return request.getValueForField(name, String.class);
    }
}
