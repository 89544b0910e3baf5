package dev.ledger.infra.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ledger.http.ApiTokens;
import dev.ledger.http.Role;
import dev.ledger.infra.TokenSecret;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./ledger tokens} against a stack on the emulator: the stack is found by name (or from a
 * local stack's state file), its secret from its output {@value TokenSecret#OUTPUT}, and only digests
 * are written there. The stack here has nothing but that output; the secret is created as the local
 * stack creates it (moto's CloudFormation cannot).
 */
@ExtendWith(LocalAwsExtension.class)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TokensMainIT {

    private final AwsClients aws;
    private final TestNames names;
    private String stack;
    private String secret;

    TokensMainIT(AwsClients aws, TestNames names) {
        this.aws = aws;
        this.names = names;
    }

    @BeforeEach
    void aStackWithAnEmptyTokenSecret() {
        stack = names.stack("tokens-" + System.nanoTime());
        secret = stack + "/api-token-digests";
        aws.secretsManager().createSecret(r -> r.name(secret).secretString(ApiTokens.EMPTY_STORED_FORM));
        String template = """
                Resources:
                  Placeholder:
                    Type: AWS::SQS::Queue
                Outputs:
                  ApiTokenSecretId:
                    Value: %s
                """.formatted(secret);
        aws.cloudFormation().createStack(r -> r.stackName(stack).templateBody(template));
    }

    @Test
    void issue_prints_the_new_token_once_and_stores_only_its_digest_name_and_role() {
        Run issued = tokens("issue", "--role", "payments", "--name", "checkout-service");

        assertThat(issued.exitCode()).as(issued.err()).isEqualTo(TokensMain.OK);
        String token = issued.out().strip();
        assertThat(token).startsWith("payments-").hasSizeGreaterThan(40);
        assertThat(issued.err()).contains("issued checkout-service (payments)").doesNotContain(token);
        String stored = storedValue();
        assertThat(stored).doesNotContain(token).contains(ApiTokens.sha256Hex(token));
        assertThat(ApiTokens.of(ApiTokens.readStored(stored)).find(token))
                .hasValueSatisfying(t -> assertThat(t.name()).isEqualTo("checkout-service"))
                .hasValueSatisfying(t -> assertThat(t.role()).isEqualTo(Role.PAYMENTS));
    }

    @Test
    void list_shows_names_and_roles_and_never_a_token_or_digest() {
        String payments = tokens("issue", "--role", "payments", "--name", "checkout-service").out().strip();
        String auditor = tokens("issue", "--role", "auditor", "--name", "audit.team").out().strip();

        Run listed = tokens("list");

        assertThat(listed.exitCode()).as(listed.err()).isEqualTo(TokensMain.OK);
        assertThat(listed.out().lines().map(String::strip).toList()).containsExactly(
                "checkout-service         payments", "audit.team               auditor");
        assertThat(listed.out()).doesNotContain(payments, auditor, ApiTokens.sha256Hex(payments),
                ApiTokens.sha256Hex(auditor));
    }

    @Test
    void revoke_removes_the_named_token_and_keeps_the_others() {
        tokens("issue", "--role", "payments", "--name", "one");
        String kept = tokens("issue", "--role", "operator", "--name", "two").out().strip();

        Run revoked = tokens("revoke", "--name", "one");

        assertThat(revoked.exitCode()).as(revoked.err()).isEqualTo(TokensMain.OK);
        assertThat(revoked.err()).contains("revoked one");
        assertThat(ApiTokens.readStored(storedValue())).extracting(ApiTokens.StoredToken::name).containsExactly("two");
        assertThat(ApiTokens.of(ApiTokens.readStored(storedValue())).roleOf(kept)).contains(Role.OPERATOR);
        assertThat(tokens("revoke", "--name", "one").exitCode()).as("no such token any more").isEqualTo(TokensMain.REFUSED);
    }

    @Test
    void a_name_taken_a_malformed_name_or_an_unknown_role_is_refused_and_nothing_changes() {
        tokens("issue", "--role", "payments", "--name", "ci");
        String before = storedValue();

        for (List<String> refused : List.of(List.of("--role", "auditor", "--name", "ci"),
                List.of("--role", "payments", "--name", "two words"),
                List.of("--role", "payments", "--name", ".starts-with-a-dot"),
                List.of("--role", "root", "--name", "admin"))) {
            List<String> args = new ArrayList<>(List.of("issue"));
            args.addAll(refused);
            Run run = tokens(args.toArray(String[]::new));
            assertThat(run.exitCode()).as(refused + ": " + run.err()).isEqualTo(TokensMain.REFUSED);
            assertThat(run.out()).as(refused.toString()).isEmpty();
        }
        assertThat(storedValue()).isEqualTo(before);
    }

    @Test
    void a_stack_that_does_not_exist_is_exit_code_2() {
        Run run = TokensMainIT.run("list", "--endpoint", aws.endpoint().toString(), "--stack-name", stack + "-absent");

        assertThat(run.exitCode()).isEqualTo(TokensMain.UNREACHABLE);
        assertThat(run.err()).contains("cannot reach stack " + stack + "-absent");
    }

    @Test
    void without_options_the_running_local_stack_of_the_state_file_is_the_target(@TempDir Path directory)
            throws IOException {
        Path stateFile = directory.resolve("local.json");
        // A state file as ./ledger local writes it, naming this (live) process.
        new ObjectMapper().writeValue(stateFile.toFile(), Map.of("pid", ProcessHandle.current().pid(),
                "emulatorEndpoint", aws.endpoint().toString(), "region", AwsClients.REGION.id(), "stackName", stack));

        Run issued = TokensMainIT.run("issue", "--role", "operator", "--name", "on-call", "--state-file", stateFile.toString());

        assertThat(issued.exitCode()).as(issued.err()).isEqualTo(TokensMain.OK);
        assertThat(issued.err()).contains("stack " + stack + " (the running ./ledger local)");
        assertThat(ApiTokens.readStored(storedValue())).extracting(ApiTokens.StoredToken::name).containsExactly("on-call");
    }

    // ----------------------------------------------------------------------------------------

    private record Run(int exitCode, String out, String err) {
    }

    private String storedValue() {
        return aws.secretsManager().getSecretValue(r -> r.secretId(secret)).secretString();
    }

    /** A command against this test's stack on the emulator. */
    private Run tokens(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--endpoint", aws.endpoint().toString(), "--stack-name", stack));
        return run(all.toArray(String[]::new));
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = TokensMain.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }
}
