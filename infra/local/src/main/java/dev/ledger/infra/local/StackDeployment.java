package dev.ledger.infra.local;

import dev.ledger.infra.StackDeployer;
import dev.ledger.infra.Template;
import dev.ledger.localaws.AwsClients;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.services.cloudformation.model.Stack;
import software.amazon.awssdk.services.cloudformation.model.StackStatus;

/**
 * The local stack's boot phase that puts the template into the emulator: deployed as
 * CloudFormation would deploy it on AWS, or, on a restart from a data directory whose emulator
 * already holds the stack deployed from this same template, reused as it is. Deploying again
 * there would upload the artifact and update the stack for nothing (the local functions run from
 * this JVM's classpath, never from the emulator's copy), and each such write would grow the
 * emulator's journal. A changed template is deployed as an update, as without a data directory.
 */
final class StackDeployment {

    private StackDeployment() {
    }

    /** The stack as deployed (or found), its resources' physical ids, and whether it was reused. */
    record Deployed(StackDeployer.Result result, Map<String, String> physicalIds, boolean reused) {
    }

    /**
     * @param parameters the template's parameters this run gives (Stage)
     * @param artifact the Lambda artifact, looked up only when the stack is deployed
     * @param mayReuse true with a data directory: a stack found deployed from this template is reused
     */
    static Deployed deployOrReuse(Template template, AwsClients clients, String stackName, String codeBucket,
                                  Map<String, String> parameters, Supplier<Path> artifact, boolean mayReuse) {
        StackDeployer deployer = new StackDeployer(clients.cloudFormation(), clients.s3(), Duration.ofMillis(100),
                Duration.ofMinutes(2), message -> { });
        Optional<StackDeployer.Result> existing = mayReuse
                ? reusable(template, clients, deployer, stackName, parameters) : Optional.empty();
        StackDeployer.Result result = existing.orElseGet(() -> deployer.deploy(new StackDeployer.Deployment(stackName,
                template, artifact.get(), codeBucket, parameters, true)));
        return new Deployed(result, deployer.physicalIds(stackName), existing.isPresent());
    }

    /**
     * The stack as the emulator holds it, if it is settled and was deployed from this template.
     * This run's parameters replace the stored ones: the local handlers take theirs from here.
     */
    private static Optional<StackDeployer.Result> reusable(Template template, AwsClients clients, StackDeployer deployer,
                                                           String stackName, Map<String, String> given) {
        Optional<Stack> stack = deployer.describe(stackName)
                .filter(s -> s.stackStatus() == StackStatus.CREATE_COMPLETE || s.stackStatus() == StackStatus.UPDATE_COMPLETE);
        if (stack.isEmpty()) {
            return Optional.empty();
        }
        String deployedBody = clients.cloudFormation().getTemplate(r -> r.stackName(stackName)).templateBody();
        if (!template.body().equals(deployedBody)) {
            System.err.println("[local stack] the template changed since stack " + stackName
                    + " was deployed in the kept emulator: updating it");
            return Optional.empty();
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        stack.get().parameters().forEach(p -> parameters.put(p.parameterKey(), p.parameterValue()));
        // A parameter that decides which resources exist (AuthMode) must match the stack's; NoEcho
        // values come back masked and cannot be compared.
        for (Map.Entry<String, String> parameter : given.entrySet()) {
            Template.Parameter declared = template.parameters().get(parameter.getKey());
            if (declared != null && !declared.noEcho() && parameters.containsKey(parameter.getKey())
                    && !parameters.get(parameter.getKey()).equals(parameter.getValue())) {
                System.err.println("[local stack] parameter " + parameter.getKey() + " changed since stack " + stackName
                        + " was deployed in the kept emulator: updating it");
                return Optional.empty();
            }
        }
        parameters.putAll(given);
        return Optional.of(new StackDeployer.Result(stackName, stack.get().stackId(), stack.get().stackStatus(),
                deployer.outputs(stackName), parameters.getOrDefault("CodeKey", ""), parameters, false));
    }
}
