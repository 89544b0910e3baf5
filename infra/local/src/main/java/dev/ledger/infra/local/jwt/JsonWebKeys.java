package dev.ledger.infra.local.jwt;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The signing keys of one JWKS document (RFC 7517): RSA keys only, each usable for signatures
 * ({@code use} absent or {@code sig}), at least 2048 bits, with a key id. Anything else in the set
 * (EC keys, encryption keys, keys without a kid, short keys) is skipped: a token can only name a
 * key that passed here. Two keys with one kid make that kid unusable, since which one signed is
 * not knowable.
 */
record JsonWebKeys(Map<String, Entry> byKid) implements SigningKeys {

    static final int MIN_MODULUS_BITS = 2048;

    /** One usable key and the algorithm its JWK pins, if it names one. */
    record Entry(RSAPublicKey key, Optional<String> algorithm) {
    }

    JsonWebKeys {
        byKid = Map.copyOf(byKid);
    }

    static JsonWebKeys parse(JsonNode jwks) {
        Map<String, Entry> keys = new LinkedHashMap<>();
        Map<String, Boolean> ambiguous = new LinkedHashMap<>();
        for (JsonNode jwk : jwks.path("keys")) {
            if (!jwk.isObject() || !"RSA".equals(jwk.path("kty").asText()) || !jwk.path("kid").isTextual()) {
                continue;
            }
            if (jwk.has("use") && !"sig".equals(jwk.path("use").asText())) {
                continue;
            }
            Optional<String> algorithm = jwk.path("alg").isTextual() ? Optional.of(jwk.path("alg").asText()) : Optional.empty();
            if (algorithm.isPresent() && !JwtAuthorizer.ALGORITHMS.containsKey(algorithm.get())) {
                continue;
            }
            Optional<RSAPublicKey> key = rsaKey(jwk.path("n").asText(""), jwk.path("e").asText(""));
            if (key.isEmpty()) {
                continue;
            }
            String kid = jwk.path("kid").asText();
            if (keys.putIfAbsent(kid, new Entry(key.get(), algorithm)) != null) {
                ambiguous.put(kid, true);
            }
        }
        ambiguous.keySet().forEach(keys::remove);
        return new JsonWebKeys(keys);
    }

    @Override
    public Optional<RSAPublicKey> key(String kid, String algorithm) {
        Entry entry = byKid.get(kid);
        if (entry == null || entry.algorithm().filter(pinned -> !pinned.equals(algorithm)).isPresent()) {
            return Optional.empty();
        }
        return Optional.of(entry.key());
    }

    private static Optional<RSAPublicKey> rsaKey(String n, String e) {
        try {
            BigInteger modulus = new BigInteger(1, Base64.getUrlDecoder().decode(n));
            BigInteger exponent = new BigInteger(1, Base64.getUrlDecoder().decode(e));
            if (modulus.bitLength() < MIN_MODULUS_BITS || exponent.signum() <= 0) {
                return Optional.empty();
            }
            return Optional.of((RSAPublicKey) KeyFactory.getInstance("RSA")
                    .generatePublic(new RSAPublicKeySpec(modulus, exponent)));
        } catch (IllegalArgumentException | GeneralSecurityException malformed) {
            return Optional.empty();
        }
    }
}
