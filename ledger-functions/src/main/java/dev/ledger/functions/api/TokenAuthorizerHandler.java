package dev.ledger.functions.api;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2CustomAuthorizerEvent;
import dev.ledger.http.ApiTokens;
import dev.ledger.http.GatewayCaller;
import dev.ledger.http.Role;
import dev.ledger.lambda.config.LedgerConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The HTTP API's Lambda authorizer (simple responses): lets a request through when its bearer token
 * is known, and passes the role on in the context. The handlers check the token and role again:
 * the authorizer only keeps unauthenticated traffic away from them.
 */
public final class TokenAuthorizerHandler implements RequestHandler<APIGatewayV2CustomAuthorizerEvent, Map<String, Object>> {

    private final ApiTokens tokens;

    public TokenAuthorizerHandler() {
        this(ApiTokens.parse(LedgerConfig.required(LedgerConfig.API_TOKENS)));
    }

    public TokenAuthorizerHandler(ApiTokens tokens) {
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
        Optional<Role> role = ApiTokens.bearerToken(authorization).flatMap(tokens::roleOf);
        Map<String, Object> response = new HashMap<>();
        response.put("isAuthorized", role.isPresent());
        role.ifPresent(r -> response.put("context", Map.of(GatewayCaller.CONTEXT_ROLE, r.label(),
                GatewayCaller.CONTEXT_SUBJECT, r.label() + " token")));
        return response;
    }
}
