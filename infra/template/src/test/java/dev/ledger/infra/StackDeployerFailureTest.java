package dev.ledger.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.CloudFormationException;
import software.amazon.awssdk.services.cloudformation.model.CreateStackRequest;
import software.amazon.awssdk.services.cloudformation.model.CreateStackResponse;
import software.amazon.awssdk.services.cloudformation.model.DescribeStackEventsRequest;
import software.amazon.awssdk.services.cloudformation.model.DescribeStackEventsResponse;
import software.amazon.awssdk.services.cloudformation.model.DescribeStacksRequest;
import software.amazon.awssdk.services.cloudformation.model.DescribeStacksResponse;
import software.amazon.awssdk.services.cloudformation.model.ResourceStatus;
import software.amazon.awssdk.services.cloudformation.model.Stack;
import software.amazon.awssdk.services.cloudformation.model.StackEvent;
import software.amazon.awssdk.services.cloudformation.model.StackStatus;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ServiceClientConfiguration;
import software.amazon.awssdk.services.s3.model.HeadBucketRequest;
import software.amazon.awssdk.services.s3.model.HeadBucketResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * How a failed deployment is reported. moto's CloudFormation never fails a stack (it has no
 * CREATE_FAILED or ROLLBACK states), so these cases play CloudFormation's answers from a script;
 * the successful paths run against the emulator in {@link TemplateDeployIT}.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class StackDeployerFailureTest {

    @TempDir
    Path directory;

    @Test
    void a_rolled_back_creation_names_the_first_failed_resource_and_its_reason() throws IOException {
        ScriptedCloudFormation cloudFormation = new ScriptedCloudFormation();
        cloudFormation.statuses.add(StackStatus.CREATE_IN_PROGRESS);
        cloudFormation.statuses.add(StackStatus.ROLLBACK_IN_PROGRESS);
        cloudFormation.statuses.add(StackStatus.ROLLBACK_COMPLETE);
        // Stamped when the stack is created (seconds after it), as CloudFormation stamps its events:
        // the deployer keeps the events from when it started, however long the test took to get there.
        cloudFormation.events.add(createdAt -> event("CommandApiFunction", "AWS::Lambda::Function",
                ResourceStatus.DELETE_FAILED, "cannot delete", createdAt.plusSeconds(3)));
        cloudFormation.events.add(createdAt -> event("EventsTable", "AWS::DynamoDB::Table", ResourceStatus.CREATE_FAILED,
                "Resource handler returned message: \"Table already exists\"", createdAt.plusSeconds(1)));
        cloudFormation.events.add(createdAt -> event("LedgerEventsStream", "AWS::Kinesis::Stream",
                ResourceStatus.CREATE_FAILED, "Resource creation cancelled", createdAt.plusSeconds(2)));

        assertThatThrownBy(() -> deployer(cloudFormation).deploy(deployment()))
                .isInstanceOf(StackDeploymentException.class)
                .hasMessage("Stack ledger-test ended in ROLLBACK_COMPLETE: EventsTable (AWS::DynamoDB::Table)"
                        + " CREATE_FAILED: Resource handler returned message: \"Table already exists\"")
                .satisfies(e -> assertThat(((StackDeploymentException) e).status()).isEqualTo("ROLLBACK_COMPLETE"));
    }

    @Test
    void a_request_cloud_formation_refuses_is_reported_with_its_message() throws IOException {
        ScriptedCloudFormation cloudFormation = new ScriptedCloudFormation();
        cloudFormation.refuseCreate = "Template format error: Unresolved resource dependencies [Nope]";

        assertThatThrownBy(() -> deployer(cloudFormation).deploy(deployment()))
                .isInstanceOf(StackDeploymentException.class)
                .hasMessageContaining("rejected").hasMessageContaining("Unresolved resource dependencies [Nope]");
    }

    @Test
    void a_stack_that_never_settles_times_out() throws IOException {
        ScriptedCloudFormation cloudFormation = new ScriptedCloudFormation();
        cloudFormation.statuses.add(StackStatus.CREATE_IN_PROGRESS); // and so on, forever
        // The short timeout is safe: the stack never settles, so a slow scheduler only makes the
        // deployer reach the same TIMEOUT later; no speed gives another outcome.

        assertThatThrownBy(() -> new StackDeployer(cloudFormation, new ScriptedS3(), Duration.ofMillis(10),
                Duration.ofMillis(100), m -> { }).deploy(deployment()))
                .isInstanceOf(StackDeploymentException.class)
                .hasMessageContaining("did not settle");
    }

    /**
     * The scripted stack settles after a few polls; the timeout only guards against a hang (a slow
     * scheduler must not turn a settled stack into a TIMEOUT), so it is far longer than needed.
     */
    private StackDeployer deployer(ScriptedCloudFormation cloudFormation) {
        return new StackDeployer(cloudFormation, new ScriptedS3(), Duration.ofMillis(1), Duration.ofMinutes(10), m -> { });
    }

    private StackDeployer.Deployment deployment() throws IOException {
        Path artifact = Files.writeString(directory.resolve("code.jar"), "code");
        return new StackDeployer.Deployment("ledger-test", Template.bundled(), artifact, "bucket",
                Map.of("Stage", "dev"), false);
    }

    private static StackEvent event(String logicalId, String type, ResourceStatus status, String reason, Instant at) {
        return StackEvent.builder().stackName("ledger-test").logicalResourceId(logicalId).resourceType(type)
                .resourceStatus(status).resourceStatusReason(reason).timestamp(at).build();
    }

    /** CloudFormation's answers, scripted: no stack at first, then the listed statuses, the last one repeating. */
    private static final class ScriptedCloudFormation implements CloudFormationClient {
        final Deque<StackStatus> statuses = new ArrayDeque<>();
        /** The stack's events, each made from the instant the stack was created. */
        final List<java.util.function.Function<Instant, StackEvent>> events = new ArrayList<>();
        String refuseCreate;
        private Instant created;

        @Override
        public DescribeStacksResponse describeStacks(DescribeStacksRequest request) {
            if (created == null) {
                throw (CloudFormationException) CloudFormationException.builder().statusCode(400)
                        .message("Stack with id " + request.stackName() + " does not exist").build();
            }
            StackStatus status = statuses.size() > 1 ? statuses.removeFirst() : statuses.getFirst();
            return DescribeStacksResponse.builder().stacks(Stack.builder().stackName(request.stackName())
                    .stackId("id").stackStatus(status).build()).build();
        }

        @Override
        public CreateStackResponse createStack(CreateStackRequest request) {
            if (refuseCreate != null) {
                throw (CloudFormationException) CloudFormationException.builder().statusCode(400)
                        .awsErrorDetails(AwsErrorDetails.builder().errorCode("ValidationError")
                                .errorMessage(refuseCreate).build()).build();
            }
            created = Instant.now();
            return CreateStackResponse.builder().stackId("id").build();
        }

        @Override
        public DescribeStackEventsResponse describeStackEvents(DescribeStackEventsRequest request) {
            List<StackEvent> newestFirst = new ArrayList<>(events.stream().map(e -> e.apply(created)).toList());
            newestFirst.sort((a, b) -> b.timestamp().compareTo(a.timestamp()));
            return DescribeStackEventsResponse.builder().stackEvents(newestFirst).build();
        }

        @Override
        public String serviceName() {
            return "cloudformation";
        }

        @Override
        public void close() {
        }
    }

    /** A bucket that exists and takes any upload. */
    private static final class ScriptedS3 implements S3Client {
        @Override
        public HeadBucketResponse headBucket(HeadBucketRequest request) {
            return HeadBucketResponse.builder().build();
        }

        @Override
        public HeadObjectResponse headObject(HeadObjectRequest request) {
            throw NoSuchKeyException.builder().statusCode(404).build();
        }

        @Override
        public PutObjectResponse putObject(PutObjectRequest request, RequestBody body) {
            return PutObjectResponse.builder().build();
        }

        @Override
        public S3ServiceClientConfiguration serviceClientConfiguration() {
            return S3ServiceClientConfiguration.builder().region(Region.US_EAST_1).build();
        }

        @Override
        public String serviceName() {
            return "s3";
        }

        @Override
        public void close() {
        }
    }
}
