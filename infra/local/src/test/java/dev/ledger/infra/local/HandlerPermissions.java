package dev.ledger.infra.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.infra.Intrinsics;
import dev.ledger.infra.Template;
import dev.ledger.infra.TemplateRoles;
import dev.ledger.infra.TemplateRoles.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.StackResource;

/**
 * Checks the calls the handlers made ({@link HandlerCalls}) against the template's roles: each call
 * must be allowed by its function's role, on the resource it named. The emulator enforces no IAM, so
 * without this a handler that starts a new kind of call (a BatchGetItem, a ConditionCheck in a
 * transaction) passes every local test and is refused on its first request on AWS.
 */
final class HandlerPermissions {

    private static final Pattern REBUILT = Pattern.compile("(.+)(-rebuild-[0-9A-Za-z-]+)");

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
            String resource = secrets.getOrDefault(call.resource().name(), symbolic(call.resource(), logicalIds));
            List<Statement> statements = TemplateRoles.role(template, function.roleLogicalId()).statements();
            boolean allowed = statements.stream().anyMatch(s -> s.effect().equals("Allow")
                    && s.actions().contains(call.action())
                    && s.symbolicResources().stream().anyMatch(granted -> matches(granted, resource)));
            if (!allowed) {
                refused.add(function.logicalId() + ": " + call.action() + " on " + resource);
            }
        }
        assertThat(refused).as("calls the handlers made that their roles in the template do not allow (IAM"
                + " would refuse them on AWS)").isEmpty();
    }

    /** The resource as the template's policies write it, e.g. {@code ${EventsTable.Arn}/index/by-expiry}. */
    private static String symbolic(HandlerCalls.Resource resource, Map<String, String> logicalIds) {
        String name = resource.name();
        String suffix = "";
        if (!logicalIds.containsKey(name)) {
            var rebuilt = REBUILT.matcher(name);
            if (rebuilt.matches() && logicalIds.containsKey(rebuilt.group(1))) {
                name = rebuilt.group(1);
                suffix = rebuilt.group(2);
            } else {
                return name; // not the stack's: matches no statement of a role that names only its own
            }
        }
        String arn = "${" + logicalIds.get(name) + ".Arn}" + suffix;
        return resource.index().map(index -> arn + "/index/" + index).orElse(arn);
    }

    private static boolean matches(String granted, String resource) {
        if (!granted.contains("*")) {
            return granted.equals(resource);
        }
        String regex = java.util.Arrays.stream(granted.split("\\*", -1)).map(Pattern::quote)
                .collect(Collectors.joining(".*"));
        return resource.matches(regex);
    }
}
