package dev.ledger.infra.local;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.ledger.infra.Template;
import dev.ledger.infra.local.jwt.JwtAuthorizer;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What API Gateway's HTTP API does in front of the functions, on 127.0.0.1: matches the
 * template's routes, runs the route's Lambda authorizer (payload 2.0, simple responses) or JWT
 * authorizer ({@link JwtAuthorizer}: a refused token is 401 with a {@code www-authenticate} header
 * saying which check failed, a verified one's claims go to the function), turns
 * the request into the {@link APIGatewayV2HTTPEvent} (payload format 2.0) API Gateway would send,
 * calls the route's function in-process and writes its {@link APIGatewayV2HTTPResponse} back.
 * API Gateway's own answers keep their shape: 404 {"message":"Not Found"}, 401
 * {"message":"Unauthorized"} when the identity source is missing, 403 {"message":"Forbidden"} when
 * the authorizer says no, 500 {"message":"Internal Server Error"} when a function fails.
 *
 * <p>HTTP itself (connections, timeouts, limits, parsing) is {@link LocalHttpServer}'s; the
 * answers it makes on its own (400 for a malformed request or a bad percent-escape, 408, 413,
 * 431, 501, 503, 505) come back through {@link #answer} in the same {"message":"..."} shape, with
 * an apigw-requestid. Header values reach the authorizer and the functions as the client sent
 * them, only spaces and tabs around them removed: a NUL or control byte is the authorizer's to refuse.
 */
final class HttpApiGateway implements AutoCloseable {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final RouteTable routes;
    private final Map<String, LocalFunction> functions;
    private final Map<String, Template.Authorizer> authorizers;
    private final Map<String, JwtGate> jwtAuthorizers;
    private final GatewayEvents events;
    private LocalHttpServer server;

    /** A route's JWT authorizer: where the token is read from, and what checks it. */
    record JwtGate(List<String> identitySources, JwtAuthorizer authorizer) {
        JwtGate {
            identitySources = List.copyOf(identitySources);
        }
    }

    private HttpApiGateway(RouteTable routes, Map<String, LocalFunction> functions,
                           Map<String, Template.Authorizer> authorizers, Map<String, JwtGate> jwtAuthorizers,
                           String region, String accountId) {
        this.routes = routes;
        this.functions = functions;
        this.authorizers = authorizers;
        this.jwtAuthorizers = jwtAuthorizers;
        this.events = new GatewayEvents(region, accountId);
    }

    /**
     * Starts serving on 127.0.0.1:port (0 = any free port).
     *
     * @param authorizers the routes' Lambda authorizers by logical id
     * @param jwtAuthorizers the routes' JWT authorizers by logical id
     * @param functions the in-process functions by logical id; every route's and authorizer's function must be there
     * @param settings connections, timeouts and limits of the HTTP server
     */
    static HttpApiGateway start(List<Template.Route> routeList, Map<String, Template.Authorizer> authorizers,
                                Map<String, JwtGate> jwtAuthorizers, Map<String, LocalFunction> functions, int port,
                                LocalHttpServer.Settings settings, String region, String accountId) {
        for (JwtGate gate : jwtAuthorizers.values()) {
            // API Gateway's own rule for JWT authorizers: one identity source, a header.
            if (gate.identitySources().size() != 1 || !gate.identitySources().get(0).startsWith("$request.header.")) {
                throw new IllegalStateException("A JWT authorizer takes its token from one header, not "
                        + gate.identitySources());
            }
        }
        for (Template.Authorizer authorizer : authorizers.values()) {
            if (!authorizer.simpleResponses() || !authorizer.payloadFormatVersion().equals("2.0")) {
                throw new IllegalStateException("The local stack runs Lambda authorizers with payload 2.0 and simple"
                        + " responses only; " + authorizer.logicalId() + " is not one");
            }
            for (String source : authorizer.identitySources()) {
                if (!source.startsWith("$request.header.") && !source.startsWith("$request.querystring.")) {
                    throw new IllegalStateException("Identity source " + source + " of " + authorizer.logicalId()
                            + " is not supported locally (headers and query strings are)");
                }
            }
        }
        HttpApiGateway gateway = new HttpApiGateway(new RouteTable(routeList), Map.copyOf(functions),
                Map.copyOf(authorizers), Map.copyOf(jwtAuthorizers), region, accountId);
        gateway.server = LocalHttpServer.start(port, settings, new LocalHttpServer.Handler() {
            @Override
            public LocalHttpResponse handle(LocalHttpRequest request) {
                return gateway.handle(request);
            }

            @Override
            public LocalHttpResponse answer(int status, String message) {
                return gatewayAnswer(newRequestId(), status, message);
            }
        }, "http-api");
        return gateway;
    }

    int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.close();
    }

    // ----------------------------------------------------------------------------------------

    private LocalHttpResponse handle(LocalHttpRequest request) {
        String requestId = newRequestId();
        try {
            return serve(request, requestId);
        } catch (RuntimeException | Error e) {
            System.err.println("[local http api] request " + requestId + " failed: " + e);
            e.printStackTrace();
            return gatewayAnswer(requestId, 500, "Internal Server Error");
        }
    }

    private LocalHttpResponse serve(LocalHttpRequest httpRequest, String requestId) {
        byte[] body = httpRequest.body();
        String method = httpRequest.method().toUpperCase(Locale.ROOT);
        String rawPath = httpRequest.rawPath();
        String rawQuery = httpRequest.rawQuery();
        if (ConsoleAssets.owns(rawPath)) {
            return ConsoleAssets.answer(method, rawPath, requestId); // the local stack's own addition: no route of the API
        }
        Optional<RouteTable.Match> match = routes.match(method, rawPath);
        if (match.isEmpty()) {
            return gatewayAnswer(requestId, 404, "Not Found");
        }
        Template.Route route = match.get().route();
        Instant now = Instant.now();
        GatewayEvents.Request request = new GatewayEvents.Request(requestId, now, method, rawPath, decodePath(rawPath), rawQuery,
                headers(httpRequest), cookies(httpRequest), query(rawQuery), match.get().pathParameters(),
                httpRequest.remote().getAddress().getHostAddress(), route);

        APIGatewayV2HTTPEvent.RequestContext.Authorizer authorizerContext = null;
        if (route.authorizationType().equals("CUSTOM")) {
            Template.Authorizer authorizer = authorizers.get(route.authorizerLogicalId().orElseThrow());
            List<String> identity = identity(authorizer.identitySources(), request);
            if (identity == null) {
                return gatewayAnswer(requestId, 401, "Unauthorized");
            }
            Object answer = functions.get(authorizer.functionLogicalId()).invoke(events.authorizerEvent(request, identity));
            if (!(answer instanceof Map<?, ?> simple) || !Boolean.TRUE.equals(simple.get("isAuthorized"))) {
                return gatewayAnswer(requestId, 403, "Forbidden");
            }
            Map<String, Object> context = new LinkedHashMap<>();
            if (simple.get("context") instanceof Map<?, ?> given) {
                for (Map.Entry<?, ?> entry : given.entrySet()) {
                    context.put(String.valueOf(entry.getKey()), entry.getValue());
                }
            }
            authorizerContext = new APIGatewayV2HTTPEvent.RequestContext.Authorizer();
            authorizerContext.setLambda(context);
        } else if (route.authorizationType().equals("JWT")) {
            JwtGate gate = jwtAuthorizers.get(route.authorizerLogicalId().orElseThrow());
            List<String> identity = identity(gate.identitySources(), request);
            if (identity == null) {
                return gatewayAnswer(requestId, 401, "Unauthorized");
            }
            JwtAuthorizer.Decision decision = gate.authorizer().authorize(identity.get(0));
            if (decision instanceof JwtAuthorizer.Refused refused) {
                return LocalHttpResponse.message(401, "Unauthorized", List.of(
                        Map.entry("www-authenticate", "Bearer scope=\"\" error=\"invalid_token\" error_description=\""
                                + refused.reason() + "\""),
                        Map.entry("apigw-requestid", requestId)));
            }
            JwtAuthorizer.Allowed allowed = (JwtAuthorizer.Allowed) decision;
            authorizerContext = new APIGatewayV2HTTPEvent.RequestContext.Authorizer();
            authorizerContext.setJwt(new APIGatewayV2HTTPEvent.RequestContext.Authorizer.JWT(
                    new LinkedHashMap<>(allowed.claims()), allowed.scopes().isEmpty() ? null : allowed.scopes()));
        } else if (!route.authorizationType().equals("NONE")) {
            throw new IllegalStateException("Authorization type " + route.authorizationType() + " of " + route.logicalId()
                    + " is not supported locally");
        }

        Object result = functions.get(route.functionLogicalId()).invoke(events.httpEvent(request, body, authorizerContext));
        if (!(result instanceof APIGatewayV2HTTPResponse response)) {
            throw new IllegalStateException("Function " + route.functionLogicalId() + " returned "
                    + (result == null ? "null" : result.getClass().getName()) + ", not an APIGatewayV2HTTPResponse");
        }
        return response(requestId, response);
    }

    /** The identity source values, or null if one is missing or empty (API Gateway then answers 401 itself). */
    private static List<String> identity(List<String> identitySources, GatewayEvents.Request request) {
        List<String> values = new ArrayList<>();
        for (String source : identitySources) {
            String value = source.startsWith("$request.header.")
                    ? request.headers().get(source.substring("$request.header.".length()).toLowerCase(Locale.ROOT))
                    : request.query().get(source.substring("$request.querystring.".length()));
            if (value == null || value.isBlank()) {
                return null;
            }
            values.add(value);
        }
        return values;
    }

    /**
     * The function's response as API Gateway passes it on: multiValueHeaders, then headers (a name
     * there replaces the same name's multiple values), cookies as Set-Cookie, the request id.
     */
    private static LocalHttpResponse response(String requestId, APIGatewayV2HTTPResponse response) {
        Map<String, List<Map.Entry<String, String>>> byName = new LinkedHashMap<>();
        if (response.getMultiValueHeaders() != null) {
            response.getMultiValueHeaders().forEach((name, values) -> values.forEach(value ->
                    byName.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                            .add(Map.entry(name, value))));
        }
        if (response.getHeaders() != null) {
            response.getHeaders().forEach((name, value) ->
                    byName.put(name.toLowerCase(Locale.ROOT), new ArrayList<>(List.of(Map.entry(name, value)))));
        }
        if (response.getCookies() != null) {
            response.getCookies().forEach(cookie -> byName.computeIfAbsent("set-cookie", k -> new ArrayList<>())
                    .add(Map.entry("Set-Cookie", cookie)));
        }
        byName.put("apigw-requestid", List.of(Map.entry("apigw-requestid", requestId)));
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        byName.values().forEach(headers::addAll);
        byte[] body = response.getBody() == null ? new byte[0]
                : response.getIsBase64Encoded() ? Base64.getDecoder().decode(response.getBody())
                : response.getBody().getBytes(StandardCharsets.UTF_8);
        int status = response.getStatusCode() == 0 ? 200 : response.getStatusCode();
        return new LocalHttpResponse(status, headers, body);
    }

    private static LocalHttpResponse gatewayAnswer(String requestId, int status, String message) {
        return LocalHttpResponse.message(status, message, List.of(Map.entry("apigw-requestid", requestId)));
    }

    /**
     * Header names in lower case, repeated headers joined with commas, as payload 2.0 has them;
     * cookies go to their own field. API Gateway's forwarding headers are added. Values are as
     * received (only OWS around them stripped).
     */
    private static Map<String, String> headers(LocalHttpRequest request) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (LocalHttpRequest.Header header : request.headers()) {
            String lower = header.name().toLowerCase(Locale.ROOT);
            if (!lower.equals("cookie")) {
                headers.merge(lower, header.value(), (a, b) -> a + "," + b);
            }
        }
        headers.putIfAbsent("x-forwarded-for", request.remote().getAddress().getHostAddress());
        headers.putIfAbsent("x-forwarded-port", Integer.toString(request.local().getPort()));
        headers.putIfAbsent("x-forwarded-proto", "http");
        return headers;
    }

    private static List<String> cookies(LocalHttpRequest request) {
        List<String> cookies = new ArrayList<>();
        for (String value : request.values("Cookie")) {
            for (String cookie : value.split(";")) {
                String stripped = LocalHttpRequestReader.stripOws(cookie);
                if (!stripped.isEmpty()) {
                    cookies.add(stripped);
                }
            }
        }
        return cookies;
    }

    /** queryStringParameters: decoded, repeated names joined with commas. */
    private static Map<String, String> query(String rawQuery) {
        Map<String, String> query = new LinkedHashMap<>();
        if (rawQuery.isEmpty()) {
            return query;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
            String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
            query.merge(name, value, (a, b) -> a + "," + b);
        }
        return query;
    }

    private static String decodePath(String rawPath) {
        return URLDecoder.decode(rawPath.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** Shaped like API Gateway's request ids (e.g. "JKJaXmPLvHcESHA="), unique per request. */
    private static String newRequestId() {
        byte[] bytes = new byte[10];
        RANDOM.nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }
}
