package dev.ledger.infra.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ledger.infra.Template;
import dev.ledger.infra.local.jwt.JwtAuthorizer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * The local HTTP API with a JWT authorizer in front of a test handler ({@link EchoHandler}) that
 * answers with the event it got: what a verified token's function sees, and how the issuer's keys
 * are fetched, cached and fetched again after a rotation. No emulator: the issuer is {@link JwtIssuer}
 * on 127.0.0.1, the clock one the test moves.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class JwtGatewayTest {

    private static final String TEMPLATE = """
            Resources:
              EchoRole: {Type: AWS::IAM::Role}
              EchoFunction:
                Type: AWS::Lambda::Function
                Properties:
                  Handler: dev.ledger.infra.local.EchoHandler::handleRequest
                  Role: !GetAtt EchoRole.Arn
              Integration:
                Type: AWS::ApiGatewayV2::Integration
                Properties: {IntegrationUri: !GetAtt EchoFunction.Arn}
              Jwt:
                Type: AWS::ApiGatewayV2::Authorizer
                Properties:
                  AuthorizerType: JWT
                  IdentitySource: [$request.header.Authorization]
                  JwtConfiguration: {Issuer: x, Audience: [api]}
              Read:
                Type: AWS::ApiGatewayV2::Route
                Properties:
                  RouteKey: GET /accounts/{accountId}
                  AuthorizationType: JWT
                  AuthorizerId: !Ref Jwt
                  Target: !Sub "integrations/${Integration}"
            """;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Instant START = Instant.parse("2026-11-30T12:00:00Z");

    private final MovingClock clock = new MovingClock(START);
    private JwtIssuer issuer;
    private HttpApiGateway gateway;
    private LocalFunction echo;

    @BeforeEach
    void start() throws Exception {
        issuer = JwtIssuer.start();
        Template template = Template.parse(TEMPLATE);
        echo = LocalFunction.load(template.function("EchoFunction"), "fn-echo",
                "arn:aws:lambda:us-east-1:123456789012:function:fn-echo");
        HttpApiGateway.JwtGate gate = new HttpApiGateway.JwtGate(template.jwtAuthorizer("Jwt").identitySources(),
                JwtAuthorizer.forIssuer(issuer.url(), List.of("api"), clock));
        gateway = HttpApiGateway.start(template.routes(), Map.of(), Map.of("Jwt", gate), Map.of("EchoFunction", echo), 0,
                LocalHttpServer.Settings.defaults(), "us-east-1", "123456789012");
    }

    @AfterEach
    void stop() {
        gateway.close();
        echo.close();
        issuer.close();
    }

    @Test
    void the_function_gets_the_verified_claims_as_strings_and_the_scopes() throws Exception {
        Map<String, Object> claims = new LinkedHashMap<>(issuer.claims(START, "api", "ledger/payments openid"));
        claims.put("cognito:groups", List.of("ledger-auditor", "staff"));
        claims.put("email_verified", true);

        HttpResponse<String> response = get("/accounts/alice", "Bearer " + issuer.sign(claims));

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode jwt = JSON.readTree(response.body()).path("requestContext").path("authorizer").path("jwt");
        assertThat(jwt.path("claims").path("iss").asText()).isEqualTo(issuer.url());
        assertThat(jwt.path("claims").path("exp").asText()).isEqualTo(Long.toString(START.getEpochSecond() + 600));
        assertThat(jwt.path("claims").path("cognito:groups").asText()).isEqualTo("[ledger-auditor staff]");
        assertThat(jwt.path("claims").path("email_verified").asText()).isEqualTo("true");
        assertThat(JSON.convertValue(jwt.path("scopes"), List.class)).containsExactly("ledger/payments", "openid");
    }

    @Test
    void a_refused_token_is_401_with_the_failed_check_named_and_never_reaches_the_function() throws Exception {
        Map<String, Object> claims = issuer.claims(START, "api", "ledger/payments");
        claims.put("exp", START.getEpochSecond() - 3600);

        HttpResponse<String> response = get("/accounts/alice", "Bearer " + issuer.sign(claims));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).isEqualTo("{\"message\":\"Unauthorized\"}");
        assertThat(response.headers().firstValue("www-authenticate")).contains(
                "Bearer scope=\"\" error=\"invalid_token\" error_description=\"the token has expired\"");
        assertThat(response.headers().firstValue("x-function")).isEmpty();
    }

    @Test
    void keys_are_cached_and_a_new_kid_fetches_them_again_at_most_once_a_minute() throws Exception {
        String rotatedToken = "Bearer " + JwtIssuer.sign(header(JwtIssuer.KID_ROTATED),
                JwtIssuer.json(issuer.claims(START, "api", "ledger/payments")), issuer.rotatedKey.getPrivate(), "SHA256withRSA");
        assertThat(get("/accounts/alice", "Bearer " + issuer.sign(issuer.claims(START, "api", "x"))).statusCode())
                .isEqualTo(200);
        assertThat(get("/accounts/alice", "Bearer " + issuer.sign(issuer.claims(START, "api", "x"))).statusCode())
                .isEqualTo(200);
        assertThat(issuer.keySetFetches()).as("cached").isEqualTo(1);

        // The issuer publishes a new key; a token under it within the minute after the last fetch is refused...
        issuer.rotate();
        clock.advance(Duration.ofSeconds(30));
        assertThat(get("/accounts/alice", rotatedToken).statusCode()).isEqualTo(401);
        assertThat(issuer.keySetFetches()).isEqualTo(1);

        // ... and after it, the unknown kid fetches the key set again, which now has the key.
        clock.advance(Duration.ofSeconds(30));
        assertThat(get("/accounts/alice", rotatedToken).statusCode()).isEqualTo(200);
        assertThat(issuer.keySetFetches()).isEqualTo(2);
    }

    private static Map<String, Object> header(String kid) {
        Map<String, Object> header = new LinkedHashMap<>(JwtIssuer.header());
        header.put("kid", kid);
        return header;
    }

    private HttpResponse<String> get(String path, String authorization) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
                .header("Authorization", authorization).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A clock that stands still until the test moves it. */
    private static final class MovingClock extends Clock {
        private volatile Instant now;

        MovingClock(Instant start) {
            this.now = start;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("UTC only");
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
