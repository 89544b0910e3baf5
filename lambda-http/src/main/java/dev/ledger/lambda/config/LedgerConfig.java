package dev.ledger.lambda.config;

import java.net.URI;
import java.util.Optional;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;

/**
 * Handler configuration, read from environment variables (as Lambda sets them from the template)
 * or, failing that, Java system properties of the same name (as the local stack sets them when it
 * runs the same handler classes in-process).
 */
public final class LedgerConfig {

    public static final String EVENTS_TABLE = "LEDGER_EVENTS_TABLE";
    public static final String API_TOKENS = "LEDGER_API_TOKENS";
    /** Optional: an endpoint for every AWS client (the local emulator). */
    public static final String AWS_ENDPOINT = "LEDGER_AWS_ENDPOINT";

    private LedgerConfig() {
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
