package dev.ledger.projections;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent.KinesisEventRecord;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse.BatchItemFailure;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ledger.domain.api.AccountEvent.AccountOpened;
import dev.ledger.domain.api.AccountEvent.EntryPosted;
import dev.ledger.domain.api.LedgerEvent;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import dev.ledger.projections.Projection.Step;
import dev.ledger.store.StoredEvent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * A batch costs a few requests whatever its length, with the per-record guarantees intact: counted
 * with an interceptor on the consumer's own client against the emulator, while another client plays
 * the other writers.
 */
@ExtendWith(LocalAwsExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProjectionBatchIT {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");
    private static final AtomicLong SEQUENCE = new AtomicLong(1000);
    private static final AtomicLong TABLES = new AtomicLong();

    private final DynamoRequests requests = new DynamoRequests();
    private final Map<Projection, String> tables = new java.util.IdentityHashMap<>();
    private AwsClients counted;
    private DynamoDbClient other;
    private SqsClient sqs;
    private TestNames names;
    private String queueUrl;

    @BeforeEach
    void setUp(AwsClients aws, TestNames names) {
        this.counted = AwsClients.forEndpoint(aws.endpoint(), List.of(requests));
        this.other = aws.dynamoDb();
        this.sqs = aws.sqs();
        this.names = names;
        queueUrl = sqs.createQueue(r -> r.queueName(names.queue("batch-dlq-" + TABLES.incrementAndGet()))).queueUrl();
        requests.reset();
    }

    @AfterEach
    void closeClients() {
        counted.close();
    }

    @Test
    void aBatchOfEightyEventsOfOneAccountCostsOneReadAndOneWriteInEachProjection() {
        List<StoredEvent> a = account("a", 80);
        List<KinesisEventRecord> batch = records(a);
        Projection balances = projection(ProjectionCatalog.BALANCES);
        Projection history = projection(ProjectionCatalog.HISTORY);

        assertThat(consumer(balances).consume(batch).getBatchItemFailures()).isEmpty();
        Map<String, Integer> balanceRequests = requests.counts();
        requests.reset();
        assertThat(consumer(history).consume(batch).getBatchItemFailures()).isEmpty();
        Map<String, Integer> historyRequests = requests.counts();

        // A balance is one item whatever the run: a plain conditional put. History writes 80 entries
        // and the cursor: 81 items, one transaction.
        assertThat(balanceRequests).isEqualTo(Map.of("BatchGetItem", 1, "PutItem", 1));
        assertThat(historyRequests).isEqualTo(Map.of("BatchGetItem", 1, "TransactWriteItems", 1));
        assertThat(balances.position(StreamId.account("a")).item()).isEqualTo(last(balances, a).after().item());
        assertThat(history.position(StreamId.account("a")).item()).isEqualTo(last(history, a).after().item());
        assertThat(entries(history, "a")).hasSize(80);
    }

    @Test
    void aStreamAnotherWriterMovesBetweenTheReadAndTheWriteIsReadAgainAndItsNeighboursAreStillWritten() {
        List<StoredEvent> a = account("a", 5);
        List<StoredEvent> b = account("b", 5);
        List<StoredEvent> c = account("c", 5);
        List<KinesisEventRecord> batch = interleaved(a, b, c);
        Projection balances = projection(ProjectionCatalog.BALANCES);
        Projection rebuild = ProjectionCatalog.BALANCES.projection(other, table(balances));
        requests.afterOnce(r -> r instanceof BatchGetItemRequest, () -> {
            // Another writer (a rebuild's catch-up, a second delivery) applies a's first two events.
            Projection.Position one = rebuild.apply(a.get(0), Projection.Position.NONE);
            rebuild.apply(a.get(1), one);
        });
        ByteArrayOutputStream log = new ByteArrayOutputStream();

        assertThat(consumer(balances, log).consume(batch).getBatchItemFailures()).isEmpty();

        // The transaction of a, b and c was cancelled on a alone: b and c went again at once, then a
        // was read again and its last three events written on top of the other writer's.
        assertThat(requests.counts()).isEqualTo(Map.of("BatchGetItem", 2, "TransactWriteItems", 1, "PutItem", 1));
        for (List<StoredEvent> stream : List.of(a, b, c)) {
            StreamId id = stream.get(0).stream();
            assertThat(balances.position(id).item()).as(id.toString()).isEqualTo(last(balances, stream).after().item());
        }
        JsonNode line = logLine(log);
        assertThat(line.path("applied").asInt()).isEqualTo(13);
        assertThat(line.path("duplicates").asInt()).isEqualTo(2);
    }

    @Test
    void aPoisonEventInTheMiddleOfARunIsDeadLetteredAfterTheEventsBeforeItAndBlocksOnlyItsAccount() {
        List<StoredEvent> a = StoredEvents.stream(new AccountOpened("a", EUR, OverdraftLimit.NONE),
                credit("a", 1, 100), credit("a", 2, 200), credit("a", 3, Long.MAX_VALUE - 300),
                credit("a", 4, 100), // its credits overflow a long: this event cannot be folded
                credit("a", 5, 100));
        List<StoredEvent> b = account("b", 4);
        List<KinesisEventRecord> batch = interleaved(a, b);
        KinesisEventRecord poison = batch.stream().filter(r -> r.getKinesis().getPartitionKey().equals("account:a"))
                .skip(4).findFirst().orElseThrow();
        Projection history = projection(ProjectionCatalog.HISTORY);

        assertThat(consumer(history).consume(batch).getBatchItemFailures()).isEmpty();

        Projection.Position at = history.position(StreamId.account("a"));
        assertThat(at.version()).as("a waits at its last good state").isEqualTo(4);
        assertThat(at.blocked()).isTrue();
        assertThat(entries(history, "a")).extracting(e -> e.get("sk").n()).containsExactly("1", "2", "3", "4");
        assertThat(history.position(StreamId.account("b")).item()).isEqualTo(last(history, b).after().item());
        assertThat(entries(history, "b")).hasSize(4);
        var messages = sqs.receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10)).messages();
        assertThat(messages).singleElement().satisfies(m -> assertThat(m.body()).contains(
                "\"sequenceNumber\":\"" + poison.getKinesis().getSequenceNumber() + "\"", "cannot be applied"));
    }

    @Test
    void aGapInOneAccountStopsTheBatchAtItsRecordWithEverythingBeforeItWrittenInEveryAccount() {
        List<StoredEvent> a = account("a", 3);
        List<StoredEvent> b = account("b", 3);
        Projection balances = projection(ProjectionCatalog.BALANCES);
        KinesisEventRecord gap = record(a.get(2));
        List<KinesisEventRecord> batch = List.of(record(a.get(0)), record(b.get(0)), gap, record(b.get(1)),
                record(b.get(2)));

        assertThat(consumer(balances).consume(batch).getBatchItemFailures())
                .extracting(BatchItemFailure::getItemIdentifier).containsExactly(gap.getKinesis().getSequenceNumber());

        assertThat(balances.position(StreamId.account("a")).version()).isEqualTo(1);
        assertThat(balances.position(StreamId.account("b")).version())
                .as("b's records after the gap wait for the retry").isEqualTo(1);
        // Lambda retries from the gap; the missing event has arrived by then.
        assertThat(consumer(balances).consume(List.of(record(a.get(1)), gap, record(b.get(1)), record(b.get(2))))
                .getBatchItemFailures()).isEmpty();
        assertThat(balances.position(StreamId.account("a")).item()).isEqualTo(last(balances, a).after().item());
        assertThat(balances.position(StreamId.account("b")).item()).isEqualTo(last(balances, b).after().item());
    }

    @Test
    void aRunLongerThanOneTransactionGoesInPiecesAndAnOutageReportsItsFirstUnwrittenRecordNotAnotherAccounts() {
        List<StoredEvent> a = account("a", 150);
        List<StoredEvent> b = account("b", 2);
        List<KinesisEventRecord> batch = new ArrayList<>();
        batch.add(record(b.get(0)));
        a.forEach(event -> batch.add(record(event)));
        batch.add(record(b.get(1)));
        Projection history = projection(ProjectionCatalog.HISTORY);
        // b's entries and cursor go first (3 items), then a's in pieces of 99 entries and the cursor,
        // then 51 and the cursor: the third transaction fails.
        AtomicInteger transactions = new AtomicInteger();
        requests.failOnce(r -> r instanceof TransactWriteItemsRequest && transactions.incrementAndGet() == 3);

        var response = consumer(history).consume(batch);

        KinesisEventRecord firstUnwritten = batch.get(100); // a's 100th event
        assertThat(response.getBatchItemFailures()).extracting(BatchItemFailure::getItemIdentifier)
                .containsExactly(firstUnwritten.getKinesis().getSequenceNumber());
        assertThat(history.position(StreamId.account("a")).version()).isEqualTo(99);
        assertThat(entries(history, "a")).hasSize(99);
        assertThat(history.position(StreamId.account("b")).version()).as("written, after a's failure").isEqualTo(2);

        requests.reset();
        assertThat(consumer(history).consume(batch.subList(100, batch.size())).getBatchItemFailures()).isEmpty();
        assertThat(requests.counts()).isEqualTo(Map.of("BatchGetItem", 1, "TransactWriteItems", 1));
        assertThat(history.position(StreamId.account("a")).item()).isEqualTo(last(history, a).after().item());
        assertThat(entries(history, "a")).extracting(e -> Long.parseLong(e.get("sk").n()))
                .containsExactlyElementsOf(a.stream().map(StoredEvent::version).toList());
    }

    /** A new table of the projection, read and written through the counted client. */
    private Projection projection(ProjectionCatalog kind) {
        String table = names.table(kind.label() + "-batch-" + TABLES.incrementAndGet());
        kind.createTable(other, table);
        Projection projection = kind.projection(counted.dynamoDb(), table);
        tables.put(projection, table);
        return projection;
    }

    private String table(Projection projection) {
        return tables.get(projection);
    }

    private ProjectionConsumer consumer(Projection projection) {
        return new ProjectionConsumer(projection, new DeadLetters(sqs, queueUrl));
    }

    private ProjectionConsumer consumer(Projection projection, ByteArrayOutputStream log) {
        return new ProjectionConsumer(() -> projection, new DeadLetters(sqs, queueUrl),
                new ProjectionLog(new PrintStream(log, true, StandardCharsets.UTF_8), Clock.systemUTC()));
    }

    private static JsonNode logLine(ByteArrayOutputStream log) {
        try {
            return new ObjectMapper().readTree(log.toString(StandardCharsets.UTF_8));
        } catch (java.io.IOException unreadable) {
            throw new AssertionError(unreadable);
        }
    }

    /** The account opened and credited {@code events - 1} times from the bank. */
    private static List<StoredEvent> account(String id, int events) {
        List<LedgerEvent> stream = new ArrayList<>(List.of(new AccountOpened(id, EUR, OverdraftLimit.NONE)));
        for (int i = 1; i < events; i++) {
            stream.add(credit(id, i, 100));
        }
        return StoredEvents.stream(stream.toArray(LedgerEvent[]::new));
    }

    private static EntryPosted credit(String account, int n, long minorUnits) {
        return new EntryPosted(account, account + "-t" + n, Side.CREDIT, "bank", Money.of(minorUnits, EUR));
    }

    private static Step last(Projection projection, List<StoredEvent> events) {
        List<Step> steps = StoredEvents.fold(projection, events);
        return steps.get(steps.size() - 1);
    }

    private List<Map<String, AttributeValue>> entries(Projection history, String account) {
        return other.query(r -> r.tableName(table(history)).keyConditionExpression("id = :a AND sk > :zero")
                .consistentRead(true).expressionAttributeValues(Map.of(":a", AttributeValue.fromS(account),
                        ":zero", AttributeValue.fromN("0")))).items();
    }

    /** The streams' events as one shard would carry them: a's first, b's first, ..., a's second, ... */
    @SafeVarargs
    private static List<KinesisEventRecord> interleaved(List<StoredEvent>... streams) {
        List<KinesisEventRecord> records = new ArrayList<>();
        int longest = 0;
        for (List<StoredEvent> stream : streams) {
            longest = Math.max(longest, stream.size());
        }
        for (int i = 0; i < longest; i++) {
            for (List<StoredEvent> stream : streams) {
                if (i < stream.size()) {
                    records.add(record(stream.get(i)));
                }
            }
        }
        return records;
    }

    private static List<KinesisEventRecord> records(List<StoredEvent> events) {
        return events.stream().map(ProjectionBatchIT::record).toList();
    }

    private static KinesisEventRecord record(StoredEvent event) {
        return KinesisRecords.of(event, SEQUENCE.incrementAndGet());
    }
}
