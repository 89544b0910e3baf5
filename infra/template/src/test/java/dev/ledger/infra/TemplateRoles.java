package dev.ledger.infra;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ledger.infra.Template.Resource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The template's IAM roles and their policies, as the least-privilege tests read them. Test code
 * only: neither the local stack nor the deploy reads IAM (the emulator enforces none), so none of
 * this ships in infra's jar.
 */
public final class TemplateRoles {

    static final String POLICY = "AWS::IAM::Policy";
    static final String MANAGED_POLICY = "AWS::IAM::ManagedPolicy";

    private TemplateRoles() {
    }

    /**
     * One statement of an IAM policy document. Resources and the condition stay expressions: see
     * {@link Intrinsics#symbolic}.
     *
     * @param condition the Condition block, a missing node when there is none
     */
    public record Statement(Optional<String> sid, String effect, List<String> actions, List<String> notActions,
                     List<JsonNode> resources, List<JsonNode> notResources, JsonNode condition) {

        static Statement of(JsonNode node) {
            return new Statement(Optional.ofNullable(node.path("Sid").asText(null)), node.path("Effect").asText(""),
                    Template.texts(node.path("Action")), Template.texts(node.path("NotAction")),
                    Template.nodes(node.path("Resource")), Template.nodes(node.path("NotResource")),
                    node.path("Condition"));
        }

        public boolean hasCondition() {
            return !condition.isMissingNode();
        }

        /** The values a condition operator gives a key, in symbolic form; empty when it names none. */
        public List<String> conditionValues(String operator, String key) {
            return Template.nodes(condition.path(operator).path(key)).stream().map(Intrinsics::symbolic).toList();
        }

        /** The resources in symbolic form, e.g. {@code ${EventsTable.Arn}}. */
        public List<String> symbolicResources() {
            return resources.stream().map(Intrinsics::symbolic).toList();
        }
    }

    /** An inline policy of a role, or an AWS::IAM::Policy / ManagedPolicy resource attached to it. */
    public record Policy(String name, List<Statement> statements) {
    }

    /**
     * @param trustedServices the service principals its trust policy lets assume it
     * @param managedPolicyArns ManagedPolicyArns, unevaluated
     */
    public record Role(String logicalId, Set<String> trustedServices, List<Policy> policies,
                List<JsonNode> managedPolicyArns) {

        public List<Statement> statements() {
            return policies.stream().flatMap(p -> p.statements().stream()).toList();
        }
    }

    /**
     * The AWS::IAM::Role {@code logicalId} of {@code template}, with every policy that may be attached to
     * it, whatever the stack's parameters: what no parameter may widen is checked on this.
     */
    public static Role role(Template template, String logicalId) {
        return role(template, logicalId, attached -> true);
    }

    /**
     * The role as a stack with these parameters has it: an attached policy whose Condition does not
     * hold for them is not created, so it grants nothing.
     */
    public static Role role(Template template, String logicalId, Map<String, String> parameters) {
        return role(template, logicalId, attached -> template.isCreated(attached.logicalId(), parameters));
    }

    private static Role role(Template template, String logicalId, Predicate<Resource> created) {
        Resource resource = template.resource(logicalId);
        if (!resource.type().equals(Template.ROLE)) {
            throw new IllegalArgumentException(logicalId + " is a " + resource.type() + ", not a " + Template.ROLE);
        }
        Set<String> services = new LinkedHashSet<>();
        for (JsonNode statement : resource.property("AssumeRolePolicyDocument").path("Statement")) {
            services.addAll(Template.texts(statement.path("Principal").path("Service")));
        }
        List<Policy> policies = new ArrayList<>();
        for (JsonNode policy : resource.property("Policies")) {
            policies.add(policy(policy.path("PolicyName").asText(), policy.path("PolicyDocument")));
        }
        // Policies defined as their own resources and attached to this role count too.
        for (Resource attached : template.resources().values()) {
            if ((attached.type().equals(POLICY) || attached.type().equals(MANAGED_POLICY))
                    && Intrinsics.references(attached.property("Roles")).contains(logicalId) && created.test(attached)) {
                policies.add(policy(attached.logicalId(), attached.property("PolicyDocument")));
            }
        }
        return new Role(logicalId, Collections.unmodifiableSet(services), List.copyOf(policies),
                Template.nodes(resource.property("ManagedPolicyArns")));
    }

    /**
     * The AWS::IAM::ManagedPolicy {@code logicalId} of {@code template}: the policies the stack
     * outputs for people (operators, auditors), attached outside the stack.
     */
    public static Policy managedPolicy(Template template, String logicalId) {
        Resource resource = template.resource(logicalId);
        if (!resource.type().equals(MANAGED_POLICY)) {
            throw new IllegalArgumentException(logicalId + " is a " + resource.type() + ", not a " + MANAGED_POLICY);
        }
        return policy(logicalId, resource.property("PolicyDocument"));
    }

    private static Policy policy(String name, JsonNode document) {
        List<Statement> statements = new ArrayList<>();
        JsonNode statementNode = document.path("Statement");
        if (statementNode.isObject()) {
            statements.add(Statement.of(statementNode));
        } else {
            statementNode.forEach(s -> statements.add(Statement.of(s)));
        }
        return new Policy(name, List.copyOf(statements));
    }
}
