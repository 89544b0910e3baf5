package dev.ledger.projections.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent.KinesisEventRecord;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.AuditEvent;
import dev.ledger.domain.api.AccountEvent;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.api.TransactionEntry;
import dev.ledger.domain.api.TransactionRequest;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.ledger.Ledger;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.functions.command.CommandService;
import dev.ledger.functions.command.RetryPolicy;
import dev.ledger.http.ApiTokens;
import dev.ledger.http.RequestLog;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import dev.ledger.projections.BalancesProjection;
import dev.ledger.projections.DeadLetters;
import dev.ledger.projections.HistoryProjection;
import dev.ledger.projections.HistoryReader;
import dev.ledger.projections.KinesisRecords;
import dev.ledger.projections.ProjectionConsumer;
import dev.ledger.projections.ProjectionCatalog;
import dev.ledger.projections.TransfersProjection;
import dev.ledger.store.DynamoEventStore;
import dev.ledger.store.EventsTableSchema;
import dev.ledger.store.StoredEvent;
import dev.ledger.store.TickingClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The auditor's read routes through their Lambda handler, over projections fed from a real log. */
@ExtendWith(LocalAwsExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueryApiIT {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant START = Instant.parse("2026-08-01T00:00:00Z");

    private DynamoEventStore store;
    private QueryApiHandler handler;

    @BeforeAll
    void setUp(AwsClients aws, TestNames names) {
        DynamoDbClient dynamo = aws.dynamoDb();
        store = new DynamoEventStore(dynamo, names.table("events"));
        EventsTableSchema.create(dynamo, store.table());
        String balancesTable = names.table("balances");
        String historyTable = names.table("history");
        String transfersTable = names.table("transfers");
        ProjectionCatalog.BALANCES.createTable(dynamo, balancesTable);
        ProjectionCatalog.HISTORY.createTable(dynamo, historyTable);
        ProjectionCatalog.TRANSFERS.createTable(dynamo, transfersTable);

        // Every command is recorded one second after the one before.
        Clock seconds = new TickingClock(START, Duration.ofSeconds(1));
        CommandService commands = new CommandService(store, seconds, RetryPolicy.standard(new SplittableRandom(9)));
        run(commands, l -> l.openAccount(new OpenAccount("bank", EUR, OverdraftLimit.UNLIMITED)));
        run(commands, l -> l.openAccount(new OpenAccount("alice", EUR, OverdraftLimit.NONE)));
        run(commands, l -> l.openAccount(new OpenAccount("bob", EUR, OverdraftLimit.NONE)));
        for (int i = 1; i <= 12; i++) {
            int n = i;
            run(commands, l -> l.transfer("d" + n, TransferRequest.posted("bank", "alice", Money.parse(n + ".00", EUR))));
        }
        run(commands, l -> l.transfer("hold", TransferRequest.pending("alice", "bob", Money.parse("5.00", EUR), 600)));
        run(commands, l -> l.postPendingTransfer("hold", Money.parse("2.00", EUR)));
        run(commands, l -> l.openAccount(new OpenAccount("carol", EUR, OverdraftLimit.NONE)));
        run(commands, l -> l.openAccount(new OpenAccount("dave", EUR, OverdraftLimit.NONE)));
        run(commands, l -> l.transaction("tx-1", new TransactionRequest(List.of(
                new TransactionEntry(0, "bank", Side.DEBIT, Money.parse("10.00", EUR)),
                new TransactionEntry(1, "carol", Side.CREDIT, Money.parse("7.00", EUR)),
                new TransactionEntry(2, "dave", Side.CREDIT, Money.parse("3.00", EUR))), true, 600,
                new java.util.TreeMap<>(Map.of("order", "A-17")))));
        run(commands, l -> l.postPendingTransaction("tx-1"));
        assertThat(commands.execute("setup", l -> l.transaction("tx-bad", new TransactionRequest(List.of(
                new TransactionEntry(0, "bank", Side.DEBIT, Money.parse("1.00", EUR)),
                new TransactionEntry(1, "carol", Side.CREDIT, Money.parse("2.00", EUR))), false, 0, null)))
                .result().rejection().code().code()).isEqualTo("unbalanced");
        // Issue 12 §2: a transaction posted at once, then reversed in full.
        run(commands, l -> l.openAccount(new OpenAccount("erin", EUR, OverdraftLimit.NONE)));
        run(commands, l -> l.transaction("tx-2", new TransactionRequest(List.of(
                new TransactionEntry(0, "bank", Side.DEBIT, Money.parse("4.00", EUR)),
                new TransactionEntry(1, "erin", Side.CREDIT, Money.parse("4.00", EUR))), false, 0, null)));
        run(commands, l -> l.reverseTransaction("txr-1", new dev.ledger.domain.api.ReversalRequest(
                dev.ledger.domain.api.OriginalKind.TRANSACTION, "tx-2", null, false, null)));

        // Batches on an account of their own (the reversed transaction's history above is checked exactly).
        run(commands, l -> l.openAccount(new OpenAccount("frank", EUR, OverdraftLimit.NONE)));
        // Issue 16: an account opened with metadata, then replaced.
        run(commands, l -> l.openAccount(new OpenAccount("gina", EUR, OverdraftLimit.NONE,
                new java.util.TreeMap<>(Map.of("customer", "c-1")))));
        run(commands, l -> l.openAccount(new OpenAccount("hugo", dev.ledger.domain.money.CurrencyUnit.of("USD"),
                OverdraftLimit.NONE)));
        run(commands, l -> l.freezeAccount("hugo"));
        run(commands, l -> l.setAccountMetadata("gina", new java.util.TreeMap<>(Map.of("customer", "c-2", "tier", "gold"))));
        run(commands, l -> l.atomicBatch("batch-1", dev.ledger.store.BatchDigest.request(true, List.of(
                new dev.ledger.domain.api.BatchItem.TransferItem("bt-1", TransferRequest.posted("bank", "frank",
                        Money.parse("4.00", EUR)))))));
        assertThat(commands.execute("setup", l -> l.atomicBatch("batch-2", dev.ledger.store.BatchDigest.request(true,
                List.of(new dev.ledger.domain.api.BatchItem.TransferItem("bt-2", TransferRequest.posted("frank", "bank",
                        Money.parse("9.00", EUR))))))).result().rejection().code().code()).isEqualTo("insufficient_funds");

        // Issue 15: five operator actions on the audit trail, the last a started rebuild with no end yet.
        dev.ledger.store.AuditLog trail = new dev.ledger.store.AuditLog(store, seconds);
        AuditEvent.Operator tool = new AuditEvent.Operator("arn:aws:sts::123456789012:assumed-role/ops/jane", null,
                "jane", "bastion-1");
        for (int i = 1; i <= 4; i++) {
            trail.append(new AuditEvent.OperationPerformed("act-" + i, "route_switch", "route#balances", tool,
                    new java.util.TreeMap<>(Map.of("to", "balances-rebuild-" + i)), AuditEvent.Outcome.SUCCEEDED, null),
                    "act-" + i);
        }
        trail.append(new AuditEvent.OperationStarted("act-5", "rebuild", "projection:history", tool,
                new java.util.TreeMap<>(Map.of("swap", "true"))), "act-5");

        String queue = aws.sqs().createQueue(r -> r.queueName(names.queue("dlq"))).queueUrl();
        DeadLetters deadLetters = new DeadLetters(aws.sqs(), queue);
        BalancesProjection balances = new BalancesProjection(dynamo, balancesTable);
        TransfersProjection transfers = new TransfersProjection(dynamo, transfersTable);
        List<KinesisEventRecord> records = new ArrayList<>();
        for (StreamId stream : List.of(StreamId.account("bank"), StreamId.account("alice"), StreamId.account("bob"),
                StreamId.transfer("hold"), StreamId.account("carol"), StreamId.account("dave"),
                StreamId.transaction("tx-1"), StreamId.transaction("tx-bad"), StreamId.account("erin"),
                StreamId.transaction("tx-2"), StreamId.account("gina"), StreamId.account("hugo"))) {
            store.readStream(stream, 1).forEachRemaining(event -> records.add(KinesisRecords.of(event, records.size())));
        }
        new ProjectionConsumer(balances, deadLetters).consume(records);
        new ProjectionConsumer(new HistoryProjection(dynamo, historyTable), deadLetters).consume(records);
        new ProjectionConsumer(transfers, deadLetters).consume(records);

        handler = new QueryApiHandler(new QueryApi(balances, new HistoryReader(dynamo, historyTable), transfers, store,
                ApiTokens.parse("audit=auditor,pay=payments,ops=operator")),
                new RequestLog(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)),
                Clock.systemUTC());
    }

    @Test
    void anAccountReadsAsTheWritePathShowsIt() {
        JsonNode alice = get("/accounts/alice", "audit").body();
        assertThat(alice.get("balance").asText()).isEqualTo("76.00");
        assertThat(alice.get("version").asLong()).isEqualTo(store.readHead(StreamId.account("alice")).orElseThrow().version());
        assertThat(get("/accounts/alice", "pay").status()).isEqualTo(200);
        assertThat(get("/accounts/nobody", "audit").status()).isEqualTo(404);
    }

    @Test
    void anAccountShowsItsMetadataAsLastReplacedAndItsHistoryShowsEachChange() {
        JsonNode gina = get("/accounts/gina", "audit").body();
        JsonNode history = get("/accounts/gina/history", "audit").body().get("entries");

        assertThat(gina.get("metadata").toString()).isEqualTo("{\"customer\":\"c-2\",\"tier\":\"gold\"}");
        assertThat(gina.get("version").asLong()).isEqualTo(3);
        assertThat(get("/accounts/alice", "audit").body().get("metadata").toString()).isEqualTo("{}");
        assertThat(history).extracting(e -> e.get("type").asText())
                .containsExactly("AccountOpened", "AccountMetadataSet", "AccountMetadataSet");
    }

    @Test
    void everyAccountIsListedByIdAPageAtATimeAsItsOwnRouteShowsIt() {
        List<JsonNode> accounts = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Reply page = get("/accounts?limit=3" + (cursor == null ? "" : "&cursor=" + cursor), "audit");
            assertThat(page.status()).as(page.body().toString()).isEqualTo(200);
            page.body().get("accounts").forEach(accounts::add);
            cursor = page.body().get("nextCursor").isNull() ? null : page.body().get("nextCursor").asText();
            pages++;
        } while (cursor != null);

        assertThat(accounts).extracting(a -> a.get("accountId").asText())
                .containsExactly("alice", "bank", "bob", "carol", "dave", "erin", "gina", "hugo");
        assertThat(pages).isBetween(3, 4);
        assertThat(accounts.get(6)).isEqualTo(get("/accounts/gina", "audit").body());
        assertThat(get("/accounts?idPrefix=b", "pay").body().get("accounts")).extracting(a -> a.get("accountId").asText())
                .containsExactly("bank", "bob");
    }

    @Test
    void accountsAreListedByCurrencyAndStatus() {
        assertThat(get("/accounts?currency=EUR", "audit").body().get("accounts")).hasSize(7)
                .allSatisfy(a -> assertThat(a.get("currency").asText()).isEqualTo("EUR"));
        assertThat(get("/accounts?currency=USD&status=FROZEN", "audit").body().get("accounts"))
                .extracting(a -> a.get("accountId").asText()).containsExactly("hugo");
        assertThat(get("/accounts?currency=USD&status=OPEN", "audit").body().get("accounts")).isEmpty();
        JsonNode first = get("/accounts?currency=EUR&status=OPEN&limit=4", "audit").body();
        JsonNode second = get("/accounts?currency=EUR&status=OPEN&limit=4&cursor="
                + first.get("nextCursor").asText(), "audit").body();
        assertThat(first.get("accounts")).extracting(a -> a.get("accountId").asText())
                .containsExactly("alice", "bank", "bob", "carol");
        assertThat(second.get("accounts")).extracting(a -> a.get("accountId").asText())
                .containsExactly("dave", "erin", "gina");
    }

    @Test
    void aListThatNoIndexServesIsRefusedNamingTheOnesThatDo() {
        for (String query : List.of("metadata.customer=c-2&currency=EUR", "status=OPEN", "idPrefix=b&currency=EUR",
                "currency=EUR&status=open", "currency=XXX", "idPrefix=a/b", "limit=101", "sort=id")) {
            Reply refused = get("/accounts?" + query, "audit");
            assertThat(refused.status()).as(query).isEqualTo(400);
            assertThat(refused.body().get("error").asText()).isEqualTo("invalid_request");
        }
        assertThat(get("/accounts?metadata.customer=c-2&status=OPEN", "audit").body().get("message").asText())
                .contains("currency and status").contains("one metadata.<key> alone");
        String eurCursor = get("/accounts?currency=EUR&limit=1", "audit").body().get("nextCursor").asText();
        String allCursor = get("/accounts?limit=1", "audit").body().get("nextCursor").asText();
        assertThat(get("/accounts?cursor=" + eurCursor, "audit").status()).isEqualTo(400);
        assertThat(get("/accounts?currency=EUR&cursor=" + allCursor, "audit").status()).isEqualTo(400);
        assertThat(get("/accounts?idPrefix=c&cursor=" + allCursor, "audit").status()).isEqualTo(400);
    }

    @Test
    void historyPagesThroughEveryEntryInVersionOrder() {
        List<JsonNode> entries = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Reply page = get("/accounts/alice/history?limit=5" + (cursor == null ? "" : "&cursor=" + cursor), "audit");
            assertThat(page.status()).isEqualTo(200);
            page.body().get("entries").forEach(entries::add);
            cursor = page.body().get("nextCursor").isNull() ? null : page.body().get("nextCursor").asText();
            pages++;
        } while (cursor != null);

        assertThat(pages).isEqualTo(3);
        assertThat(entries).extracting(e -> e.get("version").asLong())
                .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L);
        assertThat(entries.get(1).get("transferId").asText()).isEqualTo("d1");
        assertThat(entries.get(1).get("counterpartyAccountId").asText()).isEqualTo("bank");
        assertThat(entries.get(1).get("amount").asText()).isEqualTo("1.00");
        assertThat(entries.get(14).get("amount").asText()).isEqualTo("-2.00");
        assertThat(entries.get(14).get("balanceAfter").asText()).isEqualTo("76.00");
        assertThat(entries.get(14).get("hash").asText())
                .isEqualTo(store.readHead(StreamId.account("alice")).orElseThrow().hash());
    }

    @Test
    void theAuditTrailPagesNewestFirstForAuditorsAndOperatorsButNotForPayments() {
        Reply first = get("/audit/operations?limit=2", "audit");
        Reply second = get("/audit/operations?limit=2&cursor=" + first.body().get("nextCursor").asText(), "ops");
        Reply last = get("/audit/operations?limit=2&cursor=" + second.body().get("nextCursor").asText(), "audit");

        assertThat(first.status()).isEqualTo(200);
        assertThat(first.body().get("operations")).extracting(e -> e.get("version").asLong()).containsExactly(5L, 4L);
        JsonNode started = first.body().get("operations").get(0);
        assertThat(started.get("action").asText()).isEqualTo("rebuild");
        assertThat(started.get("phase").asText()).isEqualTo("started");
        assertThat(started.get("outcome").isNull()).isTrue();
        assertThat(started.get("operator").get("principal").asText()).startsWith("arn:aws:sts::");
        assertThat(started.get("operator").get("host").asText()).isEqualTo("bastion-1");
        assertThat(started.get("options").get("swap").asText()).isEqualTo("true");
        assertThat(started.get("hash").asText()).isEqualTo(store.readHead(dev.ledger.store.AuditLog.TRAIL)
                .orElseThrow().hash());
        assertThat(second.body().get("operations")).extracting(e -> e.get("version").asLong()).containsExactly(3L, 2L);
        assertThat(second.body().get("operations").get(0).get("outcome").asText()).isEqualTo("succeeded");
        assertThat(last.body().get("operations")).extracting(e -> e.get("version").asLong()).containsExactly(1L);
        assertThat(last.body().get("nextCursor").isNull()).isTrue();
        assertThat(get("/audit/operations", "audit").body().get("operations")).hasSize(5);
        assertThat(get("/audit/operations", "pay").status()).isEqualTo(403);
    }

    @Test
    void historyCanBeLimitedToATimeWindow() {
        StoredEvent third = store.readEvent(StreamId.account("alice"), 3).orElseThrow();
        StoredEvent fifth = store.readEvent(StreamId.account("alice"), 5).orElseThrow();
        JsonNode page = get("/accounts/alice/history?from=" + third.recordedAt() + "&to=" + fifth.recordedAt(),
                "audit").body();
        assertThat(page.get("entries")).extracting(e -> e.get("version").asLong()).containsExactly(3L, 4L, 5L);
    }

    @Test
    void aBalanceAsOfAnInstantIsTheFoldOfTheLogUpToThatInstant() {
        for (long version = 1; version <= 15; version++) {
            StoredEvent event = store.readEvent(StreamId.account("alice"), version).orElseThrow();
            JsonNode asOf = get("/accounts/alice/balance?asOf=" + event.recordedAt(), "audit").body();
            assertThat(asOf.get("version").asLong()).isEqualTo(version);
            assertThat(asOf.get("balance").asText()).isEqualTo(Money.toDecimalString(fold("alice", version).balance(), 2));
        }
        Reply before = get("/accounts/alice/balance?asOf=" + START, "audit");
        assertThat(before.status()).isEqualTo(404);
        assertThat(before.body().get("error").asText()).isEqualTo("account_not_found");
    }

    @Test
    void aTransferShowsBothLegsAndItsStatusHistory() {
        JsonNode hold = get("/transfers/hold", "audit").body();
        assertThat(hold.get("status").asText()).isEqualTo("POSTED");
        assertThat(hold.get("postedAmount").asText()).isEqualTo("2.00");
        assertThat(hold.get("legs")).extracting(l -> l.get("accountId").asText()).containsExactly("alice", "bob");
        assertThat(hold.get("statusHistory")).extracting(s -> s.get("status").asText())
                .containsExactly("PENDING", "POSTED");
    }

    @Test
    void aTransactionReadsAsItsPostAnsweredItFromTheProjection() {
        Reply tx = get("/transactions/tx-1", "audit");
        assertThat(tx.status()).isEqualTo(200);
        var head = store.readHead(StreamId.transaction("tx-1")).orElseThrow();
        assertThat(tx.body().toString()).isEqualTo(dev.ledger.views.Views.transactionAsRead(
                dev.ledger.store.StateCodec.decodeTransaction(head.state()), head.version(), head.createdAt(), null)
                .toString());
        assertThat(tx.body().get("reversed").asBoolean()).isFalse();
        assertThat(tx.body().get("reversal").isNull()).isTrue();
        assertThat(tx.body().get("status").asText()).isEqualTo("POSTED");
        assertThat(tx.body().get("entries")).extracting(e -> e.get("accountId").asText())
                .containsExactly("bank", "carol", "dave");

        JsonNode refused = get("/transactions/tx-bad", "ops").body();
        assertThat(refused.get("status").asText()).isEqualTo("REJECTED");
        assertThat(refused.get("rejectionCode").asText()).isEqualTo("unbalanced");
        Reply missing = get("/transactions/nothing", "audit");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.body().get("error").asText()).isEqualTo("transaction_not_found");
        assertThat(get("/transfers/tx-1", "audit").status()).isEqualTo(404);
    }

    @Test
    void aBatchReadsAsItsRecordFromTheLogItselfAndAnUnknownOneIsNotFound() {
        Reply recorded = get("/batches/batch-1", "audit");
        assertThat(recorded.status()).isEqualTo(200);
        assertThat(recorded.body().get("status").asText()).isEqualTo("RECORDED");
        assertThat(recorded.body().get("atomic").asBoolean()).isTrue();
        assertThat(recorded.body().get("items")).singleElement().satisfies(item -> {
            assertThat(item.get("id").asText()).isEqualTo("bt-1");
            assertThat(item.get("type").asText()).isEqualTo("transfer");
            assertThat(item.get("outcome").asText()).isEqualTo("applied");
        });
        JsonNode refused = get("/batches/batch-2", "ops").body();
        assertThat(refused.get("status").asText()).isEqualTo("REJECTED");
        assertThat(refused.get("rejectionCode").asText()).isEqualTo("insufficient_funds");
        assertThat(refused.get("failedItem").asInt()).isZero();
        assertThat(refused.get("items")).isEmpty();
        Reply missing = get("/batches/nothing", "audit");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.body().get("error").asText()).isEqualTo("batch_not_found");
    }

    @Test
    void historyShowsEveryLegOfATransactionWithItsCounterpartEntries() {
        List<JsonNode> entries = new ArrayList<>();
        get("/accounts/carol/history", "audit").body().get("entries").forEach(entries::add);

        assertThat(entries).extracting(e -> e.get("type").asText())
                .containsExactly("AccountOpened", "TransactionHoldPlaced", "TransactionHoldPosted");
        JsonNode posted = entries.get(2);
        assertThat(posted.get("transactionId").asText()).isEqualTo("tx-1");
        assertThat(posted.get("amount").asText()).isEqualTo("7.00");
        assertThat(posted.get("balanceAfter").asText()).isEqualTo("7.00");
        assertThat(posted.get("transferId").isNull()).isTrue();
        assertThat(posted.get("entries")).extracting(e -> e.get("accountId").asText() + " "
                + e.get("direction").asText() + " " + e.get("amount").asText() + " " + e.get("index").asInt())
                .containsExactly("bank debit 10.00 0", "carol credit 7.00 1", "dave credit 3.00 2");
        assertThat(get("/accounts/dave", "audit").body().get("balance").asText()).isEqualTo("3.00");
    }

    @Test
    void aReversedTransactionShowsItsReversalAndItsAccountsHistoryTheEntriesReversed() {
        JsonNode tx = get("/transactions/tx-2", "audit").body();
        assertThat(tx.get("status").asText()).isEqualTo("POSTED");
        assertThat(tx.get("reversed").asBoolean()).isTrue();
        assertThat(tx.get("reversal").get("reversalId").asText()).isEqualTo("txr-1");
        assertThat(tx.get("reversal").get("forced").asBoolean()).isFalse();
        assertThat(tx.get("reversal").get("version").asLong()).isEqualTo(2);
        assertThat(tx.get("reversal").get("recordedAt").asText()).isEqualTo(store.readStream(
                StreamId.transaction("tx-2"), 2).next().recordedAt().toString());
        assertThat(tx.get("version").asLong()).isEqualTo(2);

        List<JsonNode> entries = new ArrayList<>();
        get("/accounts/erin/history", "audit").body().get("entries").forEach(entries::add);
        assertThat(entries).extracting(e -> e.get("type").asText())
                .containsExactly("AccountOpened", "TransactionEntriesPosted", "TransactionEntriesReversed");
        JsonNode reversed = entries.get(2);
        assertThat(reversed.get("transactionId").asText()).isEqualTo("tx-2");
        assertThat(reversed.get("reversalId").asText()).isEqualTo("txr-1");
        assertThat(reversed.get("forced").asBoolean()).isFalse();
        assertThat(reversed.get("amount").asText()).isEqualTo("-4.00");
        assertThat(reversed.get("balanceAfter").asText()).isEqualTo("0.00");
        assertThat(reversed.get("entries")).extracting(e -> e.get("accountId").asText() + " "
                + e.get("direction").asText() + " " + e.get("amount").asText() + " " + e.get("index").asInt())
                .containsExactly("bank credit 4.00 0", "erin debit 4.00 1");
        assertThat(get("/accounts/erin", "audit").body().get("balance").asText()).isEqualTo("0.00");
    }

    @Test
    void theAuditRouteRecomputesTheHashChain() {
        JsonNode verified = get("/audit/accounts/alice/verify", "audit").body();
        assertThat(verified.get("valid").asBoolean()).isTrue();
        assertThat(verified.get("events").asLong()).isEqualTo(15);
        assertThat(verified.get("firstBadVersion").isNull()).isTrue();
        assertThat(verified.get("headHash").asText())
                .isEqualTo(store.readHead(StreamId.account("alice")).orElseThrow().hash());
    }

    @Test
    void theExportRouteGivesTheAccountsEventsAsReplayExportWritesThemPageByPage() {
        List<String> lines = new ArrayList<>();
        List<Integer> pageSizes = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = get("/audit/accounts/alice/events?limit=4" + (cursor == null ? "" : "&cursor=" + cursor),
                    "audit").body();
            assertThat(page.get("accountId").asText()).isEqualTo("alice");
            pageSizes.add(page.get("lines").size());
            page.get("lines").forEach(line -> lines.add(line.asText()));
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
        } while (cursor != null);

        // 15 events: three full pages, and the last one's cursor leads to the rest.
        assertThat(pageSizes).containsExactly(4, 4, 4, 3);
        List<String> expected = new ArrayList<>();
        store.readStream(StreamId.account("alice"), 1).forEachRemaining(event -> expected.add(event.toJsonLine()));
        assertThat(lines).isEqualTo(expected);
        assertThat(get("/audit/accounts/alice/events", "pay").body().get("lines")).hasSize(15);
        assertThat(get("/audit/accounts/alice/events", "audit").body().get("nextCursor").isNull()).isTrue();
        assertThat(get("/audit/accounts/nobody/events", "audit").status()).isEqualTo(404);
        assertThat(get("/audit/accounts/alice/events?cursor=0:x", "audit").status()).isEqualTo(400);
    }

    @Test
    void readsNeedATokenOfAnyRoleAndBadParametersAreRefused() {
        assertThat(get("/accounts/alice", null).status()).isEqualTo(401);
        assertThat(get("/accounts/alice", "audit").status()).isEqualTo(200);
        assertThat(get("/accounts/alice", "pay").status()).isEqualTo(200);
        assertThat(get("/accounts/alice", "ops").status()).isEqualTo(200);
        assertThat(get("/audit/accounts/alice/verify", "ops").body().get("valid").asBoolean()).isTrue();
        assertThat(call("POST", "/accounts/alice", "audit").status()).isEqualTo(405);
        assertThat(get("/accounts/alice/history?limit=1001", "audit").status()).isEqualTo(400);
        assertThat(get("/accounts/alice/history?limit=abc", "audit").status()).isEqualTo(400);
        assertThat(get("/accounts/alice/history?cursor=forged", "audit").status()).isEqualTo(400);
        assertThat(get("/accounts/alice/history?from=yesterday", "audit").status()).isEqualTo(400);
        assertThat(get("/accounts/alice/balance", "audit").status()).isEqualTo(400);
        assertThat(get("/accounts/..%2Fbob", "audit").status()).isEqualTo(400);
    }

    private record Reply(int status, JsonNode body) {
    }

    private Reply get(String pathAndQuery, String token) {
        return call("GET", pathAndQuery, token);
    }

    private Reply call(String method, String pathAndQuery, String token) {
        String path = pathAndQuery.contains("?") ? pathAndQuery.substring(0, pathAndQuery.indexOf('?')) : pathAndQuery;
        Map<String, String> query = new java.util.HashMap<>();
        if (pathAndQuery.contains("?")) {
            for (String pair : pathAndQuery.substring(pathAndQuery.indexOf('?') + 1).split("&")) {
                String[] kv = pair.split("=", 2);
                query.put(kv[0], kv[1]);
            }
        }
        APIGatewayV2HTTPEvent event = APIGatewayV2HTTPEvent.builder().withVersion("2.0").withRawPath(path)
                .withQueryStringParameters(query)
                .withHeaders(token == null ? Map.of() : Map.of("authorization", "Bearer " + token))
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder().withRequestId("q")
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod(method).withPath(path)
                                .build()).build())
                .build();
        APIGatewayV2HTTPResponse response = handler.handleRequest(event, null);
        try {
            return new Reply(response.getStatusCode(), JSON.readTree(response.getBody()));
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + response.getBody(), e);
        }
    }

    private AccountState fold(String accountId, long upTo) {
        AccountState state = null;
        for (var events = store.readStream(StreamId.account(accountId), 1); events.hasNext(); ) {
            StoredEvent event = events.next();
            if (event.version() > upTo) {
                break;
            }
            state = AccountState.evolve(Optional.ofNullable(state), (AccountEvent) event.event());
        }
        return state;
    }

    private static void run(CommandService commands, Function<Ledger, LedgerResult> command) {
        assertThat(commands.execute("setup", command).result().isRejected()).isFalse();
    }
}
