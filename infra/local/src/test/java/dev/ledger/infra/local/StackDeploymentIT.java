package dev.ledger.infra.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.infra.Template;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A stack kept in the emulator (a restart on a data directory) is reused only when this run asks for
 * the same stack: when a parameter that decides which resources exist, such as AuthMode, changed
 * since, the stack is updated instead, and the run takes its parameters from this deployment.
 */
@ExtendWith(LocalAwsExtension.class)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class StackDeploymentIT {

    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable closeable : opened) {
            closeable.close();
        }
    }

    @Test
    void a_kept_stack_is_updated_not_reused_when_the_auth_mode_changed(AwsClients aws, TestNames names) {
        Template template = Template.bundled();
        String stack = names.stack("auth-switch");
        String bucket = names.bucket("code");
        Path artifact = FunctionArtifact.find(template, opened::add);
        Map<String, String> tokens = Map.of("Stage", "local", "AuthMode", "tokens");
        Map<String, String> jwt = Map.of("Stage", "local", "AuthMode", "jwt",
                "JwtIssuer", "http://127.0.0.1:1", "JwtAudience", "api");

        StackDeployment.Deployed first = StackDeployment.deployOrReuse(template, aws, stack, bucket, tokens, () -> artifact, true);
        assertThat(first.physicalIds()).containsKey("TokenAuthorizerFunction");

        StackDeployment.Deployed again = StackDeployment.deployOrReuse(template, aws, stack, bucket, tokens, () -> artifact, true);
        assertThat(again.reused()).isTrue();

        StackDeployment.Deployed switched = StackDeployment.deployOrReuse(template, aws, stack, bucket, jwt, () -> artifact, true);
        assertThat(switched.reused()).isFalse();
        assertThat(switched.result().parameters()).containsEntry("AuthMode", "jwt");
        // What the local stack runs follows the parameters: the token authorizer is not loaded. moto
        // 5.2.1 itself keeps a resource whose Condition an update turned false (measured here), which
        // is why the parameters, not the emulator's resource list, decide.
        assertThat(template.isCreated("TokenAuthorizerFunction", switched.result().parameters())).isFalse();
        assertThat(switched.physicalIds()).containsKey("CommandApiFunction");

        StackDeployment.Deployed back = StackDeployment.deployOrReuse(template, aws, stack, bucket, tokens, () -> artifact, true);
        assertThat(back.reused()).isFalse();
        assertThat(back.result().parameters()).containsEntry("AuthMode", "tokens");
        assertThat(back.physicalIds()).containsKey("TokenAuthorizerFunction");
    }
}
