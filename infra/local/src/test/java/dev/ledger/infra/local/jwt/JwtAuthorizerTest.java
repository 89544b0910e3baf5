package dev.ledger.infra.local.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The JWT checks without HTTP: keys given as a parsed JWKS, the clock pinned. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class JwtAuthorizerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
    private static final long EPOCH = NOW.getEpochSecond();
    private static final String ISSUER = "https://issuer.example";
    private static final KeyPair KEY = rsa(2048);

    private final JwtAuthorizer authorizer = new JwtAuthorizer(ISSUER, List.of("api"),
            JsonWebKeys.parse(jwks(jwk(KEY, "k1", "RS256"))), Clock.fixed(NOW, ZoneOffset.UTC));

    @Nested
    class Lifetimes {

        @Test
        void accepts_a_token_until_the_skew_has_passed_after_exp_and_not_at_that_second() {
            assertThat(allowed(claims(Map.of("exp", EPOCH - 29)))).isTrue();
            assertThat(allowed(claims(Map.of("exp", EPOCH - 30)))).isFalse();
        }

        @Test
        void accepts_nbf_and_iat_up_to_the_skew_ahead_and_not_beyond() {
            assertThat(allowed(claims(Map.of("nbf", EPOCH + 30)))).isTrue();
            assertThat(allowed(claims(Map.of("nbf", EPOCH + 31)))).isFalse();
            assertThat(allowed(claims(Map.of("iat", EPOCH + 30)))).isTrue();
            assertThat(allowed(claims(Map.of("iat", EPOCH + 31)))).isFalse();
        }
    }

    @Nested
    class Claims_as_the_function_sees_them {

        @Test
        void renders_every_claim_as_a_string_lists_in_brackets() {
            Map<String, Object> claims = claims(Map.of("cognito:groups", List.of("ledger-auditor", "staff"),
                    "email_verified", true, "auth_time", 1_767_225_600L, "ratio", 1.5, "address", Map.of("b", 2, "a", "x")));
            JwtAuthorizer.Allowed allowed = allow(authorizer.authorize("Bearer " + sign(claims)));
            assertThat(allowed.claims()).containsEntry("cognito:groups", "[ledger-auditor staff]")
                    .containsEntry("email_verified", "true").containsEntry("auth_time", "1767225600")
                    .containsEntry("ratio", "1.5").containsEntry("address", "map[a:x b:2]")
                    .containsEntry("exp", Long.toString(EPOCH + 600)).containsEntry("iss", ISSUER);
        }

        @Test
        void takes_the_scopes_from_scope_or_scp() {
            assertThat(allow(authorizer.authorize(sign(claims(Map.of("scope", "ledger/payments openid"))))).scopes())
                    .containsExactly("ledger/payments", "openid");
            assertThat(allow(authorizer.authorize(sign(claims(Map.of("scp", List.of("a", "b")))))).scopes())
                    .containsExactly("a", "b");
        }
    }

    @Nested
    class Refusals {

        @Test
        void name_the_check_and_never_repeat_the_token() {
            String token = sign(claims(Map.of("iss", "https://evil.example/secret-marker")));
            JwtAuthorizer.Decision decision = authorizer.authorize("Bearer " + token);
            assertThat(decision).isInstanceOfSatisfying(JwtAuthorizer.Refused.class, refused -> {
                assertThat(refused.reason()).isEqualTo("the token does not have a valid issuer");
                assertThat(refused.reason()).doesNotContain("secret-marker").doesNotContain(token.substring(0, 20));
            });
        }

        @Test
        void an_authorizer_needs_an_issuer_and_an_audience() {
            assertThatThrownBy(() -> new JwtAuthorizer("", List.of("api"), JsonWebKeys.parse(jwks()), Clock.systemUTC()))
                    .hasMessageContaining("issuer");
            assertThatThrownBy(() -> new JwtAuthorizer(ISSUER, List.of(), JsonWebKeys.parse(jwks()), Clock.systemUTC()))
                    .hasMessageContaining("audience");
        }
    }

    @Nested
    class Key_sets {

        @Test
        void keep_only_rsa_signing_keys_of_2048_bits_or_more_with_one_key_per_kid() {
            KeyPair other = rsa(2048);
            JsonWebKeys keys = JsonWebKeys.parse(jwks(jwk(KEY, "good", null), jwk(rsa(1024), "short", null),
                    with(jwk(KEY, "encryption", null), "use", "enc"), with(jwk(KEY, "ec", null), "kty", "EC"),
                    jwk(KEY, "twice", null), jwk(other, "twice", null), with(jwk(KEY, "hmac", null), "alg", "HS256")));
            assertThat(keys.byKid()).containsOnlyKeys("good");
            assertThat(keys.key("good", "RS512")).isPresent();
        }

        @Test
        void hold_a_key_to_the_algorithm_its_jwk_names() {
            JsonWebKeys keys = JsonWebKeys.parse(jwks(jwk(KEY, "k1", "RS256")));
            assertThat(keys.key("k1", "RS256")).isPresent();
            assertThat(keys.key("k1", "RS384")).isEmpty();
        }

        @Test
        void are_fetched_over_https_or_plain_http_to_this_machine_only() {
            assertThat(OpenIdKeys.allowed("https://cognito-idp.eu-west-1.amazonaws.com/p", "x")).isNotNull();
            assertThat(OpenIdKeys.allowed("http://127.0.0.1:8081", "x")).isNotNull();
            assertThat(OpenIdKeys.allowed("http://localhost:8081/realms/r", "x")).isNotNull();
            for (String url : List.of("http://issuer.example", "ftp://127.0.0.1/x", "https://user@issuer.example",
                    "http://127.0.0.1.example.com", "/relative", "https:///no-host")) {
                assertThatThrownBy(() -> OpenIdKeys.allowed(url, "jwks_uri")).as(url).hasMessageContaining("https");
            }
        }
    }

    // ----------------------------------------------------------------------------------------

    private boolean allowed(Map<String, Object> claims) {
        return authorizer.authorize("Bearer " + sign(claims)) instanceof JwtAuthorizer.Allowed;
    }

    private static JwtAuthorizer.Allowed allow(JwtAuthorizer.Decision decision) {
        assertThat(decision).isInstanceOf(JwtAuthorizer.Allowed.class);
        return (JwtAuthorizer.Allowed) decision;
    }

    private static Map<String, Object> claims(Map<String, Object> changes) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", ISSUER);
        claims.put("aud", "api");
        claims.put("iat", EPOCH - 60);
        claims.put("exp", EPOCH + 600);
        claims.putAll(changes);
        return claims;
    }

    private static String sign(Map<String, Object> claims) {
        try {
            String input = b64(JSON.writeValueAsBytes(Map.of("alg", "RS256", "kid", "k1"))) + "."
                    + b64(JSON.writeValueAsBytes(claims));
            Signature signer = Signature.getInstance("SHA256withRSA");
            signer.initSign(KEY.getPrivate());
            signer.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + b64(signer.sign());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @SafeVarargs
    private static JsonNode jwks(Map<String, Object>... keys) {
        return JSON.valueToTree(Map.of("keys", List.of(keys)));
    }

    private static Map<String, Object> jwk(KeyPair pair, String kid, String algorithm) {
        RSAPublicKey key = (RSAPublicKey) pair.getPublic();
        Map<String, Object> jwk = new LinkedHashMap<>();
        jwk.put("kty", "RSA");
        jwk.put("kid", kid);
        if (algorithm != null) {
            jwk.put("alg", algorithm);
        }
        jwk.put("n", b64(unsigned(key.getModulus())));
        jwk.put("e", b64(unsigned(key.getPublicExponent())));
        return jwk;
    }

    private static Map<String, Object> with(Map<String, Object> jwk, String name, String value) {
        jwk.put(name, value);
        return jwk;
    }

    private static byte[] unsigned(BigInteger value) {
        byte[] bytes = value.toByteArray();
        return bytes[0] == 0 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
    }

    private static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static KeyPair rsa(int bits) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(bits);
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
