package dev.ledger.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.AccountShards;
import dev.ledger.domain.api.AuditEvent;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.ledger.Ledger;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import dev.ledger.store.AccountAsOf;
import dev.ledger.store.AccountCheckpoint;
import dev.ledger.store.AuditLog;
import dev.ledger.store.DynamoEventStore;
import dev.ledger.store.EventStore;
import dev.ledger.store.EventsTable;
import dev.ledger.store.InMemoryEventStore;
import dev.ledger.store.StateCodec;
import dev.ledger.store.StoreSession;
import dev.ledger.store.StoredEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Issue 16 §3 for logs written before checkpoints: {@code replay checkpoints --backfill} folds each account
 * stream and writes the checkpoints its appends owed, with the append path's own rule and item layout, so a
 * balance as of an instant reads a bounded number of requests instead of folding from version 1.
 *
 * <p>The old log: the ledger decides every command against the in-memory store (the domain's rules, hash chains
 * as the store extends them), and its events and heads, not its checkpoints, go into the emulator's table, item
 * for item as the DynamoDB store writes them: a log as every append wrote it before checkpoints existed. The
 * in-memory store's checkpoints are what the append path would have written: the backfill must write exactly
 * those, to the byte. {@code -Dbackfill.events=10000} measures a longer history (the default keeps the suite quick).
 */
