package dev.ledger.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ledger.infra.PolicyCheck.Call;
import dev.ledger.infra.TemplateRoles.Statement;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;

/** The one check of "does this policy allow this call", on statements written as the template writes them. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class PolicyCheckTest {

    private static final Map<String, String> STACK = Map.of("ledger-events", "EventsTable",
            "ledger-balances", "BalancesTable");

    private static final List<Statement> POLICY = statements("""
            Statement:
              - Sid: ReadTheLog
                Effect: Allow
                Action: [dynamodb:Scan, dynamodb:Query]
                Resource: !GetAtt EventsTable.Arn
              - Sid: AppendToTheAuditStreamOnly
                Effect: Allow
                Action: dynamodb:PutItem
                Resource: !GetAtt EventsTable.Arn
                Condition:
                  ForAllValues:StringEquals:
                    dynamodb:LeadingKeys: [audit:operations]
              - Sid: ShadowTables
                Effect: Allow
                Action: [dynamodb:CreateTable]
                Resource: !Sub "${BalancesTable.Arn}-rebuild-*"
            """);

    @Test
    void a_physical_table_name_becomes_the_templates_symbolic_arn_rebuilt_tables_and_indexes_included() {
        assertThat(PolicyCheck.symbolic("ledger-events", Optional.of("by-expiry"), STACK))
                .isEqualTo("${EventsTable.Arn}/index/by-expiry");
        assertThat(PolicyCheck.symbolic("ledger-balances-rebuild-3", Optional.empty(), STACK))
                .isEqualTo("${BalancesTable.Arn}-rebuild-3");
        assertThat(PolicyCheck.symbolic("someone-elses-table", Optional.empty(), STACK)).isEqualTo("someone-elses-table");
    }

    @Test
    void a_write_is_allowed_only_to_the_partitions_a_leading_keys_condition_lists() {
        Call audit = need(PutItemRequest.builder().tableName("ledger-events")
                .item(Map.of("pk", AttributeValue.fromS("audit:operations"), "sk", AttributeValue.fromN("3"))).build());
        Call account = need(PutItemRequest.builder().tableName("ledger-events")
                .item(Map.of("pk", AttributeValue.fromS("account:a-1"), "sk", AttributeValue.fromN("3"))).build());
        Call both = need(TransactWriteItemsRequest.builder().transactItems(
                put("audit:operations"), put("account:a-1")).build());

        assertThat(PolicyCheck.allows(POLICY, audit)).isTrue();
        assertThat(PolicyCheck.allows(POLICY, account)).isFalse();
        assertThat(PolicyCheck.refused(POLICY, List.of(audit, account)))
                .containsExactly("dynamodb:PutItem on ${EventsTable.Arn} (partition keys [account:a-1])");
        assertThat(PolicyCheck.allows(POLICY, both)).as("IAM checks each item of a transaction").isFalse();
    }

    @Test
    void a_string_like_leading_keys_condition_allows_only_the_partitions_its_pattern_matches() {
        List<Statement> checkpoints = statements("""
                Statement:
                  - Sid: BackfillCheckpointsOnly
                    Effect: Allow
                    Action: dynamodb:PutItem
                    Resource: !GetAtt EventsTable.Arn
                    Condition:
                      ForAllValues:StringLike:
                        dynamodb:LeadingKeys: ["checkpoint#account:*"]
                """);
        Call checkpoint = new Call("dynamodb:PutItem", "${EventsTable.Arn}", Optional.of(Set.of("checkpoint#account:a-1")));
        Call event = new Call("dynamodb:PutItem", "${EventsTable.Arn}", Optional.of(Set.of("account:a-1")));
        Call transfers = new Call("dynamodb:PutItem", "${EventsTable.Arn}", Optional.of(Set.of("checkpoint#transfer:t")));

        assertThat(PolicyCheck.allows(checkpoints, checkpoint)).isTrue();
        assertThat(PolicyCheck.allows(checkpoints, event)).isFalse();
        assertThat(PolicyCheck.allows(checkpoints, transfers)).isFalse();
        assertThat(PolicyCheck.stringLike("a?c*", "abc.d")).isTrue();
        assertThat(PolicyCheck.stringLike("a?c*", "ac")).isFalse();
    }

    @Test
    void a_call_whose_partition_keys_are_unknown_never_satisfies_a_leading_keys_condition() {
        Call unknownKeys = new Call("dynamodb:PutItem", "${EventsTable.Arn}", Optional.empty());

        assertThat(PolicyCheck.allows(POLICY, unknownKeys)).isFalse();
    }

    @Test
    void a_wildcard_resource_covers_only_names_of_its_shape() {
        assertThat(PolicyCheck.allows(POLICY, new Call("dynamodb:CreateTable", "${BalancesTable.Arn}-rebuild-2",
                Optional.of(Set.of())))).isTrue();
        assertThat(PolicyCheck.allows(POLICY, new Call("dynamodb:CreateTable", "${BalancesTable.Arn}",
                Optional.of(Set.of())))).isFalse();
    }

    @Test
    void get_caller_identity_needs_no_grant() {
        assertThat(PolicyCheck.allows(List.of(), new Call("sts:GetCallerIdentity", "*", Optional.of(Set.of())))).isTrue();
    }

    @Test
    void grants_no_call_used_are_named_by_statement_action_and_resource() {
        Call scan = need(ScanRequest.builder().tableName("ledger-events").build());
        Call query = need(QueryRequest.builder().tableName("ledger-events").build());

        assertThat(PolicyCheck.unused(POLICY, List.of(scan, query))).containsExactly(
                "AppendToTheAuditStreamOnly: dynamodb:PutItem on ${EventsTable.Arn}",
                "ShadowTables: dynamodb:CreateTable on ${BalancesTable.Arn}-rebuild-*");
    }

    @Test
    void a_condition_the_check_cannot_evaluate_is_refused_loudly() {
        List<Statement> other = statements("""
                Statement:
                  - Effect: Allow
                    Action: dynamodb:PutItem
                    Resource: !GetAtt EventsTable.Arn
                    Condition:
                      StringEquals:
                        aws:PrincipalTag/team: ledger
                """);

        assertThatThrownBy(() -> PolicyCheck.allows(other, new Call("dynamodb:PutItem", "${EventsTable.Arn}",
                Optional.of(Set.of("account:a-1"))))).hasMessageContaining("aws:PrincipalTag/team");
    }

    private static TransactWriteItem put(String pk) {
        return TransactWriteItem.builder().put(Put.builder().tableName("ledger-events")
                .item(Map.of("pk", AttributeValue.fromS(pk), "sk", AttributeValue.fromN("1"))).build()).build();
    }

    /** The one call a request is (a transaction's items must all be allowed: here, the first refused one). */
    private static Call need(software.amazon.awssdk.core.SdkRequest request) {
        String operation = request.getClass().getSimpleName().replace("Request", "");
        List<Call> calls = IamNeeds.of("dynamodb", operation, request,
                        table -> table.equals("ledger-events") ? Optional.of("pk") : Optional.empty()).stream()
                .map(need -> PolicyCheck.call(need, STACK)).toList();
        return calls.stream().filter(call -> !PolicyCheck.allows(POLICY, call)).findFirst().orElse(calls.get(0));
    }

    private static List<Statement> statements(String yaml) {
        Template template = Template.parse("Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n"
                + "      PolicyDocument:\n" + yaml.indent(8));
        return TemplateRoles.managedPolicy(template, "P").statements();
    }
}
