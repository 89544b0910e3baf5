package dev.ledger.infra;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.infra.Template.Function;
import dev.ledger.infra.TemplateRoles.Role;
import dev.ledger.infra.TemplateRoles.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Least privilege, read from the template itself: no wildcard actions or resources, every
 * function its own role, and each role exactly the actions its function's code uses, on the
 * resources it uses.
 *
 * <p>Note on DynamoDB transactions: IAM has no action for TransactWriteItems; each Put of a
 * transaction is authorized as dynamodb:PutItem (Update as UpdateItem, ConditionCheck as
 * ConditionCheckItem). The event store puts, and checks the versions of the shards a refusal read.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TemplatePolicyTest {

    private static final String EVENTS_TABLE = "${EventsTable.Arn}";
    private static final String PENDING_INDEX = "${EventsTable.Arn}/index/pending-holds-by-expiry";
    /** GET /accounts: the balances table's two keys-only indexes, on the deployed table and a rebuilt one. */
    private static final Set<String> ACCOUNT_INDEXES = Set.of("${BalancesTable.Arn}/index/accounts-by-id",
            "${BalancesTable.Arn}/index/accounts-by-currency", "${BalancesTable.Arn}-rebuild-*/index/accounts-by-id",
            "${BalancesTable.Arn}-rebuild-*/index/accounts-by-currency");
    /** GET /transfers?status=: the transfers table's keys-only index, on the deployed table and a rebuilt one. */
    private static final Set<String> TRANSFER_INDEXES = Set.of("${TransfersTable.Arn}/index/transfers-by-status",
            "${TransfersTable.Arn}-rebuild-*/index/transfers-by-status");
    /** GET /accounts?metadata.<key>= reads the metadata index (a rebuilt table's too). */
    private static final Set<String> METADATA_INDEXES = Set.of("${MetadataTable.Arn}/index/metadata-by-pair",
            "${MetadataTable.Arn}-rebuild-*/index/metadata-by-pair");
    private static final Set<String> EVENT_STORE = Set.of("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query",
            "dynamodb:PutItem");
    private static final Set<String> LOGGING = Set.of("logs:CreateLogStream", "logs:PutLogEvents");
    private static final String EVENTS_STREAM = "${EventsTable.StreamArn}";
    private static final String LEDGER_STREAM = "${LedgerEventsStream.Arn}";
    private static final String DEAD_LETTERS = "${DeadLetterQueue.Arn}";
    /** What Lambda's event source mapping does with the function's role on a DynamoDB stream. */
    private static final Set<String> READ_DYNAMODB_STREAM = Set.of("dynamodb:DescribeStream", "dynamodb:GetRecords",
            "dynamodb:GetShardIterator", "dynamodb:ListStreams");
    /** ... and on a Kinesis stream (standard iterators). */
    private static final Set<String> READ_KINESIS_STREAM = Set.of("kinesis:DescribeStream",
            "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards",
            "kinesis:ListStreams");
    /**
     * A projection: a batch's positions (BatchGetItem; GetItem for one), the next versions (PutItem, in a
     * transaction for several), blocking (UpdateItem).
     */
    private static final Set<String> PROJECTION_TABLE = Set.of("dynamodb:GetItem", "dynamodb:BatchGetItem",
            "dynamodb:PutItem", "dynamodb:UpdateItem");
    /** The read routes a blue/green rebuild switches (dev.ledger.projections.ReadRoutes). */
    private static final String CONTROL_TABLE = "${ControlTable.Arn}";
    /**
     * The one wildcard allowed: tables the replay tool creates as {@code <deployed table>-rebuild-<n>},
     * which a route may name after a swap. They do not exist when the stack is deployed.
     */
    private static final Pattern REBUILT_TABLES = Pattern.compile("\\$\\{[A-Za-z]+Table\\.Arn}-rebuild-\\*(/index/[a-z-]+)?");

    /** A stack with AWS's own keys (KmsKeyArn left empty), and one with a customer-managed key. */
    private static final Map<String, String> WITHOUT_KEY = Map.of("Stage", "prod", "CodeBucket", "b", "CodeKey", "k");
    private static final String KEY_ARN = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    private static final Map<String, String> WITH_KEY = withKey(WITHOUT_KEY);
    private static final String KEY = "${KmsKeyArn}";
    private static final String VIA_SERVICE = "kms:ViaService";

    private final Template template = Template.bundled();

    /**
     * What each function's code does, as action -> resources. A new function, or a new need of an
     * existing one, is a change here as well as in the template.
     */
    private static final Map<String, Map<String, Set<String>>> NEEDS = Map.of(
            "CommandApiFunction", permissions(
                    EVENT_STORE, Set.of(EVENTS_TABLE),
                    Set.of("dynamodb:ConditionCheckItem"), Set.of(EVENTS_TABLE),
                    LOGGING, Set.of("${CommandApiLogGroup.Arn}")),
            "HoldExpirySweeperFunction", permissions(
                    Set.of("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:PutItem"), Set.of(EVENTS_TABLE),
                    Set.of("dynamodb:Query"), Set.of(EVENTS_TABLE, PENDING_INDEX),
                    LOGGING, Set.of("${HoldExpirySweeperLogGroup.Arn}")),
            // The token secret only (its own policy, on AWS stages where the secret exists).
            "TokenAuthorizerFunction", permissions(
                    Set.of("secretsmanager:GetSecretValue"), Set.of("${ApiTokenSecret}"),
                    LOGGING, Set.of("${TokenAuthorizerLogGroup.Arn}")),
            // Reads only: an account's stream from the log (balance as of, hash chain), the projections.
            "QueryApiFunction", permissions(
                    Set.of("dynamodb:Query"), union(Set.of(EVENTS_TABLE, "${HistoryTable.Arn}", rebuilt("History")),
                            union(ACCOUNT_INDEXES, union(TRANSFER_INDEXES, METADATA_INDEXES))),
                    Set.of("dynamodb:GetItem"), Set.of(EVENTS_TABLE, "${BalancesTable.Arn}", "${TransfersTable.Arn}",
                            "${HistoryTable.Arn}", rebuilt("Balances"), rebuilt("Transfers"), rebuilt("History"),
                            CONTROL_TABLE),
                    Set.of("dynamodb:BatchGetItem"), Set.of("${BalancesTable.Arn}", "${TransfersTable.Arn}",
                            rebuilt("Balances"), rebuilt("Transfers")),
                    LOGGING, Set.of("${QueryApiLogGroup.Arn}")),
            "EventPublisherFunction", permissions(
                    READ_DYNAMODB_STREAM, Set.of(EVENTS_STREAM),
                    Set.of("kinesis:PutRecords"), Set.of(LEDGER_STREAM),
                    LOGGING, Set.of("${EventPublisherLogGroup.Arn}")),
            "BalancesProjectionFunction", projection("Balances"),
            "HistoryProjectionFunction", projection("History"),
            "TransfersProjectionFunction", projection("Transfers"),
            "MetadataProjectionFunction", projection("Metadata"));

    private static Map<String, Set<String>> projection(String name) {
        return permissions(
                PROJECTION_TABLE, Set.of("${" + name + "Table.Arn}", rebuilt(name)),
                Set.of("dynamodb:GetItem"), Set.of(CONTROL_TABLE),
                READ_KINESIS_STREAM, Set.of(LEDGER_STREAM),
                Set.of("sqs:SendMessage"), Set.of(DEAD_LETTERS),
                LOGGING, Set.of("${" + name + "ProjectionLogGroup.Arn}"));
    }

    private static String rebuilt(String name) {
        return "${" + name + "Table.Arn}-rebuild-*";
    }

    @Test
    void no_statement_grants_a_wildcard_action() {
        for (Function function : template.functions()) {
            for (Statement statement : roleOf(function).statements()) {
                assertThat(statement.actions())
                        .as("actions of %s's role", function.logicalId())
                        .isNotEmpty()
                        .allSatisfy(action -> assertThat(action).doesNotContain("*").matches("[a-z0-9-]+:[A-Za-z0-9]+"));
            }
        }
    }

    @Test
    void no_statement_grants_a_wildcard_resource() {
        // No function uses an action without resource-level permissions, so no "*" is needed, except
        // for the name suffix of the tables a rebuild creates from one deployed table (and their named indexes).
        for (Function function : template.functions()) {
            for (Statement statement : roleOf(function).statements()) {
                assertThat(statement.symbolicResources())
                        .as("resources of %s's role", function.logicalId())
                        .isNotEmpty()
                        .allSatisfy(resource -> assertThat(resource.contains("*")
                                && !REBUILT_TABLES.matcher(resource).matches()).as(resource).isFalse());
            }
        }
    }

    @Test
    void every_resource_a_role_names_is_a_resource_of_this_template_or_the_customers_key() {
        for (Function function : template.functions()) {
            for (Statement statement : roleOf(function).statements()) {
                for (var resource : statement.resources()) {
                    assertThat(Intrinsics.references(resource))
                            .as("%s names %s", function.logicalId(), Intrinsics.symbolic(resource))
                            .anySatisfy(name -> assertThat(template.resources().containsKey(name)
                                    || statement.actions().stream().allMatch(a -> a.startsWith("kms:"))
                                    && Intrinsics.symbolic(resource).equals(KEY)).isTrue());
                }
            }
        }
    }

    @Test
    void statements_only_allow_and_never_use_not_action_or_not_resource() {
        for (Function function : template.functions()) {
            assertThat(roleOf(function).statements()).allSatisfy(statement -> {
                assertThat(statement.effect()).isEqualTo("Allow");
                assertThat(statement.notActions()).isEmpty();
                assertThat(statement.notResources()).isEmpty();
            });
        }
    }

    @Test
    void roles_carry_no_managed_policies_and_trust_only_lambda() {
        for (Function function : template.functions()) {
            Role role = roleOf(function);
            assertThat(role.managedPolicyArns()).as("managed policies of %s", role.logicalId()).isEmpty();
            assertThat(role.trustedServices()).as("trust of %s", role.logicalId()).containsExactly("lambda.amazonaws.com");
        }
    }

    @Test
    void every_function_has_a_role_of_its_own() {
        List<String> roles = template.functions().stream().map(Function::roleLogicalId).toList();
        assertThat(roles).doesNotHaveDuplicates();
    }

    @Test
    void each_function_gets_exactly_the_actions_and_resources_its_code_uses() {
        assertThat(template.functions()).extracting(Function::logicalId)
                .containsExactlyInAnyOrderElementsOf(NEEDS.keySet());
        for (Function function : template.functions()) {
            assertThat(granted(roleOf(function, WITHOUT_KEY)))
                    .as("permissions of %s", function.logicalId())
                    .isEqualTo(new TreeMap<>(NEEDS.get(function.logicalId())));
        }
    }

    @Test
    void with_a_customer_managed_key_each_function_may_also_use_that_key_and_no_other() {
        for (Function function : template.functions()) {
            Map<String, Set<String>> granted = granted(roleOf(function, WITH_KEY));
            Map<String, Set<String>> withoutKms = new TreeMap<>(granted);
            withoutKms.keySet().removeIf(action -> action.startsWith("kms:"));
            assertThat(withoutKms).as("what %s's role grants beside the key", function.logicalId())
                    .isEqualTo(new TreeMap<>(NEEDS.get(function.logicalId())));
            granted.forEach((action, resources) -> {
                if (action.startsWith("kms:")) {
                    assertThat(resources).as("%s %s", function.logicalId(), action).containsExactly(KEY);
                }
            });
        }
    }

    /**
     * What each function does with the encrypted resources decides what it needs of the key, through
     * which service (AWS's documentation of each): DynamoDB decrypts a table's key as the caller for
     * any read or write of the table or its stream; Kinesis makes a data key for a writer and
     * decrypts it for a reader; SQS needs both of a sender and decrypt of a receiver; Secrets Manager
     * decrypts a secret for its reader.
     */
    @Test
    void with_a_customer_managed_key_each_function_may_decrypt_and_make_data_keys_exactly_where_its_resources_need() {
        for (Function function : template.functions()) {
            Role role = roleOf(function, WITH_KEY);
            Map<String, Set<String>> granted = granted(role);
            Map<String, Set<String>> needed = new TreeMap<>();
            granted.keySet().forEach(action -> {
                if (action.startsWith("dynamodb:")) {
                    use(needed, "kms:Decrypt", "dynamodb");
                }
                if (action.equals("kinesis:PutRecords") || action.equals("kinesis:PutRecord")) {
                    use(needed, "kms:GenerateDataKey", "kinesis");
                }
                if (action.equals("kinesis:GetRecords")) {
                    use(needed, "kms:Decrypt", "kinesis");
                }
                if (action.equals("sqs:SendMessage")) {
                    use(needed, "kms:GenerateDataKey", "sqs");
                    use(needed, "kms:Decrypt", "sqs");
                }
                if (action.equals("sqs:ReceiveMessage")) {
                    use(needed, "kms:Decrypt", "sqs");
                }
                if (action.equals("secretsmanager:GetSecretValue")) {
                    use(needed, "kms:Decrypt", "secretsmanager");
                }
            });
            assertThat(keyUse(role)).as("what %s may do with the key, through which service", function.logicalId())
                    .isEqualTo(needed);
        }
    }

    @Test
    void without_a_customer_managed_key_no_function_may_use_kms() {
        for (Function function : template.functions()) {
            assertThat(granted(roleOf(function, WITHOUT_KEY)).keySet()).as(function.logicalId())
                    .noneMatch(action -> action.startsWith("kms:"));
        }
    }

    @Test
    void the_authorizer_has_nothing_on_dynamodb() {
        assertThat(granted(roleOf(template.function("TokenAuthorizerFunction"))).keySet())
                .noneMatch(action -> action.startsWith("dynamodb:"));
    }

    @Test
    void dynamodb_is_reached_only_through_the_arns_of_this_templates_tables_their_index_and_stream() {
        Set<String> allowed = new TreeSet<>(Set.of(EVENTS_TABLE, PENDING_INDEX, EVENTS_STREAM));
        allowed.addAll(ACCOUNT_INDEXES);
        allowed.addAll(TRANSFER_INDEXES);
        allowed.addAll(METADATA_INDEXES);
        for (Template.Resource table : template.resourcesOfType(Template.DYNAMODB_TABLE)) {
            allowed.add("${" + table.logicalId() + ".Arn}");
        }
        for (String projection : List.of("Balances", "History", "Transfers", "Metadata")) {
            allowed.add(rebuilt(projection));
        }
        for (Function function : template.functions()) {
            granted(roleOf(function)).forEach((action, resources) -> {
                if (action.startsWith("dynamodb:")) {
                    assertThat(resources).as("%s %s", function.logicalId(), action).isSubsetOf(allowed);
                }
            });
        }
    }

    @Test
    void only_the_command_path_writes_the_log_and_only_projections_write_read_tables() {
        for (Function function : template.functions()) {
            Map<String, Set<String>> granted = granted(roleOf(function));
            for (String write : List.of("dynamodb:PutItem", "dynamodb:UpdateItem")) {
                Set<String> tables = granted.getOrDefault(write, Set.of());
                if (tables.contains(EVENTS_TABLE)) {
                    assertThat(function.logicalId()).isIn("CommandApiFunction", "HoldExpirySweeperFunction");
                }
                if (!tables.isEmpty() && !tables.contains(EVENTS_TABLE)) {
                    assertThat(function.logicalId()).endsWith("ProjectionFunction");
                    String name = function.logicalId().replace("ProjectionFunction", "");
                    assertThat(tables).containsExactlyInAnyOrder("${" + name + "Table.Arn}", rebuilt(name));
                }
            }
        }
    }

    @Test
    void every_mapping_reads_with_its_functions_role_and_reports_failures_to_a_queue_the_role_may_send_to() {
        for (Template.EventSourceMapping mapping : template.eventSourceMappings()) {
            Map<String, Set<String>> granted = granted(roleOf(template.function(mapping.functionLogicalId())));
            String source = Intrinsics.symbolic(mapping.eventSourceArn());
            for (String action : mapping.readsDynamoDbStream() ? READ_DYNAMODB_STREAM : READ_KINESIS_STREAM) {
                assertThat(granted.get(action)).as("%s on %s", action, source).containsExactly(source);
            }
            mapping.onFailureDestination().ifPresent(destination ->
                    assertThat(granted.get("sqs:SendMessage")).as(mapping.logicalId())
                            .contains(Intrinsics.symbolic(destination)));
        }
    }

    @Test
    void a_function_writes_logs_only_to_its_own_log_group() {
        for (Function function : template.functions()) {
            String logGroup = Intrinsics.references(template.resource(function.logicalId())
                    .property("LoggingConfig").path("LogGroup")).iterator().next();
            granted(roleOf(function)).forEach((action, resources) -> {
                if (action.startsWith("logs:")) {
                    assertThat(resources).as("%s %s", function.logicalId(), action)
                            .containsExactly("${" + logGroup + ".Arn}");
                }
            });
        }
    }

    // ----------------------------------------------------------------------------------------
    // People's policies (issue 15, section 2). What each grants is held to what the replay tool
    // calls by replay-tool's ReplayPolicyCoverageIT; these are the rules that hold whatever it calls.
    // ----------------------------------------------------------------------------------------

    private static final List<String> PEOPLES_POLICIES = List.of("LedgerOperatorPolicy", "LedgerAuditorPolicy");
    /** Every DynamoDB action that changes a table or an item. */
    private static final Pattern DYNAMODB_WRITE = Pattern.compile(
            "dynamodb:(Put|Update|Delete|BatchWrite|Create|Restore|Import|TransactWrite)[A-Za-z]*");

    @Test
    void the_peoples_policies_are_managed_policies_the_stack_outputs_by_arn() {
        for (String policy : PEOPLES_POLICIES) {
            assertThat(template.resource(policy).type()).isEqualTo(TemplateRoles.MANAGED_POLICY);
            assertThat(template.resource(policy).condition()).as("created on every stage, the local one too").isEmpty();
            assertThat(Intrinsics.symbolic(template.outputs().get(policy + "Arn").value())).isEqualTo("${" + policy + "}");
            assertThat(template.resource(policy).property("Roles").isMissingNode()
                    && template.resource(policy).property("Groups").isMissingNode()
                    && template.resource(policy).property("Users").isMissingNode())
                    .as("%s is attached outside the stack, to the people's own role, group or permission set", policy)
                    .isTrue();
        }
    }

    @Test
    void the_peoples_policies_allow_named_actions_on_this_stacks_tables_only() {
        Set<String> tables = new TreeSet<>();
        for (Template.Resource table : template.resourcesOfType(Template.DYNAMODB_TABLE)) {
            tables.add("${" + table.logicalId() + ".Arn}");
        }
        for (String policy : PEOPLES_POLICIES) {
            for (Statement statement : TemplateRoles.managedPolicy(template, policy).statements()) {
                assertThat(statement.sid()).as("every statement of %s says what it is for", policy).isPresent();
                assertThat(statement.effect()).isEqualTo("Allow");
                assertThat(statement.notActions()).isEmpty();
                assertThat(statement.notResources()).isEmpty();
                assertThat(statement.actions()).as("%s %s", policy, statement.sid())
                        .isNotEmpty().allSatisfy(action -> assertThat(action).matches("dynamodb:[A-Za-z]+"));
                assertThat(statement.symbolicResources()).as("%s %s", policy, statement.sid()).isNotEmpty()
                        .allSatisfy(resource -> assertThat(tables.contains(resource)
                                || REBUILT_TABLES.matcher(resource).matches()).as(resource).isTrue());
            }
        }
    }

    @Test
    void the_auditor_policy_writes_nothing() {
        for (Statement statement : TemplateRoles.managedPolicy(template, "LedgerAuditorPolicy").statements()) {
            assertThat(statement.actions()).noneMatch(action -> DYNAMODB_WRITE.matcher(action).matches());
            assertThat(statement.hasCondition()).isFalse();
        }
    }

    @Test
    void the_operator_policy_writes_the_log_only_to_the_audit_stream_and_checkpoints_and_never_deletes_or_creates_it() {
        List<String> writers = new ArrayList<>();
        for (Statement statement : TemplateRoles.managedPolicy(template, "LedgerOperatorPolicy").statements()) {
            if (!statement.symbolicResources().contains(EVENTS_TABLE)) {
                continue;
            }
            List<String> writes = statement.actions().stream().filter(a -> DYNAMODB_WRITE.matcher(a).matches()).toList();
            if (writes.isEmpty()) {
                continue;
            }
            writers.add(statement.sid().orElseThrow());
            assertThat(writes).containsExactly("dynamodb:PutItem");
            assertThat(statement.symbolicResources()).containsExactly(EVENTS_TABLE);
            assertThat(statement.condition().size()).isEqualTo(1);
            if (statement.sid().orElseThrow().equals("AppendToTheAuditStreamOnly")) {
                assertThat(Template.texts(statement.condition().path("ForAllValues:StringEquals")
                        .path("dynamodb:LeadingKeys"))).as("the audit stream's partition key, and nothing else")
                        .containsExactly("audit:operations");
            } else {
                // replay checkpoints --backfill: account streams' checkpoint partitions, never a stream's own
                assertThat(statement.sid()).contains("BackfillCheckpointsOnly");
                List<String> patterns = Template.texts(statement.condition().path("ForAllValues:StringLike")
                        .path("dynamodb:LeadingKeys"));
                assertThat(patterns).containsExactly("checkpoint#account:*");
                assertThat(PolicyCheck.stringLike(patterns.get(0), "account:a-1")).isFalse();
            }
        }
        assertThat(writers).containsExactlyInAnyOrder("AppendToTheAuditStreamOnly", "BackfillCheckpointsOnly");
    }

    // ----------------------------------------------------------------------------------------

    /** The role with every policy that may be attached to it, whatever the parameters. */
    private Role roleOf(Function function) {
        return TemplateRoles.role(template, function.roleLogicalId());
    }

    /** The role as a stack with these parameters has it. */
    private Role roleOf(Function function, Map<String, String> parameters) {
        return TemplateRoles.role(template, function.roleLogicalId(), parameters);
    }

    private static Map<String, String> withKey(Map<String, String> parameters) {
        Map<String, String> withKey = new TreeMap<>(parameters);
        withKey.put("KmsKeyArn", KEY_ARN);
        return Map.copyOf(withKey);
    }

    /**
     * kms action -> the services it may be used through, over the role's kms statements; each must
     * name the key alone and restrict it to requests from a service (kms:ViaService, e.g.
     * {@code dynamodb.${AWS::Region}.amazonaws.com} is {@code dynamodb}).
     */
    private static Map<String, Set<String>> keyUse(Role role) {
        Map<String, Set<String>> use = new TreeMap<>();
        for (Statement statement : role.statements()) {
            if (statement.actions().stream().noneMatch(action -> action.startsWith("kms:"))) {
                continue;
            }
            assertThat(statement.actions()).as("a kms statement of %s holds kms actions only", role.logicalId())
                    .allMatch(action -> action.startsWith("kms:"));
            assertThat(statement.symbolicResources()).as("keys of %s", role.logicalId()).containsExactly(KEY);
            List<String> services = statement.conditionValues("StringEquals", VIA_SERVICE);
            assertThat(services).as("services %s may use the key through", role.logicalId()).isNotEmpty()
                    .allMatch(service -> service.endsWith(".${AWS::Region}.amazonaws.com"));
            for (String action : statement.actions()) {
                for (String service : services) {
                    use(use, action, service.substring(0, service.indexOf('.')));
                }
            }
        }
        return use;
    }

    private static void use(Map<String, Set<String>> use, String action, String service) {
        use.computeIfAbsent(action, a -> new TreeSet<>()).add(service);
    }

    /** action -> symbolic resources, over every statement of the role. */
    private static Map<String, Set<String>> granted(Role role) {
        Map<String, Set<String>> granted = new TreeMap<>();
        for (Statement statement : role.statements()) {
            for (String action : statement.actions()) {
                granted.computeIfAbsent(action, a -> new TreeSet<>()).addAll(statement.symbolicResources());
            }
        }
        return granted;
    }

    /** Pairs of (actions, resources) into action -> resources. */
    private static Map<String, Set<String>> permissions(Object... actionsThenResources) {
        Map<String, Set<String>> permissions = new TreeMap<>();
        for (int i = 0; i < actionsThenResources.length; i += 2) {
            @SuppressWarnings("unchecked")
            Set<String> actions = (Set<String>) actionsThenResources[i];
            @SuppressWarnings("unchecked")
            Set<String> resources = (Set<String>) actionsThenResources[i + 1];
            for (String action : actions) {
                permissions.computeIfAbsent(action, a -> new TreeSet<>()).addAll(resources);
            }
        }
        return permissions.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                e -> (Set<String>) new TreeSet<>(e.getValue()), (a, b) -> a, TreeMap::new));
    }

    private static Set<String> union(Set<String> first, Set<String> second) {
        Set<String> both = new TreeSet<>(first);
        both.addAll(second);
        return both;
    }
}
