package dev.ledger.store;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/**
 * What every stored-form fixture generator does alike: read the events table it wrote whole, in key
 * order (the order of the fixture's lines), open its expectations with the counts every fixture test
 * checks first, and write the two files a fixture is.
 */
final class FixtureLogTable {

    private FixtureLogTable() {
    }

    /** Every item of {@code table}, consistently read, by stream then sort key. */
    static List<Map<String, AttributeValue>> scanInKeyOrder(DynamoDbClient dynamo, String table) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            ScanResponse page = dynamo.scan(request -> request.tableName(table).consistentRead(true)
                    .exclusiveStartKey(from));
            items.addAll(page.items());
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        items.sort(Comparator.<Map<String, AttributeValue>, String>comparing(item -> item.get(EventsTable.PK).s())
                .thenComparingLong(item -> Long.parseLong(item.get(EventsTable.SK).n())));
        return items;
    }

    /**
     * Writes the fixture {@code name} into {@code out}: {@code name.jsonl}, one item a line in the order given,
     * and {@code name-expected.json}. Neither may exist yet: a frozen fixture is never overwritten.
     */
    static void write(Path out, String name, List<Map<String, AttributeValue>> items, String expectations)
            throws IOException {
        Files.createDirectories(out);
        List<String> lines = new ArrayList<>();
        items.forEach(item -> lines.add(DynamoItemJson.write(item)));
        Files.write(out.resolve(name + ".jsonl"), lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
        Files.writeString(out.resolve(name + "-expected.json"), expectations + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE_NEW);
    }

    /**
     * The expectations' first fields: the fixture file, its item and event counts (a head is sort key 0),
     * and how many events of each type it holds.
     */
    static ObjectNode header(String fixtureFile, List<Map<String, AttributeValue>> items) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("fixture", fixtureFile);
        root.put("items", items.size());
        root.put("events", items.stream().filter(item -> !item.get(EventsTable.SK).n().equals("0")).count());
        ObjectNode types = root.putObject("eventTypes");
        new TreeMap<>(items.stream().filter(item -> item.containsKey(EventsTable.TYPE))
                .collect(Collectors.groupingBy(item -> item.get(EventsTable.TYPE).s(), Collectors.counting())))
                .forEach(types::put);
        return root;
    }
}
