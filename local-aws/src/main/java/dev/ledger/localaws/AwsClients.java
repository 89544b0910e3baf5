package dev.ledger.localaws;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkSystemSetting;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Real AWS SDK v2 clients, all pointed at one endpoint (a local moto, see {@link MotoServer}),
 * in us-east-1 with static dummy credentials. Closing this closes every client and their shared
 * HTTP client.
 */
public final class AwsClients implements AutoCloseable {

    public static final Region REGION = Region.US_EAST_1;

    private static final StaticCredentialsProvider DUMMY_CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));

    private final URI endpoint;
    private final SdkHttpClient http;
    private final DynamoDbClient dynamoDb;
    private final DynamoDbStreamsClient dynamoDbStreams;
    private final KinesisClient kinesis;
    private final CloudFormationClient cloudFormation;
    private final S3Client s3;
    private final SqsClient sqs;
    private final SecretsManagerClient secretsManager;

    private AwsClients(URI endpoint, List<ExecutionInterceptor> dynamoDbInterceptors) {
        this.endpoint = endpoint;
        // One HTTP client for all: a local server needs no per-service connection pools. Generous
        // socket timeout: plain moto can take seconds on one TransactWriteItems of a big table.
        this.http = UrlConnectionHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(5))
                .socketTimeout(Duration.ofMinutes(5))
                .build();
        this.dynamoDb = local(DynamoDbClient.builder(), dynamoDbInterceptors).build();
        this.dynamoDbStreams = local(DynamoDbStreamsClient.builder()).build();
        // The SDK speaks CBOR to Kinesis by default and moto answers that with HTTP 500. The
        // switch is a system property, read when a Kinesis client is built, so set it first.
        System.setProperty(SdkSystemSetting.CBOR_ENABLED.property(), "false");
        this.kinesis = local(KinesisClient.builder()).build();
        this.cloudFormation = local(CloudFormationClient.builder()).build();
        // moto serves buckets by path (http://host:port/bucket), not by virtual host name, and
        // checks no checksums: send and verify them only where S3 requires them.
        this.s3 = local(S3Client.builder())
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .build();
        this.sqs = local(SqsClient.builder()).build();
        this.secretsManager = local(SecretsManagerClient.builder()).build();
    }

    public static AwsClients forEndpoint(URI endpoint) {
        return new AwsClients(endpoint, List.of());
    }

    /**
     * As {@link #forEndpoint(URI)}, with interceptors that see every DynamoDB request and response
     * (e.g. to count request units: moto reports no ConsumedCapacity).
     */
    public static AwsClients forEndpoint(URI endpoint, List<ExecutionInterceptor> dynamoDbInterceptors) {
        return new AwsClients(endpoint, dynamoDbInterceptors);
    }

    public URI endpoint() {
        return endpoint;
    }

    public DynamoDbClient dynamoDb() {
        return dynamoDb;
    }

    public DynamoDbStreamsClient dynamoDbStreams() {
        return dynamoDbStreams;
    }

    public KinesisClient kinesis() {
        return kinesis;
    }

    public CloudFormationClient cloudFormation() {
        return cloudFormation;
    }

    public S3Client s3() {
        return s3;
    }

    public SqsClient sqs() {
        return sqs;
    }

    public SecretsManagerClient secretsManager() {
        return secretsManager;
    }

    @Override
    public void close() {
        dynamoDb.close();
        dynamoDbStreams.close();
        kinesis.close();
        cloudFormation.close();
        s3.close();
        sqs.close();
        secretsManager.close();
        http.close();
    }

    @Override
    public String toString() {
        return "AwsClients[" + endpoint + "]";
    }

    private <B extends AwsClientBuilder<B, ?> & AwsSyncClientBuilder<B, ?>> B local(B builder) {
        return local(builder, List.of());
    }

    /**
     * Endpoint, region, credentials and HTTP client shared by every service. No SDK retries: the
     * emulator is local and deterministic, so a retry would only hide a failure and multiply its latency.
     */
    private <B extends AwsClientBuilder<B, ?> & AwsSyncClientBuilder<B, ?>> B local(
            B builder, List<ExecutionInterceptor> interceptors) {
        return builder.endpointOverride(endpoint)
                .region(REGION)
                .credentialsProvider(DUMMY_CREDENTIALS)
                .httpClient(http)
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())
                        .executionInterceptors(List.copyOf(interceptors)));
    }
}
