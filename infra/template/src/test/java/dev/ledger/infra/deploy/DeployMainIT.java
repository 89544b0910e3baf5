package dev.ledger.infra.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.infra.Template;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.cloudformation.model.Parameter;
import software.amazon.awssdk.services.cloudformation.model.Stack;
import software.amazon.awssdk.services.cloudformation.model.StackStatus;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.GetFunctionResponse;

/**
 * {@code ./ledger deploy}'s entry point against the emulator, as an operator runs it: a first
 * deploy creates the artifact bucket, uploads the artifact and creates the stack; a second with
 * new code updates it; a third with the same code changes nothing. After each, every function the
 * template declares runs the uploaded object (moto reads it from S3 and reports its SHA-256 and
 * size). Stage=local: moto 5.2.1's CloudFormation cannot create the HTTP API (AWS::ApiGatewayV2::*)
 * or AWS::Lambda::Alias, which the other stages add.
 */
@ExtendWith(LocalAwsExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class DeployMainIT {

    private final AwsClients aws;
    private final TestNames names;
    private final Template template = Template.bundled();
    private LambdaClient lambda;
    @TempDir
    static Path directory;

    private String stack;
    private String bucket;
    private Path firstArtifact;
    private Path secondArtifact;
    private Run first;
    private Map<String, GetFunctionResponse> afterFirst;
    private Run second;
    private Map<String, GetFunctionResponse> afterSecond;
    private Run third;

    DeployMainIT(AwsClients aws, TestNames names) {
        this.aws = aws;
        this.names = names;
    }

    @BeforeAll
    void deployThreeTimes() throws IOException {
        lambda = LambdaClient.builder().endpointOverride(aws.endpoint()).region(AwsClients.REGION)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create()).build();
        stack = names.stack("deploy");
        bucket = names.bucket("artifacts");
        firstArtifact = artifact("first");
        secondArtifact = artifact("second");

        first = deploy(firstArtifact, Map.of());
        afterFirst = functions();
        second = deploy(secondArtifact, Map.of());
        afterSecond = functions();
        third = deploy(secondArtifact, Map.of());
    }

    @AfterAll
    void closeLambda() {
        lambda.close();
    }

    @Test
    void the_first_deploy_creates_the_bucket_uploads_the_artifact_and_creates_the_stack() throws IOException {
        assertThat(first.exitCode()).as(first.err()).isZero();
        String key = "ledger-functions/" + sha256Hex(firstArtifact) + ".jar";
        assertThat(aws.s3().headObject(r -> r.bucket(bucket).key(key)).contentLength()).isEqualTo(Files.size(firstArtifact));
        assertThat(first.out()).contains("Stack " + stack + " CREATE_COMPLETE in ", "s3://" + bucket + "/" + key);
        assertThat(first.err()).contains("Creating bucket " + bucket, "Creating stack " + stack);
    }

    @Test
    void the_first_deploy_prints_the_table_names_from_the_stack_outputs_and_says_there_is_no_api_url() {
        Map<String, String> outputs = outputs(describe());
        assertThat(first.out()).contains(outputs.get("EventsTableName"), outputs.get("BalancesTableName"),
                outputs.get("HistoryTableName"), outputs.get("TransfersTableName"), outputs.get("LedgerStreamName"));
        assertThat(first.out()).containsPattern("API URL +none: Stage=local has no HTTP API");
    }

    @Test
    void after_the_first_deploy_every_function_runs_the_uploaded_object() throws IOException {
        String key = "ledger-functions/" + sha256Hex(firstArtifact) + ".jar";
        assertThat(afterFirst).hasSize(template.functions().size());
        afterFirst.forEach((function, code) -> {
            assertThat(code.configuration().codeSha256()).as(function).isEqualTo(sha256Base64(firstArtifact));
            assertThat(code.configuration().codeSize()).as(function).isEqualTo(size(firstArtifact));
            assertThat(code.code().location()).as(function).endsWith("/" + key);
        });
    }

    @Test
    void a_second_deploy_with_new_code_updates_the_stack_and_points_every_function_at_the_new_object() throws IOException {
        assertThat(second.exitCode()).as(second.err()).isZero();
        assertThat(second.out()).contains("Stack " + stack + " UPDATE_COMPLETE in ");
        String key = "ledger-functions/" + sha256Hex(secondArtifact) + ".jar";
        Stack deployed = describe();
        assertThat(deployed.stackStatus()).isEqualTo(StackStatus.UPDATE_COMPLETE);
        assertThat(parameters(deployed)).containsEntry("CodeBucket", bucket).containsEntry("CodeKey", key);
        assertThat(afterSecond).hasSize(template.functions().size());
        afterSecond.forEach((function, code) -> {
            assertThat(code.configuration().codeSha256()).as(function).isEqualTo(sha256Base64(secondArtifact));
            assertThat(code.code().location()).as(function).endsWith("/" + key);
            // the same function, not a replacement
            assertThat(code.configuration().functionArn()).isEqualTo(afterFirst.get(function).configuration().functionArn());
        });
    }

    @Test
    void no_function_and_no_parameter_is_given_api_tokens_and_the_deploy_says_how_to_issue_them() {
        afterSecond.forEach((function, code) -> assertThat(code.configuration().environment().variables()).as(function)
                .doesNotContainKeys("LEDGER_API_TOKENS"));
        assertThat(parameters(describe())).doesNotContainKey("ApiTokens");
        assertThat(first.out()).containsPattern("API tokens +" + stack + "/api-token-digests \\(./ledger tokens issue");
    }

    @Test
    void deploying_the_same_artifact_again_changes_nothing() {
        assertThat(third.exitCode()).as(third.err()).isZero();
        assertThat(third.out()).contains("Stack " + stack + " unchanged (UPDATE_COMPLETE)");
        assertThat(third.err()).contains("is already there", "is up to date");
    }

    @Test
    void other_template_parameters_are_set_with_parameter_and_the_rest_take_their_defaults() {
        String other = names.stack("deploy-parameters");
        Run run = DeployMainIT.run(Map.of(), "--stage", "local",
                "--endpoint", aws.endpoint().toString(), "--stack-name", other, "--code-bucket", bucket,
                "--artifact", firstArtifact.toString(), "--parameter", "ProjectionParallelization=4");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(parameters(aws.cloudFormation().describeStacks(r -> r.stackName(other)).stacks().get(0)))
                .containsEntry("ProjectionParallelization", "4").containsEntry("EventsStreamMode", "ON_DEMAND");
    }

    @Test
    void a_parameter_the_command_sets_itself_or_the_template_lacks_is_refused_before_anything_is_created() {
        for (String parameter : new String[] {"Stage=prod", "CodeKey=x", "NoSuchParameter=1"}) {
            String other = names.stack("deploy-refused");
            Run run = DeployMainIT.run(Map.of(), "--stage", "local",
                    "--endpoint", aws.endpoint().toString(), "--stack-name", other, "--code-bucket", bucket,
                    "--artifact", firstArtifact.toString(), "--parameter", parameter);

            assertThat(run.exitCode()).as(parameter).isEqualTo(DeployMain.NOT_STARTED);
            assertThat(run.err()).as(parameter).containsAnyOf("is not yours to set", "has no parameter");
            assertThat(aws.cloudFormation().listStacks().stackSummaries()).noneMatch(s -> s.stackName().equals(other));
        }
    }

    @Test
    void a_missing_artifact_is_refused_before_anything_is_created() {
        String other = names.stack("deploy-missing");
        Run run = DeployMainIT.run("--stage", "local", "--endpoint", aws.endpoint().toString(), "--stack-name", other,
                "--code-bucket", names.bucket("never-created"), "--artifact", directory.resolve("absent.jar").toString());

        assertThat(run.exitCode()).isEqualTo(DeployMain.NOT_STARTED);
        assertThat(run.err()).contains("No Lambda artifact at");
        assertThat(aws.cloudFormation().listStacks().stackSummaries())
                .noneMatch(s -> s.stackName().equals(other));
    }

    /**
     * moto refuses the dev and prod stages before creating anything (the ApiUrl output reads an
     * AWS::ApiGatewayV2::Api, which its CloudFormation does not know), so no event source mapping
     * reaches it. Should a newer moto create them, this test says so.
     */
    @Test
    void a_stage_the_emulator_cannot_create_fails_with_a_non_zero_exit_and_says_why() {
        Run run = DeployMainIT.run(Map.of(), "--stage", "dev",
                "--endpoint", aws.endpoint().toString(), "--stack-name", names.stack("deploy-dev"),
                "--code-bucket", bucket, "--artifact", firstArtifact.toString());

        assertThat(run.exitCode()).isEqualTo(DeployMain.STACK_FAILED);
        assertThat(run.err()).contains("rejected the request for stack " + names.stack("deploy-dev"),
                "against the emulator use --stage local");
    }

    // --- helpers ------------------------------------------------------------------------------

    private record Run(int exitCode, String out, String err) {
    }

    private Run deploy(Path artifact, Map<String, String> environment) {
        return run(environment, "--stage", "local", "--endpoint", aws.endpoint().toString(), "--stack-name", stack,
                "--code-bucket", bucket, "--artifact", artifact.toString());
    }

    private static Run run(String... args) {
        return run(Map.of(), args);
    }

    private static Run run(Map<String, String> environment, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = DeployMain.run(args, environment, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    /** Every function of the template as the emulator's Lambda has it now, by logical id. */
    private Map<String, GetFunctionResponse> functions() {
        Map<String, String> outputs = outputs(describe());
        Map<String, GetFunctionResponse> functions = new LinkedHashMap<>();
        for (Template.Function function : template.functions()) {
            String name = outputs.get(function.logicalId().replace("Function", "FunctionName"));
            functions.put(function.logicalId(), lambda.getFunction(r -> r.functionName(name)));
        }
        return functions;
    }

    private Stack describe() {
        return aws.cloudFormation().describeStacks(r -> r.stackName(stack)).stacks().get(0);
    }

    private static Map<String, String> outputs(Stack stack) {
        Map<String, String> outputs = new LinkedHashMap<>();
        stack.outputs().forEach(o -> outputs.put(o.outputKey(), o.outputValue()));
        return outputs;
    }

    private static Map<String, String> parameters(Stack stack) {
        Map<String, String> parameters = new LinkedHashMap<>();
        for (Parameter p : stack.parameters()) {
            parameters.put(p.parameterKey(), p.parameterValue());
        }
        return parameters;
    }

    /** moto cannot run Java: any jar is code enough, and different content is new code. */
    private Path artifact(String content) throws IOException {
        Path jar = directory.resolve(content + ".jar");
        try (OutputStream out = Files.newOutputStream(jar); ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("content.txt"));
            zip.write(content.getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        return jar;
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String sha256Hex(Path file) throws IOException {
        return HexFormat.of().formatHex(sha256(file));
    }

    private static String sha256Base64(Path file) {
        try {
            return Base64.getEncoder().encodeToString(sha256(file));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static byte[] sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(in.readAllBytes());
            return digest.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
