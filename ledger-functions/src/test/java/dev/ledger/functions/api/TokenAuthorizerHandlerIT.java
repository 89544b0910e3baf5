package dev.ledger.functions.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2CustomAuthorizerEvent;
import dev.ledger.http.ApiTokens;
import dev.ledger.http.ApiTokens.StoredToken;
import dev.ledger.http.Role;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import dev.ledger.store.MutableClock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The token authorizer against a real Secrets Manager (the emulator): tokens it accepts are the ones
 * whose digests the secret holds now, or held less than the cache time ago (a pinned clock moves it);
 * a secret it cannot read or make sense of denies everything, and says so without any of its value.
 */
@ExtendWith(LocalAwsExtension.class)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TokenAuthorizerHandlerIT {

    private static final Duration CACHE = Duration.ofMinutes(2);
    private static final String TOKEN = "payments-issued-by-the-test-0123456789";
    private static final String OTHER = "auditor-issued-by-the-test-9876543210";

    private final AwsClients aws;
    private final TestNames names;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-30T02:00:00Z"));
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private String secret;
    /** One secret per test: JUnit makes an instance per test, so the count is the class's. */
    private static final AtomicInteger SECRETS = new AtomicInteger();

    TokenAuthorizerHandlerIT(AwsClients aws, TestNames names) {
        this.aws = aws;
        this.names = names;
    }

    @BeforeEach
    void aNewSecretWithNoTokens() {
        secret = names.table("api-token-digests-" + SECRETS.incrementAndGet());
        aws.secretsManager().createSecret(r -> r.name(secret).secretString(ApiTokens.EMPTY_STORED_FORM));
    }

    @Test
    void a_token_issued_is_accepted_with_its_role_and_its_name_as_the_subject() {
        store(StoredToken.of("checkout-service", Role.PAYMENTS, TOKEN), StoredToken.of("audit", Role.AUDITOR, OTHER));
        TokenAuthorizerHandler authorizer = authorizer(secret);

        assertThat(authorizer.handleRequest(request("Bearer " + TOKEN), null)).isEqualTo(Map.of("isAuthorized", true,
                "context", Map.of("role", "payments", "subject", "checkout-service")));
        assertThat(authorizer.handleRequest(request("bearer " + OTHER), null)).isEqualTo(Map.of("isAuthorized", true,
                "context", Map.of("role", "auditor", "subject", "audit")));
        assertThat(authorizer.handleRequest(request("Bearer " + TOKEN + "x"), null)).isEqualTo(Map.of("isAuthorized", false));
        assertThat(authorizer.handleRequest(request("Bearer " + ApiTokens.sha256Hex(TOKEN)), null))
                .as("the digest itself is no token").isEqualTo(Map.of("isAuthorized", false));
        assertThat(log.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void a_revoked_token_is_accepted_until_the_cache_time_has_passed_and_refused_from_then_on() {
        store(StoredToken.of("checkout-service", Role.PAYMENTS, TOKEN));
        TokenAuthorizerHandler authorizer = authorizer(secret);
        assertThat(authorized(authorizer, TOKEN)).isTrue();

        store(); // revoked: the secret holds no token now

        clock.advance(CACHE.minusMillis(1));
        assertThat(authorized(authorizer, TOKEN)).as("within the cache time").isTrue();
        clock.advance(Duration.ofMillis(1));
        assertThat(authorized(authorizer, TOKEN)).as("once the cache time has passed").isFalse();
    }

    @Test
    void a_token_issued_after_a_read_is_accepted_once_the_cache_time_has_passed() {
        TokenAuthorizerHandler authorizer = authorizer(secret);
        assertThat(authorized(authorizer, TOKEN)).isFalse();

        store(StoredToken.of("checkout-service", Role.PAYMENTS, TOKEN));

        assertThat(authorized(authorizer, TOKEN)).isFalse();
        clock.advance(CACHE);
        assertThat(authorized(authorizer, TOKEN)).isTrue();
    }

    @Test
    void a_missing_secret_denies_every_request_and_the_log_names_the_secret_and_the_error_only() {
        TokenAuthorizerHandler authorizer = authorizer(secret + "-never-created");

        assertThat(authorized(authorizer, TOKEN)).isFalse();

        assertThat(log.toString(StandardCharsets.UTF_8)).contains(secret + "-never-created", "ResourceNotFoundException",
                "every request is denied");
    }

    @Test
    void a_secret_that_cannot_be_read_is_read_again_on_the_next_request_rather_than_remembered() {
        String later = secret + "-created-later";
        TokenAuthorizerHandler authorizer = authorizer(later);
        assertThat(authorized(authorizer, TOKEN)).isFalse();

        aws.secretsManager().createSecret(r -> r.name(later).secretString(ApiTokens.storedForm(List.of(
                StoredToken.of("checkout-service", Role.PAYMENTS, TOKEN)))));

        assertThat(authorized(authorizer, TOKEN)).isTrue();
    }

    @Test
    void a_secret_holding_something_else_than_digests_denies_and_the_log_quotes_none_of_it() {
        // An operator pasted the old plaintext form into the secret: the tokens must not be accepted,
        // nor reach the log.
        aws.secretsManager().putSecretValue(r -> r.secretId(secret).secretString(TOKEN + "=payments," + OTHER + "=auditor"));
        TokenAuthorizerHandler authorizer = authorizer(secret);

        assertThat(authorized(authorizer, TOKEN)).isFalse();

        assertThat(log.toString(StandardCharsets.UTF_8)).contains(secret, "not JSON").doesNotContain(TOKEN, OTHER);
    }

    @Test
    void a_revoked_token_is_refused_after_the_cache_time_even_when_the_secret_cannot_be_read_then() {
        store(StoredToken.of("checkout-service", Role.PAYMENTS, TOKEN));
        TokenAuthorizerHandler authorizer = authorizer(secret);
        assertThat(authorized(authorizer, TOKEN)).isTrue();

        aws.secretsManager().deleteSecret(r -> r.secretId(secret).forceDeleteWithoutRecovery(true));
        clock.advance(CACHE);

        assertThat(authorized(authorizer, TOKEN)).as("an expired value is not used instead").isFalse();
    }

    @Test
    void an_unreachable_secrets_manager_denies() {
        try (SecretsManagerClient nowhere = SecretsManagerClient.builder().endpointOverride(URI.create("http://127.0.0.1:1"))
                .region(AwsClients.REGION).httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .build()) {
            TokenAuthorizerHandler authorizer = new TokenAuthorizerHandler(new SecretApiTokens(nowhere, secret, CACHE, clock,
                    new PrintStream(log, true, StandardCharsets.UTF_8)));

            assertThat(authorized(authorizer, TOKEN)).isFalse();
        }
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("SdkClientException");
    }

    @Test
    void a_request_without_a_bearer_token_is_denied_without_reading_the_secret() {
        TokenAuthorizerHandler authorizer = authorizer(secret + "-never-created");

        assertThat(authorizer.handleRequest(request(null), null)).isEqualTo(Map.of("isAuthorized", false));
        assertThat(authorizer.handleRequest(request("Basic dXNlcjpwYXNz"), null)).isEqualTo(Map.of("isAuthorized", false));

        assertThat(log.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void priming_reads_the_secret_but_keeps_nothing_so_the_first_request_after_a_restore_sees_the_current_value() {
        store(StoredToken.of("before-the-snapshot", Role.PAYMENTS, OTHER));
        TokenAuthorizerHandler authorizer = authorizer(secret);

        authorizer.beforeCheckpoint(null);
        store(StoredToken.of("after-the-restore", Role.PAYMENTS, TOKEN)); // the old token revoked meanwhile

        assertThat(authorized(authorizer, TOKEN)).isTrue();
        assertThat(authorized(authorizer, OTHER)).isFalse();
        assertThat(log.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void priming_without_a_readable_secret_neither_fails_nor_logs_and_the_first_request_denies() {
        TokenAuthorizerHandler authorizer = authorizer(secret + "-never-created");

        authorizer.beforeCheckpoint(null);

        assertThat(log.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(authorized(authorizer, TOKEN)).isFalse();
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("ResourceNotFoundException");
    }

    // ----------------------------------------------------------------------------------------

    private TokenAuthorizerHandler authorizer(String secretId) {
        return new TokenAuthorizerHandler(new SecretApiTokens(aws.secretsManager(), secretId, CACHE, clock,
                new PrintStream(log, true, StandardCharsets.UTF_8)));
    }

    private void store(StoredToken... tokens) {
        aws.secretsManager().putSecretValue(r -> r.secretId(secret).secretString(ApiTokens.storedForm(List.of(tokens))));
    }

    private static boolean authorized(TokenAuthorizerHandler authorizer, String token) {
        return (Boolean) authorizer.handleRequest(request("Bearer " + token), null).get("isAuthorized");
    }

    private static APIGatewayV2CustomAuthorizerEvent request(String authorization) {
        APIGatewayV2CustomAuthorizerEvent event = new APIGatewayV2CustomAuthorizerEvent();
        event.setHeaders(authorization == null ? Map.of() : Map.of("authorization", authorization));
        return event;
    }
}
