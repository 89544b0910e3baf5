package dev.ledger.projections;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent.KinesisEventRecord;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse.BatchItemFailure;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.AccountEvent;
import dev.ledger.domain.api.AuditEvent;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.domain.transfer.TransferStatus;
import dev.ledger.functions.command.CommandService;
import dev.ledger.functions.command.RetryPolicy;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import dev.ledger.store.AuditLog;
import dev.ledger.store.DynamoEventStore;
import dev.ledger.store.EventsTableSchema;
import dev.ledger.store.StoredEvent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The projection consumer against real tables and a real queue, fed records built exactly as the
 * publisher writes them: duplicates, gaps, reordering and poison.
 */
@ExtendWith(LocalAwsExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProjectionConsumerIT {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");
    private static final AtomicLong SEQUENCE = new AtomicLong(1000);
    private static final AtomicLong TABLES = new AtomicLong();

    private DynamoDbClient dynamo;
    private SqsClient sqs;
    private TestNames names;
    private DynamoEventStore store;
    private CommandService commands;
    private String queueUrl;

    @BeforeEach
    void setUp(AwsClients aws, TestNames names) {
        this.dynamo = aws.dynamoDb();
        this.sqs = aws.sqs();
        this.names = names;
        long n = TABLES.incrementAndGet();
        String events = names.table("events-" + n);
        EventsTableSchema.create(dynamo, events);
        store = new DynamoEventStore(dynamo, events);
        commands = new CommandService(store, Clock.systemUTC(), RetryPolicy.standard(new SplittableRandom(5)));
        queueUrl = sqs.createQueue(r -> r.queueName(names.queue("dlq-" + n))).queueUrl();
        run(commands, "open-bank", l -> l.openAccount(new OpenAccount("bank", EUR, OverdraftLimit.UNLIMITED)));
        run(commands, "open-a", l -> l.openAccount(new OpenAccount("a", EUR, OverdraftLimit.NONE)));
        run(commands, "open-b", l -> l.openAccount(new OpenAccount("b", EUR, OverdraftLimit.NONE)));
        run(commands, "t1", l -> l.transfer("t1", TransferRequest.posted("bank", "a", eur("10.00"))));
        run(commands, "t2", l -> l.transfer("t2", TransferRequest.pending("a", "b", eur("4.00"), 600)));
        run(commands, "t3", l -> l.postPendingTransfer("t2", eur("3.00")));
        run(commands, "t4", l -> l.transfer("t4", TransferRequest.posted("a", "b", eur("1.00"))));
    }

    @Test
    void duplicatesAndRedeliveriesAreAppliedOnceAndTheResultIsTheFoldOfTheLog() {
        BalancesProjection balances = new BalancesProjection(dynamo, newBalancesTable());
        ProjectionConsumer consumer = new ProjectionConsumer(balances, new DeadLetters(sqs, queueUrl));
        List<KinesisEventRecord> records = records(StreamId.account("a"), StreamId.account("b"));
        List<KinesisEventRecord> twice = new ArrayList<>(records);
        twice.addAll(records.subList(0, 3));

        assertThat(consumer.consume(twice).getBatchItemFailures()).isEmpty();
        assertThat(consumer.consume(records).getBatchItemFailures()).isEmpty();

        assertThat(balances.balance("a").orElseThrow().account()).isEqualTo(fold(StreamId.account("a")));
        assertThat(balances.balance("a").orElseThrow().version()).isEqualTo(headVersion("a"));
        assertThat(balances.balance("b").orElseThrow().account()).isEqualTo(fold(StreamId.account("b")));
    }

    @Test
    void eachBatchWritesOneMetricsLineWithItsCountsAndTheLagOfEveryAppliedEvent() throws Exception {
        Instant now = Instant.now().plusSeconds(60);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BalancesProjection balances = new BalancesProjection(dynamo, newBalancesTable());
        ProjectionConsumer consumer = new ProjectionConsumer(() -> balances, new DeadLetters(sqs, queueUrl),
                new ProjectionLog(new PrintStream(out, true, StandardCharsets.UTF_8), Clock.fixed(now, ZoneOffset.UTC)));
        List<KinesisEventRecord> a = records(StreamId.account("a"));
        List<KinesisEventRecord> batch = new ArrayList<>(a);
        batch.add(a.get(0)); // a redelivery
        batch.add(record("account:b", "{\"this is\":\"not an event\"}"));

        consumer.consume(batch);

        JsonNode line = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
        assertThat(line.path("projection").asText()).isEqualTo("balances");
        assertThat(line.path("records").asInt()).isEqualTo(batch.size());
        assertThat(line.path("applied").asInt()).isEqualTo(a.size());
        assertThat(line.path("duplicates").asInt()).isEqualTo(1);
        assertThat(line.path("deadLettered").asInt()).isEqualTo(1);
        List<Long> expectedLags = new ArrayList<>();
        store.readStream(StreamId.account("a"), 1).forEachRemaining(event ->
                expectedLags.add(Duration.between(event.recordedAt(), now).toMillis()));
        List<Long> lags = new ArrayList<>();
        line.path("lagMs").forEach(lag -> lags.add(lag.asLong()));
        assertThat(lags).isEqualTo(expectedLags);
        assertThat(line.path("_aws").path("CloudWatchMetrics").get(0).path("Metrics"))
                .extracting(metric -> metric.path("Name").asText())
                .containsExactlyInAnyOrder("applied", "duplicates", "deadLettered", "lagMs");
    }

    @Test
    void aGapStopsTheBatchAtTheRecordAfterItAndNothingIsAppliedOutOfOrder() {
        BalancesProjection balances = new BalancesProjection(dynamo, newBalancesTable());
        ProjectionConsumer consumer = new ProjectionConsumer(balances, new DeadLetters(sqs, queueUrl));
        List<KinesisEventRecord> a = records(StreamId.account("a"));
        List<KinesisEventRecord> withGap = List.of(a.get(0), a.get(2), a.get(1));

        StreamsEventResponse response = consumer.consume(withGap);

        assertThat(response.getBatchItemFailures()).extracting(BatchItemFailure::getItemIdentifier)
                .containsExactly(a.get(2).getKinesis().getSequenceNumber());
        assertThat(balances.balance("a").orElseThrow().version()).isEqualTo(1);
        // Lambda retries from the failed record; the redelivery in order completes the account.
        assertThat(consumer.consume(a).getBatchItemFailures()).isEmpty();
        assertThat(balances.balance("a").orElseThrow().account()).isEqualTo(fold(StreamId.account("a")));
    }

    @Test
    void aPoisonRecordIsDeadLetteredAndBlocksOnlyItsOwnStream() {
        BalancesProjection balances = new BalancesProjection(dynamo, newBalancesTable());
        ProjectionConsumer consumer = new ProjectionConsumer(balances, new DeadLetters(sqs, queueUrl));
        List<KinesisEventRecord> a = records(StreamId.account("a"));
        List<KinesisEventRecord> b = records(StreamId.account("b"));
        KinesisEventRecord poison = record("account:a", "{\"this is\":\"not an event\"}");
        List<KinesisEventRecord> batch = new ArrayList<>();
        batch.add(a.get(0));
        batch.add(poison);
        batch.addAll(a.subList(1, a.size()));
        batch.addAll(b);

        assertThat(consumer.consume(batch).getBatchItemFailures()).isEmpty();

        assertThat(balances.balance("a").orElseThrow().version()).as("a waits at its last good state").isEqualTo(1);
        assertThat(balances.position(StreamId.account("a")).blocked()).isTrue();
        assertThat(balances.balance("b").orElseThrow().account()).isEqualTo(fold(StreamId.account("b")));
        var messages = sqs.receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10)).messages();
        assertThat(messages).singleElement().satisfies(m -> assertThat(m.body())
                .contains("\"partitionKey\":\"account:a\"", "\"sequenceNumber\":\""
                        + poison.getKinesis().getSequenceNumber() + "\"", "\"projection\":\"balances\""));
    }

    @Test
    void historyAndTransfersFollowTheirStreamsInOrder() {
        String historyTable = names.table("history-" + TABLES.incrementAndGet());
        ProjectionCatalog.HISTORY.createTable(dynamo, historyTable);
        String transfersTable = names.table("transfers-" + TABLES.incrementAndGet());
        ProjectionCatalog.TRANSFERS.createTable(dynamo, transfersTable);
        HistoryProjection history = new HistoryProjection(dynamo, historyTable);
        TransfersProjection transfers = new TransfersProjection(dynamo, transfersTable);
        List<KinesisEventRecord> all = records(StreamId.account("a"), StreamId.account("b"),
                StreamId.transfer("t1"), StreamId.transfer("t2"), StreamId.transfer("t4"));

        assertThat(new ProjectionConsumer(history, new DeadLetters(sqs, queueUrl)).consume(all)
                .getBatchItemFailures()).isEmpty();
        assertThat(new ProjectionConsumer(transfers, new DeadLetters(sqs, queueUrl)).consume(all)
                .getBatchItemFailures()).isEmpty();

        var t2 = transfers.transfer("t2").orElseThrow();
        assertThat(t2.state().status()).isEqualTo(TransferStatus.POSTED);
        assertThat(t2.history()).extracting(TransfersProjection.StatusChange::status)
                .containsExactly("PENDING", "POSTED");
        var entries = dynamo.query(r -> r.tableName(historyTable).keyConditionExpression("id = :a AND sk > :zero")
                .expressionAttributeValues(java.util.Map.of(":a", software.amazon.awssdk.services.dynamodb.model
                        .AttributeValue.fromS("a"), ":zero", software.amazon.awssdk.services.dynamodb.model
                        .AttributeValue.fromN("0")))).items();
        assertThat(entries).extracting(e -> e.get("sk").n()).containsExactly("1", "2", "3", "4", "5");
        assertThat(entries).extracting(e -> e.get(HistoryItemCodec.BALANCE_AFTER).s())
                .containsExactly("0.00", "10.00", "10.00", "7.00", "6.00");
        assertThat(entries.get(2).get(HistoryItemCodec.AMOUNT).s()).isEqualTo("-4.00");
    }

    @Test
    void auditTrailRecordsPassThroughEveryProjectionUnappliedAndAreNeverPoison() {
        AuditLog trail = new AuditLog(store, Clock.systemUTC());
        for (String actionId : List.of("a-1", "a-2")) {
            trail.append(new AuditEvent.OperationPerformed(actionId, "shards_raised", "account:a",
                    new AuditEvent.Operator("operator token", "operator", null, null), new java.util.TreeMap<>(),
                    AuditEvent.Outcome.SUCCEEDED, null), actionId);
        }
        String historyTable = names.table("history-" + TABLES.incrementAndGet());
        ProjectionCatalog.HISTORY.createTable(dynamo, historyTable);
        String transfersTable = names.table("transfers-" + TABLES.incrementAndGet());
        ProjectionCatalog.TRANSFERS.createTable(dynamo, transfersTable);
        BalancesProjection balances = new BalancesProjection(dynamo, newBalancesTable());
        List<Projection> all = List.of(balances, new HistoryProjection(dynamo, historyTable),
                new TransfersProjection(dynamo, transfersTable));
        List<KinesisEventRecord> batch = records(StreamId.account("a"), AuditLog.TRAIL, StreamId.transfer("t1"));

        for (Projection projection : all) {
            assertThat(new ProjectionConsumer(projection, new DeadLetters(sqs, queueUrl)).consume(batch)
                    .getBatchItemFailures()).as(projection.catalog().label()).isEmpty();
        }

        assertThat(balances.balance("a").orElseThrow().account()).isEqualTo(fold(StreamId.account("a")));
        assertThat(balances.balance("operations")).isEmpty();
        assertThat(all).allSatisfy(projection -> assertThat(projection.follows(AuditLog.TRAIL)).isFalse());
        assertThat(sqs.receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10)).messages())
                .as("nothing dead-lettered").isEmpty();
    }

    private String newBalancesTable() {
        String table = names.table("balances-" + TABLES.incrementAndGet());
        ProjectionCatalog.BALANCES.createTable(dynamo, table);
        return table;
    }

    /** The streams' events as the publisher puts them on Kinesis, interleaved stream by stream. */
    private List<KinesisEventRecord> records(StreamId... streams) {
        List<KinesisEventRecord> records = new ArrayList<>();
        for (StreamId stream : streams) {
            store.readStream(stream, 1).forEachRemaining(event -> records.add(record(event)));
        }
        return records;
    }

    private static KinesisEventRecord record(StoredEvent event) {
        return record(event.stream().toString(), event.toJsonLine());
    }

    private static KinesisEventRecord record(String partitionKey, String data) {
        return KinesisRecords.of(partitionKey, data, SEQUENCE.incrementAndGet());
    }

    private AccountState fold(StreamId account) {
        AccountState state = null;
        for (var events = store.readStream(account, 1); events.hasNext(); ) {
            state = AccountState.evolve(Optional.ofNullable(state), (AccountEvent) events.next().event());
        }
        return state;
    }

    private long headVersion(String accountId) {
        return store.readHead(StreamId.account(accountId)).orElseThrow().version();
    }

    private static void run(CommandService commands, String id,
                            java.util.function.Function<dev.ledger.domain.ledger.Ledger,
                                    dev.ledger.domain.ledger.LedgerResult> command) {
        assertThat(commands.execute(id, command).result().isRejected()).isFalse();
    }

    private static Money eur(String amount) {
        return Money.parse(amount, EUR);
    }
}
