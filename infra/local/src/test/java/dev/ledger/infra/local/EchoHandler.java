package dev.ledger.infra.local;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;

/** A test handler that answers with the event it got, as JSON; {@code /boom} throws. */
public final class EchoHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        if (event.getRawPath().equals("/boom")) {
            throw new IllegalStateException("boom");
        }
        try {
            APIGatewayV2HTTPResponse response = new APIGatewayV2HTTPResponse();
            response.setStatusCode(event.getRawPath().equals("/created") ? 201 : 200);
            response.setHeaders(Map.of("Content-Type", "application/json", "X-Function", context.getFunctionName()));
            response.setBody(JSON.writeValueAsString(event));
            return response;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
