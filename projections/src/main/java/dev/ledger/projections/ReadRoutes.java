package dev.ledger.projections;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;

/**
 * Which table serves each projection. DynamoDB cannot rename a table, so a blue/green rebuild
 * ({@code replay rebuild --swap}) builds a new table and then records it here, in the control
 * table, as the projection's route: item {@code route#<projection>} with attribute {@code table}.
 * Without a route (the usual case) a projection is served by the table the deployment named.
 *
 * <p>The projection consumers look the route up once per batch with a consistent read, so no batch
 * that starts after a swap writes to the old table; the rebuild's catch-up pass after the swap
 * covers what batches already running wrote there. The read API may cache a route for a few
 * seconds ({@code maxAge}): until then it serves the old table, which stays complete up to the swap.
 */
public final class ReadRoutes {

    /** The control table's name, in the handlers' environment. */
    public static final String CONTROL_TABLE = "LEDGER_CONTROL_TABLE";

    static final String ID = "id";
    static final String TABLE = "table";
    static final String PREVIOUS = "previous";
    static final String SWITCHED_AT = "switchedAt";
    static final String SWITCHED_BY = "switchedBy";

    /** A recorded route: the table now serving {@code projection}, and the one it replaced. */
    public record Route(String projection, String table, String previous, Instant switchedAt, String switchedBy) {
    }

    private record Cached(String table, Instant readAt) {
    }

    private final DynamoDbClient dynamo;
    private final String controlTable;
    private final Clock clock;
    private final Duration maxAge;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    /**
     * @param controlTable null when the deployment has none: every projection is then served by its
     *                     deployed table
     * @param maxAge       how long a route read is reused; zero reads it every time
     */
    public ReadRoutes(DynamoDbClient dynamo, String controlTable, Clock clock, Duration maxAge) {
        this.dynamo = dynamo;
        this.controlTable = controlTable;
        this.clock = clock;
        this.maxAge = maxAge;
    }

    /** The table serving {@code projection} now: its route, else {@code deployed}. */
    public String tableFor(String projection, String deployed) {
        if (controlTable == null) {
            return deployed;
        }
        Instant now = clock.instant();
        Cached cached = cache.get(projection);
        if (cached != null && now.isBefore(cached.readAt().plus(maxAge))) {
            return cached.table();
        }
        String table = read(dynamo, controlTable, projection).map(Route::table).orElse(deployed);
        cache.put(projection, new Cached(table, now));
        return table;
    }

    /** The recorded route of {@code projection}, read consistently. */
    public static Optional<Route> read(DynamoDbClient dynamo, String controlTable, String projection) {
        GetItemResponse response = dynamo.getItem(r -> r.tableName(controlTable).consistentRead(true)
                .key(Map.of(ID, AttributeValue.fromS(id(projection)))));
        if (!response.hasItem() || response.item().isEmpty()) {
            return Optional.empty();
        }
        Map<String, AttributeValue> item = response.item();
        return Optional.of(new Route(projection, item.get(TABLE).s(),
                Optional.ofNullable(item.get(PREVIOUS)).map(AttributeValue::s).orElse(null),
                Instant.parse(item.get(SWITCHED_AT).s()), item.get(SWITCHED_BY).s()));
    }

    /**
     * Points {@code projection} at {@code table}, if it is still served by {@code expected} (its
     * route's table, or with no route the deployed table): two operators cannot swap over each other.
     *
     * @param hadRoute whether {@code expected} came from a recorded route (false: the deployed table)
     * @throws IllegalStateException if the route changed since it was read
     */
    public static void switchTo(DynamoDbClient dynamo, String controlTable, String projection, String expected,
                                boolean hadRoute, String table, Instant at, String by) {
        try {
            dynamo.putItem(r -> r.tableName(controlTable)
                    .item(Map.of(ID, AttributeValue.fromS(id(projection)), TABLE, AttributeValue.fromS(table),
                            PREVIOUS, AttributeValue.fromS(expected), SWITCHED_AT, AttributeValue.fromS(at.toString()),
                            SWITCHED_BY, AttributeValue.fromS(by)))
                    .conditionExpression(hadRoute ? "#t = :expected" : "attribute_not_exists(#id)")
                    .expressionAttributeNames(hadRoute ? Map.of("#t", TABLE) : Map.of("#id", ID))
                    .expressionAttributeValues(hadRoute ? Map.of(":expected", AttributeValue.fromS(expected)) : null));
        } catch (ConditionalCheckFailedException moved) {
            throw new IllegalStateException("the route of " + projection + " changed while this rebuild ran "
                    + "(it was " + expected + "); nothing was swapped", moved);
        }
    }

    private static String id(String projection) {
        return "route#" + projection;
    }
}
