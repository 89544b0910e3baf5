package dev.ledger.functions.api;

import static dev.ledger.functions.LedgerFixture.OPERATOR;
import static dev.ledger.functions.LedgerFixture.PAYMENTS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.domain.api.AuditEvent;
import dev.ledger.domain.api.AuditEvent.OperationPerformed;
import dev.ledger.domain.api.AuditEvent.Outcome;
import dev.ledger.domain.api.StreamId;
import dev.ledger.functions.LedgerFixture;
import dev.ledger.functions.LedgerFixture.Reply;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import dev.ledger.store.AuditLog;
import dev.ledger.store.EventStore;
import dev.ledger.store.HashChainCursor;
import dev.ledger.store.MutableClock;
import dev.ledger.store.StoredEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Operator commands on the API go on the audit trail (issue 15 §3): a raised shard count and a forced
 * reversal, each in the same atomic write as the command's own events, with the caller's subject and role,
 * the options, and the ledger's answer, refusals included; nothing else does.
 */
@ExtendWith(LocalAwsExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OperatorAuditIT {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-30T09:00:00Z"));
    private LedgerFixture ledger;

    @BeforeAll
    void setUp(AwsClients aws, TestNames names) {
        ledger = new LedgerFixture(aws.dynamoDb(), names.table("events"), clock);
        assertThat(ledger.openAccount("bank", "EUR", "null").status()).isEqualTo(201);
        assertThat(ledger.openAccount("alice", "EUR", null).status()).isEqualTo(201);
        assertThat(ledger.openAccount("shop", "EUR", null).status()).isEqualTo(201);
        assertThat(ledger.openAccount("hot", "EUR", null).status()).isEqualTo(201);
        assertThat(ledger.transfer("fund", "bank", "alice", "100.00", "EUR").status()).isEqualTo(201);
    }

    @Test
    void aRaisedShardCountIsRecordedInTheSameWriteAsTheShardsAndARefusalIsRecordedToo() {
        long before = trail().size();

        Reply raised = ledger.call("POST", "/accounts/hot/shards", OPERATOR, "{\"shards\":4}");
        clock.advance(java.time.Duration.ofSeconds(1));
        Reply lowered = ledger.call("POST", "/accounts/hot/shards", OPERATOR, "{\"shards\":2}");

        assertThat(raised.status()).as(raised.body().toString()).isEqualTo(200);
        assertThat(lowered.error()).isEqualTo("shards_cannot_decrease");
        List<StoredEvent> entries = trail().subList((int) before, trail().size());
        assertThat(entries).hasSize(2);
        OperationPerformed raise = (OperationPerformed) entries.get(0).event();
        assertThat(raise.action()).isEqualTo("shards_raised");
        assertThat(raise.target()).isEqualTo("account:hot");
        assertThat(raise.operator()).isEqualTo(new AuditEvent.Operator("operator", "operator", null, null));
        assertThat(raise.options()).isEqualTo(Map.of("shards", "4"));
        assertThat(raise.outcome()).isEqualTo(Outcome.SUCCEEDED);
        StoredEvent sharded = lastEventOf(StreamId.account("hot"));
        assertThat(sharded.type()).isEqualTo("AccountSharded");
        assertThat(List.of(entries.get(0).recordedAt(), entries.get(0).correlationId()))
                .as("one append: the same time and correlation id, both under the hash chains")
                .isEqualTo(List.of(sharded.recordedAt(), sharded.correlationId()));
        OperationPerformed refused = (OperationPerformed) entries.get(1).event();
        assertThat(refused.outcome()).isEqualTo(Outcome.REFUSED);
        assertThat(refused.detail()).isEqualTo("shards_cannot_decrease");
        assertThat(refused.options()).isEqualTo(Map.of("shards", "2"));
        assertTrailChains();
    }

    @Test
    void aForcedReversalIsRecordedWithItsOptionsButNotItsMetadataAndAnUnforcedOneIsNot() {
        assertThat(ledger.transfer("pay", "alice", "shop", "30.00", "EUR").status()).isEqualTo(201);
        assertThat(ledger.transfer("spend", "shop", "bank", "30.00", "EUR").status()).isEqualTo(201);
        long before = trail().size();

        Reply byPayments = ledger.call("POST", "/transfers/pay/reverse", PAYMENTS,
                "{\"reversalId\":\"r-p\",\"amount\":\"1.00\",\"force\":true}");
        Reply unforced = ledger.call("POST", "/transfers/pay/reverse", OPERATOR,
                "{\"reversalId\":\"r-u\",\"amount\":\"1.00\"}");
        Reply forced = ledger.call("POST", "/transfers/pay/reverse", OPERATOR,
                "{\"reversalId\":\"r-f\",\"amount\":\"10.00\",\"force\":true,\"metadata\":{\"case\":\"secret-42\"}}");
        Reply again = ledger.call("POST", "/transfers/pay/reverse", OPERATOR,
                "{\"reversalId\":\"r-f\",\"amount\":\"10.00\",\"force\":true,\"metadata\":{\"case\":\"secret-42\"}}");

        assertThat(byPayments.error()).isEqualTo("force_requires_operator");
        assertThat(unforced.error()).as("below the floor without force").isEqualTo("insufficient_funds");
        assertThat(forced.status()).as(forced.body().toString()).isEqualTo(201);
        assertThat(again.status()).isEqualTo(200);
        List<StoredEvent> entries = trail().subList((int) before, trail().size());
        assertThat(entries).as("the forced reversal and its repeat; neither the forbidden nor the unforced one")
                .hasSize(2);
        OperationPerformed entry = (OperationPerformed) entries.get(0).event();
        assertThat(entry.action()).isEqualTo("reversal_forced");
        assertThat(entry.target()).isEqualTo("transfer:pay");
        assertThat(entry.options()).isEqualTo(Map.of("amount", "10.00", "force", "true", "reversalId", "r-f"));
        assertThat(entry.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(entries.get(0).data()).doesNotContain("secret-42");
        StoredEvent recorded = ledger.store().readEvent(StreamId.reversal("r-f"), 1).orElseThrow();
        assertThat(entries.get(0).recordedAt()).isEqualTo(recorded.recordedAt());
        assertThat(entries.get(0).correlationId()).isEqualTo(recorded.correlationId());
        assertThat(((OperationPerformed) entries.get(1).event()).outcome()).isEqualTo(Outcome.ALREADY_APPLIED);
        assertTrailChains();
    }

    @Test
    void theTrailListsNewestFirstWithACursorThatDoesNotMoveWhenMoreIsAppended() {
        for (int i = 0; i < 4; i++) {
            assertThat(ledger.call("POST", "/accounts/alice/shards", OPERATOR, "{\"shards\":" + (i + 2) + "}").status())
                    .isEqualTo(200);
        }
        long newest = trail().size();
        AuditLog.Page first = AuditLog.page(ledger.store(), 2, null);
        assertThat(first.entries()).extracting(StoredEvent::version).containsExactly(newest, newest - 1);

        assertThat(ledger.call("POST", "/accounts/alice/shards", OPERATOR, "{\"shards\":7}").status()).isEqualTo(200);
        AuditLog.Page second = AuditLog.page(ledger.store(), 2, first.next());

        assertThat(second.entries()).extracting(StoredEvent::version).containsExactly(newest - 2, newest - 3);
    }

    private List<StoredEvent> trail() {
        List<StoredEvent> events = new ArrayList<>();
        ledger.store().readStream(AuditLog.TRAIL, 1).forEachRemaining(events::add);
        return events;
    }

    private StoredEvent lastEventOf(StreamId stream) {
        EventStore.Head head = ledger.store().readHead(stream).orElseThrow();
        return ledger.store().readEvent(stream, head.version()).orElseThrow();
    }

    private void assertTrailChains() {
        HashChainCursor.Verification walk = HashChainCursor.verify(ledger.store().readStream(AuditLog.TRAIL, 1));
        EventStore.Head head = ledger.store().readHead(AuditLog.TRAIL).orElseThrow();
        assertThat(walk.valid()).isTrue();
        assertThat(walk.events()).isEqualTo(head.version());
        assertThat(walk.headHash()).isEqualTo(head.hash());
    }
}
