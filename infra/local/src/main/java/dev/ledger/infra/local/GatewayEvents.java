package dev.ledger.infra.local;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2CustomAuthorizerEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ledger.infra.Template;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The two events API Gateway's HTTP API sends for a request (payload format 2.0): the
 * {@link APIGatewayV2CustomAuthorizerEvent} for the route's Lambda authorizer and the
 * {@link APIGatewayV2HTTPEvent} for the route's function. What they have in common (version,
 * route key, raw path and query, cookies, headers, query and path parameters, and the request
 * context with its http block and time) is written once, in {@link #common}, under the property
 * names both classes share, and read into either class; each factory adds only what is its own.
 */
final class GatewayEvents {

    static final String API_ID = "local";
    static final String STAGE = "$default";
    private static final DateTimeFormatter REQUEST_TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH).withZone(ZoneOffset.UTC);
    /** Plain: the event classes are plain beans, and an unknown property name here fails loudly. */
    private static final ObjectMapper BEANS = new ObjectMapper();

    /** The parts of one request that both events are made of. */
    record Request(String requestId, Instant time, String method, String rawPath, String path, String rawQuery,
                   Map<String, String> headers, List<String> cookies, Map<String, String> query,
                   Map<String, String> pathParameters, String sourceIp, Template.Route route) {
    }

    private final String region;
    private final String accountId;

    GatewayEvents(String region, String accountId) {
        this.region = region;
        this.accountId = accountId;
    }

    /**
     * The route function's event; {@code authorizer} (a Lambda authorizer's context, or a JWT's claims
     * and scopes) is null on a route without an authorizer.
     */
    APIGatewayV2HTTPEvent httpEvent(Request request, byte[] body, APIGatewayV2HTTPEvent.RequestContext.Authorizer authorizer) {
        APIGatewayV2HTTPEvent event = common(request, APIGatewayV2HTTPEvent.class);
        if (authorizer != null) {
            event.getRequestContext().setAuthorizer(authorizer);
        }
        if (body.length > 0) {
            Optional<String> text = isText(request.headers().get("content-type")) ? utf8(body) : Optional.empty();
            event.setBody(text.orElseGet(() -> Base64.getEncoder().encodeToString(body)));
            event.setIsBase64Encoded(text.isEmpty());
        }
        return event;
    }

    /** The authorizer's event (type REQUEST), with the identity source values it was called for. */
    APIGatewayV2CustomAuthorizerEvent authorizerEvent(Request request, List<String> identity) {
        APIGatewayV2CustomAuthorizerEvent event = common(request, APIGatewayV2CustomAuthorizerEvent.class);
        event.setType("REQUEST");
        event.setRouteArn("arn:aws:execute-api:" + region + ":" + accountId + ":" + API_ID + "/" + STAGE + "/"
                + request.method() + request.rawPath());
        event.setIdentitySource(identity);
        return event;
    }

    /** What both events carry, as a {@code type}: empty cookies and parameters are left out (null). */
    private <E> E common(Request request, Class<E> type) {
        Map<String, Object> http = new LinkedHashMap<>();
        http.put("method", request.method());
        http.put("path", request.path());
        http.put("protocol", "HTTP/1.1");
        http.put("sourceIp", request.sourceIp());
        http.put("userAgent", request.headers().get("user-agent"));

        Map<String, Object> context = new LinkedHashMap<>();
        context.put("accountId", accountId);
        context.put("apiId", API_ID);
        context.put("domainName", request.headers().getOrDefault("host", "127.0.0.1"));
        context.put("domainPrefix", API_ID);
        context.put("http", http);
        context.put("requestId", request.requestId());
        context.put("routeKey", request.route().routeKey());
        context.put("stage", STAGE);
        context.put("time", REQUEST_TIME.format(request.time()));
        context.put("timeEpoch", request.time().toEpochMilli());

        Map<String, Object> event = new LinkedHashMap<>();
        event.put("version", "2.0");
        event.put("routeKey", request.route().routeKey());
        event.put("rawPath", request.rawPath());
        event.put("rawQueryString", request.rawQuery());
        event.put("cookies", request.cookies().isEmpty() ? null : request.cookies());
        event.put("headers", request.headers());
        event.put("queryStringParameters", request.query().isEmpty() ? null : request.query());
        event.put("pathParameters", request.pathParameters().isEmpty() ? null : request.pathParameters());
        event.put("requestContext", context);
        return BEANS.convertValue(event, type);
    }

    /** Whether API Gateway would pass the body as text rather than base64. */
    private static boolean isText(String contentType) {
        if (contentType == null) {
            return true;
        }
        String type = contentType.toLowerCase(Locale.ROOT);
        return type.startsWith("text/") || type.contains("json") || type.contains("xml") || type.contains("javascript")
                || type.startsWith("application/x-www-form-urlencoded");
    }

    private static Optional<String> utf8(byte[] bytes) {
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString());
        } catch (CharacterCodingException notText) {
            return Optional.empty();
        }
    }
}
