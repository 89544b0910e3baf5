package dev.ledger.infra.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ledger.domain.api.StreamId;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import dev.ledger.projections.ProjectionCatalog;
import dev.ledger.projections.ReadRoutes;
import dev.ledger.store.EventsTable;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The local stack in this JVM, on the test run's emulator and a free port: the template deployed,
 * the real handler classes serving HTTP, the sweeper on its timer, and a clean stop.
 */
@ExtendWith(LocalAwsExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class LocalStackIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    // The awaits below wait for conditions (the sweeper's expiry event, the projection behind the
    // route); their bound only guards against a hang, and is generous because on a loaded 2-core
    // machine the stack's timers, stream consumers and emulator all run slowly.
    private static final Duration HANG_GUARD = Duration.ofMinutes(3);

    @TempDir
    static Path directory;
    private static LocalStack stack;
    private static Path stateFile;
    private static String payments;

    @BeforeAll
    static void start(AwsClients aws, TestNames names) {
        stateFile = directory.resolve("local.json");
        stack = LocalStack.start(LocalStack.Options.defaults()
                .withPort(0)
                .withEmulator(aws.endpoint())
                .withStackName(names.stack("ledger"))
                .withCodeBucket(names.bucket("code"))
                .withScheduleInterval(Duration.ofSeconds(1))
                .withStateFile(stateFile));
        payments = stack.token("payments").orElseThrow();
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void health_answers_ok_without_a_token() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/health")).GET());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.body())).isEqualTo(JSON.readTree("{\"status\":\"ok\"}"));
    }

    @Test
    @Order(2)
    void opening_an_account_with_a_payments_token_is_201_and_the_same_request_again_is_200() throws Exception {
        HttpRequest.Builder open = HttpRequest.newBuilder(uri("/accounts"))
                .header("Authorization", "Bearer " + payments).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"accountId\":\"alice\",\"currency\":\"EUR\"}"));

        HttpResponse<String> first = send(open);
        HttpResponse<String> again = send(open);

        assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
        JsonNode account = JSON.readTree(first.body());
        assertThat(account.path("accountId").asText()).isEqualTo("alice");
        assertThat(account.path("status").asText()).isEqualTo("OPEN");
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(again.body())).isEqualTo(account);
    }

    @Test
    @Order(3)
    void the_gateway_turns_away_a_request_without_a_token_or_with_an_unknown_one() throws Exception {
        HttpRequest.Builder open = HttpRequest.newBuilder(uri("/accounts")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"accountId\":\"bob\",\"currency\":\"EUR\"}"));

        assertThat(send(open).statusCode()).isEqualTo(401);
        assertThat(send(open.header("Authorization", "Bearer not-a-token")).statusCode()).isEqualTo(403);
    }

    @Test
    @Order(4)
    void the_handlers_use_the_deployed_table_and_the_emulator() {
        assertThat(stack.handlerConfiguration())
                .containsEntry("LEDGER_EVENTS_TABLE", stack.outputs().get("EventsTableName"))
                .containsEntry("LEDGER_AWS_ENDPOINT", stack.emulatorEndpoint().toString())
                .containsEntry("aws.region", "us-east-1")
                .doesNotContainKey("JAVA_TOOL_OPTIONS");
        assertThat(System.getProperty("LEDGER_EVENTS_TABLE")).isEqualTo(stack.outputs().get("EventsTableName"));
    }

    @Test
    @Order(5)
    void the_sweeper_runs_on_its_local_timer_and_expires_an_overdue_hold() throws Exception {
        for (String account : new String[] {"payer", "payee"}) {
            HttpResponse<String> opened = send(authorized("/accounts",
                    "{\"accountId\":\"" + account + "\",\"currency\":\"EUR\",\"overdraftLimit\":null}"));
            assertThat(opened.statusCode()).as(opened.body()).isEqualTo(201);
        }
        HttpResponse<String> hold = send(authorized("/transfers", "{\"transferId\":\"hold-1\",\"debitAccountId\":\"payer\","
                + "\"creditAccountId\":\"payee\",\"amount\":\"1.00\",\"currency\":\"EUR\",\"pending\":true,"
                + "\"timeoutSeconds\":1}"));
        assertThat(hold.statusCode()).as(hold.body()).isEqualTo(201);

        // Nothing touches the hold again: only the sweeper can record its expiry.
        String table = stack.outputs().get("EventsTableName");
        await().atMost(HANG_GUARD).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                assertThat(stack.clients().dynamoDb().scan(r -> r.tableName(table)).items())
                        .map(item -> item.getOrDefault("type", AttributeValue.fromS("")).s())
                        .anyMatch(type -> type.contains("Expired")));
    }

    @Test
    @Order(6)
    void the_state_file_tells_later_tools_where_everything_is() throws IOException {
        JsonNode state = JSON.readTree(stateFile.toFile());

        assertThat(state.path("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
        assertThat(state.path("httpPort").asInt()).isEqualTo(stack.httpPort());
        assertThat(state.path("emulatorEndpoint").asText()).isEqualTo(stack.emulatorEndpoint().toString());
        assertThat(state.path("outputs").path("EventsTableName").asText()).isEqualTo(stack.outputs().get("EventsTableName"));
        assertThat(state.path("tokens").path("payments").asText()).isEqualTo(payments);
        assertThat(StateFile.readIfRunning(stateFile)).isPresent();
    }

    @Test
    @Order(7)
    void after_a_swap_the_projection_writes_and_the_read_api_reads_the_table_the_route_names() throws Exception {
        DynamoDbClient dynamo = stack.clients().dynamoDb();
        // The table swapped in here starts empty, not rebuilt from the log. An event of an earlier
        // test still on its way (the sweeper's expiry, say) would reach it after the swap with no
        // earlier version there: a gap, which stops the balances consumer at that record, and so
        // at every record behind it on the shard, the new account's included, for good. So the
        // projections must have caught up with the whole log before the swap.
        Set<String> accounts = new TreeSet<>();
        Set<String> transfers = new TreeSet<>();
        for (Map<String, AttributeValue> item : dynamo.scanPaginator(r -> r.tableName(stack.outputs().get("EventsTableName"))
                .projectionExpression("pk")).items()) {
            if (EventsTable.isCheckpoint(item)) {
                continue;
            }
            StreamId stream = EventsTable.streamOf(item.get("pk").s());
            if (stream.type() == StreamId.StreamType.ACCOUNT) {
                accounts.add(stream.id());
            } else if (stream.type() == StreamId.StreamType.TRANSFER) {
                transfers.add(stream.id());
            }
        }
        new ProjectionsAgainstLog(dynamo, stack.outputs()).awaitCaughtUp(accounts, transfers, HANG_GUARD, () -> "");
        String deployed = stack.outputs().get("BalancesTableName");
        String rebuilt = deployed + "-rebuild-1";
        ProjectionCatalog.BALANCES.createTable(dynamo, rebuilt);
        ReadRoutes.switchTo(dynamo, stack.outputs().get("ControlTableName"), "balances", deployed, false, rebuilt,
                Instant.parse("2026-11-27T08:00:00Z"), "LocalStackIT");

        HttpResponse<String> opened = send(authorized("/accounts",
                "{\"accountId\":\"after-swap\",\"currency\":\"EUR\"}"));
        assertThat(opened.statusCode()).as(opened.body()).isEqualTo(201);

        // The read API may serve a route it read up to five seconds ago; then it reads the new table.
        String auditor = stack.token("auditor").orElseThrow();
        await().atMost(HANG_GUARD).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                assertThat(send(HttpRequest.newBuilder(uri("/accounts/after-swap"))
                        .header("Authorization", "Bearer " + auditor).GET()).statusCode()).isEqualTo(200));
        Map<String, AttributeValue> key = Map.of("id", AttributeValue.fromS("after-swap"));
        assertThat(dynamo.getItem(r -> r.tableName(rebuilt).key(key)).hasItem()).isTrue();
        assertThat(dynamo.getItem(r -> r.tableName(deployed).key(key)).hasItem())
                .as("the consumer no longer writes the table it served before").isFalse();
    }

    @Test
    @Order(8)
    void a_second_local_stack_with_the_same_state_file_refuses_to_start() {
        assertThatThrownBy(() -> LocalStack.start(LocalStack.Options.defaults().withPort(0)
                .withEmulator(stack.emulatorEndpoint()).withStateFile(stateFile)))
                .hasMessageContaining("already running");
    }

    @Test
    @Order(9)
    void a_payments_token_with_control_characters_or_a_folded_line_writes_nothing() throws Exception {
        String table = stack.outputs().get("EventsTableName");
        int eventsBefore = stack.clients().dynamoDb().scan(r -> r.tableName(table)).count();
        String[] forms = {"\u0000Bearer " + payments, "Bearer " + payments + "\u0000", "\u0001Bearer " + payments,
            "Bearer " + payments + "\u0001", "\u001fBearer " + payments, "Bearer " + payments + "\u001f",
            "Bearer\t" + payments};
        for (int i = 0; i < forms.length; i++) {
            String body = "{\"accountId\":\"ctl-" + i + "\",\"currency\":\"EUR\"}";
            RawHttp.Answer answer = RawHttp.exchange(stack.httpPort(), "POST /accounts HTTP/1.1\r\nHost: x\r\n"
                    + "Authorization: " + forms[i] + "\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body);
            assertThat(answer.status()).as("form %d", i).isEqualTo(403);
            assertThat(answer.body()).isEqualTo("{\"message\":\"Forbidden\"}");
        }
        String body = "{\"accountId\":\"ctl-folded\",\"currency\":\"EUR\"}";
        RawHttp.Answer folded = RawHttp.exchange(stack.httpPort(), "POST /accounts HTTP/1.1\r\nHost: x\r\n"
                + "Authorization: Bearer\r\n " + payments + "\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length() + "\r\n\r\n" + body);
        assertThat(folded.status()).isEqualTo(400);
        assertThat(folded.body()).isEqualTo("{\"message\":\"Bad Request\"}");

        assertThat(stack.clients().dynamoDb().scan(r -> r.tableName(table)).count()).isEqualTo(eventsBefore);
    }

    @Test
    @Order(10)
    void bad_percent_escapes_and_an_unrepresentable_content_length_are_json_400s_without_class_names()
            throws Exception {
        String auditor = stack.token("auditor").orElseThrow();
        for (String target : new String[] {"/accounts/%", "/accounts/%zz", "/accounts/%u0061lice"}) {
            RawHttp.Answer answer = RawHttp.exchange(stack.httpPort(), "GET " + target + " HTTP/1.1\r\nHost: x\r\n"
                    + "Authorization: Bearer " + auditor + "\r\n\r\n");
            assertThat(answer.status()).as(target).isEqualTo(400);
            assertThat(answer.header("content-type")).isEqualTo("application/json");
            assertThat(answer.body()).isEqualTo("{\"message\":\"Bad Request\"}");
        }
        RawHttp.Answer length = RawHttp.exchange(stack.httpPort(), "POST /accounts HTTP/1.1\r\nHost: x\r\n"
                + "Authorization: Bearer " + payments + "\r\nContent-Length: 99999999999999999999\r\n\r\n");
        assertThat(length.status()).isEqualTo(400);
        assertThat(length.header("content-type")).isEqualTo("application/json");
        assertThat(length.body()).isEqualTo("{\"message\":\"Bad Request\"}");
    }

    @Test
    @Order(11)
    void a_hundred_idle_half_sent_requests_do_not_stop_the_api() throws Exception {
        List<RawHttp> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 100; i++) {
                idle.add(RawHttp.connect(stack.httpPort()).send("GET /heal"));
            }
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            HttpResponse<String> health = client.send(HttpRequest.newBuilder(uri("/health"))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> opened = client.send(authorized("/accounts",
                    "{\"accountId\":\"while-idle\",\"currency\":\"EUR\"}").timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(opened.statusCode()).as(opened.body()).isEqualTo(201);
        } finally {
            for (RawHttp connection : idle) {
                connection.close();
            }
        }
    }

    @Test
    @Order(12)
    void a_transfer_answers_the_same_fields_to_the_post_that_settled_it_and_to_a_later_get() throws Exception {
        for (String account : new String[] {"shape-payer", "shape-payee"}) {
            HttpResponse<String> opened = send(authorized("/accounts",
                    "{\"accountId\":\"" + account + "\",\"currency\":\"EUR\",\"overdraftLimit\":null}"));
            assertThat(opened.statusCode()).as(opened.body()).isEqualTo(201);
        }
        HttpResponse<String> held = send(authorized("/transfers", "{\"transferId\":\"shape-1\","
                + "\"debitAccountId\":\"shape-payer\",\"creditAccountId\":\"shape-payee\",\"amount\":\"5.00\","
                + "\"currency\":\"EUR\",\"pending\":true,\"timeoutSeconds\":600,\"metadata\":{\"order\":\"A-17\"}}"));
        assertThat(held.statusCode()).as(held.body()).isEqualTo(201);
        HttpResponse<String> posted = send(authorized("/transfers/shape-1/post", "{\"amount\":\"2.00\"}"));
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);
        JsonNode postAnswer = JSON.readTree(posted.body());
        assertThat(postAnswer.path("statusHistory")).hasSize(2);

        // The read side shows the transfer once its projection has the post (version 2).
        HttpRequest.Builder read = HttpRequest.newBuilder(uri("/transfers/shape-1"))
                .header("Authorization", "Bearer " + payments).GET();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            HttpResponse<String> got = send(read);
            return got.statusCode() == 200 && JSON.readTree(got.body()).path("version").asLong() == 2;
        });
        assertThat(JSON.readTree(send(read).body())).isEqualTo(postAnswer);
    }

    @Test
    @Order(13)
    void an_operators_shard_raise_goes_on_the_audit_trail_and_the_read_path_carries_on_past_it() throws Exception {
        String operator = stack.token("operator").orElseThrow();
        String auditor = stack.token("auditor").orElseThrow();
        // Accounts of its own, opened after the swap above: an account with events before it would reach
        // the swapped-in table with a gap (see that test), which stops the consumer for reasons of its own.
        for (String account : List.of("op-house", "op-payee")) {
            HttpResponse<String> opened = send(authorized("/accounts",
                    "{\"accountId\":\"" + account + "\",\"currency\":\"EUR\",\"overdraftLimit\":null}"));
            assertThat(opened.statusCode()).as(opened.body()).isEqualTo(201);
        }

        HttpResponse<String> raised = send(HttpRequest.newBuilder(uri("/accounts/op-house/shards"))
                .header("Authorization", "Bearer " + operator).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"shards\":3}")));
        HttpResponse<String> paid = send(authorized("/transfers", "{\"transferId\":\"op-after\","
                + "\"debitAccountId\":\"op-house\",\"creditAccountId\":\"op-payee\",\"amount\":\"1.00\","
                + "\"currency\":\"EUR\"}"));

        assertThat(raised.statusCode()).as(raised.body()).isEqualTo(200);
        assertThat(paid.statusCode()).as(paid.body()).isEqualTo(201);
        JsonNode trail = JSON.readTree(send(HttpRequest.newBuilder(uri("/audit/operations?limit=1"))
                .header("Authorization", "Bearer " + auditor).GET()).body());
        JsonNode entry = trail.path("operations").path(0);
        assertThat(entry.path("action").asText()).isEqualTo("shards_raised");
        assertThat(entry.path("target").asText()).isEqualTo("account:op-house");
        assertThat(entry.path("operator").path("role").asText()).isEqualTo("operator");
        assertThat(entry.path("outcome").asText()).isEqualTo("succeeded");
        // The trail's events go through the publisher and Kinesis like every other; the projections skip
        // them and reach the transfer written after them, in the tables serving now (a test above swapped
        // the balances table).
        DynamoDbClient dynamo = stack.clients().dynamoDb();
        Map<String, String> serving = new java.util.HashMap<>(stack.outputs());
        for (ProjectionCatalog projection : ProjectionCatalog.values()) {
            ReadRoutes.read(dynamo, stack.outputs().get("ControlTableName"), projection.label())
                    .ifPresent(route -> serving.put(projection.templateOutput(), route.table()));
        }
        new ProjectionsAgainstLog(dynamo, serving)
                .awaitCaughtUp(List.of("op-house", "op-payee"), List.of("op-after"), HANG_GUARD, () -> "");
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void closing_stops_serving_deletes_the_state_file_and_restores_system_properties() {
        URI health = uri("/health");
        String tableBefore = System.getProperty("LEDGER_EVENTS_TABLE");
        assertThat(tableBefore).isNotNull();

        stack.close();

        assertThat(Files.exists(stateFile)).isFalse();
        assertThat(System.getProperty("LEDGER_EVENTS_TABLE")).isNull();
        assertThatThrownBy(() -> HTTP.send(HttpRequest.newBuilder(health).GET().build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(ConnectException.class);
    }

    private static HttpRequest.Builder authorized(String path, String body) {
        return HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + payments)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + stack.httpPort() + path);
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
