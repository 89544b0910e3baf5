package dev.ledger.infra;

import dev.ledger.http.Role;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * API tokens for a stack that was given none: one random token per role, as a {@code token=role,...}
 * value that {@code ApiTokens} reads. {@code ./ledger local} and {@code ./ledger deploy} (a new stack)
 * both take theirs from here.
 */
public final class GeneratedTokens {

    private GeneratedTokens() {
    }

    /** One token per role, 24 random bytes each (192 bits), prefixed with the role's label for people. */
    public static String oneForEachRole() {
        SecureRandom random = new SecureRandom();
        List<String> pairs = new ArrayList<>();
        for (Role role : Role.values()) {
            byte[] bytes = new byte[24];
            random.nextBytes(bytes);
            pairs.add(role.label() + "-" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes) + "=" + role.label());
        }
        return String.join(",", pairs);
    }
}
