package dev.ledger.functions.api;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.ledger.functions.command.CommandService;
import dev.ledger.functions.command.ConcurrentModificationException;
import dev.ledger.functions.command.RetryPolicy;
import dev.ledger.functions.config.LedgerConfig;
import dev.ledger.functions.store.DynamoEventStore;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;

/**
 * The command Lambda behind the HTTP API. The no-arg constructor is for the Lambda runtime (and the
 * local stack): it builds everything from the environment once per container. {@code handleRequest}
 * only translates API Gateway's event to an {@link HttpRequest} and back.
 */
public final class CommandApiHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {

    private static final Map<String, String> JSON = Map.of("content-type", "application/json");

    private final CommandApi api;
    private final RequestLog log;
    private final Clock clock;

    public CommandApiHandler() {
        this(new CommandApi(
                        new CommandService(new DynamoEventStore(LedgerConfig.dynamoDb(),
                                LedgerConfig.required(LedgerConfig.EVENTS_TABLE)),
                                Clock.systemUTC(), RetryPolicy.standard(new SecureRandom())),
                        ApiTokens.parse(LedgerConfig.required(LedgerConfig.API_TOKENS))),
                new RequestLog(System.out), Clock.systemUTC());
    }

    public CommandApiHandler(CommandApi api, RequestLog log, Clock clock) {
        this.api = api;
        this.log = log;
        this.clock = clock;
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        HttpRequest request = toRequest(event, context);
        HttpResponse response = respond(request);
        return APIGatewayV2HTTPResponse.builder().withStatusCode(response.status()).withHeaders(JSON)
                .withBody(response.body().toString()).build();
    }

    /** Runs the API for one request; every outcome, including an unexpected failure, is JSON. */
    public HttpResponse respond(HttpRequest request) {
        long started = System.nanoTime();
        String correlationId = correlationId(request);
        String route = request.method() + " " + request.path();
        String transferId = null;
        HttpResponse response;
        try {
            CommandApi.Handled handled = api.handle(request, correlationId);
            route = handled.route();
            transferId = handled.transferId();
            response = handled.response();
        } catch (ApiException refused) {
            response = refused.toResponse();
        } catch (ConcurrentModificationException contention) {
            response = HttpResponse.error(409, "concurrent_modification",
                    "other requests kept changing the same accounts; retry this request as it is");
        } catch (RuntimeException unexpected) {
            log.failure(clock.instant(), route, correlationId, unexpected);
            response = HttpResponse.error(500, "internal_error",
                    "the ledger could not complete the request; it changed nothing unless a retry says otherwise");
        }
        log.request(clock.instant(), route, response.status(), (System.nanoTime() - started) / 1000, transferId,
                correlationId, response.errorCode());
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
        return new HttpRequest(method, path, event.getHeaders(), event.getQueryStringParameters(), body, requestId);
    }

    private static String correlationId(HttpRequest request) {
        String given = request.header("x-correlation-id");
        if (given != null && RequestBody.ID.matcher(given).matches()) {
            return given;
        }
        return request.requestId() == null ? "none" : request.requestId();
    }
}
