package dev.ledger.infra;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Plaintext secrets in a template, as a reviewer would look for them: what {@link TemplateSecretsTest}
 * holds the project's template to, kept apart so the same rules can be shown to catch altered copies.
 * Each finding names where it is and why; the finding never repeats the value itself.
 *
 * <ul>
 *   <li>No parameter carries a secret: none is NoEcho (that is how a template takes one), none is named
 *       like a token, password, key or digest unless it is an identifier ({@code ...Id}, {@code ...Arn},
 *       {@code ...Name}).</li>
 *   <li>No function's environment variable carries one: no variable takes a parameter that does, and a
 *       variable named like a token, password, key or digest holds only a whole number (a setting such
 *       as a cache time) or a reference to a secret resource or pseudo parameter (the secret's ARN or
 *       name, which is not a secret).</li>
 *   <li>No literal anywhere looks like a credential: an AWS access key id, a JWT, 32 or more hex
 *       digits (a digest), a long run of mixed-case base64 (a generated token or key).</li>
 *   <li>A secret resource's literal initial value holds nothing: a {@code tokens} list, if any, is
 *       empty, and no other field has a value.</li>
 * </ul>
 */
final class TemplateSecrets {

    static final String SECRETS_MANAGER_SECRET = "AWS::SecretsManager::Secret";

    /** Words of a name that carries a secret. "Key" alone is not one (an S3 object key, a KMS key id). */
    private static final Pattern SECRET_WORD = Pattern.compile(
            "(?i)(token|password|passwd|passphrase|secret|digest|hash|credential|api_?key|private_?key|secret_?key"
                    + "|access_?key|signing_?key|client_?secret)");
    /** Names of identifiers: the id or ARN of a key or secret is not the key or secret. */
    private static final Pattern IDENTIFIER = Pattern.compile("(?i).*(id|arn|name)$");
    private static final Pattern WHOLE_NUMBER = Pattern.compile("[0-9]{1,9}");
    private static final Pattern AWS_KEY_ID = Pattern.compile("(AKIA|ASIA|AROA|AIDA|AGPA|ANPA)[A-Z0-9]{16}");
    private static final Pattern JWT = Pattern.compile("eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]*");
    private static final Pattern LONG_HEX = Pattern.compile("(?<![0-9A-Za-z])[0-9a-fA-F]{32,}(?![0-9A-Za-z])");
    private static final Pattern LONG_BASE64 = Pattern.compile("[A-Za-z0-9+/_-]{32,}={0,2}");
    private static final Pattern PSEUDO = Pattern.compile("AWS::[A-Za-z]+");
    private static final ObjectMapper JSON = new ObjectMapper();

    private TemplateSecrets() {
    }

    static List<String> findings(Template template) {
        List<String> findings = new ArrayList<>();
        Map<String, Template.Parameter> parameters = template.parameters();
        for (Template.Parameter parameter : parameters.values()) {
            if (parameter.noEcho()) {
                findings.add("parameter " + parameter.name() + " is NoEcho: the template takes a secret");
            }
            if (carriesSecret(parameter.name())) {
                findings.add("parameter " + parameter.name() + " is named like a secret");
            }
        }
        for (Template.Function function : template.functions()) {
            function.environment().forEach((name, value) -> {
                String where = function.logicalId() + " variable " + name;
                for (String reference : Intrinsics.references(value)) {
                    Template.Parameter parameter = parameters.get(reference);
                    if (parameter != null && (parameter.noEcho() || carriesSecret(parameter.name()))) {
                        findings.add(where + " takes parameter " + reference + ", which carries a secret");
                    }
                }
                if (carriesSecret(name) && !holdsOnlyANumberOrASecretsId(template, value)) {
                    findings.add(where + " is named like a secret and holds something other than a number or a"
                            + " secret's id");
                }
            });
        }
        literals("", template.root(), findings);
        for (Template.Resource secret : template.resourcesOfType(SECRETS_MANAGER_SECRET)) {
            JsonNode initial = secret.property("SecretString");
            if (initial.isTextual() && !holdsNothing(initial.asText())) {
                findings.add(secret.logicalId() + " SecretString: its literal initial value holds something");
            }
        }
        return List.copyOf(findings);
    }

    private static boolean carriesSecret(String name) {
        return SECRET_WORD.matcher(name).find() && !IDENTIFIER.matcher(name).matches();
    }

    /** A whole number, or an expression whose every reference is a secret resource or a pseudo parameter. */
    private static boolean holdsOnlyANumberOrASecretsId(Template template, JsonNode value) {
        if (value.isTextual() || value.isNumber()) {
            return WHOLE_NUMBER.matcher(value.asText()).matches();
        }
        Set<String> references = Intrinsics.references(value);
        return !references.isEmpty() && references.stream().allMatch(name -> PSEUDO.matcher(name).matches()
                || template.resources().containsKey(name)
                && template.resource(name).type().equals(SECRETS_MANAGER_SECRET));
    }

    /** Every string value in the tree, checked for the look of a credential. */
    private static void literals(String path, JsonNode node, List<String> findings) {
        if (node.isTextual()) {
            String text = node.asText();
            check(path, text, AWS_KEY_ID, "an AWS access key id", findings);
            check(path, text, JWT, "a JWT", findings);
            check(path, text, LONG_HEX, "32 or more hex digits (a digest or key)", findings);
            var base64 = LONG_BASE64.matcher(text);
            while (base64.find()) {
                String run = base64.group();
                if (run.chars().anyMatch(Character::isDigit) && run.chars().anyMatch(Character::isUpperCase)
                        && run.chars().anyMatch(Character::isLowerCase)) {
                    findings.add(path + ": a long run of mixed-case base64 (a generated token or key)");
                    break;
                }
            }
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                literals(path.isEmpty() ? field.getKey() : path + "." + field.getKey(), field.getValue(), findings);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                literals(path + "[" + i + "]", node.get(i), findings);
            }
        }
    }

    private static void check(String path, String text, Pattern pattern, String what, List<String> findings) {
        if (pattern.matcher(text).find()) {
            findings.add(path + ": " + what);
        }
    }

    /** True for JSON whose "tokens" (if any) is an empty list and whose other fields are empty; false otherwise. */
    private static boolean holdsNothing(String text) {
        JsonNode value;
        try {
            value = JSON.readTree(text);
        } catch (JsonProcessingException notJson) {
            return text.isBlank();
        }
        if (value == null || !value.isObject()) {
            return false;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
            JsonNode field = it.next().getValue();
            boolean empty = field.isContainerNode() ? field.isEmpty() : field.isNull() || field.asText().isEmpty();
            if (!empty) {
                return false;
            }
        }
        return true;
    }
}
