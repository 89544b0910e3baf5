package dev.ledger.http;

import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One line of a {@link RouteTable}: a method and a path pattern, the roles whose tokens may use it
 * (none: no token needed), and the action that answers it. A pattern is literal segments and at
 * most one {@code {name}} segment, the id of what the route is about: {@code {accountId}} reaches
 * the action percent-decoded and checked as an id, and a bad one is refused as "account id ...".
 *
 * @param path e.g. {@code /accounts/{accountId}/freeze}
 */
public record Route(String method, String path, Set<Role> roles, Action action) {

    private static final Pattern PARAMETER = Pattern.compile("\\{([A-Za-z]+)\\}");

    /** Answers a request the table matched to this route, authorized and whose id it decoded. */
    @FunctionalInterface
    public interface Action {
        Answer answer(Call call);
    }

    /**
     * A request on its way to its action.
     *
     * @param id        the path's id, decoded and valid; null for a route without one
     * @param conflicts where the action counts the races its commands lose, for the request's log line
     * @param caller    who sent it, holding one of the route's roles; null on a route that needs none
     */
    public record Call(HttpRequest request, String id, String correlationId, ConflictCount conflicts, Caller caller) {

        public Call(HttpRequest request, String id, String correlationId) {
            this(request, id, correlationId, new ConflictCount(), null);
        }
    }

    /**
     * An action's answer.
     *
     * @param transferId the transfer the request was about, for the request's log line; may be null
     * @param transactionId the multi-leg transaction the request was about, likewise; may be null
     */
    public record Answer(HttpResponse response, String transferId, String transactionId) {

        public Answer(HttpResponse response, String transferId) {
            this(response, transferId, null);
        }

        public static Answer of(HttpResponse response) {
            return new Answer(response, null, null);
        }

        public static Answer ofTransaction(HttpResponse response, String transactionId) {
            return new Answer(response, null, transactionId);
        }
    }

    public Route {
        roles = Set.copyOf(roles);
        if (PARAMETER.matcher(path).results().count() > 1) {
            throw new IllegalArgumentException("a route names at most one id: " + path);
        }
    }

    /** A route anyone may use, with no token: the health check. */
    public static Route open(String method, String path, Action action) {
        return new Route(method, path, Set.of(), action);
    }

    /** The route as the request log and its metrics name it: {@code POST /accounts/{id}/freeze}. */
    public String name() {
        return method + " " + PARAMETER.matcher(path).replaceAll("{id}");
    }

    /** How a refusal of the path's id names it: {@code accountId} is "account id". */
    String idName() {
        Matcher parameter = PARAMETER.matcher(path);
        return parameter.find() ? parameter.group(1).replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(java.util.Locale.ROOT)
                : null;
    }

    /** The path as a regular expression: the literal segments quoted, the id one segment ({@code [^/]+}). */
    Pattern pathPattern() {
        StringBuilder regex = new StringBuilder();
        Matcher parameter = PARAMETER.matcher(path);
        int literalFrom = 0;
        while (parameter.find()) {
            regex.append(Pattern.quote(path.substring(literalFrom, parameter.start()))).append("([^/]+)");
            literalFrom = parameter.end();
        }
        regex.append(Pattern.quote(path.substring(literalFrom)));
        return Pattern.compile(regex.toString());
    }
}
