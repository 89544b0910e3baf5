package dev.ledger.infra.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ledger.infra.Intrinsics;
import dev.ledger.infra.Template;
import java.util.Map;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;

/**
 * The template's Secrets Manager secrets on the local stage. moto 5.2.1's CloudFormation has no
 * model for {@code AWS::SecretsManager::Secret} (it skips one silently), so the template creates
 * them on AWS only and the local stack creates each from its definition, as CloudFormation would:
 * its Name, Description and initial SecretString, with moto's Secrets Manager API. A secret that
 * exists already (a restart on a data directory) is left as it is: it holds what was issued since.
 */
final class LocalSecrets {

    static final String SECRET = "AWS::SecretsManager::Secret";

    private LocalSecrets() {
    }

    static void create(Template template, Map<String, String> parameters, Intrinsics.Resolver resolver,
                       SecretsManagerClient secrets) {
        for (Template.Resource resource : template.resourcesOfType(SECRET)) {
            if (template.isCreated(resource.logicalId(), parameters)) {
                continue; // CloudFormation made it (an emulator that can)
            }
            JsonNode properties = Intrinsics.evaluate(resource.properties(), resolver);
            String name = properties.path("Name").asText("");
            if (name.isEmpty()) {
                throw new IllegalStateException(resource.logicalId() + " has no Name: the local stack creates the secret"
                        + " by the name the template's functions find it by on Stage=local");
            }
            try {
                secrets.describeSecret(r -> r.secretId(name));
            } catch (ResourceNotFoundException absent) {
                secrets.createSecret(r -> r.name(name).description(properties.path("Description").asText(null))
                        .secretString(properties.path("SecretString").asText(null)));
            }
        }
    }
}
