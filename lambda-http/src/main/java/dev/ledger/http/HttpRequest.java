package dev.ledger.http;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The parts of an HTTP API request the handlers use, taken out of API Gateway's event.
 *
 * @param headers with lower-case names, as API Gateway's payload version 2.0 gives them
 * @param requestId API Gateway's id of this request: the correlation id unless the client sends one
 * @param authorizer what the API's authorizer established about the caller; {@link GatewayAuthorizer#NONE}
 *                   when no authorizer ran
 */
public record HttpRequest(String method, String path, Map<String, String> headers, Map<String, String> query,
                          String body, String requestId, GatewayAuthorizer authorizer) {

    /** A request that came through no authorizer. */
    public HttpRequest(String method, String path, Map<String, String> headers, Map<String, String> query,
                       String body, String requestId) {
        this(method, path, headers, query, body, requestId, GatewayAuthorizer.NONE);
    }

    public HttpRequest {
        TreeMap<String, String> lowerCased = new TreeMap<>();
        if (headers != null) {
            headers.forEach((name, value) -> lowerCased.put(name.toLowerCase(Locale.ROOT), value));
        }
        headers = lowerCased;
        query = query == null ? Map.of() : Map.copyOf(query);
        method = method == null ? "" : method.toUpperCase(Locale.ROOT);
        path = path == null ? "/" : path;
        authorizer = authorizer == null ? GatewayAuthorizer.NONE : authorizer;
    }

    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }
}
