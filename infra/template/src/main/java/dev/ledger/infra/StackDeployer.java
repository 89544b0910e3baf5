package dev.ledger.infra;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.Capability;
import software.amazon.awssdk.services.cloudformation.model.CloudFormationException;
import software.amazon.awssdk.services.cloudformation.model.Output;
import software.amazon.awssdk.services.cloudformation.model.Parameter;
import software.amazon.awssdk.services.cloudformation.model.Stack;
import software.amazon.awssdk.services.cloudformation.model.StackEvent;
import software.amazon.awssdk.services.cloudformation.model.StackResource;
import software.amazon.awssdk.services.cloudformation.model.StackStatus;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketLocationConstraint;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Deploys the template: uploads the Lambda artifact to S3 under a content-addressed key, creates
 * or updates the stack with its parameters, polls (bounded) until the stack settles, and returns
 * its outputs. A failed deployment ends in a {@link StackDeploymentException} naming the first
 * resource that failed and CloudFormation's reason. Used by the local stack (against the emulator)
 * and by {@code ./ledger deploy} (against AWS).
 */
public final class StackDeployer {

    /**
     * CloudFormation's limit for a template read from S3 (TemplateURL). The template is deployed from
     * the code bucket, not inline: an inline body may not pass 51,200 bytes, which the template (with
     * its comments) outgrew.
     */
    public static final int TEMPLATE_URL_LIMIT = 1_048_576;
    static final String TEMPLATE_PREFIX = "templates/";

    public static final String CODE_BUCKET = "CodeBucket";
    public static final String CODE_KEY = "CodeKey";
    public static final String REVISION = "Revision";

    private static final Set<StackStatus> SETTLED_OK = Set.of(StackStatus.CREATE_COMPLETE, StackStatus.UPDATE_COMPLETE);
    /** A stack whose creation failed: it can only be deleted. */
    private static final Set<StackStatus> DEAD_ON_ARRIVAL = Set.of(StackStatus.ROLLBACK_COMPLETE,
            StackStatus.ROLLBACK_FAILED, StackStatus.DELETE_FAILED);

    private final CloudFormationClient cloudFormation;
    private final S3Client s3;
    private final Duration pollInterval;
    private final Duration timeout;
    private final Consumer<String> progress;

    /** For AWS: polls every 5 s for up to 30 minutes, reporting nothing. */
    public StackDeployer(CloudFormationClient cloudFormation, S3Client s3) {
        this(cloudFormation, s3, Duration.ofSeconds(5), Duration.ofMinutes(30), message -> { });
    }

    public StackDeployer(CloudFormationClient cloudFormation, S3Client s3, Duration pollInterval, Duration timeout,
                         Consumer<String> progress) {
        this.cloudFormation = Objects.requireNonNull(cloudFormation);
        this.s3 = Objects.requireNonNull(s3);
        this.pollInterval = Objects.requireNonNull(pollInterval);
        this.timeout = Objects.requireNonNull(timeout);
        this.progress = Objects.requireNonNull(progress);
    }

    /**
     * What to deploy.
     *
     * @param parameters the template's parameters except CodeBucket, CodeKey and Revision, which the deployer sets
     * @param createBucket create the code bucket if it does not exist
     * @param keepPrevious parameters an update keeps at the stack's current value (UsePreviousValue), e.g. a
     *                     NoEcho secret the caller does not have; a stack that does not exist yet is refused
     */
    public record Deployment(String stackName, Template template, Path artifact, String codeBucket,
                             Map<String, String> parameters, boolean createBucket, Set<String> keepPrevious) {

        public Deployment {
            Objects.requireNonNull(stackName, "stackName");
            Objects.requireNonNull(template, "template");
            Objects.requireNonNull(artifact, "artifact");
            Objects.requireNonNull(codeBucket, "codeBucket");
            parameters = Map.copyOf(parameters);
            keepPrevious = Set.copyOf(keepPrevious);
            for (String name : keepPrevious) {
                if (parameters.containsKey(name)) {
                    throw new IllegalArgumentException("Parameter " + name + " has a value and is also kept at its previous one");
                }
            }
        }

        public Deployment(String stackName, Template template, Path artifact, String codeBucket,
                          Map<String, String> parameters, boolean createBucket) {
            this(stackName, template, artifact, codeBucket, parameters, createBucket, Set.of());
        }
    }

