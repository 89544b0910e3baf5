package dev.ledger.localaws;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionCheck;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.Delete;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.Select;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * A deterministic sequence of DynamoDB requests (from a seed) shaped like the ledger's traffic:
 * conditional journal appends that clash, balance updates with version conditions, transfers as
 * transactions that succeed or are cancelled, and range queries with paging, over three tables
 * with streams. The same requests are replayed on two servers to compare their answers.
 */
final class DynamoDbWorkload {

    static final String JOURNAL = "journal"; // pk S, sk N: an account's entries by version
    static final String ENTRIES = "entries"; // pk S, sk S, GSI byAccount: a day's entries by time
    static final String BALANCES = "balances"; // pk S only: one item per account

    /** One request (or a query with all its pages) and how to replay it; the result compares with equals. */
    record Step(String kind, String request, Function<DynamoDbClient, Object> replay) {}

    /**
     * A response, compared by its modelled fields: an SDK response's own equals also requires
     * the same object, and its HTTP metadata (request id) is no part of the answer.
     */
    record Answer(SdkResponse response) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Answer answer && response.equalsBySdkFields(answer.response);
        }

        @Override
        public int hashCode() {
            return response.getClass().hashCode();
        }

        @Override
        public String toString() {
            return response.toString();
        }
    }

    /** An error response, as a value: what the client saw, minus the request id. */
    record Failure(String exception, int status, String code, String message, List<CancellationReason> reasons) {}

    private static final String[] JOURNAL_ACCOUNTS = {"acct-0", "acct-1", "acct-2", "acct-3", "acct-4", "acct-5"};
    // acct-6, acct-7 and acct-9 never get journal entries: queries on them find no partition.
    private static final String[] QUERIED_ACCOUNTS = {"acct-0", "acct-1", "acct-2", "acct-3", "acct-4", "acct-5",
            "acct-6", "acct-7", "acct-9"};
    private static final String[] DAYS = {"day-0", "day-1", "day-2", "day-3"};
    private static final String[] DAY_PREFIXES = {"2026-11-0", "2026-11-01", "2026-11-02#0", "2026-11-03#01", "2025"};
    private static final int MAX_VERSION = 30;

    private final Random random;
    private final List<Step> steps = new ArrayList<>();

    private DynamoDbWorkload(long seed) {
        this.random = new Random(seed);
    }

    static List<CreateTableRequest> tables() {
        return List.of(
                CreateTableRequest.builder().tableName(JOURNAL).billingMode(BillingMode.PAY_PER_REQUEST)
                        .attributeDefinitions(
                                attribute("pk", ScalarAttributeType.S),
                                attribute("sk", ScalarAttributeType.N))
                        .keySchema(keyElement("pk", KeyType.HASH), keyElement("sk", KeyType.RANGE))
                        .streamSpecification(s -> s.streamEnabled(true).streamViewType(StreamViewType.NEW_AND_OLD_IMAGES))
                        .build(),
                CreateTableRequest.builder().tableName(ENTRIES).billingMode(BillingMode.PAY_PER_REQUEST)
                        .attributeDefinitions(
                                attribute("pk", ScalarAttributeType.S),
                                attribute("sk", ScalarAttributeType.S),
                                attribute("account", ScalarAttributeType.S))
                        .keySchema(keyElement("pk", KeyType.HASH), keyElement("sk", KeyType.RANGE))
                        .globalSecondaryIndexes(GlobalSecondaryIndex.builder().indexName("byAccount")
                                .keySchema(keyElement("account", KeyType.HASH), keyElement("sk", KeyType.RANGE))
                                .projection(p -> p.projectionType(ProjectionType.ALL))
                                .build())
                        .streamSpecification(s -> s.streamEnabled(true).streamViewType(StreamViewType.NEW_IMAGE))
                        .build(),
                CreateTableRequest.builder().tableName(BALANCES).billingMode(BillingMode.PAY_PER_REQUEST)
                        .attributeDefinitions(attribute("pk", ScalarAttributeType.S))
                        .keySchema(keyElement("pk", KeyType.HASH))
                        .streamSpecification(s -> s.streamEnabled(true).streamViewType(StreamViewType.NEW_AND_OLD_IMAGES))
                        .build());
    }

    /** {@code count} random steps from {@code seed}, with every edge case interleaved at fixed places. */
    static List<Step> generate(long seed, int count) {
        DynamoDbWorkload workload = new DynamoDbWorkload(seed);
        List<Runnable> edgeCases = workload.edgeCases();
        int every = Math.max(1, count / (edgeCases.size() + 1));
        for (int i = 1; i <= count; i++) {
            workload.addRandomStep();
            if (i % every == 0 && i / every <= edgeCases.size()) {
                edgeCases.get(i / every - 1).run();
            }
        }
        return workload.steps;
    }

    /** Runs a call and returns its response as an {@link Answer}, or its error as a {@link Failure}. */
    static Object outcome(Supplier<? extends SdkResponse> call) {
        try {
            return new Answer(call.get());
        } catch (TransactionCanceledException e) {
            return failure(e, e.cancellationReasons());
        } catch (AwsServiceException e) {
            return failure(e, List.of());
        }
    }

    private static Failure failure(AwsServiceException e, List<CancellationReason> reasons) {
        return new Failure(e.getClass().getSimpleName(), e.statusCode(), e.awsErrorDetails().errorCode(),
                e.awsErrorDetails().errorMessage(), reasons);
    }

    // --- random steps ---------------------------------------------------------------------------

    private void addRandomStep() {
        int dice = random.nextInt(100);
        if (dice < 18) {
            appendToJournal();
        } else if (dice < 26) {
            putEntry();
        } else if (dice < 34) {
            updateBalance();
        } else if (dice < 38) {
            deleteJournalEntry();
        } else if (dice < 62) {
            transaction();
        } else if (dice < 84) {
            queryBaseTable();
        } else if (dice < 88) {
            queryFromAnArbitraryStartKey();
        } else if (dice < 92) {
            queryIndex();
        } else if (dice < 97) {
            getItem();
        } else {
            batchWrite();
        }
    }

    private void appendToJournal() {
        PutItemRequest.Builder put = PutItemRequest.builder().tableName(JOURNAL).item(journalItem())
                .conditionExpression("attribute_not_exists(pk)");
        if (random.nextInt(3) == 0) {
            put.returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD);
        }
        PutItemRequest request = put.build();
        add("PutItem", request, client -> client.putItem(request));
    }

    private void putEntry() {
        PutItemRequest.Builder put = PutItemRequest.builder().tableName(ENTRIES).item(entryItem());
        if (random.nextBoolean()) {
            put.returnValues(ReturnValue.ALL_OLD);
        } else {
            put.conditionExpression("attribute_not_exists(sk)");
        }
        PutItemRequest request = put.build();
        add("PutItem", request, client -> client.putItem(request));
    }

    private void updateBalance() {
        UpdateItemRequest.Builder update = UpdateItemRequest.builder().tableName(BALANCES)
                .key(Map.of("pk", s(pick(QUERIED_ACCOUNTS))))
                .updateExpression("SET #b = if_not_exists(#b, :zero) + :delta, #v = if_not_exists(#v, :zero) + :one")
                .returnValues(pick(ReturnValue.ALL_NEW, ReturnValue.UPDATED_OLD, ReturnValue.NONE, ReturnValue.ALL_OLD));
        Map<String, String> names = Map.of("#b", "balance", "#v", "version");
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":zero", n(0), ":one", n(1), ":delta", n(amount())));
        if (random.nextBoolean()) {
            update.conditionExpression("attribute_not_exists(#v) OR #v = :expected");
            values.put(":expected", n(random.nextInt(4)));
        }
        UpdateItemRequest request = update.expressionAttributeNames(names).expressionAttributeValues(values).build();
        add("UpdateItem", request, client -> client.updateItem(request));
    }

    private void deleteJournalEntry() {
        DeleteItemRequest.Builder delete = DeleteItemRequest.builder().tableName(JOURNAL)
                .key(journalKey(pick(JOURNAL_ACCOUNTS), version())).returnValues(ReturnValue.ALL_OLD);
        if (random.nextBoolean()) {
            delete.conditionExpression("amount > :limit").expressionAttributeValues(Map.of(":limit", n(0)));
        }
        DeleteItemRequest request = delete.build();
        add("DeleteItem", request, client -> client.deleteItem(request));
    }

    /** 2 to 5 operations on distinct items, mixing Put, Update, ConditionCheck and Delete over the tables. */
    private void transaction() {
        List<TransactWriteItem> operations = new ArrayList<>();
        Set<String> items = new HashSet<>();
        int size = 2 + random.nextInt(4);
        while (operations.size() < size) {
            TransactWriteItem operation = randomOperation();
            if (items.add(itemIdentity(operation))) {
                operations.add(operation);
            }
        }
        addTransaction(operations);
    }

    private TransactWriteItem randomOperation() {
        ReturnValuesOnConditionCheckFailure onFailure = random.nextInt(3) == 0
                ? ReturnValuesOnConditionCheckFailure.ALL_OLD : ReturnValuesOnConditionCheckFailure.NONE;
        switch (random.nextInt(6)) {
            case 0, 1:
                return TransactWriteItem.builder().put(Put.builder().tableName(JOURNAL).item(journalItem())
                        .conditionExpression("attribute_not_exists(pk)")
                        .returnValuesOnConditionCheckFailure(onFailure).build()).build();
            case 2:
                Update.Builder update = Update.builder().tableName(BALANCES).key(Map.of("pk", s(pick(QUERIED_ACCOUNTS))))
                        .updateExpression("SET balance = if_not_exists(balance, :zero) + :delta ADD version :one")
                        .returnValuesOnConditionCheckFailure(onFailure);
                Map<String, AttributeValue> values = new HashMap<>(Map.of(":zero", n(0), ":one", n(1), ":delta", n(amount())));
                if (random.nextBoolean()) {
                    update.conditionExpression("version = :expected");
                    values.put(":expected", n(random.nextInt(4)));
                }
                return TransactWriteItem.builder().update(update.expressionAttributeValues(values).build()).build();
            case 3:
                boolean existence = random.nextBoolean();
                ConditionCheck.Builder check = ConditionCheck.builder().tableName(JOURNAL)
                        .key(journalKey(pick(JOURNAL_ACCOUNTS), version()))
                        .returnValuesOnConditionCheckFailure(onFailure);
                if (existence) {
                    check.conditionExpression("attribute_exists(pk)");
                } else {
                    check.conditionExpression("attribute_not_exists(pk) OR amount < :limit")
                            .expressionAttributeValues(Map.of(":limit", n(100)));
                }
                return TransactWriteItem.builder().conditionCheck(check.build()).build();
            case 4:
                Delete.Builder delete = Delete.builder().tableName(ENTRIES).key(entryKey(pick(DAYS), entrySortKey()))
                        .returnValuesOnConditionCheckFailure(onFailure);
                if (random.nextBoolean()) {
                    delete.conditionExpression("attribute_exists(sk)");
                }
                return TransactWriteItem.builder().delete(delete.build()).build();
            default:
                return TransactWriteItem.builder().put(Put.builder().tableName(ENTRIES).item(entryItem()).build()).build();
        }
    }

    private void queryBaseTable() {
        String table = pick(JOURNAL, JOURNAL, ENTRIES, ENTRIES, BALANCES);
        QueryRequest.Builder query = QueryRequest.builder().tableName(table);
        Map<String, String> names = new HashMap<>(Map.of("#pk", "pk"));
        Map<String, AttributeValue> values = new HashMap<>();
        String keyCondition = "#pk = :pk";
        if (table.equals(BALANCES)) {
            values.put(":pk", s(pick(QUERIED_ACCOUNTS)));
        } else {
            boolean journal = table.equals(JOURNAL);
            values.put(":pk", s(journal ? pick(QUERIED_ACCOUNTS) : pick(DAYS[0], DAYS[1], DAYS[2], DAYS[3], "day-9")));
            String range = sortKeyCondition(journal, values);
            if (range != null) {
                names.put("#sk", "sk");
                keyCondition += " AND " + range;
            }
            addFilterOrProjection(query, values);
        }
        QueryRequest request = query.keyConditionExpression(keyCondition)
                .expressionAttributeNames(names).expressionAttributeValues(values)
                .limit(random.nextBoolean() ? null : 1 + random.nextInt(7))
                .scanIndexForward(random.nextBoolean() ? null : random.nextBoolean())
                .consistentRead(random.nextBoolean())
                .build();
        addQuery(request);
    }

    /** An ExclusiveStartKey that no earlier page returned: a key that may or may not exist. */
    private void queryFromAnArbitraryStartKey() {
        String account = pick(QUERIED_ACCOUNTS);
        QueryRequest request = QueryRequest.builder().tableName(JOURNAL)
                .keyConditionExpression("pk = :pk")
                .expressionAttributeValues(Map.of(":pk", s(account)))
                .exclusiveStartKey(journalKey(account, version()))
                .scanIndexForward(random.nextBoolean())
                .limit(random.nextBoolean() ? null : 1 + random.nextInt(5))
                .build();
        addQuery(request);
    }

    /** The index path is not changed by the launcher; it is here so that the comparison covers it. */
    private void queryIndex() {
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":account", s(pick(QUERIED_ACCOUNTS))));
        String keyCondition = "account = :account";
        if (random.nextBoolean()) {
            keyCondition += " AND begins_with(sk, :prefix)";
            values.put(":prefix", s(pick(DAY_PREFIXES)));
        }
        QueryRequest request = QueryRequest.builder().tableName(ENTRIES).indexName("byAccount")
                .keyConditionExpression(keyCondition).expressionAttributeValues(values)
                .limit(random.nextBoolean() ? null : 1 + random.nextInt(4))
                .scanIndexForward(random.nextBoolean())
                .build();
        addQuery(request);
    }

    private void getItem() {
        GetItemRequest request = GetItemRequest.builder().tableName(JOURNAL)
                .key(journalKey(pick(JOURNAL_ACCOUNTS), version())).consistentRead(true).build();
        add("GetItem", request, client -> client.getItem(request));
    }

    private void batchWrite() {
        List<WriteRequest> writes = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            Map<String, AttributeValue> item = entryItem();
            if (keys.add(item.get("pk").s() + "/" + item.get("sk").s())) {
                writes.add(WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build());
            }
        }
        BatchWriteItemRequest request = BatchWriteItemRequest.builder().requestItems(Map.of(ENTRIES, writes)).build();
        add("BatchWriteItem", request, client -> client.batchWriteItem(request));
    }

    private String sortKeyCondition(boolean numeric, Map<String, AttributeValue> values) {
        int choice = random.nextInt(numeric ? 7 : 8);
        if (choice == 0) {
            return null;
        }
        if (choice == 7) {
            values.put(":prefix", s(pick(DAY_PREFIXES)));
            return "begins_with(#sk, :prefix)";
        }
        AttributeValue low = numeric ? n(version()) : s(entrySortKey());
        AttributeValue high = numeric ? n(version()) : s(entrySortKey());
        if (compare(low, high) > 0) {
            AttributeValue swap = low;
            low = high;
            high = swap;
        }
        values.put(":low", low);
        if (choice == 6) {
            values.put(":high", high);
            return "#sk BETWEEN :low AND :high";
        }
        return "#sk " + new String[] {"=", "<", "<=", ">", ">="}[choice - 1] + " :low";
    }

    private void addFilterOrProjection(QueryRequest.Builder query, Map<String, AttributeValue> values) {
        switch (random.nextInt(5)) {
            case 0 -> {
                query.filterExpression("amount >= :min");
                values.put(":min", n(random.nextInt(200) - 100));
            }
            case 1 -> query.projectionExpression("#pk, amount, currency");
            case 2 -> query.select(Select.COUNT);
            default -> { }
        }
    }

    // --- edge cases, each added once -----------------------------------------------------------

    private List<Runnable> edgeCases() {
        Map<String, AttributeValue> existing = Map.of("pk", s("acct-8"), "sk", n(1), "amount", n(5), "currency", s("EUR"));
        return List.of(
                // Seeds a known item in a partition no random step writes.
                () -> add("PutItem", PutItemRequest.builder().tableName(JOURNAL).item(existing).build(),
                        client -> client.putItem(r -> r.tableName(JOURNAL).item(existing))),
                () -> addTransaction(List.of(putJournal(existing, "attribute_not_exists(pk)", true),
                        putJournal(journalItem("acct-8", 2), "attribute_not_exists(pk)", false))),
                // The same item twice: rejected as a whole, even after a failing condition.
                () -> addTransaction(List.of(putJournal(existing, "attribute_not_exists(pk)", false),
                        checkJournal("acct-8", 1, "attribute_exists(pk)"))),
                () -> addTransaction(List.of(putJournal(journalItem("acct-8", 3), null, false),
                        checkJournal("acct-8", 3, "attribute_exists(pk)"))),
                // An item over 400 KB, alone and after a failing condition.
                () -> addTransaction(List.of(putJournal(withMemo(journalItem("acct-8", 4), "x".repeat(410_000)), null, false))),
                () -> addTransaction(List.of(checkJournal("acct-8", 9, "attribute_exists(pk)"),
                        putJournal(withMemo(journalItem("acct-8", 5), "y".repeat(410_000)), null, false))),
                // A sort key of the wrong type.
                () -> addTransaction(List.of(TransactWriteItem.builder().put(Put.builder().tableName(JOURNAL)
                        .item(Map.of("pk", s("acct-8"), "sk", s("six"))).build()).build())),
                // An empty string as key value.
                () -> addTransaction(List.of(TransactWriteItem.builder().put(Put.builder().tableName(JOURNAL)
                        .item(Map.of("pk", s(""), "sk", n(1))).build()).build())),
                // A table that does not exist, in a ConditionCheck (a cancellation reason) and in a Put.
                () -> addTransaction(List.of(putJournal(journalItem("acct-8", 6), null, false),
                        TransactWriteItem.builder().conditionCheck(ConditionCheck.builder().tableName("missing")
                                .key(Map.of("pk", s("x"))).conditionExpression("attribute_exists(pk)").build()).build())),
                () -> addTransaction(List.of(TransactWriteItem.builder().put(Put.builder().tableName("missing")
                        .item(Map.of("pk", s("x"))).build()).build())),
                // An update that refers to an attribute the item does not have.
                () -> addTransaction(List.of(putJournal(journalItem("acct-8", 7), null, false),
                        TransactWriteItem.builder().update(Update.builder().tableName(BALANCES).key(Map.of("pk", s("acct-8")))
                                .updateExpression("SET balance = overdraft + :one")
                                .expressionAttributeValues(Map.of(":one", n(1))).build()).build())),
                // Creates a balance item through Update, overwrites and deletes journal items: INSERT, MODIFY, REMOVE.
                () -> addTransaction(List.of(
                        TransactWriteItem.builder().update(Update.builder().tableName(BALANCES).key(Map.of("pk", s("acct-8")))
                                .updateExpression("SET balance = :ten, version = :one")
                                .expressionAttributeValues(Map.of(":ten", n(10), ":one", n(1))).build()).build(),
                        putJournal(withMemo(existing, "rewritten"), "attribute_exists(pk)", false),
                        TransactWriteItem.builder().delete(Delete.builder().tableName(JOURNAL)
                                .key(journalKey("acct-8", 2)).build()).build(),
                        checkJournal("acct-8", 1, "amount = :five", Map.of(":five", n(5))))),
                // More than 100 operations.
                () -> {
                    List<TransactWriteItem> many = new ArrayList<>();
                    for (int i = 0; i < 101; i++) {
                        many.add(checkJournal("acct-8", 100 + i, "attribute_not_exists(pk)"));
                    }
                    addTransaction(many);
                },
                // A failed condition and a deletion of an item that is not there, both with ALL_OLD.
                () -> addTransaction(List.of(
                        TransactWriteItem.builder().update(Update.builder().tableName(BALANCES).key(Map.of("pk", s("acct-8")))
                                .updateExpression("SET balance = :zero").conditionExpression("version = :nine")
                                .expressionAttributeValues(Map.of(":zero", n(0), ":nine", n(9)))
                                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD).build()).build(),
                        TransactWriteItem.builder().delete(Delete.builder().tableName(ENTRIES).key(entryKey("day-9", "none"))
                                .conditionExpression("attribute_exists(sk)")
                                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD).build()).build())));
    }

    // --- building blocks ------------------------------------------------------------------------

    private void add(String kind, Object request, Function<DynamoDbClient, ? extends SdkResponse> call) {
        steps.add(new Step(kind, request.toString(), client -> outcome(() -> call.apply(client))));
    }

    private void addTransaction(List<TransactWriteItem> operations) {
        TransactWriteItemsRequest request = TransactWriteItemsRequest.builder().transactItems(operations).build();
        add("TransactWriteItems", request, client -> client.transactWriteItems(request));
    }

    /** Every page, each asked for with the LastEvaluatedKey of the page before, as a client pages. */
    private void addQuery(QueryRequest first) {
        steps.add(new Step("Query", first.toString(), client -> {
            List<Object> pages = new ArrayList<>();
            QueryRequest request = first;
            for (int page = 0; page < 200; page++) {
                QueryRequest current = request;
                Object outcome = outcome(() -> client.query(current));
                pages.add(outcome);
                if (!(outcome instanceof Answer answer)) {
                    break;
                }
                Map<String, AttributeValue> lastEvaluatedKey = ((QueryResponse) answer.response()).lastEvaluatedKey();
                if (lastEvaluatedKey.isEmpty()) {
                    break;
                }
                request = request.toBuilder().exclusiveStartKey(lastEvaluatedKey).build();
            }
            return pages;
        }));
    }

    private TransactWriteItem putJournal(Map<String, AttributeValue> item, String condition, boolean allOld) {
        Put.Builder put = Put.builder().tableName(JOURNAL).item(item).conditionExpression(condition);
        if (allOld) {
            put.returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD);
        }
        return TransactWriteItem.builder().put(put.build()).build();
    }

    private static TransactWriteItem checkJournal(String account, int version, String condition) {
        return checkJournal(account, version, condition, null);
    }

    private static TransactWriteItem checkJournal(String account, int version, String condition, Map<String, AttributeValue> values) {
        return TransactWriteItem.builder().conditionCheck(ConditionCheck.builder().tableName(JOURNAL)
                .key(journalKey(account, version)).conditionExpression(condition)
                .expressionAttributeValues(values).build()).build();
    }

    private Map<String, AttributeValue> journalItem() {
        return journalItem(pick(JOURNAL_ACCOUNTS), version());
    }

    private Map<String, AttributeValue> journalItem(String account, int version) {
        Map<String, AttributeValue> item = new HashMap<>(journalKey(account, version));
        item.put("amount", n(amount()));
        item.put("currency", s(pick("EUR", "USD")));
        if (random.nextBoolean()) {
            item.put("memo", s("transfer " + random.nextInt(1000)));
        }
        return item;
    }

    private Map<String, AttributeValue> entryItem() {
        Map<String, AttributeValue> item = new HashMap<>(entryKey(pick(DAYS), entrySortKey()));
        item.put("account", s(pick(JOURNAL_ACCOUNTS)));
        item.put("amount", n(amount()));
        item.put("currency", s(pick("EUR", "USD")));
        return item;
    }

    private static Map<String, AttributeValue> withMemo(Map<String, AttributeValue> item, String memo) {
        Map<String, AttributeValue> copy = new HashMap<>(item);
        copy.put("memo", s(memo));
        return copy;
    }

    private static Map<String, AttributeValue> journalKey(String account, int version) {
        return Map.of("pk", s(account), "sk", n(version));
    }

    private static Map<String, AttributeValue> entryKey(String day, String sortKey) {
        return Map.of("pk", s(day), "sk", s(sortKey));
    }

    private String entrySortKey() {
        return String.format(Locale.ROOT, "2026-11-%02d#%03d", 1 + random.nextInt(3), random.nextInt(40));
    }

    private int version() {
        return 1 + random.nextInt(MAX_VERSION);
    }

    /** Whole and fractional amounts, negative and positive. */
    private String amount() {
        int cents = random.nextInt(100_000) - 50_000;
        return random.nextBoolean() ? Integer.toString(cents / 100) : String.format(Locale.ROOT, "%.2f", cents / 100.0);
    }

    private static String itemIdentity(TransactWriteItem operation) {
        if (operation.put() != null) {
            return operation.put().tableName() + keyPart(operation.put().item());
        }
        if (operation.update() != null) {
            return operation.update().tableName() + keyPart(operation.update().key());
        }
        if (operation.delete() != null) {
            return operation.delete().tableName() + keyPart(operation.delete().key());
        }
        return operation.conditionCheck().tableName() + keyPart(operation.conditionCheck().key());
    }

    private static String keyPart(Map<String, AttributeValue> item) {
        return "/" + item.get("pk") + "/" + item.get("sk");
    }

    private static int compare(AttributeValue a, AttributeValue b) {
        return a.n() != null ? Integer.compare(Integer.parseInt(a.n()), Integer.parseInt(b.n())) : a.s().compareTo(b.s());
    }

    @SafeVarargs
    private <T> T pick(T... choices) {
        return choices[random.nextInt(choices.length)];
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(String value) {
        return AttributeValue.fromN(value);
    }

    private static AttributeValue n(int value) {
        return AttributeValue.fromN(Integer.toString(value));
    }

    private static AttributeDefinition attribute(String name, ScalarAttributeType type) {
        return AttributeDefinition.builder().attributeName(name).attributeType(type).build();
    }

    private static KeySchemaElement keyElement(String name, KeyType type) {
        return KeySchemaElement.builder().attributeName(name).keyType(type).build();
    }
}
