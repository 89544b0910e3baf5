package dev.ledger.http;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * What every HTTP API Lambda does around its routes: translate API Gateway's event to an
 * {@link HttpRequest}, answer every outcome (an unexpected failure included) as JSON, and log one
 * line per request (with the races its commands lost, for routes that run commands).
 */
public abstract class HttpApiHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {

    private static final Map<String, String> JSON = Map.of("content-type", "application/json");

    private final ApiRoutes routes;
    private final RequestLog log;
    private final Clock clock;

    protected HttpApiHandler(ApiRoutes routes, RequestLog log, Clock clock) {
        this.routes = routes;
        this.log = log;
        this.clock = clock;
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        HttpResponse response = respond(toRequest(event, context));
        Map<String, String> headers = new LinkedHashMap<>(JSON);
        headers.putAll(response.headers());
        return APIGatewayV2HTTPResponse.builder().withStatusCode(response.status()).withHeaders(headers)
                .withBody(response.body().toString()).build();
    }

    public HttpResponse respond(HttpRequest request) {
        long started = System.nanoTime();
        String correlationId = correlationId(request);
        String route;
        String transferId = null;
        String transactionId = null;
        ConflictCount conflicts = new ConflictCount();
        HttpResponse response;
        try {
            ApiRoutes.Handled handled = routes.handle(request, correlationId, conflicts);
            route = handled.route();
            transferId = handled.transferId();
            transactionId = handled.transactionId();
            response = handled.response();
        } catch (ApiException refused) {
            route = routes.routeOf(request);
            response = refused.toResponse();
        } catch (RuntimeException unexpected) {
            route = routes.routeOf(request);
            log.failure(clock.instant(), route, correlationId, unexpected);
            response = HttpResponse.error(500, "internal_error",
                    "the ledger could not complete the request; it changed nothing unless a retry says otherwise");
        }
        log.request(clock.instant(), route, response.status(), (System.nanoTime() - started) / 1000, transferId,
                transactionId, correlationId, response.errorCode(),
                routes.runCommands() ? OptionalInt.of(conflicts.total()) : OptionalInt.empty());
        return response;
    }

    static HttpRequest toRequest(APIGatewayV2HTTPEvent event, Context context) {
        var http = event.getRequestContext() == null ? null : event.getRequestContext().getHttp();
        String method = http == null ? null : http.getMethod();
        String path = event.getRawPath() != null ? event.getRawPath() : http == null ? null : http.getPath();
        String body = event.getBody();
        if (body != null && event.getIsBase64Encoded()) {
            try {
                body = new String(Base64.getDecoder().decode(body), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException notBase64) {
                body = "\u0000";
            }
        }
        String requestId = event.getRequestContext() != null && event.getRequestContext().getRequestId() != null
                ? event.getRequestContext().getRequestId()
                : context != null ? context.getAwsRequestId() : null;
        return new HttpRequest(method, path, event.getHeaders(), event.getQueryStringParameters(), body, requestId,
                authorizer(event));
    }

    /** The authorizer's answer in the request's context: a Lambda authorizer's context, or a JWT's claims. */
    private static GatewayAuthorizer authorizer(APIGatewayV2HTTPEvent event) {
        var authorizer = event.getRequestContext() == null ? null : event.getRequestContext().getAuthorizer();
        if (authorizer == null) {
            return GatewayAuthorizer.NONE;
        }
        Map<String, String> lambda = new LinkedHashMap<>();
        if (authorizer.getLambda() != null) {
            authorizer.getLambda().forEach((key, value) -> {
                if (key != null && value != null) {
                    lambda.put(key, value.toString());
                }
            });
        }
        Map<String, String> claims = new LinkedHashMap<>();
        if (authorizer.getJwt() != null && authorizer.getJwt().getClaims() != null) {
            authorizer.getJwt().getClaims().forEach((key, value) -> {
                if (key != null && value != null) {
                    claims.put(key, value);
                }
            });
        }
        return new GatewayAuthorizer(lambda, claims);
    }

    private static String correlationId(HttpRequest request) {
        String given = request.header("x-correlation-id");
        if (given != null && RequestBody.ID.matcher(given).matches()) {
            return given;
        }
        return request.requestId() == null ? "none" : request.requestId();
    }
}
