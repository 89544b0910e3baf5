package dev.ledger.http;

import java.util.Objects;
import java.util.Set;

/**
 * Who sent a request, as the API's authorizer established it: a subject (a JWT's {@code sub}, or the
 * name of a static token) and the roles the caller holds. A caller may hold several roles; a route
 * lets it through when any of them is one of the route's.
 *
 * @param subject who, for the audit stream and never for a decision; not a secret
 */
public record Caller(String subject, Set<Role> roles) {

    public Caller {
        Objects.requireNonNull(subject, "subject");
        roles = Set.copyOf(roles);
    }

    public boolean holds(Role role) {
        return roles.contains(role);
    }
}