@ExtendWith(LocalAwsExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class CheckpointBackfillIT {

    private static final String OLD = "old";
    private static final StreamId STREAM = StreamId.account(OLD);
    private static final int EVENTS = Integer.getInteger("backfill.events", 5 * AccountCheckpoint.EVERY + 31);
    private static final String FUND = "fund";
    private static final String HOT = "hot";
    /** Paid into the two shards of {@link #HOT} in turn, about as many each: more than a checkpoint's worth. */
    private static final int PAYMENTS = 2 * AccountCheckpoint.EVERY + 40;

    private Workload workload;
    private String endpoint;
    private String control;
    private final List<Instant> recorded = new ArrayList<>();
    /** The items the append path writes for the old account's checkpoints. */
    private final Set<Map<String, AttributeValue>> appendPathItems = new HashSet<>();
    /** The same for the funding account, the sharded account and its shard. */
    private final Set<Map<String, AttributeValue>> shardedPathItems = new HashSet<>();
    private final AtomicInteger requests = new AtomicInteger();
    private AwsClients counted;
    private DynamoEventStore countedStore;
    private int requestsBefore;
    /** An instant after the last payment into {@link #HOT}. */
    private Instant paidBy;

    @BeforeAll
    void an_account_whose_log_was_written_before_checkpoints(AwsClients aws, TestNames names) {
        endpoint = aws.endpoint().toString();
        control = names.table("replay-control");
        workload = new Workload(aws.dynamoDb(), names.prefix(), 16).run(3);
        InMemoryEventStore memory = new InMemoryEventStore();
        Workload.SteppingClock clock = new Workload.SteppingClock(Instant.parse("2026-01-05T08:00:00Z"));
        run(memory, clock, "old-0", l -> l.openAccount(new OpenAccount(OLD, Workload.EUR, OverdraftLimit.NONE)));
        for (int i = 1; i < EVENTS; i++) {
            boolean freeze = i % 2 == 1;
            run(memory, clock, "old-" + i, l -> freeze ? l.freezeAccount(OLD) : l.unfreezeAccount(OLD));
        }
        // A sharded account (issue 13) paid often enough that its own stream and its shard's each pass a checkpoint.
        List<StreamId> streams = new ArrayList<>(List.of(STREAM, StreamId.account(FUND), StreamId.account(HOT),
                StreamId.account(AccountShards.streamAccountId(HOT, 1))));
        run(memory, clock, "fund", l -> l.openAccount(new OpenAccount(FUND, Workload.EUR, OverdraftLimit.UNLIMITED)));
        run(memory, clock, "hot", l -> l.openAccount(new OpenAccount(HOT, Workload.EUR, OverdraftLimit.NONE), 2));
        for (int i = 0; i < PAYMENTS; i++) {
            String id = "pay-" + i;
            streams.add(StreamId.transfer(id));
            run(memory, clock, id, l -> l.transfer(id, TransferRequest.posted(FUND, HOT, Money.of(1_00, Workload.EUR))));
        }
        paidBy = clock.instant();
        List<WriteRequest> items = new ArrayList<>();
        for (StreamId stream : streams) {
            memory.readStream(stream, 1).forEachRemaining(event -> {
                items.add(put(EventsTable.toItem(event)));
                if (stream.equals(STREAM)) {
                    recorded.add(event.recordedAt());
                }
            });
            EventStore.Head head = memory.readHead(stream).orElseThrow();
            items.add(put(headItem(stream, head)));
            if (stream.type() == StreamId.StreamType.ACCOUNT) {
                memory.checkpoints(stream).forEachRemaining(c -> (stream.equals(STREAM) ? appendPathItems
                        : shardedPathItems).add(EventsTable.checkpointItem(c)));
            }
        }
        writeAll(items);
        assertThat(appendPathItems).hasSize(EVENTS / AccountCheckpoint.EVERY);
        assertThat(shardedPathItems).extracting(item -> item.get(EventsTable.PK).s()).contains("checkpoint#account:"
                + HOT, "checkpoint#account:" + AccountShards.streamAccountId(HOT, 1), "checkpoint#account:" + FUND);
        counted = AwsClients.forEndpoint(aws.endpoint(), List.of(new ExecutionInterceptor() {
            @Override
            public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                requests.incrementAndGet();
            }
        }));
        countedStore = new DynamoEventStore(counted.dynamoDb(), workload.events);
    }

    @AfterAll
    void close() {
        counted.close();
    }

    @Test
    @Order(1)
    void before_the_backfill_a_balance_as_of_the_end_folds_from_version_1() {
        // Given the old account without checkpoints
        assertThat(checkpointItems()).isEmpty();

        // When its balance as of its last event is asked for
        Instant end = recorded.get(recorded.size() - 1);
        requests.set(0);
        Optional<AccountAsOf> sought = AccountAsOf.whole(countedStore, OLD, end);
        requestsBefore = requests.get();

        // Then it is the fold, read from version 1 on
        assertThat(sought).isEqualTo(fold(end));
        assertThat(sought.orElseThrow().version()).isEqualTo(EVENTS);
    }

    @Test
    @Order(2)
    void the_backfill_writes_exactly_the_checkpoints_the_append_path_writes() {
        // When the operator backfills the old account
        ReplayRunner.Run run = replay("checkpoints", "--backfill", "--accounts", OLD, "--json");

        // Then every checkpoint its appends owed is written, item for item as an append writes it
        assertThat(run.code()).as(run.out() + run.err()).isZero();
        JsonNode report = run.json();
        assertThat(report.path("written").asLong()).isEqualTo(appendPathItems.size());
        assertThat(report.path("events").asLong()).isEqualTo(EVENTS);
        assertThat(new HashSet<>(checkpointItems())).isEqualTo(appendPathItems);
    }

    @Test
    @Order(3)
    void after_it_a_balance_as_of_any_instant_reads_two_requests_and_equals_the_fold() {
        int most = 0;
        // About twenty instants across the history: each is compared with a fold from version 1.
        for (int i = 0; i < recorded.size(); i += Math.max(47, recorded.size() / 20)) {
            for (Instant asOf : List.of(recorded.get(i), recorded.get(i).plusMillis(500))) {
                requests.set(0);
                Optional<AccountAsOf> sought = AccountAsOf.whole(countedStore, OLD, asOf);
                most = Math.max(most, requests.get());
                assertThat(sought).as("as of %s", asOf).isEqualTo(fold(asOf));
            }
        }
        Instant end = recorded.get(recorded.size() - 1);
        requests.set(0);
        assertThat(AccountAsOf.whole(countedStore, OLD, end)).isEqualTo(fold(end));
        int requestsAfter = requests.get();

        assertThat(most).isLessThanOrEqualTo(2);
        assertThat(requestsAfter).isEqualTo(2);
        System.out.printf("backfill: balance as of the end of %d events: %d requests before, %d after%n", EVENTS,
                requestsBefore, requestsAfter);
    }

    @Test
    @Order(4)
    void a_run_over_the_whole_log_backfills_every_account_stream_a_sharded_accounts_shards_too() {
        // When the operator backfills the whole log
        ReplayRunner.Run run = replay("checkpoints", "--backfill", "--json");

        // Then the other old streams get theirs, item for item as the append path writes them, and the
        // old account keeps the ones the first run wrote
        assertThat(run.code()).as(run.out() + run.err()).isZero();
        assertThat(run.json().path("written").asLong()).isEqualTo(shardedPathItems.size());
        Set<Map<String, AttributeValue>> written = new HashSet<>();
        for (String account : List.of(FUND, HOT, AccountShards.streamAccountId(HOT, 1))) {
            written.addAll(checkpointItems(StreamId.account(account)));
        }
        assertThat(written).isEqualTo(shardedPathItems);
        assertThat(new HashSet<>(checkpointItems())).isEqualTo(appendPathItems);

        // And the sharded account as of its last payment is two requests per shard, and the fold of both
        Instant end = paidBy;
        requests.set(0);
        Optional<AccountAsOf> sought = AccountAsOf.whole(countedStore, HOT, end);
        assertThat(requests.get()).isEqualTo(4);
        assertThat(sought).isEqualTo(AccountAsOf.whole(stream -> workload.store().readStream(stream, 1), HOT, end));
        assertThat(sought.orElseThrow().state().balance()).isEqualTo(PAYMENTS * 1_00L);
    }

    @Test
    @Order(5)
    void a_second_run_over_the_whole_log_writes_nothing() {
        Set<Map<String, AttributeValue>> before = new HashSet<>(checkpointItems());

        ReplayRunner.Run run = replay("checkpoints", "--backfill", "--json");

        assertThat(run.code()).as(run.out() + run.err()).isZero();
        assertThat(run.json().path("written").asLong()).isZero();
        assertThat(run.json().path("alreadyThere").asLong()).isZero();
        assertThat(run.json().path("streams").asLong()).as("the workload's accounts and the old ones")
                .isGreaterThan(workload.accounts.size() + 3);
        assertThat(new HashSet<>(checkpointItems())).isEqualTo(before);
    }

    @Test
    @Order(6)
    void each_run_is_on_the_audit_trail_as_started_and_finished() {
        List<AuditEvent> entries = AuditLog.page(workload.store(), AuditLog.MAX_PAGE, null).entries().stream()
                .map(entry -> (AuditEvent) entry.event()).filter(entry -> entry.action().equals("checkpoints_backfill"))
                .toList();

        // newest first: the third run (the whole log again), the second, then the first (one account)
        assertThat(entries).hasSize(6);
        assertThat(entries.get(0)).isInstanceOfSatisfying(AuditEvent.OperationFinished.class, finished -> {
            assertThat(finished.action()).isEqualTo("checkpoints_backfill");
            assertThat(finished.outcome()).isEqualTo(AuditEvent.Outcome.SUCCEEDED);
            assertThat(finished.detail()).contains(" 0 checkpoints written");
        });
        assertThat(entries.get(4)).isInstanceOfSatisfying(AuditEvent.OperationFinished.class, finished -> {
            assertThat(finished.options()).containsEntry("accounts", OLD).containsEntry("backfill", "true");
            assertThat(finished.detail()).contains(" " + appendPathItems.size() + " checkpoints written");
        });
        assertThat(entries.get(5)).isInstanceOfSatisfying(AuditEvent.OperationStarted.class, started ->
                assertThat(started.action()).isEqualTo("checkpoints_backfill"));
    }

    @Test
    @Order(7)
    void verify_is_clean_after_it_and_finds_a_tampered_backfilled_checkpoint() {
        ReplayRunner.Run clean = replay("verify", "--accounts", OLD, "--log-only");
        assertThat(clean.code()).as(clean.out() + clean.err()).isZero();

        // When the backfilled checkpoint at version 200 is rewritten to hold the account as at version 1
        Map<String, AttributeValue> original = itemAt(2L * AccountCheckpoint.EVERY);
        workload.dynamo().putItem(r -> r.tableName(workload.events).item(tampered(original)));
        ReplayRunner.Run run = replay("verify", "--accounts", OLD, "--log-only");
        workload.dynamo().putItem(r -> r.tableName(workload.events).item(original));

        // Then verify fails on it, by stream and version
        assertThat(run.code()).as(run.out() + run.err()).isEqualTo(1);
        assertThat(run.out()).contains("account:old v200 checkpoint: holds ");
    }

    @Test
    @Order(8)
    void a_checkpoint_a_live_writer_put_first_is_kept_and_found_equal_and_another_is_never_replaced() {
        CheckpointBackfill backfill = new CheckpointBackfill(workload.dynamo(),
                new EventLog(workload.dynamo(), workload.events));
        // Given the checkpoint at version 300 missing when the backfill folds the stream
        Map<String, AttributeValue> live = itemAt(3L * AccountCheckpoint.EVERY);
        workload.dynamo().deleteItem(r -> r.tableName(workload.events).key(key(live)));
        List<AccountCheckpoint> missing = backfill.missing(STREAM).missing();
        assertThat(missing).extracting(AccountCheckpoint::version).containsExactly(3L * AccountCheckpoint.EVERY);

        // When a live append writes it first, then the backfill writes what it folded
        workload.dynamo().putItem(r -> r.tableName(workload.events).item(live));
        CheckpointBackfill.Outcome same = backfill.write(missing.get(0));

        // Then the live item stays, and the backfill's is the same bytes
        assertThat(same).isEqualTo(CheckpointBackfill.Outcome.ALREADY_THERE);
        assertThat(itemAt(3L * AccountCheckpoint.EVERY)).isEqualTo(live);

        // And an item that says something else under that key is reported, never replaced
        Map<String, AttributeValue> other = tampered(live);
        workload.dynamo().putItem(r -> r.tableName(workload.events).item(other));
        assertThat(backfill.write(missing.get(0))).isEqualTo(CheckpointBackfill.Outcome.DIFFERENT_THERE);
        assertThat(itemAt(3L * AccountCheckpoint.EVERY)).isEqualTo(other);
        workload.dynamo().putItem(r -> r.tableName(workload.events).item(live));
    }

    @Test
    @Order(9)
    void two_appends_that_read_as_one_owe_nothing_where_the_first_wrote_its_checkpoint() {
        // Given an account whose versions 100 and 101 were two appends at one instant under one correlation id
        // (a clock that did not move): the first wrote the checkpoint at 100, and the log cannot tell them apart
        InMemoryEventStore memory = new InMemoryEventStore();
        Workload.SteppingClock clock = new Workload.SteppingClock(Instant.parse("2026-02-01T08:00:00Z"));
        StreamId twin = StreamId.account("twin");
        run(memory, clock, "twin-1", l -> l.openAccount(new OpenAccount("twin", Workload.EUR, OverdraftLimit.NONE)));
        for (long version = 2; version <= AccountCheckpoint.EVERY + 1; version++) {
            boolean freeze = version % 2 == 0;
            StoreSession session = memory.session();
            Function<Ledger, LedgerResult> command = l -> freeze ? l.freezeAccount("twin") : l.unfreezeAccount("twin");
            LedgerResult result = command.apply(new Ledger(session, clock));
            assertThat(result.isRejected()).isFalse();
            session.append(result, clock.instant(), version < AccountCheckpoint.EVERY ? "twin-" + version : "twin-same");
            if (version < AccountCheckpoint.EVERY) {
                clock.step(Duration.ofSeconds(1));
            }
        }
        List<WriteRequest> items = new ArrayList<>();
        memory.readStream(twin, 1).forEachRemaining(event -> items.add(put(EventsTable.toItem(event))));
        items.add(put(headItem(twin, memory.readHead(twin).orElseThrow())));
        AccountCheckpoint live = memory.checkpoints(twin).next();
        assertThat(live.version()).isEqualTo(AccountCheckpoint.EVERY);
        items.add(put(EventsTable.checkpointItem(live)));
        writeAll(items);
        CheckpointBackfill backfill = new CheckpointBackfill(workload.dynamo(),
                new EventLog(workload.dynamo(), workload.events));

        // Then the backfill owes nothing there
        assertThat(backfill.missing(twin).missing()).isEmpty();

        // And without that checkpoint, it owes one at the end of what reads as one append, which verify accepts
        workload.dynamo().deleteItem(r -> r.tableName(workload.events).key(key(EventsTable.checkpointItem(live))));
        List<AccountCheckpoint> missing = backfill.missing(twin).missing();
        assertThat(missing).extracting(AccountCheckpoint::version).containsExactly(AccountCheckpoint.EVERY + 1L);
        assertThat(backfill.write(missing.get(0))).isEqualTo(CheckpointBackfill.Outcome.WRITTEN);
        ReplayRunner.Run verify = replay("verify", "--accounts", "twin", "--log-only");
        assertThat(verify.code()).as(verify.out() + verify.err()).isZero();
    }

    // ----------------------------------------------------------------------------------------

    private void writeAll(List<WriteRequest> items) {
        for (int from = 0; from < items.size(); from += 25) {
            List<WriteRequest> batch = items.subList(from, Math.min(items.size(), from + 25));
            Map<String, List<WriteRequest>> unprocessed = Map.of(workload.events, batch);
            while (!unprocessed.isEmpty()) {
                Map<String, List<WriteRequest>> send = unprocessed;
                unprocessed = workload.dynamo().batchWriteItem(r -> r.requestItems(send)).unprocessedItems();
            }
        }
    }

    private void run(InMemoryEventStore memory, Workload.SteppingClock clock, String correlationId,
                     Function<Ledger, LedgerResult> command) {
        StoreSession session = memory.session();
        LedgerResult result = command.apply(new Ledger(session, clock));
        assertThat(result.isRejected()).isFalse();
        session.append(result, clock.instant(), correlationId);
        clock.step(Duration.ofSeconds(1));
    }

    private static Map<String, AttributeValue> headItem(StreamId stream, EventStore.Head head) {
        return EventsTable.headItem(stream, head.version(), head.hash(), StateCodec.decode(stream, head.state()),
                head.createdAt());
    }

    private Optional<AccountAsOf> fold(Instant asOf) {
        return AccountAsOf.fold(workload.store().readStream(STREAM, 1), asOf);
    }

    /** The account as at version 1, in the item of a checkpoint that is not there. */
    private Map<String, AttributeValue> tampered(Map<String, AttributeValue> item) {
        Map<String, AttributeValue> tampered = new HashMap<>(item);
        tampered.put(EventsTable.STATE, AttributeValue.fromS(StateCodec.encode(
                AccountAsOf.fold(workload.store().readStream(STREAM, 1), null, 1L, null).orElseThrow().state())));
        return tampered;
    }

    private List<Map<String, AttributeValue>> checkpointItems() {
        return checkpointItems(STREAM);
    }

    private List<Map<String, AttributeValue>> checkpointItems(StreamId stream) {
        return workload.dynamo().query(q -> q.tableName(workload.events).consistentRead(true)
                .keyConditionExpression("#pk = :pk").expressionAttributeNames(Map.of("#pk", EventsTable.PK))
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(EventsTable.checkpointPk(stream)))))
                .items();
    }

    private Map<String, AttributeValue> itemAt(long version) {
        return checkpointItems().stream().filter(item -> item.get(EventsTable.VERSION).n().equals(Long.toString(version)))
                .findFirst().orElseThrow();
    }

    private static Map<String, AttributeValue> key(Map<String, AttributeValue> item) {
        return Map.of(EventsTable.PK, item.get(EventsTable.PK), EventsTable.SK, item.get(EventsTable.SK));
    }

    private static WriteRequest put(Map<String, AttributeValue> item) {
        return WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build();
    }

    private ReplayRunner.Run replay(String... args) {
        return new ReplayRunner(endpoint, workload, control).run(args);
    }
}
