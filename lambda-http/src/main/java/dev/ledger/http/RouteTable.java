package dev.ledger.http;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The routes behind one Lambda, matched once per request, and everything a route needs done before
 * its action, in one place and in this order: the path (404 {@code not_found} for no route), the
 * method (405 {@code method_not_allowed}), the token and its role (401 {@code unauthenticated}, 403
 * {@code forbidden}), the path's id (400 {@code invalid_request}); only then the action, which reads
 * the body it takes.
 */
public final class RouteTable implements ApiRoutes {

    /** How a 405 names where the method was refused. */
    public enum MethodRefusal {
        /** "DELETE is not allowed on /accounts; use POST" */
        NAMES_THE_PATH,
        /** "DELETE is not allowed here; use GET" */
        HERE
    }

    private record Compiled(Route route, Pattern path, String idName) {
    }

    private final ApiTokens tokens;
    private final MethodRefusal methodRefusal;
    private final List<Compiled> routes;

    public RouteTable(ApiTokens tokens, MethodRefusal methodRefusal, List<Route> routes) {
        this.tokens = tokens;
        this.methodRefusal = methodRefusal;
        this.routes = routes.stream().map(route -> new Compiled(route, route.pathPattern(), route.idName())).toList();
    }

    @Override
    public Handled handle(HttpRequest request, String correlationId) {
        return handle(request, correlationId, new ConflictCount());
    }

    @Override
    public Handled handle(HttpRequest request, String correlationId, ConflictCount conflicts) {
        List<String> allowed = new ArrayList<>();
        for (Compiled candidate : routes) {
            Matcher path = candidate.path().matcher(request.path());
            if (!path.matches()) {
                continue;
            }
            Route route = candidate.route();
            if (!route.method().equals(request.method())) {
                allowed.add(route.method());
                continue;
            }
            if (!route.roles().isEmpty()) {
                tokens.authorize(request, route.roles().toArray(Role[]::new));
            }
            String id = candidate.idName() == null ? null
                    : RequestBody.validId(candidate.idName(), PathSegments.decode(path.group(1)));
            Route.Answer answer = route.action().answer(new Route.Call(request, id, correlationId, conflicts));
            return new Handled(answer.response(), route.name(), answer.transferId(), answer.transactionId());
        }
        if (allowed.isEmpty()) {
            throw new ApiException(404, "not_found", "there is no route " + RequestBody.printable(request.path()));
        }
        String where = methodRefusal == MethodRefusal.NAMES_THE_PATH
                ? "on " + RequestBody.printable(request.path()) : "here";
        throw new ApiException(405, "method_not_allowed", request.method() + " is not allowed " + where
                + "; use " + String.join(" or ", allowed));
    }
}
