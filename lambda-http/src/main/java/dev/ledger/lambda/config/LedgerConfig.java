package dev.ledger.lambda.config;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClientBuilder;

/**
 * Handler configuration, read from environment variables (as Lambda sets them from the template)
 * or, failing that, Java system properties of the same name (as the local stack sets them when it
 * runs the same handler classes in-process).
 */
public final class LedgerConfig {

    public static final String EVENTS_TABLE = "LEDGER_EVENTS_TABLE";
    /**
     * The token authorizer's Secrets Manager secret holding the API tokens' digests (the stored form
     * of {@code dev.ledger.http.ApiTokens}): its ARN on AWS, its name on the local stage. An id, not
     * a secret: the value stays in Secrets Manager.
     */
    public static final String API_TOKEN_SECRET = "LEDGER_API_TOKEN_SECRET";
    /** Optional: how long, in whole seconds, the authorizer keeps the secret's value; 1 to 900, default 120. */
    public static final String API_TOKEN_CACHE_SECONDS = "LEDGER_API_TOKEN_CACHE_SECONDS";
    /**
     * Two minutes: a revoked token stops working within this plus the HTTP API's authorizer cache
     * (60 s), three minutes in all, while each warm authorizer instance reads the secret at most 720
     * times a day (Secrets Manager bills $0.05 per 10,000 reads: about $0.11 a month per instance).
     */
    static final Duration DEFAULT_API_TOKEN_CACHE = Duration.ofMinutes(2);
    static final long MAX_API_TOKEN_CACHE_SECONDS = 900;
    /** Optional: an endpoint for every AWS client (the local emulator). */
    public static final String AWS_ENDPOINT = "LEDGER_AWS_ENDPOINT";
    /**
     * Optional: how long, in whole milliseconds, a command that keeps losing races on its accounts
     * retries before the request is answered 409 {@code concurrent_modification}; 0 to 10000.
     */
    public static final String RETRY_BUDGET_MS = "LEDGER_RETRY_BUDGET_MS";
    /** The command function's timeout is 15 s: a budget must leave it room for the attempt under way. */
    static final long MAX_RETRY_BUDGET_MS = 10_000;

    /**
     * Optional: how many days back an {@code effectiveAt} may lie (issue 16), 0 to 3660; default 35. The
     * template's {@code EffectiveDateWindowDays} sets it on the command function.
     */
    public static final String EFFECTIVE_WINDOW_DAYS = "LEDGER_EFFECTIVE_WINDOW_DAYS";
    /** Five weeks: a month's books can still take a payment dated in them for a few days after they end. */
    public static final Duration DEFAULT_EFFECTIVE_WINDOW = Duration.ofDays(35);
    /** Ten years: as far back as any bookkeeping law asks records to be kept. */
    static final long MAX_EFFECTIVE_WINDOW_DAYS = 3660;

    private LedgerConfig() {
    }

    /** {@link #EFFECTIVE_WINDOW_DAYS}, else 35 days; a value that is not whole days in range fails. */
    public static Duration effectiveWindow() {
        return optional(EFFECTIVE_WINDOW_DAYS).map(LedgerConfig::effectiveWindow).orElse(DEFAULT_EFFECTIVE_WINDOW);
    }

    static Duration effectiveWindow(String value) {
        long days;
        try {
            days = Long.parseLong(value.strip());
        } catch (NumberFormatException notANumber) {
            days = -1;
        }
        if (days < 0 || days > MAX_EFFECTIVE_WINDOW_DAYS) {
            throw new IllegalStateException("configuration " + EFFECTIVE_WINDOW_DAYS + " is " + value
                    + "; it takes whole days from 0 to " + MAX_EFFECTIVE_WINDOW_DAYS);
        }
        return Duration.ofDays(days);
    }

    public static Optional<String> optional(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            value = System.getProperty(name);
        }
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
    }

    public static String required(String name) {
        return optional(name).orElseThrow(() -> new IllegalStateException(
                "configuration " + name + " is not set (environment variable or system property)"));
    }

    /** {@link #RETRY_BUDGET_MS} if set; a value that is not a whole number of milliseconds in range fails. */
    public static Optional<Duration> retryBudget() {
        return optional(RETRY_BUDGET_MS).map(LedgerConfig::retryBudget);
    }

    static Duration retryBudget(String value) {
        long millis;
        try {
            millis = Long.parseLong(value.strip());
        } catch (NumberFormatException notANumber) {
            millis = -1;
        }
        if (millis < 0 || millis > MAX_RETRY_BUDGET_MS) {
            throw new IllegalStateException("configuration " + RETRY_BUDGET_MS + " is " + value
                    + "; it takes whole milliseconds from 0 to " + MAX_RETRY_BUDGET_MS);
        }
        return Duration.ofMillis(millis);
    }

    /** {@link #API_TOKEN_CACHE_SECONDS}, else two minutes; a value that is not whole seconds in range fails. */
    public static Duration apiTokenCache() {
        return optional(API_TOKEN_CACHE_SECONDS).map(LedgerConfig::apiTokenCache).orElse(DEFAULT_API_TOKEN_CACHE);
    }

    static Duration apiTokenCache(String value) {
        long seconds;
        try {
            seconds = Long.parseLong(value.strip());
        } catch (NumberFormatException notANumber) {
            seconds = -1;
        }
        if (seconds < 1 || seconds > MAX_API_TOKEN_CACHE_SECONDS) {
            throw new IllegalStateException("configuration " + API_TOKEN_CACHE_SECONDS + " is " + value
                    + "; it takes whole seconds from 1 to " + MAX_API_TOKEN_CACHE_SECONDS);
        }
        return Duration.ofSeconds(seconds);
    }

    /** A Secrets Manager client for this environment, configured as {@link #dynamoDb()}. */
    public static SecretsManagerClient secretsManager() {
        SecretsManagerClientBuilder builder = SecretsManagerClient.builder().httpClient(UrlConnectionHttpClient.create());
        optional(AWS_ENDPOINT).map(URI::create).ifPresent(builder::endpointOverride);
        return builder.build();
    }

    /**
     * A DynamoDB client for this environment: region and credentials from the default chains, the
     * endpoint from {@link #AWS_ENDPOINT} when set. The URL connection client starts fastest, which
     * matters for a Lambda cold start.
     */
    public static DynamoDbClient dynamoDb() {
        DynamoDbClientBuilder builder = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create());
        optional(AWS_ENDPOINT).map(URI::create).ifPresent(builder::endpointOverride);
        return builder.build();
    }
}
