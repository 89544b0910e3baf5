package dev.ledger.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2CustomAuthorizerEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import dev.ledger.infra.local.HandlerTypes;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import dev.ledger.projections.ProjectionCatalog;
import dev.ledger.projections.ProjectionTables;
import dev.ledger.store.EventsTableSchema;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.cloudformation.model.StackResource;
import software.amazon.awssdk.services.cloudformation.model.StackStatus;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.kinesis.model.StreamDescriptionSummary;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The template, deployed to the emulator with CloudFormation through {@link StackDeployer} on
 * Stage=local: the stack completes, its resources exist as the event store expects, and every
 * handler the template names is on the classpath with the event type its use in the template needs.
 */
@ExtendWith(LocalAwsExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TemplateDeployIT {

    /** What each function is for, as the RequestHandler<event, result> AWS will call it with. */
    private static final Map<String, List<String>> HANDLER_TYPES = Map.of(
            "CommandApiFunction", List.of(APIGatewayV2HTTPEvent.class.getName(), APIGatewayV2HTTPResponse.class.getName()),
            "QueryApiFunction", List.of(APIGatewayV2HTTPEvent.class.getName(), APIGatewayV2HTTPResponse.class.getName()),
            "TokenAuthorizerFunction", List.of(APIGatewayV2CustomAuthorizerEvent.class.getName(),
                    "java.util.Map<java.lang.String, java.lang.Object>"),
            "HoldExpirySweeperFunction", List.of(ScheduledEvent.class.getName(), String.class.getName()),
            "EventPublisherFunction", List.of(DynamodbEvent.class.getName(), StreamsEventResponse.class.getName()),
            "BalancesProjectionFunction", List.of(KinesisEvent.class.getName(), StreamsEventResponse.class.getName()),
            "HistoryProjectionFunction", List.of(KinesisEvent.class.getName(), StreamsEventResponse.class.getName()),
            "TransfersProjectionFunction", List.of(KinesisEvent.class.getName(), StreamsEventResponse.class.getName()),
            "MetadataProjectionFunction", List.of(KinesisEvent.class.getName(), StreamsEventResponse.class.getName()));

    private final Template template = Template.bundled();
    private final AwsClients aws;
    private final TestNames names;
    private StackDeployer deployer;
    private StackDeployer.Result created;
    @TempDir
    static Path directory;

    TemplateDeployIT(AwsClients aws, TestNames names) {
        this.aws = aws;
        this.names = names;
    }

    @BeforeAll
    void deploy() throws IOException {
        deployer = new StackDeployer(aws.cloudFormation(), aws.s3(), Duration.ofMillis(100), Duration.ofMinutes(1), m -> { });
        created = deployer.deploy(deployment(artifact("first")));
    }

    @Test
    void the_stack_completes_with_its_outputs() {
        assertThat(created.status()).isEqualTo(StackStatus.CREATE_COMPLETE);
        assertThat(created.changed()).isTrue();
        assertThat(created.outputs()).containsKeys("EventsTableName", "EventsStreamArn", "LedgerStreamName",
                "LedgerStreamArn", "DeadLetterQueueUrl", "DeadLetterQueueArn", "CommandApiFunctionName",
                "TokenAuthorizerFunctionName", "HoldExpirySweeperFunctionName", "QueryApiFunctionName",
                "EventPublisherFunctionName", "BalancesProjectionFunctionName", "HistoryProjectionFunctionName",
                "TransfersProjectionFunctionName", "BalancesTableName", "HistoryTableName", "TransfersTableName",
                "MetadataProjectionFunctionName", "MetadataTableName")
                .doesNotContainKey("ApiUrl");
        assertThat(created.codeKey()).matches("ledger-functions/[0-9a-f]{64}\\.jar");
        assertThat(created.parameters()).containsEntry("Stage", "local").containsKey("Revision");
    }

    @Test
    void the_events_table_has_its_keys_stream_and_pending_holds_index() {
        TableDescription table = aws.dynamoDb().describeTable(r -> r.tableName(created.outputs().get("EventsTableName"))).table();
        assertThat(table.keySchema()).extracting(k -> k.attributeName() + ":" + k.keyType())
                .containsExactly("pk:" + KeyType.HASH, "sk:" + KeyType.RANGE);
        assertThat(table.attributeDefinitions()).anySatisfy(a -> {
            assertThat(a.attributeName()).isEqualTo("sk");
            assertThat(a.attributeTypeAsString()).isEqualTo("N");
        });
        assertThat(table.streamSpecification().streamEnabled()).isTrue();
        assertThat(table.streamSpecification().streamViewType()).isEqualTo(StreamViewType.NEW_IMAGE);
        assertThat(table.latestStreamArn()).isEqualTo(created.outputs().get("EventsStreamArn"));
        assertThat(table.globalSecondaryIndexes()).singleElement().satisfies(index -> {
            assertThat(index.indexName()).isEqualTo("pending-holds-by-expiry");
            assertThat(index.keySchema()).extracting(k -> k.attributeName() + ":" + k.keyType())
                    .containsExactly("pendingBucket:" + KeyType.HASH, "expiresAt:" + KeyType.RANGE);
        });
    }

    @Test
    void the_deployed_table_matches_the_one_the_event_store_creates_for_its_tests() {
        String schemaTable = names.table("events-schema");
        EventsTableSchema.create(aws.dynamoDb(), schemaTable);
        TableDescription fromSchema = aws.dynamoDb().describeTable(r -> r.tableName(schemaTable)).table();
        TableDescription fromTemplate = aws.dynamoDb()
                .describeTable(r -> r.tableName(created.outputs().get("EventsTableName"))).table();

        assertThat(shape(fromTemplate)).isEqualTo(shape(fromSchema));
    }

    @Test
    void the_deployed_read_tables_match_the_ones_the_projections_create_for_their_tests() {
        for (ProjectionCatalog projection : ProjectionCatalog.values()) {
            String output = projection.templateOutput();
            String schemaTable = names.table(projection.label() + "-schema");
            projection.createTable(aws.dynamoDb(), schemaTable);
            TableDescription fromSchema = aws.dynamoDb().describeTable(r -> r.tableName(schemaTable)).table();
            TableDescription fromTemplate = aws.dynamoDb()
                    .describeTable(r -> r.tableName(created.outputs().get(output))).table();

            assertThat(shape(fromTemplate)).as(output).isEqualTo(shape(fromSchema));
        }
    }

    /** What the event store relies on: keys, attribute types, indexes and their projection, stream, billing. */
    private static List<String> shape(TableDescription table) {
        List<String> shape = new java.util.ArrayList<>();
        table.keySchema().forEach(k -> shape.add("key " + k.attributeName() + " " + k.keyTypeAsString()));
        table.attributeDefinitions().stream().map(a -> "attribute " + a.attributeName() + " " + a.attributeTypeAsString())
                .sorted().forEach(shape::add);
        table.globalSecondaryIndexes().forEach(index -> {
            index.keySchema().forEach(k -> shape.add("index " + index.indexName() + " key " + k.attributeName()
                    + " " + k.keyTypeAsString()));
            shape.add("index " + index.indexName() + " projection " + index.projection().projectionTypeAsString());
        });
        shape.add(table.streamSpecification() == null ? "no stream" : "stream "
                + table.streamSpecification().streamEnabled() + " " + table.streamSpecification().streamViewTypeAsString());
        shape.add("billing " + (table.billingModeSummary() == null ? null : table.billingModeSummary().billingModeAsString()));
        return shape;
    }

    @Test
    void the_ledger_stream_and_the_dead_letter_queue_exist() {
        StreamDescriptionSummary stream = aws.kinesis()
                .describeStreamSummary(r -> r.streamName(created.outputs().get("LedgerStreamName")))
                .streamDescriptionSummary();
        // On demand by default; moto's CloudFormation ignores StreamModeDetails and, with no
        // ShardCount (refused on demand), makes one shard. The local runtime polls every shard anyway.
        // (PROVISIONED cannot be deployed to moto: its CloudFormation hands the String parameter to
        // ShardCount unconverted and fails; AWS converts it. TemplateTest pins what it evaluates to.)
        assertThat(stream.openShardCount()).isEqualTo(1);
        assertThat(stream.retentionPeriodHours()).isGreaterThanOrEqualTo(168);

        String queueUrl = created.outputs().get("DeadLetterQueueUrl");
        String queueName = queueUrl.substring(queueUrl.lastIndexOf('/') + 1);
        String url = aws.sqs().getQueueUrl(r -> r.queueName(queueName)).queueUrl();
        assertThat(aws.sqs().getQueueAttributes(r -> r.queueUrl(url).attributeNames(QueueAttributeName.MESSAGE_RETENTION_PERIOD))
                .attributes()).containsEntry(QueueAttributeName.MESSAGE_RETENTION_PERIOD, "1209600");
    }

    @Test
    void the_functions_roles_and_schedule_are_created_and_nothing_moto_would_misuse() {
        Map<String, String> physicalIds = deployer.physicalIds(created.stackName());
        for (Template.Function function : template.functions()) {
            assertThat(physicalIds).containsEntry(function.logicalId(),
                    created.outputs().get(function.logicalId().replace("Function", "FunctionName")));
            assertThat(physicalIds).containsKey(function.roleLogicalId());
        }
        assertThat(physicalIds).containsKey("HoldExpirySweeperSchedule");
        List<StackResource> resources = aws.cloudFormation()
                .describeStackResources(r -> r.stackName(created.stackName())).stackResources();
        assertThat(resources).filteredOn(r -> r.resourceType() != null)
                .noneMatch(r -> r.resourceType().equals(Template.EVENT_SOURCE_MAPPING))
                .noneMatch(r -> r.resourceType().startsWith("AWS::ApiGatewayV2::"));
    }

    /** moto 5.2.1's CloudFormation creates AWS::IAM::ManagedPolicy (and validates its document), so they need no IsAws. */
    @Test
    void the_peoples_managed_policies_are_created_and_output_by_arn() {
        Map<String, String> physicalIds = deployer.physicalIds(created.stackName());
        for (String policy : List.of("LedgerOperatorPolicy", "LedgerAuditorPolicy")) {
            assertThat(created.outputs().get(policy + "Arn"))
                    .matches("arn:aws:iam::[0-9]{12}:policy/" + java.util.regex.Pattern.quote(created.stackName())
                            + "-" + policy + "-[A-Za-z0-9]+")
                    .isEqualTo(physicalIds.get(policy));
        }
    }

    @Test
    void every_handler_class_exists_and_implements_the_request_handler_its_use_needs() throws ClassNotFoundException {
        assertThat(template.functions()).extracting(Template.Function::logicalId)
                .containsExactlyInAnyOrderElementsOf(HANDLER_TYPES.keySet());
        for (Template.Function function : template.functions()) {
            Class<?> handler = Class.forName(function.handlerClass());
            assertThat(function.handlerMethod()).isEqualTo("handleRequest");
            assertThat(HandlerTypes.requestHandler(handler))
                    .as("%s (%s)", function.logicalId(), function.handlerClass())
                    .get()
                    .extracting(s -> List.of(s.inputName(), s.outputName()))
                    .isEqualTo(HANDLER_TYPES.get(function.logicalId()));
            assertThat(handler.getConstructors()).as("public constructors of %s", handler)
                    .anySatisfy(c -> assertThat(c.getParameterCount()).isZero());
        }
    }

    @Test
    void the_expected_handler_types_agree_with_what_the_template_wires_each_function_to() {
        Set<String> http = new HashSet<>();
        template.routes().forEach(route -> http.add(route.functionLogicalId()));
        Set<String> authorizers = new HashSet<>();
        template.routes().forEach(route -> route.authorizerLogicalId()
                .ifPresent(id -> authorizers.add(template.authorizer(id).functionLogicalId())));
        Set<String> scheduled = new HashSet<>();
        template.schedules().forEach(schedule -> scheduled.addAll(schedule.functionLogicalIds()));
        Set<String> dynamoDbStreams = new HashSet<>();
        Set<String> kinesisStreams = new HashSet<>();
        template.eventSourceMappings().forEach(mapping -> (mapping.readsDynamoDbStream() ? dynamoDbStreams : kinesisStreams)
                .add(mapping.functionLogicalId()));

        HANDLER_TYPES.forEach((function, types) -> {
            String event = types.get(0);
            if (http.contains(function)) {
                assertThat(event).as(function).isEqualTo(APIGatewayV2HTTPEvent.class.getName());
            }
            if (authorizers.contains(function)) {
                assertThat(event).as(function).isEqualTo(APIGatewayV2CustomAuthorizerEvent.class.getName());
            }
            if (scheduled.contains(function)) {
                assertThat(event).as(function).isEqualTo(ScheduledEvent.class.getName());
            }
            if (dynamoDbStreams.contains(function)) {
                assertThat(types).as(function).containsExactly(DynamodbEvent.class.getName(),
                        StreamsEventResponse.class.getName());
            }
            if (kinesisStreams.contains(function)) {
                assertThat(types).as(function).containsExactly(KinesisEvent.class.getName(),
                        StreamsEventResponse.class.getName());
            }
        });
        assertThat(http).containsExactlyInAnyOrder("CommandApiFunction", "QueryApiFunction");
        assertThat(dynamoDbStreams).containsExactly("EventPublisherFunction");
        assertThat(kinesisStreams).containsExactlyInAnyOrder("BalancesProjectionFunction", "HistoryProjectionFunction",
                "TransfersProjectionFunction", "MetadataProjectionFunction");
        assertThat(authorizers).containsExactly("TokenAuthorizerFunction");
        assertThat(scheduled).containsExactly("HoldExpirySweeperFunction");
    }

    @Test
    void deploying_new_code_updates_the_stack_and_keeps_its_resources() throws IOException {
        StackDeployer.Result updated = deployer.deploy(deployment(artifact("second")));

        assertThat(updated.status()).isEqualTo(StackStatus.UPDATE_COMPLETE);
        assertThat(deployer.describe(updated.stackName())).get()
                .extracting(s -> s.stackStatus()).isEqualTo(StackStatus.UPDATE_COMPLETE);
        assertThat(updated.codeKey()).isNotEqualTo(created.codeKey());
        assertThat(updated.parameters().get("Revision")).isNotEqualTo(created.parameters().get("Revision"));
        assertThat(updated.outputs().get("EventsTableName")).isEqualTo(created.outputs().get("EventsTableName"));
        assertThat(aws.s3().headObject(r -> r.bucket(names.bucket("code")).key(updated.codeKey())).contentLength())
                .isPositive();
    }

    private StackDeployer.Deployment deployment(Path artifact) {
        return new StackDeployer.Deployment(names.stack("ledger"), template, artifact, names.bucket("code"),
                Map.of("Stage", "local"), true);
    }

    /** moto cannot run Java: any jar is code enough. */
    private Path artifact(String content) throws IOException {
        Path jar = directory.resolve(content + ".jar");
        try (OutputStream out = Files.newOutputStream(jar); ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("content.txt"));
            zip.write(content.getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        return jar;
    }
}
