package dev.ledger.http;

import java.util.Map;

/**
 * What API Gateway's authorizer put in a request's context (payload 2.0): a Lambda authorizer's
 * {@code context} map, or a JWT authorizer's verified claims. Both are empty for a request that came
 * through no authorizer (a route without one, or a test calling the handler directly).
 *
 * @param lambda    {@code requestContext.authorizer.lambda}, values as strings
 * @param jwtClaims {@code requestContext.authorizer.jwt.claims}; API Gateway renders a list claim as
 *                  {@code [a b c]}
 */
public record GatewayAuthorizer(Map<String, String> lambda, Map<String, String> jwtClaims) {

    public static final GatewayAuthorizer NONE = new GatewayAuthorizer(Map.of(), Map.of());

    public GatewayAuthorizer {
        lambda = lambda == null ? Map.of() : Map.copyOf(lambda);
        jwtClaims = jwtClaims == null ? Map.of() : Map.copyOf(jwtClaims);
    }
}
