package dev.ledger.projections.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent.KinesisEventRecord;
import dev.ledger.functions.LedgerFixture;
import dev.ledger.functions.LogScan;
import dev.ledger.functions.api.CommandApiHostileCorpus;
import dev.ledger.functions.api.ErrorBodies;
import dev.ledger.functions.api.HostileRequest;
import dev.ledger.http.ApiTokens;
import dev.ledger.http.RequestLog;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import dev.ledger.projections.BalancesProjection;
import dev.ledger.projections.DeadLetters;
import dev.ledger.projections.HistoryProjection;
import dev.ledger.projections.HistoryReader;
import dev.ledger.projections.MetadataIndex;
import dev.ledger.projections.MetadataProjection;
import dev.ledger.projections.KinesisRecords;
import dev.ledger.projections.ProjectionConsumer;
import dev.ledger.projections.ProjectionCatalog;
import dev.ledger.projections.TransfersProjection;
import dev.ledger.store.MutableClock;
import dev.ledger.store.StoredEvent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The read API against {@link QueryApiHostileCorpus}: every hostile read gets its documented 4xx
 * with a stable code and a clean message (see {@link ErrorBodies}), and neither the event log nor
 * any projection table changes.
 */
@ExtendWith(LocalAwsExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueryApiHostileRequestsIT {

    private static final AtomicLong REQUESTS = new AtomicLong();

    private DynamoDbClient dynamo;
    private LedgerFixture ledger;
    private List<String> projectionTables;
    private QueryApiHandler handler;
    private Tables tables;

    @BeforeAll
    void setUp(AwsClients aws, TestNames names) {
        dynamo = aws.dynamoDb();
        ledger = new LedgerFixture(dynamo, names.table("events"), new MutableClock(Instant.parse("2026-05-01T00:00:00Z")));
        CommandApiHostileCorpus.seed(ledger);
        String balancesTable = names.table("balances");
        String historyTable = names.table("history");
        String transfersTable = names.table("transfers");
        ProjectionCatalog.BALANCES.createTable(dynamo, balancesTable);
        ProjectionCatalog.HISTORY.createTable(dynamo, historyTable);
        ProjectionCatalog.TRANSFERS.createTable(dynamo, transfersTable);
        String metadataTable = names.table("metadata");
        ProjectionCatalog.METADATA.createTable(dynamo, metadataTable);
        projectionTables = List.of(balancesTable, historyTable, transfersTable, metadataTable);

        // The projections get the whole log, each stream in version order, as the Kinesis stream would carry it.
        List<StoredEvent> log = LogScan.of(dynamo, ledger.table()).events();
        List<KinesisEventRecord> records = log.stream().map(event -> KinesisRecords.of(event, log.indexOf(event))).toList();
        DeadLetters deadLetters = new DeadLetters(aws.sqs(),
                aws.sqs().createQueue(r -> r.queueName(names.queue("dlq"))).queueUrl());
        BalancesProjection balances = new BalancesProjection(dynamo, balancesTable);
        TransfersProjection transfers = new TransfersProjection(dynamo, transfersTable);
        new ProjectionConsumer(balances, deadLetters).consume(records);
        new ProjectionConsumer(new HistoryProjection(dynamo, historyTable), deadLetters).consume(records);
        new ProjectionConsumer(transfers, deadLetters).consume(records);
        new ProjectionConsumer(new MetadataProjection(dynamo, metadataTable), deadLetters).consume(records);

        handler = new QueryApiHandler(new QueryApi(balances, new HistoryReader(dynamo, historyTable), transfers,
                new MetadataIndex(dynamo, metadataTable), ledger.store(), ApiTokens.parse(LedgerFixture.PAYMENTS + "=payments," + LedgerFixture.AUDITOR
                        + "=auditor," + LedgerFixture.OPERATOR + "=operator")),
                new RequestLog(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)),
                Clock.systemUTC());
        tables = scan();
    }

    static Stream<HostileRequest> corpus() {
        return QueryApiHostileCorpus.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void isRefusedAsDocumentedAndWritesNothing(HostileRequest hostile) {
        Tables before = tables;

        APIGatewayV2HTTPResponse response = handler.handleRequest(hostile.toEvent("read-" + REQUESTS.incrementAndGet()),
                null);

        // Kept before any assertion, so that one failing row never blames the rows after it.
        tables = scan();
        ErrorBodies.assertDocumentedError(response, hostile.status(), hostile.code());
        assertThat(tables.log()).as("every item of the events table").isEqualTo(before.log());
        assertThat(tables.projections()).as("every item of every projection table").isEqualTo(before.projections());
    }

    @Test
    void theCorpusHasDistinctRowsInCategoriesOfSeveral() {
        List<HostileRequest> corpus = QueryApiHostileCorpus.all();
        assertThat(corpus.stream().collect(Collectors.groupingBy(HostileRequest::category, Collectors.counting())))
                .allSatisfy((category, rows) -> assertThat(rows).isGreaterThan(1));
        assertThat(corpus).extracting(HostileRequest::toString).doesNotHaveDuplicates();
    }

    /** Everything the read API could touch, as the previous row left it (rows run one at a time, in order). */
    private record Tables(List<Map<String, AttributeValue>> log, Map<String, Set<Map<String, AttributeValue>>> projections) {
    }

    private Tables scan() {
        return new Tables(LogScan.of(dynamo, ledger.table()).items(), projectionTables.stream().collect(Collectors.toMap(
                table -> table,
                table -> new HashSet<>(dynamo.scanPaginator(r -> r.tableName(table)).items().stream().toList()))));
    }
}
