package dev.ledger.projections.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent.KinesisEventRecord;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.OriginalKind;
import dev.ledger.domain.api.ReversalRequest;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.ledger.Ledger;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.functions.command.CommandService;
import dev.ledger.functions.command.CommandService.Committed;
import dev.ledger.functions.command.RetryPolicy;
import dev.ledger.http.ApiTokens;
import dev.ledger.http.HttpRequest;
import dev.ledger.http.HttpResponse;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import dev.ledger.projections.BalancesProjection;
import dev.ledger.projections.DeadLetters;
import dev.ledger.projections.HistoryProjection;
import dev.ledger.projections.HistoryReader;
import dev.ledger.projections.KinesisRecords;
import dev.ledger.projections.ProjectionCatalog;
import dev.ledger.projections.ProjectionConsumer;
import dev.ledger.projections.TransfersProjection;
import dev.ledger.store.DynamoEventStore;
import dev.ledger.store.EventsTableSchema;
import dev.ledger.store.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * What the read API shows of reversals (issue 12 §2), over projections fed from a real log: the
 * transfer lists its reversals and what is still reversible, each account's history names the
 * original transfer and the reversal, the balance as of an instant folds them, and their chains verify.
 */
@ExtendWith(LocalAwsExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReversalReadsIT {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");

    private final MutableClock clock = new MutableClock(Instant.parse("2026-09-01T00:00:00Z"));
    private DynamoEventStore store;
    private QueryApi api;
    private Instant firstReversalAt;
    private Instant forcedAt;

    @BeforeAll
    void aPaymentReversedOnceByPaymentsAndOnceByAnOperatorPastTheFloor(AwsClients aws, TestNames names) {
        DynamoDbClient dynamo = aws.dynamoDb();
        store = new DynamoEventStore(dynamo, names.table("events"));
        EventsTableSchema.create(dynamo, store.table());
        CommandService commands = new CommandService(store, clock, RetryPolicy.standard(new SplittableRandom(3)));
        run(commands, l -> l.openAccount(new OpenAccount("bank", EUR, OverdraftLimit.UNLIMITED)));
        run(commands, l -> l.openAccount(new OpenAccount("alice", EUR, OverdraftLimit.NONE)));
        run(commands, l -> l.openAccount(new OpenAccount("shop", EUR, OverdraftLimit.NONE)));
        run(commands, l -> l.transfer("fund", TransferRequest.posted("bank", "alice", eur("100.00"))));
        run(commands, l -> l.transfer("pay", TransferRequest.posted("alice", "shop", eur("40.00"))));
        firstReversalAt = run(commands, l -> l.reverseTransfer("r-1", "pay", c -> new ReversalRequest(
                OriginalKind.TRANSFER, "pay", Money.parse("10.00", c), false, new TreeMap<>()))).events().get(0)
                .recordedAt();
        run(commands, l -> l.transfer("spent", TransferRequest.posted("shop", "bank", eur("30.00"))));
        forcedAt = run(commands, l -> l.reverseTransfer("r-2", "pay", c -> new ReversalRequest(
                OriginalKind.TRANSFER, "pay", Money.parse("5.00", c), true, new TreeMap<>()))).events().get(0)
                .recordedAt();

        String balances = names.table("balances");
        String history = names.table("history");
        String transfers = names.table("transfers");
        ProjectionCatalog.BALANCES.createTable(dynamo, balances);
        ProjectionCatalog.HISTORY.createTable(dynamo, history);
        ProjectionCatalog.TRANSFERS.createTable(dynamo, transfers);
        List<KinesisEventRecord> records = new ArrayList<>();
        for (StreamId stream : List.of(StreamId.account("bank"), StreamId.account("alice"), StreamId.account("shop"),
                StreamId.transfer("pay"), StreamId.reversal("r-1"), StreamId.reversal("r-2"))) {
            store.readStream(stream, 1).forEachRemaining(event -> records.add(KinesisRecords.of(event, records.size())));
        }
        DeadLetters deadLetters = new DeadLetters(aws.sqs(),
                aws.sqs().createQueue(r -> r.queueName(names.queue("dlq"))).queueUrl());
        BalancesProjection balancesProjection = new BalancesProjection(dynamo, balances);
        TransfersProjection transfersProjection = new TransfersProjection(dynamo, transfers);
        for (ProjectionConsumer consumer : List.of(new ProjectionConsumer(balancesProjection, deadLetters),
                new ProjectionConsumer(new HistoryProjection(dynamo, history), deadLetters),
                new ProjectionConsumer(transfersProjection, deadLetters))) {
            assertThat(consumer.consume(records).getBatchItemFailures()).as("reversal streams are skipped, not failed")
                    .isEmpty();
        }
        api = new QueryApi(balancesProjection, new HistoryReader(dynamo, history), transfersProjection, store,
                ApiTokens.parse("audit=auditor"));
    }

    @Test
    void theTransferShowsItsReversalsAndWhatIsStillReversible() {
        JsonNode pay = get("/transfers/pay", Map.of());

        assertThat(pay.get("status").asText()).isEqualTo("POSTED");
        assertThat(pay.get("postedAmount").asText()).isEqualTo("40.00");
        assertThat(pay.get("reversedAmount").asText()).isEqualTo("15.00");
        assertThat(pay.get("reversibleAmount").asText()).isEqualTo("25.00");
        assertThat(pay.get("statusHistory")).extracting(s -> s.get("status").asText()).containsExactly("POSTED");
        assertThat(pay.get("reversals").toString()).isEqualTo("[{\"reversalId\":\"r-1\",\"amount\":\"10.00\","
                + "\"forced\":false,\"version\":2,\"recordedAt\":\"" + firstReversalAt + "\",\"effectiveAt\":\""
                + firstReversalAt + "\"},{\"reversalId\":\"r-2\",\"amount\":\"5.00\",\"forced\":true,\"version\":3,"
                + "\"recordedAt\":\"" + forcedAt + "\",\"effectiveAt\":\"" + forcedAt + "\"}]");
    }

    @Test
    void historyEntriesOfAReversalNameTheTransferAndTheReversal() {
        JsonNode entries = get("/accounts/shop/history", Map.of()).get("entries");
        JsonNode forced = entries.get(entries.size() - 1);
        JsonNode first = entries.get(2);

        assertThat(first.get("type").asText()).isEqualTo("EntryReversed");
        assertThat(first.get("transferId").asText()).isEqualTo("pay");
        assertThat(first.get("reversalId").asText()).isEqualTo("r-1");
        assertThat(first.get("counterpartyAccountId").asText()).isEqualTo("alice");
        assertThat(first.get("amount").asText()).isEqualTo("-10.00");
        assertThat(first.get("forced").asBoolean()).isFalse();
        assertThat(forced.get("reversalId").asText()).isEqualTo("r-2");
        assertThat(forced.get("forced").asBoolean()).isTrue();
        assertThat(forced.get("balanceAfter").asText()).isEqualTo("-5.00");
        assertThat(get("/accounts/alice/history", Map.of()).get("entries").get(3).get("amount").asText())
                .isEqualTo("10.00");
        assertThat(get("/accounts/shop/history", Map.of()).get("entries").get(1).has("reversalId"))
                .as("other entries keep their shape").isFalse();
    }

    @Test
    void theBalanceAsOfAnInstantFoldsReversalsAndTheChainsVerify() {
        JsonNode before = get("/accounts/shop/balance", Map.of("asOf", firstReversalAt.minusMillis(1).toString()));
        JsonNode after = get("/accounts/shop/balance", Map.of("asOf", firstReversalAt.toString()));
        JsonNode now = get("/accounts/shop", Map.of());

        assertThat(before.get("balance").asText()).isEqualTo("40.00");
        assertThat(after.get("balance").asText()).isEqualTo("30.00");
        assertThat(now.get("balance").asText()).isEqualTo("-5.00");
        assertThat(get("/audit/accounts/shop/verify", Map.of()).get("valid").asBoolean()).isTrue();
    }

    private JsonNode get(String path, Map<String, String> query) {
        HttpResponse response = api.handle(new HttpRequest("GET", path, Map.of("authorization", "Bearer audit"), query,
                null, "r"), "c").response();
        assertThat(response.status()).as(path + " " + response.body()).isEqualTo(200);
        return response.body();
    }

    private Committed run(CommandService commands, Function<Ledger, LedgerResult> command) {
        clock.advance(Duration.ofSeconds(1));
        Committed done = commands.execute("setup", command);
        assertThat(done.result().isRejected()).as(String.valueOf(done.result().rejection())).isFalse();
        return done;
    }

    private static Money eur(String amount) {
        return Money.parse(amount, EUR);
    }
}
