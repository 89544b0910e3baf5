package dev.ledger.infra.local.jwt;

import java.security.interfaces.RSAPublicKey;
import java.util.Optional;

/** The issuer's public signing keys by key id ({@code kid}), as its JWKS publishes them. */
interface SigningKeys {

    /**
     * The RSA key published under this id, if any.
     *
     * @param kid the token header's key id
     * @param algorithm the token's {@code alg}; a key whose JWK names another {@code alg} is not returned
     */
    Optional<RSAPublicKey> key(String kid, String algorithm);
}
