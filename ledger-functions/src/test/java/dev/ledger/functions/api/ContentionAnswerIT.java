package dev.ledger.functions.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.functions.LedgerFixture;
import dev.ledger.functions.LedgerFixture.Reply;
import dev.ledger.functions.command.CommandService;
import dev.ledger.functions.command.FakeTicker;
import dev.ledger.functions.command.RetryPolicy;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import dev.ledger.store.EventStore;
import dev.ledger.store.MutableClock;
import dev.ledger.store.StoreSession;
import dev.ledger.store.StoredEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What a client sees when its request keeps losing races on a hot account, through the Lambda
 * handler against the emulator: another writer commits on the same accounts between each attempt's
 * reads and its append, for as many attempts as a test says, so a request loses exactly that often.
 * The retries' time is a {@link FakeTicker}: the budget is spent without waiting.
 */
@ExtendWith(LocalAwsExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ContentionAnswerIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");
    /** Short, so that a request that always loses makes a few attempts, not forty. */
    private static final Duration BUDGET = Duration.ofMillis(200);
    private static final int ALWAYS = Integer.MAX_VALUE;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-08-01T09:00:00Z"));
    private final FakeTicker time = new FakeTicker();
    /** How many more appends lose to the interloper. */
    private final AtomicInteger racesToLose = new AtomicInteger();
    /** The interloper's commits in this test. */
    private final AtomicInteger interlopers = new AtomicInteger();
    /** Its transfer ids, distinct across the tests of the class (a repeated id would move no account). */
    private final AtomicInteger interloperIds = new AtomicInteger();
    private LedgerFixture ledger;
    private CommandService interloper;

    @BeforeAll
    void setUp(AwsClients aws, TestNames names) {
        ledger = LedgerFixture.withCommands(aws.dynamoDb(), names.table("events"), clock, (store, at) -> {
            interloper = new CommandService(store, at, RetryPolicy.standard(new SplittableRandom(1)));
            return new CommandService(new Contended(store), at,
                    RetryPolicy.within(BUDGET, new SplittableRandom(2)).withTicker(time));
        });
        assertThat(ledger.openAccount("bank", "EUR", "null").status()).isEqualTo(201);
        assertThat(ledger.openAccount("alice", "EUR", null).status()).isEqualTo(201);
        assertThat(ledger.openAccount("bob", "EUR", null).status()).isEqualTo(201);
    }

    @BeforeEach
    void noContention() {
        racesToLose.set(0);
        interlopers.set(0);
    }

    @Test
    void aRequestThatLosesEveryRaceItHasTimeForIsAnswered409WithRetryAfterAndChangesNothing() throws IOException {
        // given another writer that commits on bank and alice before every append
        racesToLose.set(ALWAYS);

        // when
        Reply reply = transfer("starved", "c-starved");

        // then a refusal a person can act on, and when to act
        assertThat(reply.status()).isEqualTo(409);
        assertThat(reply.error()).isEqualTo("concurrent_modification");
        assertThat(reply.body().path("message").asText())
                .isEqualTo("other requests kept changing the same accounts while this one waited its turn, so it "
                        + "changed nothing; send it again as it is after 1 second");
        assertThat(reply.headers()).containsEntry("Retry-After", "1").containsEntry("content-type", "application/json");
        assertThat(ledger.store().readHead(StreamId.transfer("starved"))).isEmpty();
        // and the request's line counts every race it lost: one per attempt, more than one attempt
        JsonNode line = requestLine("c-starved");
        assertThat(line.path("outcome").asText()).isEqualTo("concurrent_modification");
        assertThat(line.path("Conflicts").asInt()).isEqualTo(interlopers.get()).isGreaterThan(1);
        assertThat(declaredMetrics(line)).contains("Conflicts");
    }

    @Test
    void theSameRequestAfterTheContentionIsRecorded() {
        racesToLose.set(ALWAYS);
        assertThat(transfer("later", "c-later-1").status()).isEqualTo(409);

        racesToLose.set(0);
        Reply again = transfer("later", "c-later-2");

        assertThat(again.status()).as(again.body().toString()).isEqualTo(201);
        assertThat(again.headers()).doesNotContainKey("Retry-After");
    }

    @Test
    void aRequestThatLosesTwiceThenWinsIsRecordedAndItsLineCountsTwoConflicts() throws IOException {
        racesToLose.set(2);

        Reply reply = transfer("third-time", "c-third");

        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(201);
        JsonNode line = requestLine("c-third");
        assertThat(line.path("outcome").asText()).isEqualTo("ok");
        assertThat(line.path("Conflicts").asInt()).isEqualTo(2);
    }

    @Test
    void aRequestThatLosesNoRaceCountsZeroConflicts() throws IOException {
        Reply reply = transfer("calm", "c-calm");

        assertThat(reply.status()).isEqualTo(201);
        JsonNode line = requestLine("c-calm");
        assertThat(line.path("Conflicts").isInt()).isTrue();
        assertThat(line.path("Conflicts").asInt()).isZero();
        assertThat(declaredMetrics(line)).contains("Conflicts");
    }

    @Test
    void anAtomicBatchThatLosesEveryRaceIsAnswered409WithRetryAfter() throws IOException {
        racesToLose.set(ALWAYS);

        Reply reply = ledger.call("POST", "/batches", headers("c-batch"), "{\"batchId\":\"b-starved\",\"atomic\":true,"
                + "\"items\":[{\"type\":\"transfer\",\"transferId\":\"bt-starved\",\"debitAccountId\":\"bank\","
                + "\"creditAccountId\":\"bob\",\"amount\":\"1.00\",\"currency\":\"EUR\"}]}");

        assertThat(reply.status()).isEqualTo(409);
        assertThat(reply.error()).isEqualTo("concurrent_modification");
        assertThat(reply.headers()).containsEntry("Retry-After", "1");
        assertThat(requestLine("c-batch").path("Conflicts").asInt()).isEqualTo(interlopers.get()).isGreaterThan(1);
        assertThat(ledger.store().readHead(StreamId.batch("b-starved"))).isEmpty();
    }

    private Reply transfer(String id, String correlationId) {
        return ledger.call("POST", "/transfers", headers(correlationId), "{\"transferId\":\"" + id + "\","
                + "\"debitAccountId\":\"bank\",\"creditAccountId\":\"alice\",\"amount\":\"1.00\",\"currency\":\"EUR\"}");
    }

    private static Map<String, String> headers(String correlationId) {
        return Map.of("Authorization", "Bearer " + LedgerFixture.PAYMENTS, "x-correlation-id", correlationId);
    }

    /** The one request line with this correlation id in the handler's log. */
    private JsonNode requestLine(String correlationId) throws IOException {
        List<JsonNode> lines = ledger.log().lines().map(ContentionAnswerIT::parse)
                .filter(line -> line.has("route") && line.path("correlationId").asText().equals(correlationId))
                .toList();
        assertThat(lines).as("request lines of %s", correlationId).hasSize(1);
        return lines.get(0);
    }

    private static List<String> declaredMetrics(JsonNode line) {
        return line.path("_aws").path("CloudWatchMetrics").get(0).path("Metrics").findValuesAsText("Name");
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Commits a deposit from bank to alice and bob through an uncontended service: one race lost. */
    private void interlope() {
        interlopers.incrementAndGet();
        int n = interloperIds.incrementAndGet();
        LedgerResult done = interloper.execute("interloper-" + n, other -> other.transfer("interloper-" + n,
                TransferRequest.posted("bank", n % 2 == 0 ? "alice" : "bob", Money.parse("1.00", EUR)))).result();
        assertThat(done.isRejected()).isFalse();
    }

    /**
     * The table's store, except that while races are to be lost another writer commits on the same
     * accounts between a session's reads and its append: the append then finds bank moved, as it
     * would under a burst of payments from one account.
     */
    private final class Contended implements EventStore {

        private final EventStore store;

        Contended(EventStore store) {
            this.store = store;
        }

        @Override
        public StoreSession session() {
            StoreSession session = store.session();
            return new StoreSession() {
                @Override
                public Optional<Head> head(StreamId stream) {
                    return session.head(stream);
                }

                @Override
                public List<StoredEvent> append(LedgerResult result, Instant recordedAt, String correlationId) {
                    if (racesToLose.getAndUpdate(left -> left == ALWAYS || left == 0 ? left : left - 1) > 0) {
                        interlope();
                    }
                    return session.append(result, recordedAt, correlationId);
                }
            };
        }

        @Override
        public Optional<Head> readHead(StreamId stream) {
            return store.readHead(stream);
        }

        @Override
        public Optional<StoredEvent> readEvent(StreamId stream, long version) {
            return store.readEvent(stream, version);
        }

        @Override
        public Iterator<StoredEvent> readStream(StreamId stream, long fromVersion) {
            return store.readStream(stream, fromVersion);
        }

        @Override
        public List<StoredEvent> readBackward(StreamId stream, long before, int limit) {
            return store.readBackward(stream, before, limit);
        }
    }
}
