package dev.ledger.http;

/**
 * Establishes who sent a request. Behind API Gateway that is the authorizer's answer, carried in the
 * request ({@link GatewayCaller}); a handler built from its parts in a test may check bearer tokens
 * itself ({@link ApiTokens}). The route table asks this once per request, and only on routes that
 * need a role.
 */
@FunctionalInterface
public interface Authenticator {

    /**
     * @throws ApiException 401 {@code unauthenticated} when the request carries no identity this accepts
     */
    Caller authenticate(HttpRequest request);
}
