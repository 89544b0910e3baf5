package dev.ledger.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.cloudformation.model.StackStatus;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The template deployed to the emulator twice, with a customer-managed key made in the emulator's
 * KMS (KmsKeyArn) and without one: both stacks complete; with the key, the dead-letter queue is
 * encrypted with it and the functions' roles hold the key's policies exactly as the template
 * attaches them, naming that key; without it, neither.
 *
 * <p>What moto 5.2.1's CloudFormation cannot show (read from its source, 2026-11-30): it hands a
 * table's SSESpecification over in CloudFormation's spelling ({@code SSEEnabled}) while its
 * DescribeTable reports encryption only for the API's ({@code Enabled}), it drops a Kinesis
 * stream's StreamEncryption and a log group's KmsKeyId. Those resolve as TemplateTest checks; here
 * they only have to be accepted.
 *
 * <p>The emulator's KMS and IAM are called over HTTP with their JSON and query protocols: the
 * project ships no KMS or IAM client, and these calls are the tests' alone.
 */
@ExtendWith(LocalAwsExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TemplateKmsKeyDeployIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final Pattern MEMBER = Pattern.compile("<member>([^<]*)</member>");
    private static final Pattern POLICY_DOCUMENT = Pattern.compile("<PolicyDocument>([^<]*)</PolicyDocument>");

    private final Template template = Template.bundled();
    private final AwsClients aws;
    private final TestNames names;
    private StackDeployer deployer;
    private String keyArn;
    private StackDeployer.Result keyed;
    private StackDeployer.Result plain;
    @TempDir
    static Path directory;

    TemplateKmsKeyDeployIT(AwsClients aws, TestNames names) {
        this.aws = aws;
        this.names = names;
    }

    @BeforeAll
    void deploy() throws IOException, InterruptedException {
        keyArn = createKey();
        deployer = new StackDeployer(aws.cloudFormation(), aws.s3(), Duration.ofMillis(100), Duration.ofMinutes(1), m -> { });
        Path artifact = artifact();
        keyed = deployer.deploy(new StackDeployer.Deployment(names.stack("keyed"), template, artifact, names.bucket("code"),
                Map.of("Stage", "local", "KmsKeyArn", keyArn), true));
        plain = deployer.deploy(new StackDeployer.Deployment(names.stack("plain"), template, artifact, names.bucket("code"),
                Map.of("Stage", "local"), true));
    }

    @Test
    void both_stacks_complete() {
        assertThat(keyArn).matches("arn:aws:kms:us-east-1:[0-9]{12}:key/[0-9a-f-]+");
        assertThat(keyed.status()).isEqualTo(StackStatus.CREATE_COMPLETE);
        assertThat(keyed.parameters()).containsEntry("KmsKeyArn", keyArn);
        assertThat(plain.status()).isEqualTo(StackStatus.CREATE_COMPLETE);
        assertThat(plain.parameters()).containsEntry("KmsKeyArn", "");
    }

    @Test
    void with_the_key_the_dead_letter_queue_is_encrypted_with_it_and_without_by_sqs_managed_keys() {
        Map<QueueAttributeName, String> withKey = queueAttributes(keyed);
        assertThat(withKey).containsEntry(QueueAttributeName.KMS_MASTER_KEY_ID, keyArn)
                .containsEntry(QueueAttributeName.SQS_MANAGED_SSE_ENABLED, "false");
        Map<QueueAttributeName, String> withoutKey = queueAttributes(plain);
        assertThat(withoutKey).doesNotContainKey(QueueAttributeName.KMS_MASTER_KEY_ID)
                .containsEntry(QueueAttributeName.SQS_MANAGED_SSE_ENABLED, "true");
    }

    @Test
    void with_the_key_each_role_holds_the_key_policies_the_template_attaches_to_it_naming_that_key_alone()
            throws IOException, InterruptedException {
        Map<String, String> physicalIds = deployer.physicalIds(keyed.stackName());
        Map<String, TreeSet<String>> expected = keyPoliciesByRole();
        assertThat(expected).as("roles the template gives the key to").isNotEmpty();
        for (Template.Function function : template.functions()) {
            String role = physicalIds.get(function.roleLogicalId());
            TreeSet<String> keyPolicies = new TreeSet<>(rolePolicyNames(role));
            keyPolicies.removeIf(name -> !name.startsWith("kms-"));
            assertThat(keyPolicies).as("key policies of %s", function.roleLogicalId())
                    .isEqualTo(expected.getOrDefault(function.roleLogicalId(), new TreeSet<>()));
            for (String policy : keyPolicies) {
                JsonNode document = rolePolicy(role, policy);
                assertThat(document.path("Statement")).as(policy).isNotEmpty().allSatisfy(statement ->
                        assertThat(statement.path("Resource").asText()).as(policy).isEqualTo(keyArn));
            }
        }
    }

    @Test
    void without_the_key_no_role_holds_a_key_policy() throws IOException, InterruptedException {
        Map<String, String> physicalIds = deployer.physicalIds(plain.stackName());
        for (Template.Function function : template.functions()) {
            assertThat(rolePolicyNames(physicalIds.get(function.roleLogicalId()))).as(function.roleLogicalId())
                    .noneMatch(name -> name.startsWith("kms-"));
        }
        assertThat(physicalIds).doesNotContainKeys("TablesKeyPolicy", "PublisherKeyPolicy", "ProjectionsKeyPolicy");
    }

    // ----------------------------------------------------------------------------------------

    /** Role logical id -> names of the policies naming the key (AWS::IAM::Policy resources) the template attaches to it. */
    private Map<String, TreeSet<String>> keyPoliciesByRole() {
        Map<String, TreeSet<String>> byRole = new TreeMap<>();
        for (Template.Resource policy : template.resourcesOfType("AWS::IAM::Policy")) {
            // (The token secret's key policy exists on AWS alone, where the secret is: not on this stage.)
            if (!Intrinsics.references(policy.property("PolicyDocument")).contains("KmsKeyArn")
                    || !template.isCreated(policy.logicalId(), keyed.parameters())) {
                continue;
            }
            String name = policy.property("PolicyName").asText();
            for (String role : Intrinsics.references(policy.property("Roles"))) {
                byRole.computeIfAbsent(role, r -> new TreeSet<>()).add(name);
            }
        }
        return byRole;
    }

    private Map<QueueAttributeName, String> queueAttributes(StackDeployer.Result stack) {
        String url = stack.outputs().get("DeadLetterQueueUrl");
        return aws.sqs().getQueueAttributes(r -> r.queueUrl(url).attributeNames(QueueAttributeName.ALL)).attributes();
    }

    /** A symmetric key in the emulator's KMS (CreateKey, JSON protocol). */
    private String createKey() throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(aws.endpoint())
                .header("Content-Type", "application/x-amz-json-1.1")
                .header("X-Amz-Target", "TrentService.CreateKey")
                .header("Authorization", authorization("kms"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"Description\":\"ledger test key\","
                        + "\"KeyUsage\":\"ENCRYPT_DECRYPT\",\"KeySpec\":\"SYMMETRIC_DEFAULT\"}"))
                .build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body()).path("KeyMetadata").path("Arn").asText();
    }

    private List<String> rolePolicyNames(String role) throws IOException, InterruptedException {
        String xml = iam(Map.of("Action", "ListRolePolicies", "RoleName", role));
        List<String> names = new ArrayList<>();
        Matcher member = MEMBER.matcher(xml);
        while (member.find()) {
            names.add(member.group(1));
        }
        return names;
    }

    /** The inline policy's document, which IAM returns URL-encoded. */
    private JsonNode rolePolicy(String role, String policy) throws IOException, InterruptedException {
        Matcher document = POLICY_DOCUMENT.matcher(iam(Map.of("Action", "GetRolePolicy", "RoleName", role,
                "PolicyName", policy)));
        assertThat(document.find()).as("%s of %s", policy, role).isTrue();
        return JSON.readTree(URLDecoder.decode(document.group(1), StandardCharsets.UTF_8));
    }

    /** One call of the emulator's IAM (query protocol). */
    private String iam(Map<String, String> parameters) throws IOException, InterruptedException {
        Map<String, String> form = new LinkedHashMap<>(parameters);
        form.put("Version", "2010-05-08");
        StringBuilder body = new StringBuilder();
        form.forEach((name, value) -> body.append(body.isEmpty() ? "" : "&").append(name).append('=')
                .append(URLEncoder.encode(value, StandardCharsets.UTF_8)));
        HttpRequest request = HttpRequest.newBuilder(aws.endpoint())
                .header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
                .header("Authorization", authorization("iam"))
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
    }

    /** moto routes a request to a service by the credential scope; it checks no signature. */
    private static String authorization(String service) {
        return "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/" + service
                + "/aws4_request, SignedHeaders=host, Signature=0";
    }

    /** moto cannot run Java: any jar is code enough. */
    private static Path artifact() throws IOException {
        Path jar = directory.resolve("code.jar");
        try (OutputStream out = Files.newOutputStream(jar); ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("content.txt"));
            zip.write("kms".getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        return jar;
    }
}
