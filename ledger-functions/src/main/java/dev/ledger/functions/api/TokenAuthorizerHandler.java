package dev.ledger.functions.api;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2CustomAuthorizerEvent;
import dev.ledger.http.ApiTokens;
import dev.ledger.http.GatewayCaller;
import dev.ledger.http.Priming;
import dev.ledger.lambda.config.LedgerConfig;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.crac.Resource;

/**
 * The HTTP API's Lambda authorizer (simple responses): lets a request through when its bearer token
 * is one whose digest the stack's token secret holds, and passes the token's role and name on in the
 * context ({@code role}, {@code subject}), from which the handlers take the caller
 * ({@link GatewayCaller}). Anything else, an unreadable secret included, is denied.
 */
public final class TokenAuthorizerHandler implements RequestHandler<APIGatewayV2CustomAuthorizerEvent, Map<String, Object>>,
        Resource {

    private final SecretApiTokens tokens;

    /** For the Lambda runtime: the secret named by {@link LedgerConfig#API_TOKEN_SECRET}, cached as configured. */
    public TokenAuthorizerHandler() {
        this(new SecretApiTokens(LedgerConfig.secretsManager(), LedgerConfig.required(LedgerConfig.API_TOKEN_SECRET),
                LedgerConfig.apiTokenCache(), Clock.systemUTC(), System.err));
        Priming.register(this);
    }

    TokenAuthorizerHandler(SecretApiTokens tokens) {
        this.tokens = tokens;
    }

    @Override
    public Map<String, Object> handleRequest(APIGatewayV2CustomAuthorizerEvent event, Context context) {
        String authorization = null;
        if (event.getHeaders() != null) {
            for (Map.Entry<String, String> header : event.getHeaders().entrySet()) {
                if (header.getKey().equalsIgnoreCase("authorization")) {
                    authorization = header.getValue();
                }
            }
        }
        Optional<String> token = ApiTokens.bearerToken(authorization);
        // No secret read for a request without a bearer token: it is denied whatever the secret holds.
        Optional<ApiTokens.StoredToken> found = token.isEmpty() ? Optional.empty()
                : tokens.current().flatMap(current -> current.find(token.get()));
        Map<String, Object> response = new HashMap<>();
        response.put("isAuthorized", found.isPresent());
        found.ifPresent(t -> response.put("context", Map.of(GatewayCaller.CONTEXT_ROLE, t.role().label(),
                GatewayCaller.CONTEXT_SUBJECT, t.name())));
        return response;
    }

    /**
     * SnapStart priming, before the snapshot: the secret read once through the SDK and the stored
     * form's parser, and a request rehearsed, so the first request after a restore pays one round
     * trip to Secrets Manager rather than loading the SDK's request path. No value is kept.
     */
    @Override
    public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
        tokens.prime(Priming.TOKEN);
        APIGatewayV2CustomAuthorizerEvent rehearsal = new APIGatewayV2CustomAuthorizerEvent();
        rehearsal.setHeaders(Map.of("authorization", "Bearer"));
        handleRequest(rehearsal, null);
    }

    @Override
    public void afterRestore(org.crac.Context<? extends Resource> context) {
        // Nothing to renew: the cache is empty (priming keeps no value), and the SDK refreshes its
        // credentials and retries a pooled connection the snapshot kept, as for any dropped one.
    }
}
