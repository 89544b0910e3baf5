package dev.ledger.functions.api;

import dev.ledger.http.ApiTokens;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The API tokens as the stack's Secrets Manager secret holds them (digests, in {@link ApiTokens}'
 * stored form), read through the SDK and kept for {@code cacheFor}, so that a token issued or
 * revoked with {@code ./ledger tokens} takes effect within that time without a deploy.
 *
 * <p>Fails closed: when the secret cannot be read, or its value is not the stored form, there are no
 * tokens until a later read succeeds, and the failure is logged with the secret's id and the error's
 * code or kind, never with any part of the value. A value kept past {@code cacheFor} is never used,
 * not even while Secrets Manager cannot be reached: a revoked token must not outlive its revocation
 * by more than the cache time. SnapStart priming ({@link #prime}) reads the secret but keeps nothing,
 * so every restored environment reads the current value on its first request.
 */
final class SecretApiTokens {

    private final SecretsManagerClient secrets;
    private final String secretId;
    private final Duration cacheFor;
    private final Clock clock;
    private final PrintStream log;

    private ApiTokens cached;
    private Instant readAt;

    /**
     * @param secretId the secret's ARN (or name)
     * @param cacheFor how long a value read is used
     * @param clock what "now" is, for the cache
     * @param log where a failed read is reported (the function's log)
     */
    SecretApiTokens(SecretsManagerClient secrets, String secretId, Duration cacheFor, Clock clock, PrintStream log) {
        this.secrets = Objects.requireNonNull(secrets);
        this.secretId = Objects.requireNonNull(secretId);
        if (cacheFor.isNegative() || cacheFor.isZero()) {
            throw new IllegalArgumentException("the cache time must be positive");
        }
        this.cacheFor = cacheFor;
        this.clock = Objects.requireNonNull(clock);
        this.log = Objects.requireNonNull(log);
    }

    /**
     * The tokens as of at most {@code cacheFor} ago; empty when the secret cannot be read now (deny).
     * Synchronized: the local stack may call one handler from several threads, and one read serves them.
     */
    synchronized Optional<ApiTokens> current() {
        Instant now = clock.instant();
        if (cached != null && now.isBefore(readAt.plus(cacheFor))) {
            return Optional.of(cached);
        }
        cached = null;
        try {
            String value = secrets.getSecretValue(request -> request.secretId(secretId)).secretString();
            if (value == null) {
                throw new IllegalArgumentException("the secret has no string value");
            }
            cached = ApiTokens.of(ApiTokens.readStored(value));
            readAt = now;
            return Optional.of(cached);
        } catch (AwsServiceException refused) {
            deny(refused.awsErrorDetails() == null ? refused.getClass().getSimpleName()
                    : refused.awsErrorDetails().errorCode());
        } catch (SdkException unreachable) {
            deny(unreachable.getClass().getSimpleName());
        } catch (IllegalArgumentException malformed) {
            // ApiTokens' messages never quote the value (see readStored).
            deny(malformed.getMessage());
        }
        return Optional.empty();
    }

    /**
     * SnapStart priming: one read of the secret through the SDK's whole request path (credentials,
     * signing, TLS, the response), its value read as the stored form and a token looked up in it,
     * then dropped: nothing is cached, so every restored environment reads the current value on its
     * first request. The secret is the one the role may read, so priming makes no call that IAM
     * refuses (and CloudTrail records as denied). A failed read changes nothing: the first request
     * reads again, and denies and logs if it fails too.
     */
    synchronized void prime(String token) {
        try {
            ApiTokens.of(ApiTokens.readStored(secrets.getSecretValue(request -> request.secretId(secretId))
                    .secretString())).find(token);
        } catch (SdkException | IllegalArgumentException unusable) {
            // Deliberately quiet: see above.
        }
    }

    private void deny(String why) {
        log.println("token authorizer: cannot use the API token secret " + secretId + " (" + why
                + "); every request is denied until it can be read");
        log.flush();
    }
}
