package dev.ledger.localaws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LocalAwsExtensionTest {

    @Test
    void without_an_endpoint_variable_the_extension_starts_its_own_moto() {
        assertThat(LocalAwsExtension.externalEndpoint(Map.of())).isEmpty();
        assertThat(LocalAwsExtension.externalEndpoint(Map.of("LEDGER_AWS_ENDPOINT", "  "))).isEmpty();
    }

    @Test
    void an_endpoint_variable_names_the_emulator_to_use_instead() {
        assertThat(LocalAwsExtension.externalEndpoint(Map.of("LEDGER_AWS_ENDPOINT", "http://127.0.0.1:5000 ")))
                .contains(URI.create("http://127.0.0.1:5000"));
    }

    @Test
    void an_endpoint_variable_that_is_not_a_url_is_an_error_not_a_silent_fallback() {
        assertThatThrownBy(() -> LocalAwsExtension.externalEndpoint(Map.of("LEDGER_AWS_ENDPOINT", "localhost:5000")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("LEDGER_AWS_ENDPOINT");
    }
}
