package dev.ledger.infra.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.http.ApiTokens;
import dev.ledger.http.ApiTokens.StoredToken;
import dev.ledger.http.Role;
import dev.ledger.infra.GeneratedTokens;
import dev.ledger.infra.TokenSecret;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The local stack's tokens as the stack keeps them: the secret moto's CloudFormation cannot create,
 * created by the local stack from the template, holding its tokens' digests and no token; the
 * authorizer reading it. Ordered: the token issued here must reach the authorizer's first read (its
 * cache then holds it for two minutes, as on AWS).
 */
@ExtendWith(LocalAwsExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class LocalTokenSecretIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String ISSUED = GeneratedTokens.forRole(Role.PAYMENTS);

    private static LocalStack stack;
    private static TokenSecret secret;

    @BeforeAll
    static void start(AwsClients aws, TestNames names) {
        stack = LocalStack.start(LocalStack.Options.defaults()
                .withPort(0)
                .withEmulator(aws.endpoint())
                .withStackName(names.stack("ledger"))
                .withCodeBucket(names.bucket("code"))
                .withoutEventSources());
        secret = new TokenSecret(aws.secretsManager(), stack.outputs().get(TokenSecret.OUTPUT));
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void the_secret_holds_the_digest_name_and_role_of_each_of_the_stacks_tokens_and_no_token() {
        String stored = stack.clients().secretsManager().getSecretValue(r -> r.secretId(secret.secretId())).secretString();

        assertThat(secret.secretId()).isEqualTo(stack.stackName() + "/api-token-digests");
        assertThat(ApiTokens.readStored(stored)).containsExactlyElementsOf(stack.tokens().stream()
                .map(t -> StoredToken.of(t.role(), Role.fromLabel(t.role()), t.token())).toList());
        for (LocalStack.ApiToken token : stack.tokens()) {
            assertThat(stored).doesNotContain(token.token());
        }
    }

    @Test
    @Order(2)
    void no_function_is_configured_with_a_token_or_a_digest() {
        for (LocalStack.ApiToken token : stack.tokens()) {
            assertThat(stack.handlerConfiguration().values()).noneMatch(value -> value.contains(token.token())
                    || value.contains(ApiTokens.sha256Hex(token.token())));
        }
        assertThat(stack.handlerConfiguration()).containsEntry("LEDGER_API_TOKEN_SECRET", secret.secretId())
                .doesNotContainKey("LEDGER_API_TOKENS");
    }

    @Test
    @Order(3)
    void a_token_issued_into_the_secret_is_accepted_by_the_http_api_beside_the_stacks_own() throws Exception {
        secret.add(StoredToken.of("checkout-service", Role.PAYMENTS, ISSUED));

        assertThat(openAccount("issued-1", ISSUED).statusCode()).isEqualTo(201);
        assertThat(openAccount("own-1", stack.token("payments").orElseThrow()).statusCode()).isEqualTo(201);
        assertThat(openAccount("unknown-1", GeneratedTokens.forRole(Role.PAYMENTS)).statusCode()).isEqualTo(403);
    }

    @Test
    @Order(4)
    void the_stacks_tokens_written_again_on_a_restart_leave_issued_ones_in_place() {
        secret.keep(ApiTokens.named(stack.tokens().stream()
                .map(t -> new ApiTokens.Grant(t.token(), Role.fromLabel(t.role()))).toList()));

        assertThat(secret.list()).extracting(StoredToken::name)
                .containsExactly("payments", "auditor", "operator", "checkout-service");
        assertThat(ApiTokens.of(secret.list()).find(ISSUED)).isPresent();
    }

    @Test
    @Order(5)
    void a_restart_with_other_tokens_of_its_own_replaces_the_stacks_earlier_ones_and_keeps_issued_ones() {
        String chosen = GeneratedTokens.forRole(Role.PAYMENTS);

        // As a restart with LEDGER_API_TOKENS=<chosen>=payments writes them.
        secret.keep(ApiTokens.named(ApiTokens.grants(chosen + "=payments")));

        assertThat(secret.list()).extracting(StoredToken::name).containsExactly("payments", "checkout-service");
        ApiTokens now = ApiTokens.of(secret.list());
        assertThat(now.find(chosen)).isPresent();
        assertThat(now.find(ISSUED)).isPresent();
        for (LocalStack.ApiToken earlier : stack.tokens()) {
            assertThat(now.find(earlier.token())).as(earlier.role()).isEmpty();
        }
    }

    private static HttpResponse<String> openAccount(String id, String token) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(stack.httpUrl() + "/accounts"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"accountId\":\"" + id + "\",\"currency\":\"EUR\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
