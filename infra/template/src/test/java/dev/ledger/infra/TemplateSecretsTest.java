package dev.ledger.infra;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.http.ApiTokens;
import dev.ledger.http.Role;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * No plaintext secret in the template (issue 15): the project's template passes {@link TemplateSecrets},
 * and altered copies of it, each with one way a secret used to get (or could get) into it, do not.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TemplateSecretsTest {

    private static final String TOKEN = GeneratedTokens.forRole(Role.PAYMENTS);
    private static final String AUTHORIZER_VARIABLES = "          LEDGER_API_TOKEN_SECRET:";

    private final Template template = Template.bundled();

    @Test
    void the_project_template_carries_no_plaintext_secret() {
        assertThat(TemplateSecrets.findings(template)).isEmpty();
    }

    @Test
    void the_token_secret_starts_with_no_token_and_the_authorizer_gets_only_its_id() {
        assertThat(ApiTokens.readStored(template.resource("ApiTokenSecret").property("SecretString").asText())).isEmpty();
        assertThat(template.function("TokenAuthorizerFunction").environment().keySet())
                .filteredOn(name -> name.contains("TOKEN"))
                .containsExactlyInAnyOrder("LEDGER_API_TOKEN_SECRET", "LEDGER_API_TOKEN_CACHE_SECONDS");
    }

    @Test
    void finds_the_tokens_parameter_and_variable_of_old_put_back() {
        Template altered = altered(
                "Parameters:\n", """
                Parameters:
                  ApiTokens:
                    Type: String
                    NoEcho: true
                """,
                AUTHORIZER_VARIABLES, "          LEDGER_API_TOKENS: !Ref ApiTokens\n" + AUTHORIZER_VARIABLES);

        assertThat(TemplateSecrets.findings(altered)).containsExactlyInAnyOrder(
                "parameter ApiTokens is NoEcho: the template takes a secret",
                "parameter ApiTokens is named like a secret",
                "TokenAuthorizerFunction variable LEDGER_API_TOKENS takes parameter ApiTokens, which carries a secret",
                "TokenAuthorizerFunction variable LEDGER_API_TOKENS is named like a secret and holds something other than"
                        + " a number or a secret's id");
    }

    @Test
    void finds_a_token_written_into_a_variable() {
        Template altered = altered(AUTHORIZER_VARIABLES,
                "          LEDGER_API_TOKENS: \"" + TOKEN + "=payments\"\n" + AUTHORIZER_VARIABLES);

        assertThat(TemplateSecrets.findings(altered)).containsExactlyInAnyOrder(
                "TokenAuthorizerFunction variable LEDGER_API_TOKENS is named like a secret and holds something other than"
                        + " a number or a secret's id",
                "Resources.TokenAuthorizerFunction.Properties.Environment.Variables.LEDGER_API_TOKENS: a long run of"
                        + " mixed-case base64 (a generated token or key)");
    }

    @Test
    void finds_digests_passed_as_a_parameter_even_when_it_is_not_no_echo() {
        Template altered = altered(
                "Parameters:\n", "Parameters:\n  ApiTokenDigests:\n    Type: String\n",
                AUTHORIZER_VARIABLES, "          LEDGER_TOKEN_LIST: !Ref ApiTokenDigests\n" + AUTHORIZER_VARIABLES);

        assertThat(TemplateSecrets.findings(altered)).containsExactlyInAnyOrder(
                "parameter ApiTokenDigests is named like a secret",
                "TokenAuthorizerFunction variable LEDGER_TOKEN_LIST takes parameter ApiTokenDigests, which carries a secret",
                "TokenAuthorizerFunction variable LEDGER_TOKEN_LIST is named like a secret and holds something other than"
                        + " a number or a secret's id");
    }

    @Test
    void finds_a_token_digest_in_the_secrets_initial_value() {
        String stored = ApiTokens.storedForm(List.of(ApiTokens.StoredToken.of("ci", Role.PAYMENTS, TOKEN)));
        Template altered = altered("      SecretString: '{\"tokens\":[]}'", "      SecretString: '" + stored + "'");

        assertThat(TemplateSecrets.findings(altered)).containsExactlyInAnyOrder(
                "Resources.ApiTokenSecret.Properties.SecretString: 32 or more hex digits (a digest or key)",
                "ApiTokenSecret SecretString: its literal initial value holds something");
    }

    @Test
    void finds_a_plaintext_initial_value_of_a_secret() {
        Template altered = altered("      SecretString: '{\"tokens\":[]}'", "      SecretString: 'pay=payments'");

        assertThat(TemplateSecrets.findings(altered))
                .containsExactly("ApiTokenSecret SecretString: its literal initial value holds something");
    }

    @Test
    void finds_credential_shaped_literals_anywhere() {
        String jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjaSIsInNjb3BlIjoicGF5bWVudHMifQ.c2lnbmF0dXJl";
        // AWS's documentation examples of an access key pair.
        Template altered = altered(AUTHORIZER_VARIABLES, "          AWS_ACCESS_KEY_ID: AKIAIOSFODNN7EXAMPLE\n"
                + "          AWS_SECRET_ACCESS_KEY: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
                + "          SAMPLE_CALLER: \"" + jwt + "\"\n" + AUTHORIZER_VARIABLES);

        assertThat(TemplateSecrets.findings(altered)).containsExactlyInAnyOrder(
                "Resources.TokenAuthorizerFunction.Properties.Environment.Variables.AWS_ACCESS_KEY_ID: an AWS access key id",
                "TokenAuthorizerFunction variable AWS_SECRET_ACCESS_KEY is named like a secret and holds something other"
                        + " than a number or a secret's id",
                "Resources.TokenAuthorizerFunction.Properties.Environment.Variables.AWS_SECRET_ACCESS_KEY: a long run of"
                        + " mixed-case base64 (a generated token or key)",
                "Resources.TokenAuthorizerFunction.Properties.Environment.Variables.SAMPLE_CALLER: a JWT",
                "Resources.TokenAuthorizerFunction.Properties.Environment.Variables.SAMPLE_CALLER: a long run of"
                        + " mixed-case base64 (a generated token or key)");
    }

    @Test
    void finds_a_password_parameter() {
        Template altered = altered("Parameters:\n", "Parameters:\n  DatabasePassword:\n    Type: String\n"
                + "    Default: correct-horse\n");

        assertThat(TemplateSecrets.findings(altered)).containsExactly("parameter DatabasePassword is named like a secret");
    }

    @Test
    void lets_identifiers_of_keys_and_secrets_and_numeric_settings_through() {
        Template altered = altered("Parameters:\n", """
                Parameters:
                  KmsKeyId:
                    Type: String
                    Default: ""
                  TokenSecretArn:
                    Type: String
                    Default: ""
                """);

        assertThat(TemplateSecrets.findings(altered)).isEmpty();
    }

    /** The project's template with each {@code (from, to)} pair replaced, once each. */
    private Template altered(String... fromTo) {
        String body = template.body();
        for (int i = 0; i < fromTo.length; i += 2) {
            assertThat(body).as("the template has %s", fromTo[i]).containsOnlyOnce(fromTo[i]);
            body = body.replace(fromTo[i], fromTo[i + 1]);
        }
        return Template.parse(body);
    }
}
