package dev.ledger.infra.local.jwt;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What API Gateway's JWT authorizer does for an HTTP API route, on this machine. The identity
 * source holds the token, bare or after {@code Bearer }; it is decoded, its signature checked with
 * the issuer's published key its {@code kid} names (RSA only: RS256, RS384, RS512), then its claims:
 * {@code iss} exactly the configured issuer, {@code aud} (or {@code client_id} when there is no
 * {@code aud}, as in Amazon Cognito's access tokens) among the audiences, {@code exp} after now,
 * {@code nbf} and {@code iat} not after now. Any failure refuses the token, which API Gateway
 * answers 401 {"message":"Unauthorized"}; which check failed goes only into the
 * {@code www-authenticate} header's error_description, as API Gateway puts it, never the token.
 *
 * <p>Choices where API Gateway's documentation is silent: a clock skew of {@link #SKEW} either way on
 * exp, nbf and iat; tokens over {@link #MAX_TOKEN_CHARS} characters refused before decoding; exp
 * required and every time claim a JSON number; base64url without padding, and JSON with no repeated
 * member, as RFC 7515 asks; a header with {@code crit} refused (no extension is understood here).
 */
public final class JwtAuthorizer {

    /** The clock skew allowed on exp, nbf and iat, either way. */
    public static final Duration SKEW = Duration.ofSeconds(30);
    /** API Gateway takes request lines and headers up to 10,240 bytes together; a token alone gets 8 KiB here. */
    public static final int MAX_TOKEN_CHARS = 8 * 1024;
    static final Map<String, String> ALGORITHMS = Map.of("RS256", "SHA256withRSA", "RS384", "SHA384withRSA",
            "RS512", "SHA512withRSA");
    private static final Pattern BASE64URL = Pattern.compile("[A-Za-z0-9_-]*");
    private static final String BEARER = "bearer ";

    /** What the authorizer made of a token: {@link Allowed} or {@link Refused}. */
    public sealed interface Decision permits Allowed, Refused {
    }

    /** A token accepted: its claims as API Gateway passes them to the function, and its scopes. */
    public record Allowed(Map<String, String> claims, List<String> scopes) implements Decision {
        public Allowed {
            claims = Map.copyOf(claims);
            scopes = List.copyOf(scopes);
        }
    }

    /** Why a token was refused: a fixed phrase naming the check, never anything from the token. */
    public record Refused(String reason) implements Decision {
    }

    private final String issuer;
    private final List<String> audiences;
    private final SigningKeys keys;
    private final Clock clock;

    JwtAuthorizer(String issuer, List<String> audiences, SigningKeys keys, Clock clock) {
        this.issuer = Objects.requireNonNull(issuer);
        this.audiences = List.copyOf(audiences);
        this.keys = keys;
        this.clock = clock;
        if (issuer.isBlank() || this.audiences.isEmpty() || this.audiences.stream().anyMatch(String::isBlank)) {
            throw new IllegalArgumentException("A JWT authorizer needs an issuer and at least one audience");
        }
    }

    /**
     * An authorizer for tokens of this issuer, its keys fetched from the issuer's discovery document.
     *
     * @param clock what "now" is for exp, nbf and iat, and for the key cache
     */
    public static JwtAuthorizer forIssuer(String issuer, List<String> audiences, Clock clock) {
        return new JwtAuthorizer(issuer, audiences, new OpenIdKeys(issuer, clock), clock);
    }

    public String issuer() {
        return issuer;
    }

    public List<String> audiences() {
        return audiences;
    }

    /** Checks the identity source's value (the Authorization header). */
    public Decision authorize(String identity) {
        String token = identity.strip();
        if (token.length() > MAX_TOKEN_CHARS) {
            return new Refused("the token is too large");
        }
        if (token.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            token = token.substring(BEARER.length()).strip();
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty() || parts[2].isEmpty()) {
            return new Refused("the token is not a signed JWT");
        }
        Optional<byte[]> headerBytes = base64url(parts[0]);
        Optional<byte[]> payloadBytes = base64url(parts[1]);
        Optional<byte[]> signature = base64url(parts[2]);
        if (headerBytes.isEmpty() || payloadBytes.isEmpty() || signature.isEmpty()) {
            return new Refused("the token is not base64url encoded");
        }
        Optional<JsonNode> header = JwtJson.read(headerBytes.get());
        if (header.isEmpty()) {
            return new Refused("the token header is not a JSON object");
        }
        String algorithm = header.get().path("alg").asText("");
        if (!header.get().path("alg").isTextual() || !ALGORITHMS.containsKey(algorithm)) {
            return new Refused("the token's signing algorithm is not supported");
        }
        if (header.get().has("crit")) {
            return new Refused("the token header names critical extensions");
        }
        if (!header.get().path("kid").isTextual()) {
            return new Refused("the token names no signing key");
        }
        Optional<RSAPublicKey> key = keys.key(header.get().path("kid").asText(), algorithm);
        if (key.isEmpty()) {
            return new Refused("the token's signing key is not the issuer's");
        }
        if (!verifies(algorithm, key.get(), parts[0] + "." + parts[1], signature.get())) {
            return new Refused("the token's signature is invalid");
        }
        Optional<JsonNode> claims = JwtJson.read(payloadBytes.get());
        if (claims.isEmpty()) {
            return new Refused("the token's claims are not a JSON object");
        }
        return checkClaims(claims.get());
    }

    private Decision checkClaims(JsonNode claims) {
        if (!claims.path("iss").isTextual() || !claims.path("iss").asText().equals(issuer)) {
            return new Refused("the token does not have a valid issuer");
        }
        if (!hasAudience(claims)) {
            return new Refused("the token does not have a valid audience");
        }
        long now = clock.instant().getEpochSecond();
        long skew = SKEW.toSeconds();
        JsonNode exp = claims.get("exp");
        if (exp == null || !exp.isNumber()) {
            return new Refused("the token has no valid exp");
        }
        if (now >= exp.asDouble() + skew) {
            return new Refused("the token has expired");
        }
        JsonNode nbf = claims.get("nbf");
        if (nbf != null && (!nbf.isNumber() || nbf.asDouble() > now + skew)) {
            return new Refused("the token is not valid yet");
        }
        JsonNode iat = claims.get("iat");
        if (iat != null && (!iat.isNumber() || iat.asDouble() > now + skew)) {
            return new Refused("the token was issued in the future");
        }
        return new Allowed(ClaimText.render(claims), scopes(claims));
    }

    /** {@code aud} when present (a string or a list of strings); {@code client_id} only when it is not. */
    private boolean hasAudience(JsonNode claims) {
        JsonNode aud = claims.get("aud");
        if (aud != null) {
            if (aud.isTextual()) {
                return audiences.contains(aud.asText());
            }
            if (aud.isArray()) {
                for (JsonNode entry : aud) {
                    if (entry.isTextual() && audiences.contains(entry.asText())) {
                        return true;
                    }
                }
            }
            return false;
        }
        JsonNode clientId = claims.get("client_id");
        return clientId != null && clientId.isTextual() && audiences.contains(clientId.asText());
    }

    /** The token's scopes: {@code scope} (space separated) or {@code scp} (a list or a string). */
    private static List<String> scopes(JsonNode claims) {
        JsonNode scope = claims.has("scope") ? claims.get("scope") : claims.path("scp");
        List<String> scopes = new ArrayList<>();
        if (scope.isTextual()) {
            for (String value : scope.asText().split(" ")) {
                if (!value.isEmpty()) {
                    scopes.add(value);
                }
            }
        } else if (scope.isArray()) {
            scope.forEach(value -> {
                if (value.isTextual()) {
                    scopes.add(value.asText());
                }
            });
        }
        return scopes;
    }

    private static boolean verifies(String algorithm, RSAPublicKey key, String signingInput, byte[] signature) {
        // An RSA signature is exactly as long as the modulus (RFC 8017, 8.2.2).
        if (signature.length != (key.getModulus().bitLength() + 7) / 8) {
            return false;
        }
        try {
            Signature verifier = Signature.getInstance(ALGORITHMS.get(algorithm));
            verifier.initVerify(key);
            verifier.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** base64url without padding (RFC 7515, section 2); anything else is not a JWS part. */
    private static Optional<byte[]> base64url(String part) {
        if (!BASE64URL.matcher(part).matches() || part.length() % 4 == 1) {
            return Optional.empty();
        }
        try {
            return Optional.of(Base64.getUrlDecoder().decode(part));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return "JwtAuthorizer[issuer=" + issuer + ", audiences=" + audiences + "]";
    }
}
