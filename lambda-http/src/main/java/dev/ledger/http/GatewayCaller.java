package dev.ledger.http;

import dev.ledger.lambda.config.LedgerConfig;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Map;
import java.util.Set;

/**
 * The caller as API Gateway's authorizer established it, for the handlers behind the HTTP API: they
 * hold no token and no key, and API Gateway is the only principal allowed to invoke them. Two
 * authorizers, chosen by the template's {@code AuthMode}:
 * <ul>
 *   <li>{@code tokens}: the Lambda authorizer checked a static token against its stored SHA-256
 *       digests and put {@code role} and {@code subject} in the context;</li>
 *   <li>{@code jwt}: API Gateway's JWT authorizer checked signature, issuer, audience and lifetime;
 *       the roles are the values of one claim ({@link #ROLE_CLAIM}, {@code scope} by default), each
 *       {@link #ROLE_PREFIX} followed by a role's label: {@code ledger/payments} with the prefix
 *       {@code ledger/}, as an Amazon Cognito resource server names its scopes.</li>
 * </ul>
 * A request with neither is 401: it did not come through the API's authorizer. A verified JWT that
 * names no role is a caller with no roles, whom every route refuses 403.
 */
public final class GatewayCaller implements Authenticator {

    /** The JWT claim that carries the roles; default {@value #DEFAULT_ROLE_CLAIM}. */
    public static final String ROLE_CLAIM = "LEDGER_ROLE_CLAIM";
    /** What each role's value starts with in that claim; default empty. */
    public static final String ROLE_PREFIX = "LEDGER_ROLE_PREFIX";
    public static final String DEFAULT_ROLE_CLAIM = "scope";

    /** The Lambda authorizer's context keys. */
    public static final String CONTEXT_ROLE = "role";
    public static final String CONTEXT_SUBJECT = "subject";

    private final String roleClaim;
    private final String rolePrefix;

    public GatewayCaller(String roleClaim, String rolePrefix) {
        this.roleClaim = roleClaim;
        this.rolePrefix = rolePrefix;
    }

    /** From {@link #ROLE_CLAIM} and {@link #ROLE_PREFIX}, as the template sets them. */
    public static GatewayCaller fromConfig() {
        return new GatewayCaller(LedgerConfig.optional(ROLE_CLAIM).orElse(DEFAULT_ROLE_CLAIM),
                LedgerConfig.optional(ROLE_PREFIX).orElse(""));
    }

    @Override
    public Caller authenticate(HttpRequest request) {
        GatewayAuthorizer authorizer = request.authorizer();
        String lambdaRole = authorizer.lambda().get(CONTEXT_ROLE);
        if (lambdaRole != null) {
            Set<Role> roles = EnumSet.noneOf(Role.class);
            roleOf(lambdaRole).ifPresent(roles::add);
            String subject = authorizer.lambda().getOrDefault(CONTEXT_SUBJECT, lambdaRole + " token");
            return new Caller(subject, roles);
        }
        Map<String, String> claims = authorizer.jwtClaims();
        if (!claims.isEmpty()) {
            return new Caller(subjectOf(claims), rolesOf(claims.get(roleClaim)));
        }
        throw new ApiException(401, "unauthenticated", "send an Authorization: Bearer <token> header");
    }

    /**
     * The roles one claim's value names: its values separated by spaces or commas (a {@code scope}),
     * or API Gateway's rendering of a list claim, {@code [a b]}. Values that are not the prefix and a
     * role's label are someone else's scopes or groups, and grant nothing here.
     */
    Set<Role> rolesOf(String claim) {
        Set<Role> roles = EnumSet.noneOf(Role.class);
        if (claim == null) {
            return roles;
        }
        String values = claim.strip();
        if (values.startsWith("[") && values.endsWith("]")) {
            values = values.substring(1, values.length() - 1);
        }
        for (String value : values.split("[\\s,]+")) {
            if (value.startsWith(rolePrefix)) {
                roleOf(value.substring(rolePrefix.length())).ifPresent(roles::add);
            }
        }
        return roles;
    }

    private static Optional<Role> roleOf(String label) {
        for (Role role : Role.values()) {
            if (role.label().equals(label)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }

    private static String subjectOf(Map<String, String> claims) {
        String subject = claims.get("sub");
        if (subject == null || subject.isBlank()) {
            subject = claims.get("client_id");
        }
        return subject == null || subject.isBlank() ? "unnamed JWT subject" : subject;
    }
}
