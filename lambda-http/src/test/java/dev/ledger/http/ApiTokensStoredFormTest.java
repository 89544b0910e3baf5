package dev.ledger.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ledger.http.ApiTokens.Grant;
import dev.ledger.http.ApiTokens.StoredToken;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** The stored form of the API tokens: digests, names and roles, never a token; refused whole when broken. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ApiTokensStoredFormTest {

    private static final String TOKEN = "payments-3q2+7wAAAAAAAAAAAAAAAAAAAAAA";
    /** SHA-256 of "abc", FIPS 180-2's test vector. */
    private static final String ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    @Test
    void a_digest_is_the_lowercase_hex_sha_256_of_the_tokens_utf_8_bytes() {
        assertThat(ApiTokens.sha256Hex("abc")).isEqualTo(ABC);
    }

    @Test
    void the_stored_form_holds_name_role_and_digest_and_never_the_token() {
        String stored = ApiTokens.storedForm(List.of(StoredToken.of("ci", Role.PAYMENTS, TOKEN)));

        assertThat(stored).isEqualTo("{\"tokens\":[{\"name\":\"ci\",\"role\":\"payments\",\"sha256\":\""
                + ApiTokens.sha256Hex(TOKEN) + "\"}]}");
        assertThat(stored).doesNotContain(TOKEN);
    }

    @Test
    void tokens_read_back_from_the_stored_form_accept_the_token_and_name_its_caller() {
        ApiTokens tokens = ApiTokens.of(ApiTokens.readStored(ApiTokens.storedForm(List.of(
                StoredToken.of("ci", Role.PAYMENTS, TOKEN), StoredToken.of("audit-team", Role.AUDITOR, "other")))));

        assertThat(tokens.find(TOKEN)).contains(new StoredToken("ci", Role.PAYMENTS, ApiTokens.sha256Hex(TOKEN)));
        assertThat(tokens.roleOf("other")).contains(Role.AUDITOR);
        assertThat(tokens.find(TOKEN + "x")).isEmpty();
        assertThat(tokens.find(ApiTokens.sha256Hex(TOKEN))).as("the digest is not a token").isEmpty();
    }

    @Test
    void an_empty_list_is_the_stored_form_of_a_new_stack_and_accepts_nothing() {
        assertThat(ApiTokens.readStored(ApiTokens.EMPTY_STORED_FORM)).isEmpty();
        assertThat(ApiTokens.of(List.of()).find(TOKEN)).isEmpty();
    }

    @Test
    void fields_a_later_version_adds_are_ignored() {
        String later = "{\"version\":2,\"tokens\":[{\"name\":\"ci\",\"role\":\"operator\",\"sha256\":\"" + ABC
                + "\",\"issuedAt\":\"2026-11-30T00:00:00Z\"}]}";

        assertThat(ApiTokens.readStored(later)).containsExactly(new StoredToken("ci", Role.OPERATOR, ABC));
    }

    @Test
    void a_broken_document_is_refused_whole_without_quoting_it() {
        List<String> broken = List.of(
                "not json " + TOKEN,
                "[]",
                "{\"tokens\":{}}",
                "{\"tokens\":[{\"name\":\"ci\",\"role\":\"payments\"}]}",
                "{\"tokens\":[{\"name\":\"ci\",\"role\":\"root\",\"sha256\":\"" + ABC + "\"}]}",
                "{\"tokens\":[{\"name\":\"ci\",\"role\":\"payments\",\"sha256\":\"" + ABC.toUpperCase() + "\"}]}",
                "{\"tokens\":[{\"name\":\"ci\",\"role\":\"payments\",\"sha256\":\"" + TOKEN + "\"}]}",
                "{\"tokens\":[{\"name\":\"a b\",\"role\":\"payments\",\"sha256\":\"" + ABC + "\"}]}",
                "{\"tokens\":[{\"name\":\"ci\",\"role\":\"payments\",\"sha256\":\"" + ABC + "\"},"
                        + "{\"name\":\"ci\",\"role\":\"auditor\",\"sha256\":\"" + ApiTokens.sha256Hex("x") + "\"}]}",
                "{\"tokens\":[{\"name\":\"a\",\"role\":\"payments\",\"sha256\":\"" + ABC + "\"},"
                        + "{\"name\":\"b\",\"role\":\"operator\",\"sha256\":\"" + ABC + "\"}]}");
        for (String document : broken) {
            assertThatThrownBy(() -> ApiTokens.readStored(document)).as(document)
                    .isInstanceOf(IllegalArgumentException.class)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain(TOKEN, ABC, ABC.toUpperCase()))
                    .hasNoCause();
        }
    }

    @Test
    void tokens_in_the_clear_are_named_after_their_role_and_numbered_within_it() {
        List<StoredToken> named = ApiTokens.named(List.of(new Grant("a", Role.PAYMENTS), new Grant("b", Role.AUDITOR),
                new Grant("c", Role.PAYMENTS)));

        assertThat(named).extracting(StoredToken::name).containsExactly("payments", "auditor", "payments-2");
        assertThat(named).extracting(StoredToken::name).allMatch(ApiTokens::namedByRole);
        assertThat(List.of("ci", "payments-", "payments-0", "payments-x", "paymentsx", "root"))
                .noneMatch(ApiTokens::namedByRole);
        assertThat(ApiTokens.parse("a=payments,c=payments").authenticate(new HttpRequest("GET", "/x",
                Map.of("Authorization", "Bearer c"), Map.of(), null, "r-1"))
                .subject()).isEqualTo("payments-2");
    }
}
