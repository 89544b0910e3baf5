package dev.ledger.http;

/** A set of HTTP routes behind one Lambda: the command routes, or the read routes. */
public interface ApiRoutes {

    /**
     * Answers one request.
     *
     * @throws ApiException for a request refused before any command ran (400, 401, 403, 404, 405)
     */
    Handled handle(HttpRequest request, String correlationId);

    /**
     * Answers one request, counting the races its commands lose in {@code conflicts} (which stays 0 for
     * routes that run no commands).
     */
    default Handled handle(HttpRequest request, String correlationId, ConflictCount conflicts) {
        return handle(request, correlationId);
    }

    /** The route of a request that matches none: what its log line and metrics show instead of its path. */
    String UNMATCHED = "unmatched";

    /**
     * The name of the route whose path and method this request matches, or {@link #UNMATCHED}: the
     * route a log line names for a request refused or failed before its route answered. Never the raw
     * path, which is the caller's text (it may carry anything, a token included) and would make each
     * path a metric dimension of its own.
     */
    default String routeOf(HttpRequest request) {
        return UNMATCHED;
    }

    /** Whether these routes run commands, so that each request's log line counts their lost races. */
    default boolean runCommands() {
        return false;
    }

    /** What one request did, for the handler's log line. */
    record Handled(HttpResponse response, String route, String transferId, String transactionId) {

        public Handled(HttpResponse response, String route, String transferId) {
            this(response, route, transferId, null);
        }
    }
}
