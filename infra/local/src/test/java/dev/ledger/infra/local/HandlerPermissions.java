package dev.ledger.infra.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.infra.Intrinsics;
import dev.ledger.infra.PolicyCheck;
import dev.ledger.infra.Template;
import dev.ledger.infra.TemplateRoles;
import dev.ledger.infra.TemplateRoles.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.StackResource;

/**
 * Checks the calls the handlers made ({@link HandlerCalls}) against the template's roles: each call
 * must be allowed by its function's role, on the resource it named. The emulator enforces no IAM, so
 * without this a handler that starts a new kind of call (a BatchGetItem, a ConditionCheck in a
 * transaction) passes every local test and is refused on its first request on AWS. Whether a
 * statement allows a call is {@link PolicyCheck}'s to say (infra/template's test jar).
 */
final class HandlerPermissions {

    private HandlerPermissions() {
    }

    /** Records the calls of every function of the template, from now on. */
    static void watch(Template template) {
        HandlerCalls.watch(template.functions().stream().map(Template.Function::logicalId)
                .collect(Collectors.toSet()));
    }

    /**
     * Asserts that every call recorded since {@link #watch} is allowed, and that some were recorded.
     *
     * @param stackName the deployed stack whose resources the calls named
     */
    static void assertAllowed(Template template, CloudFormationClient cloudFormation, String stackName) {
        Map<String, String> logicalIds = new HashMap<>();
        for (StackResource resource : cloudFormation.describeStackResources(r -> r.stackName(stackName))
                .stackResources()) {
            logicalIds.put(resource.physicalResourceId(), resource.logicalResourceId());
        }
        // The secrets the local stack creates itself (moto's CloudFormation cannot) are the template's
        // secrets all the same: by name, the resource a policy names with a Ref (their ARN).
        Map<String, String> secrets = new HashMap<>();
        // (A name depends on the stack's name alone; the code parameters only need some value.)
        Intrinsics.Resolver resolver = template.resolver(new Template.StackFacts(
                Map.of("Stage", LocalStack.STAGE, "CodeBucket", "-", "CodeKey", "-"),
                stackName, LocalStack.REGION, LocalStack.ACCOUNT_ID, Map.of(), Map.of()));
        for (Template.Resource secret : template.resourcesOfType(LocalSecrets.SECRET)) {
            secrets.put(Intrinsics.evaluate(secret.property("Name"), resolver).asText(), "${" + secret.logicalId() + "}");
        }
        Set<HandlerCalls.Call> calls = HandlerCalls.recorded();
        assertThat(calls).as("calls recorded from the handlers").isNotEmpty();
        Set<String> refused = new TreeSet<>();
        for (HandlerCalls.Call call : calls) {
            Template.Function function = template.functions().stream()
                    .filter(f -> f.logicalId().equals(call.function())).findFirst().orElseThrow();
            String secret = secrets.get(call.need().resource());
            PolicyCheck.Call asIam = secret != null
                    ? new PolicyCheck.Call(call.need().action(), secret, call.need().leadingKeys())
                    : PolicyCheck.call(call.need(), logicalIds);
            List<Statement> statements = TemplateRoles.role(template, function.roleLogicalId()).statements();
            if (!PolicyCheck.allows(statements, asIam)) {
                refused.add(function.logicalId() + ": " + asIam);
            }
        }
        assertThat(refused).as("calls the handlers made that their roles in the template do not allow (IAM"
                + " would refuse them on AWS)").isEmpty();
    }
}
