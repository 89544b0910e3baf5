package dev.ledger.infra.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * The local HTTP API against test handlers: requests become API Gateway's payload 2.0 events,
 * responses come back as the handler wrote them, and API Gateway's own answers (404, 401, 403,
 * 500) keep their shape.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class HttpApiGatewayTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static GatewayFixture gateway;

    @BeforeAll
    static void start() {
        gateway = GatewayFixture.start(LocalHttpServer.Settings.defaults());
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void a_public_route_gets_a_payload_2_0_event_and_its_response_goes_back() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/health?b=2&a=1&a=x%20y"))
                .header("X-Custom", "one").GET());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).contains("application/json");
        assertThat(response.headers().firstValue("x-function")).contains("fn-EchoFunction");
        assertThat(response.headers().firstValue("apigw-requestid")).isPresent();
        JsonNode event = JSON.readTree(response.body());
        assertThat(event.path("version").asText()).isEqualTo("2.0");
        assertThat(event.path("routeKey").asText()).isEqualTo("GET /health");
        assertThat(event.path("rawPath").asText()).isEqualTo("/health");
        assertThat(event.path("rawQueryString").asText()).isEqualTo("b=2&a=1&a=x%20y");
        assertThat(event.path("queryStringParameters").path("a").asText()).isEqualTo("1,x y");
        assertThat(event.path("headers").path("x-custom").asText()).isEqualTo("one");
        assertThat(event.path("headers").has("X-Custom")).isFalse();
        JsonNode context = event.path("requestContext");
        assertThat(context.path("http").path("method").asText()).isEqualTo("GET");
        assertThat(context.path("http").path("path").asText()).isEqualTo("/health");
        assertThat(context.path("http").path("sourceIp").asText()).isEqualTo("127.0.0.1");
        assertThat(context.path("routeKey").asText()).isEqualTo("GET /health");
        assertThat(context.path("stage").asText()).isEqualTo("$default");
        assertThat(context.path("requestId").asText()).isEqualTo(response.headers().firstValue("apigw-requestid").get());
        assertThat(event.path("isBase64Encoded").asBoolean()).isFalse();
    }

    @Test
    void every_request_gets_its_own_request_id() throws Exception {
        String first = JSON.readTree(send(HttpRequest.newBuilder(uri("/health")).GET()).body())
                .path("requestContext").path("requestId").asText();
        String second = JSON.readTree(send(HttpRequest.newBuilder(uri("/health")).GET()).body())
                .path("requestContext").path("requestId").asText();
        assertThat(first).isNotBlank().isNotEqualTo(second);
    }

    @Test
    void an_authorized_request_carries_path_parameters_body_and_the_authorizer_context() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/accounts/acc%3A1/freeze"))
                .header("Authorization", "Bearer good").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"reason\":\"ü\"}")));

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode event = JSON.readTree(response.body());
        assertThat(event.path("routeKey").asText()).isEqualTo("POST /accounts/{accountId}/freeze");
        assertThat(event.path("pathParameters").path("accountId").asText()).isEqualTo("acc:1");
        assertThat(event.path("body").asText()).isEqualTo("{\"reason\":\"ü\"}");
        assertThat(event.path("isBase64Encoded").asBoolean()).isFalse();
        assertThat(event.path("headers").path("authorization").asText()).isEqualTo("Bearer good");
        assertThat(event.path("requestContext").path("authorizer").path("lambda").path("role").asText())
                .isEqualTo("payments");
    }

    @Test
    void the_handler_status_code_is_kept() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/created"))
                .header("Authorization", "Bearer good").POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertThat(response.statusCode()).isEqualTo(201);
    }

    @Test
    void a_binary_body_arrives_base64_encoded() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/created"))
                .header("Authorization", "Bearer good").header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {(byte) 0xff, 0, 1})));
        JsonNode event = JSON.readTree(response.body());
        assertThat(event.path("isBase64Encoded").asBoolean()).isTrue();
        assertThat(event.path("body").asText()).isEqualTo("/wAB");
    }

    @Test
    void a_missing_authorization_header_is_401_from_the_gateway() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/created")).POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).isEqualTo("{\"message\":\"Unauthorized\"}");
    }

    @Test
    void a_token_the_authorizer_refuses_is_403_from_the_gateway() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/created"))
                .header("Authorization", "Bearer bad").POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).isEqualTo("{\"message\":\"Forbidden\"}");
    }

    @Test
    void an_unknown_route_or_method_is_404() throws Exception {
        assertThat(send(HttpRequest.newBuilder(uri("/nowhere")).GET()).statusCode()).isEqualTo(404);
        HttpResponse<String> wrongMethod = send(HttpRequest.newBuilder(uri("/health")).DELETE());
        assertThat(wrongMethod.statusCode()).isEqualTo(404);
        assertThat(wrongMethod.body()).isEqualTo("{\"message\":\"Not Found\"}");
    }

    @Test
    void a_failing_handler_is_500_without_its_details() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/boom")).GET());
        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.body()).isEqualTo("{\"message\":\"Internal Server Error\"}");
    }

    private static URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + gateway.port() + pathAndQuery);
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
