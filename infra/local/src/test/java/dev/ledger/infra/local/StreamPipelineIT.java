package dev.ledger.infra.local;

import static dev.ledger.infra.local.ProjectionsAgainstLog.comparable;
import static dev.ledger.infra.local.ProjectionsAgainstLog.expectedHistory;
import static dev.ledger.infra.local.ProjectionsAgainstLog.folds;
import static dev.ledger.infra.local.ProjectionsAgainstLog.transferFold;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountEvent;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.money.Money;
import dev.ledger.infra.local.streams.EventSourceRuntime;
import dev.ledger.infra.local.streams.MappingSpec;
import dev.ledger.infra.local.streams.MappingStats;
import dev.ledger.infra.local.streams.RandomDeliveryFaults;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import dev.ledger.projections.BalancesProjection;
import dev.ledger.projections.HistoryProjection;
import dev.ledger.store.DynamoEventStore;
import dev.ledger.store.StoredEvent;
import dev.ledger.views.Views;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
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
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The whole read path on the local stack: the template deployed to the emulator (Stage=local),
 * random transfers through the HTTP API, the events table's stream carried to Kinesis by the
 * publisher and into the projections by the local event-source runtime; then every projection is
 * checked against a fold of the log. Again with the runtime duplicating records, crashing before
 * checkpoints and being restarted mid-stream; then the read routes; then a poison record.
 * Waiting is always for a condition (projection versions reaching the log's heads); it fails only
 * when the read path stops moving (see {@link ProjectionsAgainstLog#awaitCaughtUp}).
 */
@ExtendWith(LocalAwsExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class StreamPipelineIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String PAYMENTS = "pipeline-payments-token";
    private static final String AUDITOR = "pipeline-auditor-token";
    // Catching up has no deadline (a deadline on a loaded 2-core machine is a timing assertion): the
    // wait fails only if the read path shows no movement at all for this long, i.e. it hangs.
    private static final Duration STALL = Duration.ofSeconds(90);
    // The poison test waits for a handful of records to be dead-lettered and projected: a hang guard.
    private static final Duration HANG_GUARD = Duration.ofMinutes(5);
    private static final List<String> ACCOUNTS = List.of("a0", "a1", "a2", "a3", "a4", "a5");

    private final SplittableRandom random = new SplittableRandom(20261127);
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final Set<String> accounts = new LinkedHashSet<>();
    private final Set<String> transfers = new LinkedHashSet<>();
    private final List<String> pending = new ArrayList<>();
    private AwsClients aws;
    private TestNames names;
    private LocalStack stack;
    private ProjectionsAgainstLog projections;
    private DynamoEventStore store;
    private BalancesProjection balances;
    private HistoryProjection history;
    private boolean poisoned;

    @BeforeAll
    void start(AwsClients aws, TestNames names) throws Exception {
        this.aws = aws;
        this.names = names;
        stack = start(EventSourceRuntime.Settings.defaults());
        projections = new ProjectionsAgainstLog(aws.dynamoDb(), stack.outputs());
        store = projections.store();
        balances = projections.balances();
        history = projections.history();
        open("bank", true);
        for (String account : ACCOUNTS) {
            open(account, false);
        }
    }

    @AfterAll
    void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void after_random_transfers_every_projection_equals_the_fold_of_the_log() throws Exception {
        workload("clean", 70);

        awaitCaughtUp();

        assertProjectionsEqualTheLog();
        assertThat(stack.eventSources().orElseThrow().mappings()).extracting(MappingSpec::id).containsExactlyInAnyOrder(
                "EventPublisherMapping", "BalancesProjectionMapping", "HistoryProjectionMapping",
                "TransfersProjectionMapping", "MetadataProjectionMapping");
    }

    @Test
    @Order(2)
    void with_duplicates_crashes_before_checkpoints_and_a_restart_mid_stream_the_projections_still_equal_the_log()
            throws Exception {
        // Given a runtime that duplicates records, crashes before checkpoints and delays batches
        stack.close();
        stack = start(faulty(1));
        workload("faulty", 60);

        // When it is stopped with a backlog (the stream's records are not all projected) and restarted
        boolean backlog = !caughtUp();
        MappingStats.Snapshot[] injected = statsOf(stack);
        stack.close();
        stack = start(faulty(2));
        workload("restarted", 40);

        // Then nothing is lost and nothing is applied twice
        awaitCaughtUp();
        assertProjectionsEqualTheLog();
        long duplicates = 0;
        long crashes = 0;
        for (MappingStats.Snapshot stats : concat(injected, statsOf(stack))) {
            duplicates += stats.duplicatesInjected();
            crashes += stats.crashesInjected();
        }
        assertThat(duplicates).as("records delivered twice").isPositive();
        assertThat(crashes).as("crashes before a checkpoint").isPositive();
        System.out.printf("[stream pipeline] restarted with a backlog: %s; injected %d duplicate(s) and %d crash(es)"
                + " before a checkpoint%n", backlog, duplicates, crashes);
        assertThat(queueDepth()).as("nothing given up on, nothing dead-lettered").isZero();
    }

    @Test
    @Order(3)
    void the_read_routes_answer_from_the_projections_and_the_log() throws Exception {
        for (String account : accounts) {
            List<StoredEvent> events = events(StreamId.account(account));
            List<AccountState> states = folds(events);

            JsonNode shown = get("/accounts/" + account);
            assertThat(shown).isEqualTo(JSON.readTree(Views.account(states.get(states.size() - 1), events.size()).toString()));

            List<JsonNode> pages = new ArrayList<>();
            String cursor = null;
            do {
                JsonNode page = get("/accounts/" + account + "/history?limit=7"
                        + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8)));
                page.path("entries").forEach(pages::add);
                cursor = page.path("nextCursor").isNull() || page.path("nextCursor").isMissingNode() ? null
                        : page.path("nextCursor").asText();
            } while (cursor != null);
            assertThat(comparable(pages)).isEqualTo(expectedHistory(events, states));

            // The balance as of an instant is the fold of the log up to it.
            for (int i = 0; i < events.size(); i += Math.max(1, events.size() / 4)) {
                Instant asOf = events.get(i).recordedAt();
                int upTo = 0;
                while (upTo < events.size() && !events.get(upTo).recordedAt().isAfter(asOf)) {
                    upTo++;
                }
                JsonNode balance = get("/accounts/" + account + "/balance?asOf=" + asOf);
                AccountState then = states.get(upTo - 1);
                assertThat(balance.path("balance").asText()).as("%s as of %s", account, asOf)
                        .isEqualTo(Money.toDecimalString(then.balance(), then.currency().minorDigits()));
                assertThat(balance.path("version").asLong()).isEqualTo(upTo);
            }
            assertThat(send("GET", "/accounts/" + account + "/balance?asOf="
                    + events.get(0).recordedAt().minusMillis(1), AUDITOR, null).statusCode()).isEqualTo(404);

            JsonNode verified = get("/audit/accounts/" + account + "/verify");
            assertThat(verified.path("valid").asBoolean()).isTrue();
            assertThat(verified.path("events").asLong()).isEqualTo(events.size());
            assertThat(verified.path("headHash").asText()).isEqualTo(events.get(events.size() - 1).hash());
        }
        for (String transfer : transfers) {
            List<StoredEvent> events = events(StreamId.transfer(transfer));
            if (events.isEmpty()) {
                continue;
            }
            JsonNode shown = get("/transfers/" + transfer);
            assertThat(shown.path("status").asText()).isEqualTo(transferFold(events).status().name());
            assertThat(shown.path("version").asLong()).isEqualTo(events.size());
            assertThat(shown.path("legs")).hasSize(2);
        }
        assertThat(send("POST", "/transfers", AUDITOR, "{\"transferId\":\"by-auditor\",\"debitAccountId\":\"a0\","
                + "\"creditAccountId\":\"a1\",\"amount\":\"1.00\",\"currency\":\"EUR\"}").statusCode())
                .as("an auditor cannot write").isEqualTo(403);
    }

    @Test
    @Order(4)
    void a_poison_record_lands_in_the_dead_letter_queue_and_blocks_only_its_account() throws Exception {
        open("p1", false);
        open("p2", false);
        transfer("deposit-p1", "bank", "p1", "5.00", false);
        transfer("deposit-p2", "bank", "p2", "5.00", false);
        awaitCaughtUp();
        long p1Before = events(StreamId.account("p1")).size();

        // A record no projection can read, on p1's partition, ahead of p1's and p2's next events
        poisoned = true;
        aws.kinesis().putRecord(r -> r.streamName(stack.outputs().get("LedgerStreamName")).partitionKey("account:p1")
                .data(SdkBytes.fromUtf8String("{\"not\":\"an event\"")));
        transfer("after-poison-p1", "bank", "p1", "1.00", false);
        transfer("after-poison-p2", "bank", "p2", "1.00", false);

        String queue = stack.outputs().get("DeadLetterQueueUrl");
        List<JsonNode> letters = new ArrayList<>();
        await().atMost(HANG_GUARD).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            for (Message message : aws.sqs().receiveMessage(r -> r.queueUrl(queue).maxNumberOfMessages(10)).messages()) {
                letters.add(JSON.readTree(message.body()));
            }
            assertThat(letters).extracting(l -> l.path("projection").asText()).contains("balances", "history");
            assertThat(balances.position(StreamId.account("p2")).version())
                    .isEqualTo(events(StreamId.account("p2")).size());
            assertThat(history.position(StreamId.account("p2")).version())
                    .isEqualTo(events(StreamId.account("p2")).size());
        });

        assertThat(letters).filteredOn(l -> l.has("projection")).allSatisfy(letter -> {
            assertThat(letter.path("partitionKey").asText()).isEqualTo("account:p1");
            assertThat(letter.path("reason").asText()).startsWith("unreadable record");
            assertThat(letter.path("sequenceNumber").asText()).isNotBlank();
        });
        assertThat(letters).as("no batch was given up on").noneMatch(l -> l.has("requestContext"));
        // p1 waits at its last good state, which the log had; p2 goes on.
        assertThat(balances.position(StreamId.account("p1")).blocked()).isTrue();
        assertThat(balances.balance("p1").orElseThrow().version()).isEqualTo(p1Before);
        List<AccountState> p1States = folds(events(StreamId.account("p1")));
        assertThat(balances.balance("p1").orElseThrow().account()).isEqualTo(p1States.get((int) p1Before - 1));
        assertThat(events(StreamId.account("p1"))).hasSize((int) p1Before + 1);
        assertThat(balances.balance("p2").orElseThrow().account())
                .isEqualTo(folds(events(StreamId.account("p2"))).get(events(StreamId.account("p2")).size() - 1));
    }

    // ----------------------------------------------------------------------------------------
    // Workload
    // ----------------------------------------------------------------------------------------

    private void workload(String phase, int operations) throws Exception {
        for (int i = 0; i < operations; i++) {
            String id = phase + "-" + i;
            String from = ACCOUNTS.get(random.nextInt(ACCOUNTS.size()));
            String to = ACCOUNTS.get(random.nextInt(ACCOUNTS.size()));
            int dice = random.nextInt(100);
            if (dice < 30 || from.equals(to)) {
                transfer(id, "bank", to, amount(2_000, 20_000), false);
            } else if (dice < 70) {
                transfer(id, from, to, amount(100, 8_000), false);
            } else if (dice < 85) {
                if (transfer(id, from, to, amount(100, 4_000), true) == 201) {
                    pending.add(id);
                }
            } else if (!pending.isEmpty()) {
                String hold = pending.remove(random.nextInt(pending.size()));
                if (random.nextBoolean()) {
                    send("POST", "/transfers/" + hold + "/void", PAYMENTS, null);
                } else {
                    send("POST", "/transfers/" + hold + "/post", PAYMENTS, random.nextBoolean() ? null : "{\"amount\":\"0.01\"}");
                }
            }
        }
    }

    private int transfer(String id, String from, String to, String amount, boolean pendingHold) throws Exception {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("transferId", id).put("debitAccountId", from)
                .put("creditAccountId", to).put("amount", amount).put("currency", "EUR");
        if (pendingHold) {
            body.put("pending", true).put("timeoutSeconds", 3600);
        }
        HttpResponse<String> response = send("POST", "/transfers", PAYMENTS, body.toString());
        assertThat(response.statusCode()).as(response.body()).isIn(201, 422);
        transfers.add(id);
        return response.statusCode();
    }

    private void open(String account, boolean unlimited) throws Exception {
        HttpResponse<String> response = send("POST", "/accounts", PAYMENTS, "{\"accountId\":\"" + account
                + "\",\"currency\":\"EUR\"" + (unlimited ? ",\"overdraftLimit\":null" : "") + "}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        accounts.add(account);
    }

    private String amount(int minCents, int maxCents) {
        int cents = minCents + random.nextInt(maxCents - minCents);
        return cents / 100 + "." + String.format("%02d", cents % 100);
    }

    // ----------------------------------------------------------------------------------------
    // The log, folded, against the projections
    // ----------------------------------------------------------------------------------------

    private boolean caughtUp() {
        return projections.caughtUp(unblocked(), transfers);
    }

    private void awaitCaughtUp() {
        projections.awaitCaughtUp(unblocked(), transfers, STALL, () -> {
            synchronized (log) {
                return "The event-source runtime's last reports: " + log.subList(Math.max(0, log.size() - 10), log.size());
            }
        });
    }

    /**
     * The accounts whose projections must reach the log's head: all of them, but p1 once the poison
     * test has blocked it on purpose. Until then p1 is waited for too: its deposit must be projected
     * (and so already on the Kinesis stream) before the poison record is put ahead of its next
     * events; else the poison could land ahead of the deposit, and p1 would be blocked before it.
     */
    private List<String> unblocked() {
        List<String> unblocked = new ArrayList<>(accounts);
        if (poisoned) {
            unblocked.remove("p1");
        }
        return unblocked;
    }

    private void assertProjectionsEqualTheLog() {
        projections.assertEqualTheLog(accounts, transfers);
    }

    private List<StoredEvent> events(StreamId stream) {
        return projections.events(stream);
    }

    // ----------------------------------------------------------------------------------------

    private LocalStack start(EventSourceRuntime.Settings eventSources) {
        return LocalStack.start(LocalStack.Options.defaults()
                .withPort(0)
                .withEmulator(aws.endpoint())
                .withStackName(names.stack("pipeline"))
                .withCodeBucket(names.bucket("code"))
                .withApiTokens(PAYMENTS + "=payments," + AUDITOR + "=auditor")
                .withEventSources(eventSources.withPollInterval(Duration.ofMillis(20)).withLog(log::add)));
    }

    private static EventSourceRuntime.Settings faulty(long seed) {
        return EventSourceRuntime.Settings.defaults()
                .withFaults(new RandomDeliveryFaults(seed, 0.3, 0.25, 0.1, Duration.ofMillis(30)));
    }

    private static MappingStats.Snapshot[] statsOf(LocalStack stack) {
        EventSourceRuntime runtime = stack.eventSources().orElseThrow();
        return runtime.mappings().stream().map(m -> runtime.stats(m.id())).toArray(MappingStats.Snapshot[]::new);
    }

    private static List<MappingStats.Snapshot> concat(MappingStats.Snapshot[] a, MappingStats.Snapshot[] b) {
        List<MappingStats.Snapshot> all = new ArrayList<>(List.of(a));
        all.addAll(List.of(b));
        return all;
    }

    private int queueDepth() {
        String url = stack.outputs().get("DeadLetterQueueUrl");
        return Integer.parseInt(aws.sqs().getQueueAttributes(r -> r.queueUrl(url)
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).attributes()
                .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES));
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = send("GET", path, AUDITOR, null);
        assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private HttpResponse<String> send(String method, String path, String token, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stack.httpPort() + path))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
