package dev.ledger.infra.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The local HTTP API byte for byte, over raw sockets: what reaches it is exactly what a hostile or
 * careless client sends, with no client library in between to clean it. Every read waits at most
 * {@link RawHttp#READ_TIMEOUT_MILLIS}: a gateway that stops answering fails with a timeout.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class HttpApiGatewayRawSocketTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static GatewayFixture gateway;

    @BeforeAll
    static void start() {
        gateway = GatewayFixture.start(LocalHttpServer.Settings.defaults());
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    // --- issue 10, defect 3: idle connections must not stop the API ----------------------------

    @Test
    void a_hundred_idle_half_sent_requests_do_not_stop_health_or_an_authorized_request() throws Exception {
        List<RawHttp> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 100; i++) {
                idle.add(RawHttp.connect(gateway.port()).send("GET /heal"));
            }
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            HttpResponse<String> health = client.send(HttpRequest.newBuilder(uri("/health"))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            RawHttp.Answer created = RawHttp.exchange(gateway.port(), post("/created", "Bearer good", "{}"));

            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(created.status()).isEqualTo(201);
        } finally {
            for (RawHttp connection : idle) {
                connection.close();
            }
        }
    }

    @Test
    void a_half_sent_request_is_answered_408_and_closed_after_the_request_timeout() throws Exception {
        try (GatewayFixture quick = GatewayFixture.start(LocalHttpServer.Settings.defaults()
                .withRequestTimeout(Duration.ofMillis(200)).withIdleTimeout(Duration.ofMillis(200)));
             RawHttp connection = RawHttp.connect(quick.port())) {
            connection.send("GET /heal");

            RawHttp.Answer answer = connection.read();

            assertThat(answer.status()).isEqualTo(408);
            assertThat(answer.header("content-type")).isEqualTo("application/json");
            assertThat(answer.body()).isEqualTo("{\"message\":\"Request Timeout\"}");
            assertThat(connection.readToEnd()).as("the server closes the connection").isEmpty();
        }
    }

    @Test
    void an_idle_kept_alive_connection_is_closed_after_the_idle_timeout() throws Exception {
        try (GatewayFixture quick = GatewayFixture.start(LocalHttpServer.Settings.defaults()
                .withRequestTimeout(Duration.ofMillis(200)).withIdleTimeout(Duration.ofMillis(200)));
             RawHttp connection = RawHttp.connect(quick.port())) {
            assertThat(connection.send(get("/health")).read().status()).isEqualTo(200);

            assertThat(connection.readToEnd()).as("closed without another answer").isEmpty();
        }
    }

    @Test
    void connections_beyond_the_maximum_get_a_json_503() throws Exception {
        try (GatewayFixture small = GatewayFixture.start(LocalHttpServer.Settings.defaults().withMaxConnections(2));
             RawHttp first = RawHttp.connect(small.port());
             RawHttp second = RawHttp.connect(small.port());
             RawHttp third = RawHttp.connect(small.port())) {
            RawHttp.Answer answer = third.read();

            assertThat(answer.status()).isEqualTo(503);
            assertThat(answer.header("content-type")).isEqualTo("application/json");
            assertThat(answer.body()).isEqualTo("{\"message\":\"Service Unavailable\"}");
            assertThat(first.send(get("/health")).read().status()).isEqualTo(200);
        }
    }

    // --- issue 10, defect 4: the gateway's own answers are JSON, never a class name -------------

    @ParameterizedTest
    @ValueSource(strings = {"/accounts/%", "/accounts/%zz", "/accounts/%u0061lice", "/accounts/%4/freeze",
            "/health?a=%", "/health?a=%g0"})
    void a_bad_percent_escape_is_a_json_400(String target) throws Exception {
        RawHttp.Answer answer = RawHttp.exchange(gateway.port(), "GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n");

        assertJsonAnswer(answer, 400, "Bad Request");
    }

    @ParameterizedTest
    @ValueSource(strings = {"99999999999999999999", "-1", "+5", "1e3", "5, 6", ""})
    void an_unusable_content_length_is_a_json_400(String length) throws Exception {
        RawHttp.Answer answer = RawHttp.exchange(gateway.port(), "POST /created HTTP/1.1\r\nHost: x\r\n"
                + "Authorization: Bearer good\r\nContent-Length: " + length + "\r\n\r\n{}");

        assertJsonAnswer(answer, 400, "Bad Request");
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET /health HTTP/1.1 extra", "GET  /health HTTP/1.1", "GET /health", "GET health HTTP/1.1",
            "GET /he alth HTTP/1.1", "GET /health#x HTTP/1.1", "G(T /health HTTP/1.1", "GET /health HTTP/1.x",
            "GET /h\u0000 HTTP/1.1", "GET /\u00e9 HTTP/1.1"})
    void a_malformed_request_line_is_a_json_400(String requestLine) throws Exception {
        RawHttp.Answer answer = RawHttp.exchange(gateway.port(), requestLine + "\r\nHost: x\r\n\r\n");

        assertJsonAnswer(answer, 400, "Bad Request");
    }

    @Test
    void headers_beyond_api_gateways_10240_bytes_are_a_json_431() throws Exception {
        RawHttp.Answer answer = RawHttp.exchange(gateway.port(),
                "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(10_240) + "\r\n\r\n");

        assertJsonAnswer(answer, 431, "Request Header Fields Too Large");
    }

    @Test
    void a_body_over_api_gateways_10_mb_is_a_json_413() throws Exception {
        RawHttp.Answer answer = RawHttp.exchange(gateway.port(), "POST /created HTTP/1.1\r\nHost: x\r\n"
                + "Authorization: Bearer good\r\nContent-Length: " + (10 * 1024 * 1024 + 1) + "\r\n\r\n");

        assertJsonAnswer(answer, 413, "Request Entity Too Large");
    }

    @Test
    void an_unknown_transfer_coding_is_a_json_501() throws Exception {
        RawHttp.Answer answer = RawHttp.exchange(gateway.port(), "POST /created HTTP/1.1\r\nHost: x\r\n"
                + "Authorization: Bearer good\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n");

        assertJsonAnswer(answer, 501, "Not Implemented");
    }

    // --- issue 10, defect 5: a token with control characters is refused ------------------------

    @ParameterizedTest
    @ValueSource(strings = {"\u0000Bearer good", "Bearer good\u0000", "\u0001Bearer good", "Bearer good\u0001",
            "\u001fBearer good", "Bearer good\u001f", "Bearer\tgood", "Bearer good\u007f", "Bearer good\rx"})
    void a_token_with_control_characters_reaches_the_authorizer_as_sent_and_is_403(String authorization)
            throws Exception {
        RawHttp.Answer answer = RawHttp.exchange(gateway.port(), post("/created", authorization, "{}"));

        assertJsonAnswer(answer, 403, "Forbidden");
    }

    @Test
    void the_same_token_without_control_characters_is_accepted_and_only_spaces_and_tabs_around_it_are_stripped()
            throws Exception {
        RawHttp.Answer answer = RawHttp.exchange(gateway.port(), post("/created", " \t Bearer good \t ", "{}"));

        assertThat(answer.status()).isEqualTo(201);
        assertThat(JSON.readTree(answer.body()).path("headers").path("authorization").asText()).isEqualTo("Bearer good");
    }

    @Test
    void a_folded_header_line_is_refused_as_a_bad_request() throws Exception {
        RawHttp.Answer answer = RawHttp.exchange(gateway.port(), "POST /created HTTP/1.1\r\nHost: x\r\n"
                + "Authorization: Bearer\r\n good\r\nContent-Length: 2\r\n\r\n{}");

        assertJsonAnswer(answer, 400, "Bad Request");
    }

    @Test
    void a_folded_header_line_with_a_tab_is_refused_as_a_bad_request() throws Exception {
        RawHttp.Answer answer = RawHttp.exchange(gateway.port(), "POST /created HTTP/1.1\r\nHost: x\r\n"
                + "Authorization:\r\n\tBearer good\r\nContent-Length: 2\r\n\r\n{}");

        assertJsonAnswer(answer, 400, "Bad Request");
    }

    // --- API Gateway's other answers, and HTTP/1.1 as clients use it ------------------------

    @Test
    void head_an_unknown_route_and_a_wrong_method_are_404_and_head_has_no_body() throws Exception {
        try (RawHttp connection = RawHttp.connect(gateway.port())) {
            RawHttp.Answer head = connection.send("HEAD /health HTTP/1.1\r\nHost: x\r\n\r\n").read(true);
            // Had HEAD's answer carried a body, it would be read here as the next status line.
            RawHttp.Answer unknown = connection.send(get("/nowhere")).read();
            RawHttp.Answer wrongMethod = connection.send("DELETE /health HTTP/1.1\r\nHost: x\r\n\r\n").read();

            assertThat(head.status()).isEqualTo(404);
            assertThat(head.header("content-type")).isEqualTo("application/json");
            assertJsonAnswer(unknown, 404, "Not Found");
            assertJsonAnswer(wrongMethod, 404, "Not Found");
        }
    }

    @Test
    void a_missing_or_empty_authorization_header_is_401() throws Exception {
        assertJsonAnswer(RawHttp.exchange(gateway.port(),
                "POST /created HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"), 401, "Unauthorized");
        assertJsonAnswer(RawHttp.exchange(gateway.port(), post("/created", "", "")), 401, "Unauthorized");
    }

    @Test
    void two_requests_on_one_kept_alive_connection_are_both_answered() throws Exception {
        try (RawHttp connection = RawHttp.connect(gateway.port())) {
            RawHttp.Answer first = connection.send(get("/health")).read();
            RawHttp.Answer second = connection.send(post("/created", "Bearer good", "{\"n\":2}")).read();

            assertThat(first.status()).isEqualTo(200);
            assertThat(first.header("connection")).isNull();
            assertThat(second.status()).isEqualTo(201);
            assertThat(JSON.readTree(second.body()).path("body").asText()).isEqualTo("{\"n\":2}");
            assertThat(first.header("apigw-requestid")).isNotEqualTo(second.header("apigw-requestid"));
        }
    }

    @Test
    void two_pipelined_requests_are_answered_in_order_and_connection_close_closes() throws Exception {
        try (RawHttp connection = RawHttp.connect(gateway.port())) {
            connection.send(get("/health") + "GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

            assertThat(connection.read().status()).isEqualTo(200);
            RawHttp.Answer last = connection.read();
            assertThat(last.status()).isEqualTo(404);
            assertThat(last.header("connection")).isEqualTo("close");
            assertThat(connection.readToEnd()).isEmpty();
        }
    }

    @Test
    void a_chunked_body_is_decoded() throws Exception {
        RawHttp.Answer answer = RawHttp.exchange(gateway.port(), "POST /created HTTP/1.1\r\nHost: x\r\n"
                + "Authorization: Bearer good\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "4\r\n{\"a\"\r\n3;ext=1\r\n:1}\r\n0\r\nX-Trailer: t\r\n\r\n");

        assertThat(answer.status()).isEqualTo(201);
        JsonNode event = JSON.readTree(answer.body());
        assertThat(event.path("body").asText()).isEqualTo("{\"a\":1}");
        assertThat(event.path("headers").has("transfer-encoding")).isTrue();
    }

    @Test
    void a_malformed_chunk_is_a_json_400() throws Exception {
        RawHttp.Answer answer = RawHttp.exchange(gateway.port(), "POST /created HTTP/1.1\r\nHost: x\r\n"
                + "Authorization: Bearer good\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n");

        assertJsonAnswer(answer, 400, "Bad Request");
    }

    @Test
    void expect_100_continue_is_answered_before_the_body_is_sent_as_curl_does() throws Exception {
        String body = "{\"pad\":\"" + "x".repeat(2_000) + "\"}";
        try (RawHttp connection = RawHttp.connect(gateway.port())) {
            connection.send("POST /created HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer good\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n"
                    + "Expect: 100-continue\r\n\r\n");

            RawHttp.Answer interim = connection.read();
            RawHttp.Answer answer = connection.send(body).read();

            assertThat(interim.status()).isEqualTo(100);
            assertThat(answer.status()).isEqualTo(201);
            assertThat(JSON.readTree(answer.body()).path("body").asText()).isEqualTo(body);
        }
    }

    @Test
    void http_1_0_is_answered_and_closed() throws Exception {
        try (RawHttp connection = RawHttp.connect(gateway.port())) {
            RawHttp.Answer answer = connection.send("GET /health HTTP/1.0\r\n\r\n").read();

            assertThat(answer.status()).isEqualTo(200);
            assertThat(connection.readToEnd()).isEmpty();
        }
    }

    @Test
    void java_http_client_requests_with_bodies_still_work() throws Exception {
        String body = "{\"pad\":\"" + "y".repeat(100_000) + "\"}";
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri("/created"))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer good")
                .header("Content-Type", "application/json").expectContinue(true)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(JSON.readTree(response.body()).path("body").asText()).isEqualTo(body);
    }

    // ----------------------------------------------------------------------------------------

    private static void assertJsonAnswer(RawHttp.Answer answer, int status, String message) {
        assertThat(answer.status()).as(answer.body()).isEqualTo(status);
        assertThat(answer.header("content-type")).isEqualTo("application/json");
        assertThat(answer.body()).isEqualTo("{\"message\":\"" + message + "\"}");
        assertThat(answer.header("apigw-requestid")).isNotBlank();
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n";
    }

    private static String post(String path, String authorization, String body) {
        return "POST " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: " + authorization + "\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + gateway.port() + path);
    }
}
