package dev.ledger.http;

/** A set of HTTP routes behind one Lambda: the command routes, or the read routes. */
public interface ApiRoutes {

    /**
     * Answers one request.
     *
     * @throws ApiException for a request refused before any command ran (400, 401, 403, 404, 405)
     */
    Handled handle(HttpRequest request, String correlationId);

    /** What one request did, for the handler's log line. */
    record Handled(HttpResponse response, String route, String transferId, String transactionId) {

        public Handled(HttpResponse response, String route, String transferId) {
            this(response, route, transferId, null);
        }
    }
}
