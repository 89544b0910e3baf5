package dev.ledger.infra.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class DemoMainTest {

    @Test
    void the_defaults_are_a_workload_of_minutes_and_a_seeded_tag() {
        DemoMain.Options options = DemoMain.parse(new String[] {"--seed", "35"});

        assertThat(options.seed()).isEqualTo(35);
        assertThat(options.customers()).isEqualTo(200);
        assertThat(options.payments()).isEqualTo(1_000);
        assertThat(options.tag()).isEqualTo("demo-z");
        assertThat(options.stateFile()).isEqualTo(Path.of(".ledger", "demo.json"));
        assertThat(options.emulator()).isNull();
    }

    @Test
    void options_take_a_value_after_a_space_or_an_equals_sign_and_the_last_one_wins() {
        DemoMain.Options options = DemoMain.parse(new String[] {"--payments=10", "--customers", "8",
                "--state-file", "a.json", "--state-file=b.json", "--emulator", "http://127.0.0.1:5000",
                "--catch-up-timeout", "60", "--tag", "run-1"});

        assertThat(options.payments()).isEqualTo(10);
        assertThat(options.customers()).isEqualTo(8);
        assertThat(options.stateFile()).isEqualTo(Path.of("b.json"));
        assertThat(options.emulator()).isEqualTo(URI.create("http://127.0.0.1:5000"));
        assertThat(options.catchUpTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(options.tag()).isEqualTo("run-1");
    }

    @Test
    void without_a_seed_one_is_chosen_and_the_tag_follows_it() {
        DemoMain.Options options = DemoMain.parse(new String[0]);

        assertThat(options.tag()).isEqualTo("demo-" + Long.toUnsignedString(options.seed(), 36));
    }

    @Test
    void bad_options_are_refused_with_the_reason() {
        assertThatThrownBy(() -> DemoMain.parse(new String[] {"--payments", "many"}))
                .hasMessageContaining("--payments takes a number");
        assertThatThrownBy(() -> DemoMain.parse(new String[] {"--customers", "1"}))
                .hasMessageContaining("between 6 and");
        assertThatThrownBy(() -> DemoMain.parse(new String[] {"--tag", "a b"})).hasMessageContaining("--tag");
        assertThatThrownBy(() -> DemoMain.parse(new String[] {"--swap"})).hasMessageContaining("--swap");
        assertThatThrownBy(() -> DemoMain.parse(new String[] {"--help"})).isInstanceOf(DemoMain.HelpRequested.class);
    }

    @Test
    void percentiles_are_nearest_rank() {
        double[] sorted = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

        assertThat(LagSampler.percentile(sorted, 0.5)).isEqualTo(5);
        assertThat(LagSampler.percentile(sorted, 0.99)).isEqualTo(10);
        assertThat(LagSampler.percentile(new double[0], 0.5)).isNaN();
    }

    @Test
    void the_local_stack_it_starts_keeps_the_tokens_out_of_its_log() throws Exception {
        assertThat(DemoMain.localArguments(DemoMain.parse(new String[0]))).contains("--hide-tokens");

        Path log = java.nio.file.Files.createTempFile("demo-local", ".log");
        try {
            java.nio.file.Files.writeString(log, "tokens\n  payments tok-pay-123\nBearer tok-aud-456 ok\n");
            LocalStackProcess.redact(log, java.util.List.of("tok-pay-123", "tok-aud-456"));
            assertThat(java.nio.file.Files.readString(log)).doesNotContain("tok-pay-123", "tok-aud-456")
                    .contains("payments <redacted>", "Bearer <redacted> ok");
        } finally {
            java.nio.file.Files.deleteIfExists(log);
        }
    }

    @Test
    void the_script_s_start_and_build_time_come_from_the_environment_and_anything_else_is_unknown() {
        DemoMain.Launch launch = DemoMain.Launch.fromEnvironment(java.util.Map.of(DemoMain.INVOKED_AT_ENV, "100000",
                DemoMain.BUILD_SECONDS_ENV, "42.5"), 160_000);

        assertThat(launch.buildSeconds()).isEqualTo(42.5);
        assertThat(launch.beforeMainSeconds()).isEqualTo(60.0);
        assertThat(DemoMain.Launch.fromEnvironment(java.util.Map.of(), 160_000).beforeMainSeconds()).isNaN();
        assertThat(DemoMain.Launch.fromEnvironment(java.util.Map.of(DemoMain.INVOKED_AT_ENV, "soon"), 160_000)
                .beforeMainSeconds()).isNaN();
    }
}
