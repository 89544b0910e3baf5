package dev.ledger.infra;

import dev.ledger.http.Role;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * New API tokens: {@code ./ledger tokens issue} and {@code ./ledger local} (a stack given none) take
 * theirs from here. Only their digests are stored on a stack (see {@code ApiTokens.StoredToken}).
 */
public final class GeneratedTokens {

    private static final SecureRandom RANDOM = new SecureRandom();

    private GeneratedTokens() {
    }

    /** A new token for a role: 24 random bytes (192 bits), URL-safe base64, prefixed with the role's label for people. */
    public static String forRole(Role role) {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return role.label() + "-" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** One token per role, as a {@code token=role,...} value that {@code ApiTokens.grants} reads. */
    public static String oneForEachRole() {
        List<String> pairs = new ArrayList<>();
        for (Role role : Role.values()) {
            pairs.add(forRole(role) + "=" + role.label());
        }
        return String.join(",", pairs);
    }
}
