package dev.ledger.infra;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The template's {@code Rules} section, checked as CloudFormation checks it before it creates or
 * updates a stack: for each rule whose {@code RuleCondition} holds (or that has none), every
 * {@code Assert} must hold, else the deployment is refused with the assertion's
 * {@code AssertDescription}. moto accepts a Rules section and ignores it, so {@link StackDeployer}
 * runs this first: the emulator, the local stack and AWS refuse the same parameters with the same words.
 *
 * <p>Assertions use the condition functions (Fn::Equals, Fn::Not, Fn::And, Fn::Or) on parameters;
 * the rule-only functions (Fn::Contains, Fn::EachMemberEquals, Fn::ValueOf...) are not evaluated here,
 * and a rule that uses one fails loudly rather than passing unchecked.
 */
public final class TemplateRules {

    private TemplateRules() {
    }

    /**
     * The descriptions of the assertions these parameter values break, in the template's order.
     *
     * @param parameters the values given; the others take their defaults
     * @param unknown parameters whose value is not known here (kept from the previous deployment): a
     *     rule that reads one is left to CloudFormation
     */
    public static List<String> violations(Template template, Map<String, String> parameters, Set<String> unknown) {
        Map<String, String> values = new LinkedHashMap<>();
        template.parameters().values().forEach(p -> p.defaultValue().ifPresent(d -> values.put(p.name(), d)));
        values.putAll(parameters);
        // Parameters with neither a value nor a default stop a deployment elsewhere (parameterValues);
        // a placeholder lets the rules that do not read them be checked.
        template.parameters().keySet().forEach(name -> values.putIfAbsent(name, ""));
        Intrinsics.Resolver resolver = template.resolver(Template.StackFacts.parametersOnly(values));
        List<String> broken = new ArrayList<>();
        template.root().path("Rules").fields().forEachRemaining(rule -> {
            JsonNode body = rule.getValue();
            if (readsAny(body, unknown)) {
                return;
            }
            JsonNode condition = body.get("RuleCondition");
            if (condition != null && !Intrinsics.evaluateCondition(condition, resolver)) {
                return;
            }
            for (JsonNode assertion : body.path("Assertions")) {
                if (!Intrinsics.evaluateCondition(assertion.path("Assert"), resolver)) {
                    broken.add(assertion.path("AssertDescription").asText("rule " + rule.getKey() + " is not met"));
                }
            }
        });
        return broken;
    }

    private static boolean readsAny(JsonNode rule, Set<String> names) {
        return Intrinsics.references(rule).stream().anyMatch(names::contains);
    }
}
