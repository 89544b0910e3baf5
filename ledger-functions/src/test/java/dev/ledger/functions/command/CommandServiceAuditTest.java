package dev.ledger.functions.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountEvent.AccountOpened;
import dev.ledger.domain.api.AuditEvent;
import dev.ledger.domain.api.AuditEvent.OperationFinished;
import dev.ledger.domain.api.AuditEvent.OperationPerformed;
import dev.ledger.domain.api.AuditEvent.Operator;
import dev.ledger.domain.api.AuditEvent.Outcome;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.domain.ledger.StreamChange;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.store.AuditLog;
import dev.ledger.store.EventStore;
import dev.ledger.store.StoreSession;
import dev.ledger.store.InMemoryEventStore;
import dev.ledger.store.StoredEvent;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * How the command service puts an operator's command on the audit trail (issue 15): in the command's own
 * append when both fit one DynamoDB transaction, else started before and finished after it; a lost race
 * redoes the command and its entry together.
 */
class CommandServiceAuditTest {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");
    private static final Operator OPERATOR = new Operator("ops@example", "operator", null, null);

    private final Clock clock = Clock.fixed(Instant.parse("2026-11-30T09:00:00Z"), ZoneOffset.UTC);
    private final InMemoryEventStore log = new InMemoryEventStore();
    private final CommandService commands = new CommandService(log, clock,
            RetryPolicy.standard(new SplittableRandom(1)).withTicker(new FakeTicker()));

    @Test
    void anOperatorCommandThatFitsIsRecordedInItsOwnAppendAndItsAnswerHoldsOnlyItsOwnEvents() {
        CommandService.Committed done = commands.execute("c-fits", (id, attempt) -> { }, ledger -> opening(3),
                audit("a-1"));

        List<StoredEvent> trail = trail();
        assertThat(trail).hasSize(1);
        assertThat(trail.get(0).event()).isInstanceOf(OperationPerformed.class);
        assertThat(trail.get(0).correlationId()).isEqualTo("c-fits");
        assertThat(done.events()).hasSize(3).allSatisfy(event -> {
            assertThat(event.stream().type()).isEqualTo(StreamId.StreamType.ACCOUNT);
            assertThat(event.recordedAt()).isEqualTo(trail.get(0).recordedAt());
        });
    }

    @Test
    void aCommandThatFillsATransactionIsRecordedAsStartedBeforeItAndFinishedAfterIt() {
        // 50 new streams: 100 items, no room for the trail's event and head
        LedgerResult full = opening(50);
        assertThat(AuditLog.fitsWith(full)).isFalse();
        assertThat(AuditLog.fitsWith(opening(49))).isTrue();

        commands.execute("c-full", (id, attempt) -> { }, ledger -> full, audit("a-2"));

        List<StoredEvent> trail = trail();
        assertThat(trail).extracting(StoredEvent::type).containsExactly("OperationStarted",
                "OperationFinished");
        assertThat(trail).extracting(event -> ((AuditEvent) event.event()).actionId()).containsOnly("a-2");
        assertThat(((OperationFinished) trail.get(1).event()).outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(log.readHead(StreamId.account("wide-49"))).isPresent();
    }

    @Test
    void aRaceLostToAnotherOperatorRedoesTheCommandAndItsEntryTogether() {
        AuditLog other = new AuditLog(log, clock);
        int[] appends = {0};
        // A log on which another operator's entry lands between the first attempt's read of the trail and its append.
        EventStore raced = new EventStore() {
            @Override
            public StoreSession session() {
                StoreSession session = log.session();
                return new StoreSession() {
                    @Override
                    public Optional<EventStore.Head> head(StreamId stream) {
                        return session.head(stream);
                    }

                    @Override
                    public List<StoredEvent> append(LedgerResult result, Instant recordedAt, String correlationId) {
                        if (++appends[0] == 1) {
                            other.append(new OperationPerformed("a-other", "route_switch", "route#balances", OPERATOR,
                                    new TreeMap<>(), Outcome.SUCCEEDED, null), "c-other");
                        }
                        return session.append(result, recordedAt, correlationId);
                    }
                };
            }

            @Override
            public Optional<EventStore.Head> readHead(StreamId stream) {
                return log.readHead(stream);
            }

            @Override
            public Optional<StoredEvent> readEvent(StreamId stream, long version) {
                return log.readEvent(stream, version);
            }

            @Override
            public java.util.Iterator<StoredEvent> readStream(StreamId stream, long fromVersion) {
                return log.readStream(stream, fromVersion);
            }

            @Override
            public List<StoredEvent> readBackward(StreamId stream, long before, int limit) {
                return log.readBackward(stream, before, limit);
            }
        };
        CommandService racing = new CommandService(raced, clock,
                RetryPolicy.standard(new SplittableRandom(1)).withTicker(new FakeTicker()));

        racing.execute("c-raced", (id, attempt) -> { }, ledger -> opening(1), audit("a-3"));

        assertThat(appends[0]).as("the first append lost to the other entry; the second won").isEqualTo(2);
        assertThat(trail()).extracting(event -> ((AuditEvent) event.event()).actionId())
                .containsExactly("a-other", "a-3");
        assertThat(log.readHead(StreamId.account("wide-0")).orElseThrow().version()).isEqualTo(1);
    }

    private static CommandService.Audit audit(String actionId) {
        return result -> new OperationPerformed(actionId, "shards_raised", "account:wide-0", OPERATOR,
                new TreeMap<>(Map.of("shards", "2")), Outcome.SUCCEEDED, null);
    }

    /** A result that opens {@code count} new accounts: 2 items each. */
    private static LedgerResult opening(int count) {
        List<StreamChange> changes = IntStream.range(0, count).mapToObj(i -> {
            AccountOpened opened = new AccountOpened("wide-" + i, EUR, OverdraftLimit.NONE);
            return new StreamChange(StreamId.account("wide-" + i), 0, List.of(opened),
                    AccountState.evolve(Optional.empty(), opened));
        }).toList();
        return new LedgerResult(LedgerResult.Status.APPLIED, StreamId.account("wide-0"), null, changes);
    }

    private List<StoredEvent> trail() {
        List<StoredEvent> events = new ArrayList<>();
        log.readStream(AuditLog.TRAIL, 1).forEachRemaining(events::add);
        return events;
    }
}