    /**
     * @param parameters every parameter value sent, CodeBucket, CodeKey, Revision and defaults included (not the
     *                   kept ones)
     * @param changed false when CloudFormation found nothing to update
     */
    public record Result(String stackName, String stackId, StackStatus status, Map<String, String> outputs,
                         String codeKey, Map<String, String> parameters, boolean changed) {

        public Result {
            outputs = Map.copyOf(outputs);
            parameters = Map.copyOf(parameters);
        }
    }

    public Result deploy(Deployment deployment) {
        List<String> broken = TemplateRules.violations(deployment.template(), deployment.parameters(),
                deployment.keepPrevious());
        if (!broken.isEmpty()) {
            throw new IllegalArgumentException("The template's Rules refuse these parameters: " + String.join("; ", broken));
        }
        String body = deployment.template().body();
        if (body.getBytes(StandardCharsets.UTF_8).length > TEMPLATE_URL_LIMIT) {
            throw new IllegalArgumentException("The template is over CloudFormation's " + TEMPLATE_URL_LIMIT
                    + "-byte limit for a template in S3; shorten it (comments count)");
        }
        String codeKey = uploadArtifact(deployment.artifact(), deployment.codeBucket(), deployment.createBucket());
        String templateUrl = uploadTemplate(body, deployment.codeBucket());
        Map<String, String> parameters = new TreeMap<>(deployment.parameters());
        parameters.put(CODE_BUCKET, deployment.codeBucket());
        parameters.put(CODE_KEY, codeKey);
        // Defaults are sent too: the same stack on AWS (a parameter left out of an update takes its
        // default), and moto then sees an unchanged stack as unchanged (it compares the stack's
        // resolved parameters, defaults included, with the ones sent).
        for (Template.Parameter parameter : deployment.template().parameters().values()) {
            if (!parameter.name().equals(REVISION) && !deployment.keepPrevious().contains(parameter.name())) {
                parameter.defaultValue().ifPresent(value -> parameters.putIfAbsent(parameter.name(), value));
            }
        }
        if (deployment.template().parameters().containsKey(REVISION)) {
            parameters.put(REVISION, revision(body, parameters));
        }
        Map<String, String> checked = new TreeMap<>(parameters);
        deployment.keepPrevious().forEach(name -> checked.put(name, "(previous value)"));
        deployment.template().parameterValues(checked); // fails early on a missing or unknown parameter
        List<Parameter> cfnParameters = new ArrayList<>();
        parameters.forEach((name, value) -> cfnParameters.add(
                Parameter.builder().parameterKey(name).parameterValue(value).build()));
        deployment.keepPrevious().stream().sorted().forEach(name -> cfnParameters.add(
                Parameter.builder().parameterKey(name).usePreviousValue(true).build()));

        String stackName = deployment.stackName();
        Optional<Stack> existing = describe(stackName);
        if (existing.isPresent() && isInProgress(existing.get().stackStatus())) {
            progress.accept("Stack " + stackName + " is " + existing.get().stackStatusAsString() + "; waiting for it to settle");
            existing = Optional.of(awaitSettled(stackName, null, Instant.now()));
        }
        if (existing.isPresent() && DEAD_ON_ARRIVAL.contains(existing.get().stackStatus())) {
            progress.accept("Stack " + stackName + " is " + existing.get().stackStatusAsString() + "; deleting it first");
            delete(stackName);
            existing = Optional.empty();
        }

        if (existing.isEmpty() && !deployment.keepPrevious().isEmpty()) {
            throw new IllegalArgumentException("Stack " + stackName + " does not exist yet, so it has no previous value of "
                    + String.join(", ", new TreeSet<>(deployment.keepPrevious())));
        }
        String token = "ledger-" + UUID.randomUUID();
        Instant started = Instant.now();
        if (existing.isEmpty()) {
            progress.accept("Creating stack " + stackName);
            try {
                cloudFormation.createStack(request -> request.stackName(stackName).templateURL(templateUrl)
                        .parameters(cfnParameters).capabilities(Capability.CAPABILITY_IAM).clientRequestToken(token));
            } catch (CloudFormationException e) {
                throw StackDeploymentException.rejected(stackName, errorMessage(e), e);
            }
        } else {
            progress.accept("Updating stack " + stackName);
            try {
                cloudFormation.updateStack(request -> request.stackName(stackName).templateURL(templateUrl)
                        .parameters(cfnParameters).capabilities(Capability.CAPABILITY_IAM).clientRequestToken(token));
            } catch (CloudFormationException e) {
                if (errorMessage(e).contains("No updates are to be performed")) {
                    Stack stack = existing.get();
                    progress.accept("Stack " + stackName + " is up to date");
                    return new Result(stackName, stack.stackId(), stack.stackStatus(), outputs(stack), codeKey, parameters, false);
                }
                throw StackDeploymentException.rejected(stackName, errorMessage(e), e);
            }
        }
        Stack settled = awaitSettled(stackName, token, started);
        if (!SETTLED_OK.contains(settled.stackStatus())) {
            throw new StackDeploymentException(stackName, settled.stackStatusAsString(), firstFailure(stackName, token, started)
                    .orElse(Optional.ofNullable(settled.stackStatusReason()).orElse("no reason given")));
        }
        progress.accept("Stack " + stackName + " is " + settled.stackStatusAsString());
        return new Result(stackName, settled.stackId(), settled.stackStatus(), outputs(settled), codeKey, parameters, true);
    }

