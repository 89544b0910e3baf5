package dev.ledger.infra.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code ./ledger local --auth jwt}: the local stack with the template's JWT authorizer in front of
 * every route but /health, against an issuer this test runs on 127.0.0.1 with its own keys
 * ({@link JwtIssuer}). The stack's clock for the token checks is pinned, so lifetimes are exact.
 * A valid token of each role does what that role may do and nothing else; every hostile token of
 * {@link JwtHostileCorpus} gets its answer through the HTTP gateway.
 */
@ExtendWith(LocalAwsExtension.class)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class JwtModeIT {

    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private static JwtIssuer issuer;
    private static LocalStack stack;
    private static AwsClients aws;
    private static TestNames names;

    @BeforeAll
    static void start(AwsClients clients, TestNames testNames) throws Exception {
        aws = clients;
        names = testNames;
        issuer = JwtIssuer.start();
        stack = LocalStack.start(options("jwt").withAuth(ApiAuth.jwt(issuer.url(),
                        List.of(JwtHostileCorpus.AUDIENCE, JwtHostileCorpus.OTHER_AUDIENCE))
                .withRolePrefix(JwtHostileCorpus.PREFIX)
                .withClock(Clock.fixed(NOW, ZoneOffset.UTC))));
        // The accounts the roles' requests below work on, opened by a payments service.
        String payments = token("ledger/payments");
        assertThat(send("POST", "/accounts", payments, "{\"accountId\":\"bank\",\"currency\":\"EUR\",\"overdraftLimit\":null}"))
                .isEqualTo("201 -");
        assertThat(send("POST", "/accounts", payments, "{\"accountId\":\"alice\",\"currency\":\"EUR\"}")).isEqualTo("201 -");
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
        if (issuer != null) {
            issuer.close();
        }
    }

    private static LocalStack.Options options(String name) {
        return LocalStack.Options.defaults().withPort(0).withEmulator(aws.endpoint())
                .withStackName(names.stack(name)).withCodeBucket(names.bucket("code-" + name)).withoutEventSources();
    }

    @Test
    void serves_only_jwts_the_token_authorizer_is_not_deployed_and_health_stays_open() throws Exception {
        assertThat(stack.tokens()).isEmpty();
        assertThat(stack.handlerConfiguration()).containsEntry("LEDGER_ROLE_PREFIX", JwtHostileCorpus.PREFIX)
                .containsEntry("LEDGER_ROLE_CLAIM", "scope");
        assertThat(stack.outputs()).doesNotContainKey("TokenAuthorizerFunctionName");
        assertThat(send("GET", "/health", null, null)).isEqualTo("200 -");
        HttpResponse<String> refused = exchange("GET", "/accounts/alice", "Bearer not-a-jwt", null);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.body()).isEqualTo("{\"message\":\"Unauthorized\"}");
        assertThat(refused.headers().firstValue("www-authenticate")).hasValueSatisfying(value ->
                assertThat(value).startsWith("Bearer ").contains("error=\"invalid_token\"").doesNotContain("not-a-jwt"));
    }

    @Test
    void a_payments_token_moves_money_and_reads_but_does_not_operate() throws Exception {
        String payments = token("ledger/payments");
        assertThat(send("POST", "/transfers", payments, transfer("pay-1", "1.00"))).isEqualTo("201 -");
        assertThat(send("GET", "/audit/accounts/alice/verify", payments, null)).isEqualTo("200 -");
        assertThat(send("POST", "/accounts/alice/shards", payments, "{\"shards\":2}")).isEqualTo("403 forbidden");
    }

    @Test
    void an_auditor_token_reads_and_moves_nothing() throws Exception {
        String auditor = token("ledger/auditor");
        assertThat(send("GET", "/audit/accounts/alice/verify", auditor, null)).isEqualTo("200 -");
        assertThat(send("POST", "/transfers", auditor, transfer("audit-1", "1.00"))).isEqualTo("403 forbidden");
        assertThat(send("POST", "/accounts", auditor, "{\"accountId\":\"eve\",\"currency\":\"EUR\"}"))
                .isEqualTo("403 forbidden");
    }

    @Test
    void an_operator_token_raises_shards_and_reads_but_does_not_pay() throws Exception {
        String operator = token("ledger/operator");
        assertThat(send("POST", "/accounts/bank/shards", operator, "{\"shards\":4}")).isEqualTo("200 -");
        assertThat(send("GET", "/audit/accounts/bank/verify", operator, null)).isEqualTo("200 -");
        assertThat(send("POST", "/transfers", operator, transfer("op-1", "1.00"))).isEqualTo("403 forbidden");
    }

    @Test
    void every_token_of_the_hostile_corpus_gets_its_answer() throws Exception {
        List<JwtHostileCorpus.Row> rows = new JwtHostileCorpus(issuer, NOW).all();
        assertThat(rows).hasSizeGreaterThanOrEqualTo(30);
        List<String> wrong = new ArrayList<>();
        for (JwtHostileCorpus.Row row : rows) {
            String answer = send("GET", "/audit/accounts/alice/verify", row.authorization(), null);
            if (!answer.equals(row.status() + " " + row.answer())) {
                wrong.add(row + ", got " + answer);
            }
        }
        assertThat(wrong).as("tokens answered otherwise than the corpus says").isEmpty();
        assertThat(issuer.keySetFetches()).as("the key set is fetched once and cached (the clock is pinned)")
                .isEqualTo(1);
    }

    @Test
    void jwt_mode_without_an_issuer_or_audience_does_not_deploy() {
        assertThatThrownBy(() -> LocalStack.start(options("jwt-unset")
                .withAuth(ApiAuth.tokens().withMode("jwt"))))
                .hasMessageContaining("AuthMode=jwt needs JwtIssuer").hasMessageContaining("AuthMode=jwt needs JwtAudience");
    }

    // ----------------------------------------------------------------------------------------

    private static String token(String scope) {
        return "Bearer " + issuer.sign(issuer.claims(NOW, JwtHostileCorpus.AUDIENCE, scope));
    }

    private static String transfer(String id, String amount) {
        return "{\"transferId\":\"" + id + "\",\"debitAccountId\":\"bank\",\"creditAccountId\":\"alice\",\"amount\":\""
                + amount + "\",\"currency\":\"EUR\"}";
    }

    /** "status code": the error code of an API answer, API Gateway's message for its own, "-" for a success. */
    private static String send(String method, String path, String authorization, String body) throws Exception {
        HttpResponse<String> response = exchange(method, path, authorization, body);
        int status = response.statusCode();
        if (status == 200 || status == 201) {
            return status + " -";
        }
        JsonNode answer = JSON.readTree(response.body());
        return status + " " + (answer.has("error") ? answer.path("error").asText() : answer.path("message").asText());
    }

    private static HttpResponse<String> exchange(String method, String path, String authorization, String body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(stack.httpUrl() + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
