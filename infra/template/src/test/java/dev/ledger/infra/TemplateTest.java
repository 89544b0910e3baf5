package dev.ledger.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.ledger.projections.ProjectionCatalog;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TemplateTest {

    /** What moto 5.2.1's CloudFormation can create (its CloudFormationModel subclasses), among the types we use. */
    static final Set<String> MOTO_CREATES = Set.of("AWS::DynamoDB::Table", "AWS::Kinesis::Stream", "AWS::SQS::Queue",
            "AWS::IAM::Role", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::Logs::LogGroup",
            "AWS::Lambda::Function", "AWS::Lambda::Permission", "AWS::Lambda::Version",
            "AWS::Lambda::EventSourceMapping", "AWS::Events::Rule", "AWS::S3::Bucket");

    private static final Map<String, String> LOCAL = Map.of("Stage", "local", "CodeBucket", "b", "CodeKey", "k");
    private static final String KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    private static final String QUEUE = "AWS::SQS::Queue";
    private static final String LOG_GROUP = "AWS::Logs::LogGroup";
    private static final Map<String, String> PROD = Map.of("Stage", "prod", "CodeBucket", "b", "CodeKey", "k");

    @Nested
    class The_project_template {

        private final Template template = Template.bundled();

        @Test
        void fits_in_a_template_cloud_formation_reads_from_s3() {
            assertThat(template.body().getBytes(StandardCharsets.UTF_8).length)
                    .isLessThanOrEqualTo(StackDeployer.TEMPLATE_URL_LIMIT);
        }

        @Test
        void names_conditions_in_long_form_because_moto_reads_the_short_tag_as_fn_condition() {
            // moto 5.2.1 turns `!Condition X` into {"Fn::Condition": "X"}, which its condition parser
            // does not know: `!Not [!Condition Jwt]` held in every mode and created the token authorizer.
            assertThat(template.body()).doesNotContain("!Condition");
        }

        @Test
        void declares_the_parameters_of_every_stage_and_no_tokens() {
            assertThat(template.parameters()).containsKeys("Stage", "CodeBucket", "CodeKey")
                    .doesNotContainKey("ApiTokens");
        }

        @Test
        void names_every_handler_with_its_method() {
            assertThat(template.functions())
                    .extracting(f -> f.logicalId() + " " + f.handlerClass() + "::" + f.handlerMethod())
                    .containsExactlyInAnyOrder(
                            "CommandApiFunction dev.ledger.functions.api.CommandApiHandler::handleRequest",
                            "QueryApiFunction dev.ledger.projections.api.QueryApiHandler::handleRequest",
                            "TokenAuthorizerFunction dev.ledger.functions.api.TokenAuthorizerHandler::handleRequest",
                            "HoldExpirySweeperFunction dev.ledger.functions.sweeper.HoldExpirySweeperHandler::handleRequest",
                            "EventPublisherFunction dev.ledger.functions.publisher.EventPublisherHandler::handleRequest",
                            "BalancesProjectionFunction dev.ledger.projections.BalancesProjectionHandler::handleRequest",
                            "HistoryProjectionFunction dev.ledger.projections.HistoryProjectionHandler::handleRequest",
                            "TransfersProjectionFunction dev.ledger.projections.TransfersProjectionHandler::handleRequest",
                            "MetadataProjectionFunction dev.ledger.projections.MetadataProjectionHandler::handleRequest");
        }

        @Test
        void runs_java_with_memory_timeouts_and_snap_start_on_the_api_functions() {
            for (Template.Function function : template.functions()) {
                assertThat(function.runtime()).isIn("java17", "java21");
                assertThat(function.memorySize()).isGreaterThanOrEqualTo(512);
                assertThat(function.timeoutSeconds()).isBetween(1, 60);
            }
            assertThat(template.function("CommandApiFunction").snapStartApplyOn()).contains("PublishedVersions");
            assertThat(template.function("TokenAuthorizerFunction").snapStartApplyOn()).contains("PublishedVersions");
        }

        @Test
        void starts_every_jvm_with_c1_only_and_snapshots_the_api_functions_that_prime_themselves() {
            for (Template.Function function : template.functions()) {
                assertThat(function.environment()).as(function.logicalId()).containsKey("JAVA_TOOL_OPTIONS");
                assertThat(function.environment().get("JAVA_TOOL_OPTIONS").asText()).as(function.logicalId())
                        .contains("-XX:TieredStopAtLevel=1");
            }
            assertThat(template.function("QueryApiFunction").snapStartApplyOn()).contains("PublishedVersions");
        }

        @Test
        void gives_the_functions_the_table_they_read_and_the_token_secret_to_the_authorizer_alone() {
            Template.Function command = template.function("CommandApiFunction");
            assertThat(Intrinsics.symbolic(command.environment().get("LEDGER_EVENTS_TABLE"))).isEqualTo("${EventsTable}");
            // The API handlers take the caller from the authorizer's context: they hold no tokens.
            assertThat(command.environment()).doesNotContainKey("LEDGER_API_TOKENS");
            assertThat(template.function("QueryApiFunction").environment()).doesNotContainKey("LEDGER_API_TOKENS");
            assertThat(template.function("TokenAuthorizerFunction").environment()).doesNotContainKey("LEDGER_API_TOKENS")
                    .containsKey("LEDGER_API_TOKEN_SECRET");
            for (String function : new String[] {"CommandApiFunction", "QueryApiFunction", "HoldExpirySweeperFunction"}) {
                assertThat(template.function(function).environment()).doesNotContainKey("LEDGER_API_TOKEN_SECRET");
            }
            assertThat(Intrinsics.symbolic(template.function("HoldExpirySweeperFunction").environment()
                    .get("LEDGER_EVENTS_TABLE"))).isEqualTo("${EventsTable}");
            assertThat(template.function("HoldExpirySweeperFunction").environment()).doesNotContainKey("LEDGER_API_TOKENS");
        }

        @Test
        void agrees_with_the_projection_catalog_on_each_projections_variable_table_and_output() {
            for (ProjectionCatalog projection : ProjectionCatalog.values()) {
                String name = projection.label().substring(0, 1).toUpperCase(Locale.ROOT) + projection.label().substring(1);
                String table = "${" + name + "Table}";
                assertThat(symbolicEnvironment(name + "ProjectionFunction"))
                        .containsEntry(projection.environmentVariable(), table);
                assertThat(symbolicEnvironment("QueryApiFunction")).containsEntry(projection.environmentVariable(), table);
                assertThat(template.outputs()).containsKey(projection.templateOutput());
                assertThat(template.resource(name + "Table").property("KeySchema").size())
                        .as(projection + " key schema").isEqualTo(projection.sorted() ? 2 : 1);
                // The indexes the read API queries (issue 16), as the catalog creates them for tests and rebuilds.
                List<String> indexes = new ArrayList<>();
                template.resource(name + "Table").property("GlobalSecondaryIndexes").forEach(index -> indexes.add(
                        index.path("IndexName").asText() + "(" + index.path("KeySchema").get(0).path("AttributeName").asText()
                                + "," + index.path("KeySchema").get(1).path("AttributeName").asText() + ","
                                + index.path("Projection").path("ProjectionType").asText() + ")"));
                assertThat(indexes).as(projection + " indexes").containsExactlyElementsOf(projection.indexes().stream()
                        .map(index -> index.name() + "(" + index.hashKey() + "," + index.rangeKey() + ",KEYS_ONLY)").toList());
            }
        }

        @Test
        void gives_the_stream_functions_their_stream_tables_and_dead_letter_queue() {
            assertThat(symbolicEnvironment("EventPublisherFunction"))
                    .containsOnlyKeys("LEDGER_KINESIS_STREAM", "JAVA_TOOL_OPTIONS")
                    .containsEntry("LEDGER_KINESIS_STREAM", "${LedgerEventsStream}");
            for (String projection : new String[] {"Balances", "History", "Transfers", "Metadata"}) {
                assertThat(symbolicEnvironment(projection + "ProjectionFunction"))
                        .containsOnlyKeys("LEDGER_" + projection.toUpperCase(Locale.ROOT) + "_TABLE", "LEDGER_CONTROL_TABLE",
                                "LEDGER_DEAD_LETTER_QUEUE_URL", "JAVA_TOOL_OPTIONS")
                        .containsEntry("LEDGER_" + projection.toUpperCase(Locale.ROOT) + "_TABLE", "${" + projection + "Table}")
                        .containsEntry("LEDGER_CONTROL_TABLE", "${ControlTable}")
                        .containsEntry("LEDGER_DEAD_LETTER_QUEUE_URL", "${DeadLetterQueue}");
            }
            assertThat(symbolicEnvironment("QueryApiFunction")).containsOnlyKeys("LEDGER_EVENTS_TABLE",
                    "LEDGER_BALANCES_TABLE", "LEDGER_HISTORY_TABLE", "LEDGER_TRANSFERS_TABLE", "LEDGER_METADATA_TABLE", "LEDGER_CONTROL_TABLE",
                    "LEDGER_ROLE_CLAIM", "LEDGER_ROLE_PREFIX", "JAVA_TOOL_OPTIONS");
        }

        @Test
        void feeds_the_publisher_from_the_events_table_stream_and_never_lets_it_skip_an_event() {
            Template.EventSourceMapping publisher = mapping("EventPublisherMapping");
            assertThat(publisher.functionLogicalId()).isEqualTo("EventPublisherFunction");
            assertThat(Intrinsics.symbolic(publisher.eventSourceArn())).isEqualTo("${EventsTable.StreamArn}");
            assertThat(publisher.readsDynamoDbStream()).isTrue();
            assertThat(publisher.maximumRetryAttempts()).hasValue(-1);
            assertThat(publisher.maximumRecordAgeInSeconds()).hasValue(-1);
            assertThat(publisher.onFailureDestination()).as("nothing is ever discarded").isEmpty();
            assertThat(publisher.bisectBatchOnFunctionError()).isTrue();
        }

        @Test
        void feeds_each_projection_from_the_ledger_stream_with_the_dead_letter_queue_as_its_failure_destination() {
            for (String projection : new String[] {"Balances", "History", "Transfers", "Metadata"}) {
                Template.EventSourceMapping mapping = mapping(projection + "ProjectionMapping");
                assertThat(mapping.functionLogicalId()).isEqualTo(projection + "ProjectionFunction");
                assertThat(Intrinsics.symbolic(mapping.eventSourceArn())).isEqualTo("${LedgerEventsStream.Arn}");
                assertThat(mapping.readsDynamoDbStream()).isFalse();
                assertThat(mapping.onFailureDestinationLogicalId()).contains("DeadLetterQueue");
                assertThat(mapping.maximumRetryAttempts().orElse(-1)).as("retries before giving up").isPositive();
                assertThat(mapping.bisectBatchOnFunctionError()).isTrue();
            }
        }

        @Test
        void reads_every_stream_from_its_start_one_batch_per_shard_reporting_batch_item_failures() {
            assertThat(template.eventSourceMappings()).extracting(Template.EventSourceMapping::logicalId)
                    .containsExactlyInAnyOrder("EventPublisherMapping", "BalancesProjectionMapping",
                            "HistoryProjectionMapping", "TransfersProjectionMapping", "MetadataProjectionMapping");
            assertThat(template.eventSourceMappings()).allSatisfy(mapping -> {
                assertThat(mapping.startingPosition()).contains("TRIM_HORIZON");
                assertThat(mapping.batchSize()).hasValue(100);
                assertThat(mapping.reportsBatchItemFailures()).isTrue();
                assertThat(mapping.enabled()).isTrue();
            });
        }

        @Test
        void runs_ten_batches_per_shard_in_each_projection_and_one_in_the_publisher_by_default() {
            Intrinsics.Resolver resolver = template.resolver(Template.StackFacts.parametersOnly(PROD));
            for (String projection : new String[] {"Balances", "History", "Transfers", "Metadata"}) {
                Template.EventSourceMapping mapping = mapping(projection + "ProjectionMapping");
                assertThat(mapping.parallelizationFactor()).map(Intrinsics::symbolic).contains("${ProjectionParallelization}");
                assertThat(Intrinsics.evaluate(mapping.parallelizationFactor().orElseThrow(), resolver).asInt())
                        .isEqualTo(10);
            }
            // DynamoDB Streams order per item; a ledger stream's events are many items that must
            // reach Kinesis in version order, so the publisher reads one batch per shard at a time.
            assertThat(mapping("EventPublisherMapping").parallelizationFactor()).map(JsonNode::asInt).contains(1);
        }

        @Test
        void lets_the_operator_choose_the_projections_parallelization_within_lambdas_range() {
            JsonNode parameter = template.root().path("Parameters").path("ProjectionParallelization");
            assertThat(parameter.path("AllowedValues").toString())
                    .isEqualTo("[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\",\"10\"]");
            Map<String, String> two = new java.util.HashMap<>(PROD);
            two.put("ProjectionParallelization", "2");
            assertThat(Intrinsics.evaluate(mapping("BalancesProjectionMapping").parallelizationFactor().orElseThrow(),
                    template.resolver(Template.StackFacts.parametersOnly(two))).asInt()).isEqualTo(2);
        }

        @Test
        void makes_the_ledger_stream_on_demand_by_default_with_no_fixed_shard_count() {
            JsonNode properties = Intrinsics.evaluate(template.resource("LedgerEventsStream").properties(),
                    template.resolver(Template.StackFacts.parametersOnly(PROD)));
            assertThat(properties.path("StreamModeDetails").path("StreamMode").asText()).isEqualTo("ON_DEMAND");
            assertThat(properties.has("ShardCount")).as("CloudFormation refuses a shard count on demand").isFalse();
            assertThat(template.root().path("Parameters").path("EventsStreamMode").path("AllowedValues").toString())
                    .isEqualTo("[\"ON_DEMAND\",\"PROVISIONED\"]");
        }

        @Test
        void gives_a_provisioned_ledger_stream_the_shards_the_operator_asks_for() {
            Map<String, String> provisioned = new java.util.HashMap<>(PROD);
            provisioned.put("EventsStreamMode", "PROVISIONED");
            provisioned.put("EventsStreamShards", "4");
            JsonNode properties = Intrinsics.evaluate(template.resource("LedgerEventsStream").properties(),
                    template.resolver(Template.StackFacts.parametersOnly(provisioned)));
            assertThat(properties.path("StreamModeDetails").path("StreamMode").asText()).isEqualTo("PROVISIONED");
            assertThat(properties.path("ShardCount").asText()).isEqualTo("4");
        }

        @Test
        void without_a_customer_managed_key_keeps_the_keys_aws_owns_or_manages() {
            Intrinsics.Resolver resolver = template.resolver(Template.StackFacts.parametersOnly(PROD));
            assertThat(template.resourcesOfType(Template.DYNAMODB_TABLE)).isNotEmpty().allSatisfy(table ->
                    assertThat(evaluated(table, "SSESpecification", resolver).toString()).as(table.logicalId())
                            .isEqualTo("{\"SSEEnabled\":true}"));
            assertThat(template.resourcesOfType(Template.KINESIS_STREAM)).isNotEmpty().allSatisfy(stream ->
                    assertThat(evaluated(stream, "StreamEncryption", resolver).toString()).as(stream.logicalId())
                            .isEqualTo("{\"EncryptionType\":\"KMS\",\"KeyId\":\"alias/aws/kinesis\"}"));
            assertThat(template.resourcesOfType(QUEUE)).isNotEmpty().allSatisfy(queue -> {
                assertThat(evaluated(queue, "SqsManagedSseEnabled", resolver).asBoolean()).as(queue.logicalId()).isTrue();
                assertThat(evaluated(queue, "KmsMasterKeyId", resolver).isMissingNode()).as(queue.logicalId()).isTrue();
            });
            assertThat(template.resourcesOfType(LOG_GROUP)).isNotEmpty().allSatisfy(group ->
                    assertThat(evaluated(group, "KmsKeyId", resolver).isMissingNode()).as(group.logicalId()).isTrue());
            assertThat(keyPolicies()).isNotEmpty().allSatisfy(policy ->
                    assertThat(template.isCreated(policy, PROD)).as(policy).isFalse());
        }

        @Test
        void with_a_customer_managed_key_encrypts_every_table_stream_queue_and_log_group_with_it() {
            Map<String, String> withKey = new java.util.HashMap<>(PROD);
            withKey.put("KmsKeyArn", KEY_ARN);
            Intrinsics.Resolver resolver = template.resolver(Template.StackFacts.parametersOnly(withKey));
            assertThat(template.resourcesOfType(Template.DYNAMODB_TABLE)).isNotEmpty().allSatisfy(table ->
                    assertThat(evaluated(table, "SSESpecification", resolver).toString()).as(table.logicalId())
                            .isEqualTo("{\"SSEEnabled\":true,\"SSEType\":\"KMS\",\"KMSMasterKeyId\":\"" + KEY_ARN + "\"}"));
            assertThat(template.resourcesOfType(Template.KINESIS_STREAM)).isNotEmpty().allSatisfy(stream ->
                    assertThat(evaluated(stream, "StreamEncryption", resolver).toString()).as(stream.logicalId())
                            .isEqualTo("{\"EncryptionType\":\"KMS\",\"KeyId\":\"" + KEY_ARN + "\"}"));
            assertThat(template.resourcesOfType(QUEUE)).isNotEmpty().allSatisfy(queue -> {
                // SQS-managed encryption and a KMS key exclude each other.
                assertThat(evaluated(queue, "SqsManagedSseEnabled", resolver).asBoolean()).as(queue.logicalId()).isFalse();
                assertThat(evaluated(queue, "KmsMasterKeyId", resolver).asText()).as(queue.logicalId()).isEqualTo(KEY_ARN);
            });
            assertThat(template.resourcesOfType(LOG_GROUP)).isNotEmpty().allSatisfy(group ->
                    assertThat(evaluated(group, "KmsKeyId", resolver).asText()).as(group.logicalId()).isEqualTo(KEY_ARN));
            assertThat(keyPolicies()).contains("TablesKeyPolicy", "PublisherKeyPolicy", "ProjectionsKeyPolicy")
                    .allSatisfy(policy -> assertThat(template.isCreated(policy, withKey)).as(policy).isTrue());
        }

        @Test
        void takes_a_key_arn_or_nothing_as_the_key_never_an_alias() {
            JsonNode parameter = template.root().path("Parameters").path("KmsKeyArn");
            assertThat(parameter.path("Default").asText("absent")).isEmpty();
            java.util.regex.Pattern allowed = java.util.regex.Pattern.compile(parameter.path("AllowedPattern").asText());
            assertThat(allowed.matcher("").matches()).isTrue();
            assertThat(allowed.matcher(KEY_ARN).matches()).isTrue();
            assertThat(allowed.matcher("arn:aws-cn:kms:cn-north-1:111122223333:key/mrk-1234abcd").matches()).isTrue();
            // IAM grants the use of a key by its key ARN only: an alias would leave the roles without it.
            assertThat(allowed.matcher("arn:aws:kms:eu-west-1:111122223333:alias/ledger").matches()).isFalse();
            assertThat(allowed.matcher("alias/ledger").matches()).isFalse();
            assertThat(allowed.matcher("1234abcd-12ab-34cd-56ef-1234567890ab").matches()).isFalse();
        }

        @Test
        void answers_the_consoles_origin_with_cors_for_gets_with_a_bearer_token_and_no_origin_without_one() {
            JsonNode parameter = template.root().path("Parameters").path("ConsoleOrigin");
            assertThat(parameter.path("Default").asText("absent")).isEmpty();
            java.util.regex.Pattern allowed = java.util.regex.Pattern.compile(parameter.path("AllowedPattern").asText());
            assertThat(allowed.matcher("https://console.example.com").matches()).isTrue();
            assertThat(allowed.matcher("https://console.example.com:8443").matches()).isTrue();
            // A wildcard, plain http or a path would let other pages read what a signed-in auditor can.
            assertThat(allowed.matcher("*").matches()).isFalse();
            assertThat(allowed.matcher("http://console.example.com").matches()).isFalse();
            assertThat(allowed.matcher("https://console.example.com/console").matches()).isFalse();

            Template.Resource api = template.resource("HttpApi");
            assertThat(evaluated(api, "CorsConfiguration", template.resolver(Template.StackFacts.parametersOnly(PROD)))
                    .isMissingNode()).isTrue();
            Map<String, String> withConsole = new java.util.HashMap<>(PROD);
            withConsole.put("ConsoleOrigin", "https://console.example.com");
            assertThat(evaluated(api, "CorsConfiguration", template.resolver(Template.StackFacts.parametersOnly(withConsole)))
                    .toString()).isEqualTo("{\"AllowOrigins\":[\"https://console.example.com\"],\"AllowMethods\":[\"GET\"],"
                            + "\"AllowHeaders\":[\"authorization\"],\"AllowCredentials\":false,\"MaxAge\":600}");
        }

        /** The policies attached to roles that name the customer's key. */
        private java.util.List<String> keyPolicies() {
            return template.resourcesOfType(TemplateRoles.POLICY).stream()
                    .filter(policy -> Intrinsics.references(policy.property("PolicyDocument")).contains("KmsKeyArn"))
                    .map(Template.Resource::logicalId).toList();
        }

        private static JsonNode evaluated(Template.Resource resource, String property, Intrinsics.Resolver resolver) {
            return Intrinsics.evaluate(resource.property(property), resolver);
        }

        @Test
        void builds_the_projection_tables_with_the_keys_the_projections_use() {
            assertThat(template.resource("BalancesTable").property("KeySchema").toString())
                    .isEqualTo("[{\"AttributeName\":\"id\",\"KeyType\":\"HASH\"}]");
            assertThat(template.resource("TransfersTable").property("KeySchema").toString())
                    .isEqualTo("[{\"AttributeName\":\"id\",\"KeyType\":\"HASH\"}]");
            assertThat(template.resource("HistoryTable").property("KeySchema").toString())
                    .isEqualTo("[{\"AttributeName\":\"id\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}]");
            assertThat(template.resource("MetadataTable").property("KeySchema").toString())
                    .isEqualTo("[{\"AttributeName\":\"id\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}]");
        }

        private Map<String, String> symbolicEnvironment(String function) {
            Map<String, String> environment = new java.util.TreeMap<>();
            template.function(function).environment().forEach((name, value) -> environment.put(name, Intrinsics.symbolic(value)));
            return environment;
        }

        private Template.EventSourceMapping mapping(String logicalId) {
            return template.eventSourceMappings().stream().filter(m -> m.logicalId().equals(logicalId)).findFirst()
                    .orElseThrow();
        }

        @Test
        void routes_writes_to_the_command_function_reads_to_the_query_function_and_all_but_health_through_the_authorizer() {
            assertThat(template.routes()).extracting(Template.Route::routeKey).containsExactlyInAnyOrder(
                    "GET /health", "POST /accounts", "POST /accounts/{accountId}/freeze",
                    "POST /accounts/{accountId}/unfreeze", "POST /accounts/{accountId}/close",
                    "POST /accounts/{accountId}/shards", "POST /accounts/{accountId}/metadata", "POST /transfers",
                    "POST /transfers/{transferId}/post", "POST /transfers/{transferId}/void",
                    "POST /transfers/{transferId}/reverse",
                    "GET /accounts", "GET /accounts/{accountId}", "GET /accounts/{accountId}/history",
                    "GET /accounts/{accountId}/balance", "GET /transfers", "GET /transfers/{transferId}",
                    "GET /audit/accounts/{accountId}/verify", "POST /transactions",
                    "POST /transactions/{transactionId}/post", "POST /transactions/{transactionId}/void",
                    "GET /transactions/{transactionId}", "POST /batches", "POST /transactions/{transactionId}/reverse",
                    "GET /batches/{batchId}", "GET /audit/operations", "GET /audit/accounts/{accountId}/events");
            assertThat(template.routes()).allSatisfy(route -> {
                boolean read = route.method().equals("GET") && !route.routeKey().equals("GET /health");
                assertThat(route.functionLogicalId()).as(route.routeKey())
                        .isEqualTo(read ? "QueryApiFunction" : "CommandApiFunction");
                if (route.routeKey().equals("GET /health")) {
                    assertThat(route.authorizationType()).isEqualTo("NONE");
                } else {
                    assertThat(route.authorizationType()).isEqualTo("CUSTOM");
                    assertThat(route.authorizerLogicalId()).contains("HttpApiAuthorizer");
                }
            });
            Template.Authorizer authorizer = template.authorizer("HttpApiAuthorizer");
            assertThat(authorizer.functionLogicalId()).isEqualTo("TokenAuthorizerFunction");
            assertThat(authorizer.simpleResponses()).isTrue();
            assertThat(authorizer.payloadFormatVersion()).isEqualTo("2.0");
            assertThat(authorizer.identitySources()).containsExactly("$request.header.Authorization");
        }

        @Test
        void schedules_the_sweeper_every_minute() {
            assertThat(template.schedules()).singleElement().satisfies(schedule -> {
                assertThat(schedule.expression()).isEqualTo("rate(1 minute)");
                assertThat(schedule.functionLogicalIds()).containsExactly("HoldExpirySweeperFunction");
            });
            assertThat(template.resourcesOfType("AWS::Lambda::Permission"))
                    .anySatisfy(p -> assertThat(Intrinsics.references(p.property("SourceArn")))
                            .contains("HoldExpirySweeperSchedule"));
        }

        @Test
        void leaves_out_on_the_local_stage_every_resource_moto_cannot_create() {
            for (Template.Resource resource : template.resources().values()) {
                if (!MOTO_CREATES.contains(resource.type())) {
                    assertThat(template.isCreated(resource.logicalId(), LOCAL))
                            .as("%s (%s) on Stage=local", resource.logicalId(), resource.type()).isFalse();
                }
            }
        }

        @Test
        void creates_the_http_api_and_the_aliases_on_aws_stages() {
            assertThat(template.isCreated("HttpApi", PROD)).isTrue();
            assertThat(template.isCreated("CommandApiAlias", PROD)).isTrue();
            assertThat(template.isCreated("HttpApi", LOCAL)).isFalse();
            assertThat(template.outputs().get("ApiUrl").condition()).contains("IsAws");
        }

        @Test
        void keeps_event_source_mappings_out_of_moto_under_their_own_condition() {
            assertThat(template.conditionHolds("CreateEventSourceMappings", LOCAL)).isFalse();
            assertThat(template.conditionHolds("CreateEventSourceMappings", PROD)).isTrue();
            assertThat(template.eventSourceMappings()).allSatisfy(esm ->
                    assertThat(esm.condition()).contains("CreateEventSourceMappings"));
        }

        @Test
        void builds_the_events_table_as_the_event_store_expects() {
            Template.Resource table = template.resource("EventsTable");
            assertThat(table.property("BillingMode").asText()).isEqualTo("PAY_PER_REQUEST");
            assertThat(table.property("KeySchema").toString())
                    .isEqualTo("[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}]");
            assertThat(table.property("StreamSpecification").path("StreamViewType").asText()).isEqualTo("NEW_IMAGE");
            JsonNode index = table.property("GlobalSecondaryIndexes").get(0);
            assertThat(index.path("IndexName").asText()).isEqualTo("pending-holds-by-expiry");
            assertThat(index.path("Projection").path("ProjectionType").asText()).isEqualTo("KEYS_ONLY");
        }

        @Test
        void outputs_what_the_local_stack_and_later_tools_read() {
            assertThat(template.outputs()).containsKeys("EventsTableName", "EventsStreamArn", "LedgerStreamName",
                    "LedgerStreamArn", "DeadLetterQueueUrl", "DeadLetterQueueArn", "ApiUrl", "CommandApiFunctionName",
                    "TokenAuthorizerFunctionName", "HoldExpirySweeperFunctionName", "BalancesTableName",
                    "HistoryTableName", "TransfersTableName", "QueryApiFunctionName", "EventPublisherFunctionName",
                    "BalancesProjectionFunctionName", "HistoryProjectionFunctionName",
                    "TransfersProjectionFunctionName", "MetadataTableName", "MetadataProjectionFunctionName",
                    "ApiTokenSecretId");
        }

        @Test
        void lets_only_this_apis_gateway_invoke_the_api_functions_and_only_the_schedule_invoke_the_sweeper() {
            // The API handlers trust the authorizer's context (GatewayCaller): nobody else may call them.
            Map<String, String> expected = Map.of(
                    "${TokenAuthorizerAlias}", "apigateway.amazonaws.com",
                    "${CommandApiAlias}", "apigateway.amazonaws.com",
                    "${QueryApiAlias}", "apigateway.amazonaws.com",
                    "${HoldExpirySweeperFunction}", "events.amazonaws.com");
            List<Template.Resource> permissions = template.resourcesOfType("AWS::Lambda::Permission");
            assertThat(permissions).hasSize(expected.size());
            for (Template.Resource permission : permissions) {
                String function = Intrinsics.symbolic(permission.property("FunctionName"));
                String sourceArn = Intrinsics.symbolic(permission.property("SourceArn"));
                assertThat(permission.property("Principal").asText()).as(function).isEqualTo(expected.get(function));
                assertThat(permission.property("Action").asText()).as(function).isEqualTo("lambda:InvokeFunction");
                assertThat(sourceArn).as(function).satisfiesAnyOf(
                        arn -> assertThat(arn).contains(":${HttpApi}/"),
                        arn -> assertThat(arn).isEqualTo("${HoldExpirySweeperSchedule.Arn}"));
            }
        }

        @Test
        void names_the_token_secret_alike_for_the_authorizer_the_tools_and_the_local_stack() {
            // On AWS the secret's ARN, on Stage=local the name the local stack creates it by.
            Template.StackFacts aws = new Template.StackFacts(PROD, "ledger-prod", "us-east-1", "123456789012",
                    Map.of("ApiTokenSecret", "arn:aws:secretsmanager:us-east-1:123456789012:secret:ledger-prod/x"), Map.of());
            Template.StackFacts local = new Template.StackFacts(LOCAL, "ledger-local", "us-east-1", "123456789012",
                    Map.of(), Map.of());
            JsonNode variable = template.function("TokenAuthorizerFunction").environment().get("LEDGER_API_TOKEN_SECRET");
            JsonNode output = template.outputs().get("ApiTokenSecretId").value();
            assertThat(Intrinsics.evaluate(variable, template.resolver(aws)).asText())
                    .isEqualTo(Intrinsics.evaluate(output, template.resolver(aws)).asText())
                    .isEqualTo("arn:aws:secretsmanager:us-east-1:123456789012:secret:ledger-prod/x");
            assertThat(Intrinsics.evaluate(variable, template.resolver(local)).asText())
                    .isEqualTo(Intrinsics.evaluate(output, template.resolver(local)).asText())
                    .isEqualTo(Intrinsics.evaluate(template.resource("ApiTokenSecret").property("Name"),
                            template.resolver(local)).asText())
                    .isEqualTo("ledger-local/api-token-digests");
            assertThat(template.isCreated("ApiTokenSecret", LOCAL)).isFalse();
            assertThat(template.isCreated("ApiTokenSecret", PROD)).isTrue();
        }

        @Test
        void revokes_within_three_minutes_the_authorizer_cache_plus_the_http_apis_result_cache() {
            int secretCache = Integer.parseInt(template.function("TokenAuthorizerFunction").environment()
                    .get("LEDGER_API_TOKEN_CACHE_SECONDS").asText());
            int resultCache = template.resource("HttpApiAuthorizer").property("AuthorizerResultTtlInSeconds").asInt();
            assertThat(secretCache + resultCache).isLessThanOrEqualTo(180);
        }
    }

    @Nested
    class In_jwt_mode {

        private final Template template = Template.bundled();
        private final Map<String, String> prodJwt = with(PROD, Map.of("AuthMode", "jwt",
                "JwtIssuer", "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool", "JwtAudience", "client-a,client-b"));
        private final Map<String, String> localJwt = with(LOCAL, Map.of("AuthMode", "jwt",
                "JwtIssuer", "http://127.0.0.1:9999", "JwtAudience", "ledger"));

        @Test
        void puts_every_authorized_route_behind_the_jwt_authorizer_and_leaves_health_open() {
            assertThat(template.routes(prodJwt)).allSatisfy(route -> {
                if (route.routeKey().equals("GET /health")) {
                    assertThat(route.authorizationType()).isEqualTo("NONE");
                    assertThat(route.authorizerLogicalId()).isEmpty();
                } else {
                    assertThat(route.authorizationType()).as(route.routeKey()).isEqualTo("JWT");
                    assertThat(route.authorizerLogicalId()).as(route.routeKey()).contains("JwtAuthorizer");
                }
            });
            assertThat(template.routes(PROD)).filteredOn(route -> !route.routeKey().equals("GET /health"))
                    .allSatisfy(route -> assertThat(route.authorizerLogicalId()).contains("HttpApiAuthorizer"));
        }

        @Test
        void configures_the_jwt_authorizer_from_the_issuer_and_audience_parameters() {
            assertThat(template.authorizerType("JwtAuthorizer")).isEqualTo("JWT");
            Template.JwtAuthorizer authorizer = template.jwtAuthorizer("JwtAuthorizer");
            assertThat(authorizer.identitySources()).containsExactly("$request.header.Authorization");
            Intrinsics.Resolver resolver = template.resolver(Template.StackFacts.parametersOnly(prodJwt));
            assertThat(Intrinsics.evaluate(authorizer.issuer(), resolver).asText())
                    .isEqualTo("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool");
            assertThat(Intrinsics.evaluate(authorizer.audience(), resolver).toString()).isEqualTo("[\"client-a\",\"client-b\"]");
        }

        @Test
        void creates_either_the_jwt_authorizer_or_the_token_authorizer_and_its_function_never_both() {
            assertThat(template.isCreated("JwtAuthorizer", prodJwt)).isTrue();
            assertThat(template.isCreated("JwtAuthorizer", PROD)).isFalse();
            assertThat(template.isCreated("JwtAuthorizer", localJwt)).isFalse();
            for (String tokenOnly : Set.of("TokenAuthorizerFunction", "TokenAuthorizerRole", "TokenAuthorizerLogGroup",
                    "TokenAuthorizerVersion", "TokenAuthorizerAlias", "HttpApiAuthorizer", "HttpApiAuthorizerPermission")) {
                assertThat(template.isCreated(tokenOnly, prodJwt)).as(tokenOnly).isFalse();
                assertThat(template.isCreated(tokenOnly, localJwt)).as(tokenOnly).isFalse();
                assertThat(template.isCreated(tokenOnly, PROD)).as(tokenOnly).isTrue();
            }
            assertThat(template.isCreated("TokenAuthorizerFunction", LOCAL)).isTrue();
            assertThat(template.outputs().get("TokenAuthorizerFunctionName").condition()).contains("Tokens");
        }

        @Test
        void tells_the_api_functions_which_claim_carries_the_roles() {
            for (String function : Set.of("CommandApiFunction", "QueryApiFunction")) {
                assertThat(symbolicEnvironment(function)).as(function)
                        .containsEntry("LEDGER_ROLE_CLAIM", "${RoleClaim}")
                        .containsEntry("LEDGER_ROLE_PREFIX", "${RoleValuePrefix}");
            }
            assertThat(template.parameters().get("RoleClaim").defaultValue()).contains("scope");
            assertThat(template.parameters().get("RoleValuePrefix").defaultValue()).contains("");
            assertThat(template.parameters().get("AuthMode").defaultValue()).contains("tokens");
        }

        @Test
        void tells_the_command_function_how_far_back_an_effective_date_may_lie() {
            assertThat(symbolicEnvironment("CommandApiFunction"))
                    .containsEntry("LEDGER_EFFECTIVE_WINDOW_DAYS", "${EffectiveDateWindowDays}");
            assertThat(symbolicEnvironment("QueryApiFunction")).doesNotContainKey("LEDGER_EFFECTIVE_WINDOW_DAYS");
            assertThat(template.parameters().get("EffectiveDateWindowDays").defaultValue()).contains("35");
        }

        @Test
        void refuses_jwt_mode_without_an_issuer_or_an_audience_in_its_rules() {
            assertThat(TemplateRules.violations(template, with(PROD, Map.of("AuthMode", "jwt")), Set.of()))
                    .containsExactly("AuthMode=jwt needs JwtIssuer", "AuthMode=jwt needs JwtAudience");
            assertThat(TemplateRules.violations(template, with(PROD, Map.of("AuthMode", "jwt", "JwtIssuer", "https://i")),
                    Set.of())).containsExactly("AuthMode=jwt needs JwtAudience");
            assertThat(TemplateRules.violations(template, prodJwt, Set.of())).isEmpty();
            assertThat(TemplateRules.violations(template, PROD, Set.of())).isEmpty();
            assertThat(TemplateRules.violations(template, with(PROD, Map.of("AuthMode", "jwt")), Set.of("JwtIssuer")))
                    .as("a rule reading a value kept from the previous deployment is left to CloudFormation").isEmpty();
        }

        private Map<String, String> symbolicEnvironment(String function) {
            Map<String, String> environment = new java.util.TreeMap<>();
            template.function(function).environment().forEach((name, value) -> environment.put(name, Intrinsics.symbolic(value)));
            return environment;
        }

        private static Map<String, String> with(Map<String, String> base, Map<String, String> more) {
            Map<String, String> all = new java.util.HashMap<>(base);
            all.putAll(more);
            return all;
        }
    }

    @Nested
    class Reading_yaml {

        @Test
        void turns_short_form_tags_into_long_form() {
            Template template = Template.parse("""
                    Resources:
                      Thing:
                        Type: AWS::SQS::Queue
                        Properties:
                          A: !Ref Other
                          B: !GetAtt Other.Arn
                          C: !Sub "${Other.Arn}/x"
                          D: !If [IsProd, 1, !Ref AWS::NoValue]
                          E: !Join [":", [a, !Ref Other]]
                          F: !Select [0, !Split [",", "x,y"]]
                          G: !GetAtt [Other, Arn]
                          H: !!str 123
                    """);
            JsonNode properties = template.resource("Thing").properties();
            assertThat(properties.get("A").toString()).isEqualTo("{\"Ref\":\"Other\"}");
            assertThat(properties.get("B").toString()).isEqualTo("{\"Fn::GetAtt\":[\"Other\",\"Arn\"]}");
            assertThat(properties.get("C").toString()).isEqualTo("{\"Fn::Sub\":\"${Other.Arn}/x\"}");
            assertThat(properties.get("D").toString()).isEqualTo("{\"Fn::If\":[\"IsProd\",1,{\"Ref\":\"AWS::NoValue\"}]}");
            assertThat(properties.get("E").toString()).isEqualTo("{\"Fn::Join\":[\":\",[\"a\",{\"Ref\":\"Other\"}]]}");
            assertThat(properties.get("F").toString()).isEqualTo("{\"Fn::Select\":[0,{\"Fn::Split\":[\",\",\"x,y\"]}]}");
            assertThat(properties.get("G").toString()).isEqualTo("{\"Fn::GetAtt\":[\"Other\",\"Arn\"]}");
            assertThat(properties.get("H").asText()).isEqualTo("123");
        }

        @Test
        void rejects_an_unknown_tag_naming_its_line() {
            assertThatThrownBy(() -> Template.parse("Resources:\n  X:\n    Type: T\n    Properties: {A: !Reff Y}\n"))
                    .hasMessageContaining("!Reff").hasMessageContaining("line");
        }

        @Test
        void reads_event_source_mappings_with_aws_defaults_where_unset() {
            Template template = Template.parse("""
                    Conditions:
                      CreateEventSourceMappings: !Not [!Equals [!Ref Stage, local]]
                    Parameters:
                      Stage: {Type: String}
                    Resources:
                      Table: {Type: AWS::DynamoDB::Table}
                      Dlq: {Type: AWS::SQS::Queue}
                      Role: {Type: AWS::IAM::Role}
                      Publisher:
                        Type: AWS::Lambda::Function
                        Properties: {Handler: a.B::handle, Role: !GetAtt Role.Arn}
                      PublisherAlias:
                        Type: AWS::Lambda::Alias
                        Properties: {FunctionName: !Ref Publisher, Name: live}
                      PublisherMapping:
                        Type: AWS::Lambda::EventSourceMapping
                        Condition: CreateEventSourceMappings
                        Properties:
                          EventSourceArn: !GetAtt Table.StreamArn
                          FunctionName: !Ref PublisherAlias
                          BatchSize: 50
                          StartingPosition: TRIM_HORIZON
                          BisectBatchOnFunctionError: true
                          MaximumRetryAttempts: 5
                          MaximumRecordAgeInSeconds: 3600
                          FunctionResponseTypes: [ReportBatchItemFailures]
                          DestinationConfig:
                            OnFailure:
                              Destination: !GetAtt Dlq.Arn
                      Plain:
                        Type: AWS::Lambda::EventSourceMapping
                        Properties:
                          EventSourceArn: !GetAtt Table.StreamArn
                          FunctionName: !GetAtt Publisher.Arn
                    """);
            assertThat(template.eventSourceMappings()).hasSize(2);
            Template.EventSourceMapping mapping = template.eventSourceMappings().get(0);
            assertThat(mapping.logicalId()).isEqualTo("PublisherMapping");
            assertThat(mapping.condition()).contains("CreateEventSourceMappings");
            assertThat(mapping.eventSourceLogicalId()).isEqualTo("Table");
            assertThat(mapping.eventSourceType()).isEqualTo("AWS::DynamoDB::Table");
            assertThat(mapping.readsDynamoDbStream()).isTrue();
            assertThat(Intrinsics.symbolic(mapping.eventSourceArn())).isEqualTo("${Table.StreamArn}");
            assertThat(mapping.functionLogicalId()).isEqualTo("Publisher");
            assertThat(mapping.batchSize()).hasValue(50);
            assertThat(mapping.startingPosition()).contains("TRIM_HORIZON");
            assertThat(mapping.bisectBatchOnFunctionError()).isTrue();
            assertThat(mapping.maximumRetryAttempts()).hasValue(5);
            assertThat(mapping.maximumRecordAgeInSeconds()).hasValue(3600);
            assertThat(mapping.reportsBatchItemFailures()).isTrue();
            assertThat(mapping.onFailureDestinationLogicalId()).contains("Dlq");
            assertThat(mapping.enabled()).isTrue();
            assertThat(template.conditionHolds("CreateEventSourceMappings", Map.of("Stage", "local"))).isFalse();

            Template.EventSourceMapping plain = template.eventSourceMappings().get(1);
            assertThat(plain.batchSize()).isEmpty();
            assertThat(plain.bisectBatchOnFunctionError()).isFalse();
            assertThat(plain.functionResponseTypes()).isEmpty();
            assertThat(plain.onFailureDestination()).isEmpty();
            assertThat(plain.condition()).isEmpty();
        }
    }

    @Nested
    class Evaluating_intrinsics {

        private final Template template = Template.bundled();

        @Test
        void resolves_refs_subs_get_atts_and_conditions_against_stack_facts() {
            Intrinsics.Resolver resolver = template.resolver(new Template.StackFacts(PROD, "ledger-prod", "eu-west-1",
                    "111122223333", Map.of("EventsTable", "ledger-prod-EventsTable-1"),
                    Map.of("EventsTable.Arn", "arn:aws:dynamodb:eu-west-1:111122223333:table/t")));
            assertThat(Intrinsics.evaluate(template.function("CommandApiFunction").environment().get("LEDGER_EVENTS_TABLE"),
                    resolver).asText()).isEqualTo("ledger-prod-EventsTable-1");
            JsonNode sweeperIndex = TemplateRoles.role(template, "HoldExpirySweeperRole").statements().get(0).resources().get(0);
            assertThat(Intrinsics.evaluate(sweeperIndex, resolver).asText())
                    .isEqualTo("arn:aws:dynamodb:eu-west-1:111122223333:table/t/index/pending-holds-by-expiry");
            assertThat(Intrinsics.evaluate(template.resource("CommandApiLogGroup").property("LogGroupName"), resolver)
                    .asText()).isEqualTo("/ledger/ledger-prod/command-api");
            assertThat(Intrinsics.evaluate(template.resource("EventsTable").property("DeletionProtectionEnabled"),
                    resolver).asBoolean()).isTrue();
        }

        @Test
        void drops_a_property_that_is_no_value() {
            JsonNode node = TemplateYamlFixture.parse("{A: !If [C, x, !Ref AWS::NoValue], B: [!Ref AWS::NoValue, y]}");
            JsonNode evaluated = Intrinsics.evaluate(node, new Intrinsics.Resolver() {
                @Override
                public JsonNode ref(String name) {
                    throw new AssertionError(name);
                }

                @Override
                public JsonNode getAtt(String logicalId, String attribute) {
                    throw new AssertionError(logicalId);
                }

                @Override
                public boolean condition(String name) {
                    return false;
                }
            });
            assertThat(evaluated.toString()).isEqualTo("{\"B\":[\"y\"]}");
        }

        @Test
        void keeps_escaped_sub_variables_literal() {
            JsonNode node = JsonNodeFactory.instance.objectNode().put("Fn::Sub", "${!Literal}-${AWS::Region}");
            assertThat(Intrinsics.references(node)).containsExactly("AWS::Region");
            assertThat(Intrinsics.evaluate(node, template.resolver(Template.StackFacts.parametersOnly(PROD))).asText())
                    .isEqualTo("${Literal}-us-east-1");
        }
    }

    /** Parses a YAML fragment with the template reader. */
    static final class TemplateYamlFixture {
        static JsonNode parse(String yaml) {
            return TemplateYaml.parse(yaml);
        }
    }
}
