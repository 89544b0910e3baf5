package dev.ledger.infra.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ledger.infra.Intrinsics;
import dev.ledger.infra.StackDeployer;
import dev.ledger.infra.Template;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every created function's Environment.Variables, evaluated against the deployed stack, and the
 * resolver they were evaluated with (which the event source mappings resolve their sources with).
 * All functions share one JVM's system properties, so two functions may not give one variable
 * different values.
 */
record HandlerEnvironment(Intrinsics.Resolver resolver, Map<String, String> variables) {

    /** Lambda variables that configure the JVM or the runtime, not the handler: not copied into system properties. */
    private static final List<String> RUNTIME_VARIABLES = List.of("JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS");

    static HandlerEnvironment evaluate(Template template, StackDeployer.Result deployment, Map<String, String> physicalIds,
                                       String region, String accountId) {
        // GetAtt values moto does not list as resources come from outputs that show the same expression.
        Map<String, String> attributes = new LinkedHashMap<>();
        template.outputs().values().forEach(output -> {
            JsonNode getAtt = output.value().path("Fn::GetAtt");
            String value = deployment.outputs().get(output.name());
            if (getAtt.isArray() && getAtt.size() == 2 && value != null) {
                attributes.put(getAtt.get(0).asText() + "." + getAtt.get(1).asText(), value);
            }
        });
        Intrinsics.Resolver resolver = template.resolver(new Template.StackFacts(deployment.parameters(),
                deployment.stackName(), region, accountId, physicalIds, attributes));
        Map<String, String> environment = new LinkedHashMap<>();
        Map<String, String> setBy = new LinkedHashMap<>();
        for (Template.Function function : template.functions()) {
            if (!template.isCreated(function.logicalId(), deployment.parameters())) {
                continue;
            }
            function.environment().forEach((name, expression) -> {
                if (RUNTIME_VARIABLES.contains(name)) {
                    return;
                }
                String value = Intrinsics.evaluate(expression, resolver).asText();
                String previous = environment.putIfAbsent(name, value);
                if (previous != null && !previous.equals(value)) {
                    throw new IllegalStateException("Functions " + setBy.get(name) + " and " + function.logicalId()
                            + " give " + name + " different values; in one JVM they share one system property");
                }
                setBy.putIfAbsent(name, function.logicalId());
            });
        }
        return new HandlerEnvironment(resolver, environment);
    }
}
