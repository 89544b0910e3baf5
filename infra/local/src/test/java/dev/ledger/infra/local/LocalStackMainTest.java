package dev.ledger.infra.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ledger.infra.GeneratedTokens;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class LocalStackMainTest {

    @Test
    void defaults_to_port_8080_and_generated_tokens() {
        LocalStack.Options options = LocalStackMain.parse(new String[0], Map.of());
        assertThat(options.port()).isEqualTo(8080);
        assertThat(options.apiTokens()).isEmpty();
        assertThat(options.scheduleInterval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(options.runEventSources()).isTrue();
    }

    @Test
    void can_leave_the_stream_consumers_out() {
        LocalStack.Options options = LocalStackMain.parse(new String[] {"--no-event-sources", "--port", "9090"}, Map.of());
        assertThat(options.runEventSources()).isFalse();
        assertThat(options.port()).isEqualTo(9090);
    }

    @Test
    void reads_options_in_both_spellings_and_tokens_from_the_environment() {
        LocalStack.Options options = LocalStackMain.parse(new String[] {"--port", "9090", "--state-file=/tmp/s.json",
                "--emulator", "http://127.0.0.1:5000", "--schedule-interval", "3"}, Map.of("LEDGER_API_TOKENS", "t=payments"));
        assertThat(options.port()).isEqualTo(9090);
        assertThat(options.stateFile()).contains(Path.of("/tmp/s.json"));
        assertThat(options.emulator()).contains(URI.create("http://127.0.0.1:5000"));
        assertThat(options.scheduleInterval()).isEqualTo(Duration.ofSeconds(3));
        assertThat(options.apiTokens()).contains("t=payments");
    }

    @Test
    void keeps_the_ledger_in_a_data_directory_only_when_asked_and_fresh_needs_one() {
        assertThat(LocalStackMain.parse(new String[0], Map.of()).dataDirectory()).isEmpty();
        LocalStack.Options kept = LocalStackMain.parse(new String[] {"--data-dir", ".ledger/data"}, Map.of());
        assertThat(kept.dataDirectory()).contains(Path.of(".ledger/data"));
        assertThat(kept.fresh()).isFalse();
        assertThat(LocalStackMain.parse(new String[] {"--data-dir=d", "--fresh"}, Map.of()).fresh()).isTrue();

        assertThatThrownBy(() -> LocalStackMain.parse(new String[] {"--fresh"}, Map.of()))
                .hasMessageContaining("--fresh needs --data-dir");
        assertThatThrownBy(() -> LocalStackMain.parse(new String[] {"--data-dir", "d", "--emulator", "http://127.0.0.1:5000"},
                Map.of())).hasMessageContaining("keeps its own");
    }

    @Test
    void turns_the_jwt_options_into_the_templates_auth_parameters() {
        assertThat(LocalStackMain.parse(new String[0], Map.of()).auth().templateParameters())
                .containsExactly(Map.entry("AuthMode", "tokens"));
        LocalStack.Options jwt = LocalStackMain.parse(new String[] {"--auth", "jwt", "--jwt-issuer",
                "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool", "--jwt-audience=client-a,client-b",
                "--role-claim", "cognito:groups", "--role-prefix", "ledger-"}, Map.of());
        assertThat(jwt.auth().templateParameters()).containsExactly(Map.entry("AuthMode", "jwt"),
                Map.entry("JwtIssuer", "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool"),
                Map.entry("JwtAudience", "client-a,client-b"), Map.entry("RoleClaim", "cognito:groups"),
                Map.entry("RoleValuePrefix", "ledger-"));

        assertThatThrownBy(() -> LocalStackMain.parse(new String[] {"--jwt-issuer", "https://i"}, Map.of()))
                .hasMessageContaining("need --auth jwt");
        assertThatThrownBy(() -> LocalStackMain.parse(new String[] {"--auth", "oauth"}, Map.of()))
                .hasMessageContaining("tokens or jwt");
    }

    @Test
    void the_token_lines_say_where_generated_tokens_are_kept() {
        java.util.List<LocalStack.ApiToken> tokens = java.util.List.of(new LocalStack.ApiToken("s3cret-pay", "payments"));
        String lines = String.join("\n", LocalStackMain.tokenLines(tokens, false, java.util.Optional.empty(),
                java.util.Optional.of(Path.of("/data")), false));
        assertThat(lines).contains("generated once, kept in /data/api-tokens", "s3cret-pay");
    }

    @Test
    void rejects_bad_ports_and_unknown_options() {
        assertThatThrownBy(() -> LocalStackMain.parse(new String[] {"--port", "eighty"}, Map.of()))
                .hasMessageContaining("--port takes a number");
        assertThatThrownBy(() -> LocalStackMain.parse(new String[] {"--port", "70000"}, Map.of()))
                .hasMessageContaining("between 0 and 65535");
        assertThatThrownBy(() -> LocalStackMain.parse(new String[] {"--colour", "red"}, Map.of()))
                .hasMessageContaining("unknown option --colour");
        assertThatThrownBy(() -> LocalStackMain.parse(new String[] {"--port"}, Map.of()))
                .hasMessageContaining("missing value");
    }

    @Test
    void generated_tokens_give_every_role_one_token_that_parses_back() {
        var tokens = LocalStack.parseTokens(GeneratedTokens.oneForEachRole());
        assertThat(tokens).extracting(LocalStack.ApiToken::role).containsExactly("payments", "auditor", "operator");
        assertThat(tokens).allSatisfy(t -> assertThat(t.token()).hasSizeGreaterThan(30).doesNotContain(",", "="));
        assertThat(tokens).extracting(LocalStack.ApiToken::token).doesNotHaveDuplicates();
    }

    @Test
    void hide_tokens_is_accepted_and_the_banner_then_names_the_state_file_instead_of_printing_them() {
        LocalStack.Options options = LocalStackMain.parse(new String[] {"--hide-tokens", "--port", "0"}, Map.of());
        assertThat(options.port()).isZero();
        assertThat(LocalStackMain.hidesTokens(new String[] {"--port", "0", "--hide-tokens"})).isTrue();
        java.util.List<LocalStack.ApiToken> tokens = java.util.List.of(new LocalStack.ApiToken("s3cret-pay", "payments"),
                new LocalStack.ApiToken("s3cret-aud", "auditor"));

        String hidden = String.join("\n", LocalStackMain.tokenLines(tokens, false,
                java.util.Optional.of(Path.of("/tmp/demo.json")), java.util.Optional.empty(), true));
        String shown = String.join("\n", LocalStackMain.tokenLines(tokens, false,
                java.util.Optional.of(Path.of("/tmp/demo.json")), java.util.Optional.empty(), false));

        assertThat(hidden).doesNotContain("s3cret").contains("/tmp/demo.json");
        assertThat(shown).contains("s3cret-pay", "s3cret-aud");
    }
}
