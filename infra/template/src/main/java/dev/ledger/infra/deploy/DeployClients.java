package dev.ledger.infra.deploy;

import java.net.URI;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * The clients a deployment needs, for AWS (the SDK's default region and credential chains) or for
 * an endpoint such as the emulator (region us-east-1 unless given; dummy credentials when the
 * chain finds none, since the emulator accepts any). Closing this closes them all.
 */
final class DeployClients implements AutoCloseable {

    private static final Region EMULATOR_REGION = Region.US_EAST_1;

    private final Region region;
    private final SdkHttpClient http;
    private final CloudFormationClient cloudFormation;
    private final S3Client s3;
    private final StsClient sts;
    private final SecretsManagerClient secretsManager;

    private DeployClients(Optional<URI> endpoint, Region region, AwsCredentialsProvider credentials) {
        this.region = region;
        // One HTTP client, named explicitly: the classpath holds several and the SDK must not guess.
        this.http = UrlConnectionHttpClient.create();
        this.cloudFormation = configure(CloudFormationClient.builder(), endpoint, credentials).build();
        var s3Builder = configure(S3Client.builder(), endpoint, credentials);
        if (endpoint.isPresent()) {
            // The emulator serves buckets by path, not by virtual host, and checks no checksums.
            s3Builder.forcePathStyle(true)
                    .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        }
        this.s3 = s3Builder.build();
        this.sts = configure(StsClient.builder(), endpoint, credentials).build();
        this.secretsManager = configure(SecretsManagerClient.builder(), endpoint, credentials).build();
    }

    /**
     * @param endpoint an endpoint to use instead of AWS's
     * @param region a region, else the SDK's chain (AWS_REGION, the profile), else us-east-1 for an endpoint
     */
    static DeployClients create(Optional<URI> endpoint, Optional<String> region) {
        Region resolved = region.map(Region::of).orElseGet(() -> defaultRegion(endpoint.isPresent()));
        return new DeployClients(endpoint, resolved, credentials(endpoint.isPresent()));
    }

    Region region() {
        return region;
    }

    CloudFormationClient cloudFormation() {
        return cloudFormation;
    }

    S3Client s3() {
        return s3;
    }

    /** For ./ledger tokens: the stack's token secret. */
    SecretsManagerClient secretsManager() {
        return secretsManager;
    }

    /** The account the credentials belong to. */
    String accountId() {
        return sts.getCallerIdentity().account();
    }

    @Override
    public void close() {
        cloudFormation.close();
        s3.close();
        sts.close();
        secretsManager.close();
        http.close();
    }

    private <B extends AwsClientBuilder<B, ?> & AwsSyncClientBuilder<B, ?>> B configure(
            B builder, Optional<URI> endpoint, AwsCredentialsProvider credentials) {
        endpoint.ifPresent(builder::endpointOverride);
        return builder.region(region).credentialsProvider(credentials).httpClient(http);
    }

    private static Region defaultRegion(boolean emulator) {
        try {
            return new DefaultAwsRegionProviderChain().getRegion();
        } catch (SdkClientException none) {
            if (emulator) {
                return EMULATOR_REGION;
            }
            throw new IllegalArgumentException("No AWS region: give --region, or set AWS_REGION or a profile's region", none);
        }
    }

    private static AwsCredentialsProvider credentials(boolean emulator) {
        AwsCredentialsProvider chain = DefaultCredentialsProvider.builder().build();
        if (!emulator) {
            return chain; // its own error says where it looked
        }
        try {
            chain.resolveCredentials();
            return chain;
        } catch (SdkClientException none) {
            return StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
        }
    }
}