    /**
     * Uploads the artifact under {@code ledger-functions/<sha-256 of its content>.<extension>},
     * unless that key already exists, and returns the key. New code is a new key, which is what
     * makes CloudFormation update the functions.
     */
    public String uploadArtifact(Path artifact, String bucket, boolean createBucket) {
        if (!Files.isRegularFile(artifact)) {
            throw new IllegalArgumentException("No Lambda artifact at " + artifact);
        }
        String fileName = artifact.getFileName().toString();
        int dot = fileName.lastIndexOf('.');
        String key = "ledger-functions/" + sha256(artifact) + (dot < 0 ? "" : fileName.substring(dot));
        ensureBucket(bucket, createBucket);
        try {
            s3.headObject(request -> request.bucket(bucket).key(key));
            progress.accept("Artifact s3://" + bucket + "/" + key + " is already there");
            return key;
        } catch (NoSuchKeyException notThereYet) {
            // upload below
        } catch (S3Exception e) {
            if (e.statusCode() != 404) {
                throw e;
            }
        }
        progress.accept("Uploading " + artifact + " to s3://" + bucket + "/" + key);
        s3.putObject(request -> request.bucket(bucket).key(key), artifact);
        return key;
    }

    /**
     * Puts the template next to the artifact, under {@code templates/<sha-256 of its text>.yaml}, and
     * returns the URL CloudFormation reads it from (virtual-hosted style, in the bucket's region, which
     * CloudFormation requires to be the stack's).
     */
    String uploadTemplate(String body, String bucket) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String key = TEMPLATE_PREFIX + sha256(bytes) + ".yaml";
        s3.putObject(request -> request.bucket(bucket).key(key).contentType("application/x-yaml"),
                RequestBody.fromBytes(bytes));
        Region region = s3.serviceClientConfiguration().region();
        return "https://" + bucket + ".s3." + region.id() + "." + region.metadata().partition().dnsSuffix() + "/" + key;
    }

    public Map<String, String> outputs(String stackName) {
        return describe(stackName).map(StackDeployer::outputs)
                .orElseThrow(() -> new IllegalArgumentException("No stack " + stackName));
    }

    /** Physical ids of the stack's resources by logical id (resources a Condition left out are absent). */
    public Map<String, String> physicalIds(String stackName) {
        Map<String, String> ids = new LinkedHashMap<>();
        for (StackResource resource : cloudFormation.describeStackResources(r -> r.stackName(stackName)).stackResources()) {
            // moto lists resources a Condition left out with neither logical nor physical id
            if (resource.logicalResourceId() != null && resource.physicalResourceId() != null) {
                ids.put(resource.logicalResourceId(), resource.physicalResourceId());
            }
        }
        return ids;
    }

    public Optional<Stack> describe(String stackName) {
        try {
            List<Stack> stacks = cloudFormation.describeStacks(request -> request.stackName(stackName)).stacks();
            return stacks.stream().filter(s -> s.stackStatus() != StackStatus.DELETE_COMPLETE).findFirst();
        } catch (CloudFormationException e) {
            if (String.valueOf(e.getMessage()).contains("does not exist")) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Deletes the stack and waits until it is gone. */
    public void delete(String stackName) {
        if (describe(stackName).isEmpty()) {
            return;
        }
        cloudFormation.deleteStack(request -> request.stackName(stackName));
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            Optional<Stack> stack = describe(stackName);
            if (stack.isEmpty()) {
                return;
            }
            if (stack.get().stackStatus() == StackStatus.DELETE_FAILED) {
                throw new StackDeploymentException(stackName, stack.get().stackStatusAsString(),
                        Optional.ofNullable(stack.get().stackStatusReason()).orElse("no reason given"));
            }
            pause(stackName, deadline);
        }
    }

    private Stack awaitSettled(String stackName, String token, Instant started) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            Stack stack = describe(stackName).orElseThrow(() -> new StackDeploymentException(stackName, "DELETE_COMPLETE",
                    firstFailure(stackName, token, started).orElse("the stack disappeared")));
            if (!isInProgress(stack.stackStatus())) {
                return stack;
            }
            pause(stackName, deadline);
        }
    }

    private void pause(String stackName, Instant deadline) {
        if (Instant.now().isAfter(deadline)) {
            throw new StackDeploymentException(stackName, "TIMEOUT", "did not settle within " + timeout);
        }
        try {
            TimeUnit.MILLISECONDS.sleep(pollInterval.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackDeploymentException(stackName, "INTERRUPTED", "interrupted while waiting");
        }
    }

    /** The earliest failed resource of this operation: its logical id, type, status and reason. */
    private Optional<String> firstFailure(String stackName, String token, Instant started) {
        List<StackEvent> failures = new ArrayList<>();
        try {
            for (StackEvent event : cloudFormation.describeStackEventsPaginator(r -> r.stackName(stackName)).stackEvents()) {
                boolean ours = token != null && token.equals(event.clientRequestToken())
                        || event.clientRequestToken() == null && event.timestamp() != null
                        && !event.timestamp().isBefore(started.minusSeconds(5));
                if (ours && event.resourceStatusAsString() != null && event.resourceStatusAsString().endsWith("FAILED")
                        && !stackName.equals(event.logicalResourceId())) {
                    failures.add(event);
                }
                if (event.timestamp() != null && event.timestamp().isBefore(started.minusSeconds(60))) {
                    break; // newest first: the rest belongs to earlier operations
                }
            }
        } catch (CloudFormationException e) {
            return Optional.empty(); // the stack may be gone already
        }
        return failures.stream()
                .min(Comparator.comparing(StackEvent::timestamp, Comparator.nullsLast(Comparator.naturalOrder())))
                .map(e -> e.logicalResourceId() + " (" + e.resourceType() + ") " + e.resourceStatusAsString() + ": "
                        + Optional.ofNullable(e.resourceStatusReason()).orElse("no reason given"));
    }

    private void ensureBucket(String bucket, boolean create) {
        try {
            s3.headBucket(request -> request.bucket(bucket));
            return;
        } catch (NoSuchBucketException missing) {
            // create below
        } catch (S3Exception e) {
            if (e.statusCode() != 404) {
                throw e;
            }
        }
        if (!create) {
            throw new IllegalArgumentException("The code bucket " + bucket + " does not exist");
        }
        progress.accept("Creating bucket " + bucket);
        Region region = s3.serviceClientConfiguration().region();
        if (region == null || region.equals(Region.US_EAST_1)) {
            s3.createBucket(request -> request.bucket(bucket));
        } else {
            s3.createBucket(request -> request.bucket(bucket).createBucketConfiguration(
                    c -> c.locationConstraint(BucketLocationConstraint.fromValue(region.id()))));
        }
    }

    private static String errorMessage(CloudFormationException e) {
        return e.awsErrorDetails() != null && e.awsErrorDetails().errorMessage() != null
                ? e.awsErrorDetails().errorMessage() : String.valueOf(e.getMessage());
    }

    private static boolean isInProgress(StackStatus status) {
        return status == null || status == StackStatus.UNKNOWN_TO_SDK_VERSION || status.toString().endsWith("_IN_PROGRESS");
    }

    private static Map<String, String> outputs(Stack stack) {
        Map<String, String> outputs = new LinkedHashMap<>();
        for (Output output : stack.outputs()) {
            outputs.put(output.outputKey(), output.outputValue());
        }
        return outputs;
    }

    /** A short hash of everything that shapes the functions: a new value publishes new Lambda versions. */
    private static String revision(String body, Map<String, String> parameters) {
        MessageDigest digest = sha256();
        digest.update(body.getBytes(StandardCharsets.UTF_8));
        parameters.forEach((name, value) -> {
            if (!name.equals(REVISION)) {
                digest.update((name + "=" + value + "\n").getBytes(StandardCharsets.UTF_8));
            }
        });
        return HexFormat.of().formatHex(digest.digest()).substring(0, 16);
    }

    private static String sha256(Path file) {
        MessageDigest digest = sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[64 * 1024];
            for (int read; (read = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, read);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
