package dev.ledger.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.domain.api.StreamId;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import dev.ledger.projections.ProjectionCatalog;
import dev.ledger.store.EventsTable;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A whole projection is rebuilt from the Scan's runs of each stream, with no Query: what it must
 * still refuse (a version missing below a stream's head, the last ones included, and an altered
 * event), and a log written while the Scan passes.
 */
@ExtendWith(LocalAwsExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RebuildFromScanIT {

    private DynamoDbClient dynamo;
    private Workload workload;
    private String endpoint;
    private String control;

    @BeforeAll
    void aRandomWorkload(AwsClients aws, TestNames names) {
        dynamo = aws.dynamoDb();
        endpoint = aws.endpoint().toString();
        control = names.table("replay-control");
        workload = new Workload(dynamo, names.prefix(), 14).run(40);
    }

    @Test
    void aVersionMissingBelowAStreamsHeadStopsTheRebuildNamingIt() {
        withoutEvent("eur-3", 2, () -> {
            ReplayRunner.Run run = replay("rebuild", "--projection", "balances");

            assertThat(run.code()).isEqualTo(2);
            assertThat(run.err()).contains("account:eur-3 v2 is missing from the log");
        });
    }

    @Test
    void aStreamWhoseLastEventIsMissingStopsTheRebuildThoughNoEventAfterItShowsTheGap() {
        long head = headVersion("eur-3");
        withoutEvent("eur-3", head, () -> {
            ReplayRunner.Run run = replay("rebuild", "--projection", "history");

            assertThat(run.code()).isEqualTo(2);
            assertThat(run.err()).contains("account:eur-3 v" + head + " is missing from the log (its head is at v"
                    + head + ")");
        });
    }

    @Test
    void anAlteredEventStopsTheRebuildNamingItsVersion() {
        Map<String, AttributeValue> key = EventsTable.key(StreamId.account("eur-4"), 2);
        Map<String, AttributeValue> original = dynamo.getItem(r -> r.tableName(workload.events).key(key)).item();
        Map<String, AttributeValue> altered = new HashMap<>(original);
        altered.put(EventsTable.DATA, AttributeValue.fromS(original.get(EventsTable.DATA).s()
                .replace("100.00", "1000.00")));
        assertThat(altered).isNotEqualTo(original);
        dynamo.putItem(r -> r.tableName(workload.events).item(altered));
        try {
            ReplayRunner.Run run = replay("rebuild", "--projection", "balances");

            assertThat(run.code()).isEqualTo(2);
            assertThat(run.err()).contains("account:eur-4 v2 does not match its hash");
        } finally {
            dynamo.putItem(r -> r.tableName(workload.events).item(original));
        }
    }

    @Test
    void aLogWrittenWhileTheScanPassesIsFoldedAndTheCatchUpBringsItLevelWithARebuildAfterIt() {
        ControlTable table = new ControlTable(dynamo, control).ensureExists();
        Rebuilder rebuilder = new Rebuilder(dynamo, new EventLog(dynamo, workload.events), table, Clock.systemUTC(), 2, 2);
        for (ProjectionCatalog kind : ProjectionCatalog.values()) {
            try (RebuildLock lock = RebuildLock.acquire(table, kind.label(), "scan-test", Duration.ofMinutes(1),
                    Clock.systemUTC())) {
                String during = rebuilder.nextShadowName(workload.events + "-" + kind.label());
                AtomicLong applied = new AtomicLong();
                // The first event folded appends more, from the Scan's own thread: the Scan has passed
                // some of the streams they touch and not others.
                rebuilder.rebuild(kind, during, null, true, lock, event -> {
                    if (applied.getAndIncrement() == 0) {
                        workload.more(12);
                    }
                });
                rebuilder.catchUp(kind, during, null, 1, lock, event -> { });
                String after = rebuilder.nextShadowName(workload.events + "-" + kind.label());
                rebuilder.rebuild(kind, after, null, true, lock, event -> { });

                TableDiff.Result diff = TableDiff.compare(dynamo, kind.sorted(), during, after);
                assertThat(diff.equal()).as(kind.label() + ": " + diff.differences()).isTrue();
            }
        }
    }

    private long headVersion(String account) {
        return workload.store().readHead(StreamId.account(account)).orElseThrow().version();
    }

    /** Runs {@code check} with one event item taken out of the log, then puts it back. */
    private void withoutEvent(String account, long version, Runnable check) {
        Map<String, AttributeValue> key = EventsTable.key(StreamId.account(account), version);
        Map<String, AttributeValue> original = dynamo.getItem(r -> r.tableName(workload.events).key(key)).item();
        assertThat(original).isNotEmpty();
        dynamo.deleteItem(r -> r.tableName(workload.events).key(key));
        try {
            check.run();
        } finally {
            dynamo.putItem(r -> r.tableName(workload.events).item(original));
        }
    }

    private ReplayRunner.Run replay(String... args) {
        return new ReplayRunner(endpoint, workload, control).run(args);
    }
}
