package dev.ledger.projections;

import dev.ledger.domain.api.StreamId;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.BiFunction;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Every read projection, once: its name (as {@code replay rebuild --projection} and the read route
 * {@code route#<name>} spell it), which streams it follows, the stack output and the Lambda
 * environment variable naming its deployed table, its table's key schema, and how to build it on a
 * table. The projection Lambdas, the read API, {@code replay rebuild} and {@code replay verify} all
 * take their projections from here; {@code infra/template.yaml} must agree (infra's tests check it).
 */
public enum ProjectionCatalog {

    /** One item per account: its balances. */
    BALANCES(StreamId.StreamType.ACCOUNT, "BalancesTableName", "LEDGER_BALANCES_TABLE", false,
            BalancesProjection::new),
    /** Per account, a cursor ({@code sk = 0}) and one entry per event ({@code sk = version}). */
    HISTORY(StreamId.StreamType.ACCOUNT, "HistoryTableName", "LEDGER_HISTORY_TABLE", true,
            HistoryProjection::new),
    /**
     * One item per transfer and one per multi-leg transaction: its state and status history. A
     * transaction's item is keyed {@code transaction#ID} ({@link #itemId}): '#' is never in an id, so
     * it cannot meet a transfer's.
     */
    TRANSFERS(EnumSet.of(StreamId.StreamType.TRANSFER, StreamId.StreamType.TRANSACTION), "TransfersTableName",
            "LEDGER_TRANSFERS_TABLE", false, TransfersProjection::new),
    /**
     * The metadata index (issue 16): per account, transfer or transaction, a cursor ({@code sk = 0})
     * and up to 16 slot items ({@code sk = 1..16}), one per metadata key, read by value through the
     * sparse GSI {@code metadata-by-pair}; see {@link MetadataProjection}. Slot items are overwritten
     * in place, so this is the one {@linkplain #slotted() slotted} table.
     */
    METADATA(EnumSet.of(StreamId.StreamType.ACCOUNT, StreamId.StreamType.TRANSFER, StreamId.StreamType.TRANSACTION),
            "MetadataTableName", "LEDGER_METADATA_TABLE", true, MetadataProjection::new);

    private final Set<StreamId.StreamType> streams;
    private final String templateOutput;
    private final String environmentVariable;
    private final boolean sorted;
    private final BiFunction<DynamoDbClient, String, Projection> factory;

    ProjectionCatalog(StreamId.StreamType streams, String templateOutput, String environmentVariable, boolean sorted,
                      BiFunction<DynamoDbClient, String, Projection> factory) {
        this(EnumSet.of(streams), templateOutput, environmentVariable, sorted, factory);
    }

    ProjectionCatalog(Set<StreamId.StreamType> streams, String templateOutput, String environmentVariable, boolean sorted,
                      BiFunction<DynamoDbClient, String, Projection> factory) {
        this.streams = streams;
        this.templateOutput = templateOutput;
        this.environmentVariable = environmentVariable;
        this.sorted = sorted;
        this.factory = factory;
    }

    /** The projection's name: {@code balances}, {@code history}, {@code transfers}, {@code metadata}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The kinds of stream it follows (it ignores the others). */
    public Set<StreamId.StreamType> streams() {
        return Collections.unmodifiableSet(streams);
    }

    public boolean follows(StreamId stream) {
        return streams.contains(stream.type());
    }

    /**
     * The {@code id} of a stream's item (or partition) in the projection's table: the stream's id, but
     * {@code transaction#ID} for a multi-leg transaction, which shares the transfers table.
     */
    public String itemId(StreamId stream) {
        if (this == METADATA) {
            return MetadataProjection.itemId(stream);
        }
        return stream.type() == StreamId.StreamType.TRANSACTION ? TRANSACTION_PREFIX + stream.id() : stream.id();
    }

    /** How a transaction's item id begins; '#' is not an id character, so no transfer's id does. */
    static final String TRANSACTION_PREFIX = "transaction#";

    /** The stack output naming the deployed table (e.g. {@code BalancesTableName}). */
    public String templateOutput() {
        return templateOutput;
    }

    /** The Lambda environment variable naming the deployed table (e.g. {@code LEDGER_BALANCES_TABLE}). */
    public String environmentVariable() {
        return environmentVariable;
    }

    /** Whether the table's key is {@code id} + {@code sk} (else {@code id} alone): see {@link ProjectionTables}. */
    public boolean sorted() {
        return sorted;
    }

    /**
     * Whether the stream's items beside its cursor are overwritten in place (the metadata index's
     * slots) rather than written once per version (history's entries): {@link RunWriter} then puts
     * them unconditionally, guarded by the cursor's condition in the same transaction, and
     * {@code replay verify} compares the fold's last slot items with the live partition.
     */
    public boolean slotted() {
        return this == METADATA;
    }

    /** Creates the projection's table (tests, shadow tables of a rebuild) and waits until it exists. */
    public void createTable(DynamoDbClient dynamo, String table) {
        ProjectionTables.create(dynamo, table, sorted, indexes());
        dynamo.waiter().waitUntilTableExists(r -> r.tableName(table));
    }

    /** The global secondary indexes of its table ({@code infra/template.yaml} declares the same). */
    public List<ProjectionTables.Index> indexes() {
        return switch (this) {
            case BALANCES -> BalancesItemCodec.INDEXES;
            case TRANSFERS -> TransfersItemCodec.INDEXES;
            case METADATA -> List.of(MetadataProjection.INDEX);
            case HISTORY -> List.of();
        };
    }

    /** The projection, reading and writing {@code table}. */
    public Projection projection(DynamoDbClient dynamo, String table) {
        return factory.apply(dynamo, table);
    }

    /** The projection called {@code label}. */
    public static ProjectionCatalog named(String label) {
        return Arrays.stream(values()).filter(p -> p.label().equals(label)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no projection " + label));
    }
}
