package dev.ledger.http;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

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

    private final Authenticator authenticator;
    private final MethodRefusal methodRefusal;
    private final List<Compiled> routes;

    public RouteTable(Authenticator authenticator, MethodRefusal methodRefusal, List<Route> routes) {
        this.authenticator = authenticator;
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
            Caller caller = null;
            if (!route.roles().isEmpty()) {
                caller = authorized(request, route);
            }
            String id = candidate.idName() == null ? null
                    : RequestBody.validId(candidate.idName(), PathSegments.decode(path.group(1)));
            Route.Answer answer = route.action().answer(new Route.Call(request, id, correlationId, conflicts, caller));
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

    @Override
    public String routeOf(HttpRequest request) {
        for (Compiled candidate : routes) {
            if (candidate.route().method().equals(request.method()) && request.path() != null
                    && candidate.path().matcher(request.path()).matches()) {
                return candidate.route().name();
            }
        }
        return UNMATCHED;
    }

    /**
     * The request's caller, when it holds one of the route's roles.
     *
     * @throws ApiException 401 from the authenticator; 403 {@code forbidden} for a caller without the role
     */
    private Caller authorized(HttpRequest request, Route route) {
        Caller caller = authenticator.authenticate(request);
        for (Role role : route.roles()) {
            if (caller.holds(role)) {
                return caller;
            }
        }
        String held = caller.roles().isEmpty() ? "a caller with no ledger role"
                : "the " + caller.roles().stream().map(Role::label).sorted().collect(Collectors.joining(" and ")) + " role";
        throw new ApiException(403, "forbidden", held + " may not do this");
    }
}
