package dev.ledger.infra.local;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2CustomAuthorizerEvent;
import java.util.Map;

/** A test authorizer: "Bearer good" is a payments caller, anything else is refused. */
public final class BearerAuthorizer implements RequestHandler<APIGatewayV2CustomAuthorizerEvent, Map<String, Object>> {

    @Override
    public Map<String, Object> handleRequest(APIGatewayV2CustomAuthorizerEvent event, Context context) {
        boolean good = event.getIdentitySource().equals(java.util.List.of("Bearer good"));
        return good ? Map.of("isAuthorized", true, "context", Map.of("role", "payments"))
                : Map.of("isAuthorized", false);
    }
}
