package dev.ledger.infra.local;

import dev.ledger.infra.Template;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Picks the route of a request as an HTTP API does: a route key {@code METHOD /path} with
 * {@code {name}} segments and an optional greedy last {@code {name+}}; the most specific match
 * wins (more literal segments, then not greedy, then a named method over ANY), and
 * {@code $default} only when nothing else matches.
 */
final class RouteTable {

    /** A matched route and its path parameters (percent-decoded). */
    record Match(Template.Route route, Map<String, String> pathParameters) {
    }

    private record Candidate(Template.Route route, String[] segments, boolean greedy, int literals) {
    }

    private final List<Candidate> candidates;
    private final Optional<Template.Route> fallback;

    RouteTable(List<Template.Route> routes) {
        this.candidates = routes.stream().filter(r -> !r.routeKey().equals("$default")).map(RouteTable::candidate).toList();
        this.fallback = routes.stream().filter(r -> r.routeKey().equals("$default")).findFirst();
    }

    Optional<Match> match(String method, String rawPath) {
        String[] requested = segments(rawPath);
        return candidates.stream()
                .filter(c -> c.route().method().equals("ANY") || c.route().method().equalsIgnoreCase(method))
                .map(c -> parameters(c, requested).map(p -> Map.entry(c, p)))
                .flatMap(Optional::stream)
                .max(Comparator.<Map.Entry<Candidate, Map<String, String>>>comparingInt(e -> e.getKey().literals())
                        .thenComparing(e -> !e.getKey().greedy())
                        .thenComparing(e -> !e.getKey().route().method().equals("ANY")))
                .map(e -> new Match(e.getKey().route(), e.getValue()))
                .or(() -> fallback.map(route -> new Match(route, Map.of())));
    }

    private static Candidate candidate(Template.Route route) {
        String[] segments = segments(route.path());
        boolean greedy = segments.length > 0 && segments[segments.length - 1].endsWith("+}");
        int literals = 0;
        for (String segment : segments) {
            if (!segment.startsWith("{")) {
                literals++;
            }
        }
        return new Candidate(route, segments, greedy, literals);
    }

    private static Optional<Map<String, String>> parameters(Candidate candidate, String[] requested) {
        String[] pattern = candidate.segments();
        if (candidate.greedy() ? requested.length < pattern.length : requested.length != pattern.length) {
            return Optional.empty();
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        for (int i = 0; i < pattern.length; i++) {
            String segment = pattern[i];
            if (candidate.greedy() && i == pattern.length - 1) {
                String rest = String.join("/", java.util.Arrays.copyOfRange(requested, i, requested.length));
                if (rest.isEmpty()) {
                    return Optional.empty();
                }
                parameters.put(segment.substring(1, segment.length() - 2), decode(rest));
            } else if (segment.startsWith("{") && segment.endsWith("}")) {
                if (requested[i].isEmpty()) {
                    return Optional.empty();
                }
                parameters.put(segment.substring(1, segment.length() - 1), decode(requested[i]));
            } else if (!segment.equals(requested[i])) {
                return Optional.empty();
            }
        }
        return Optional.of(parameters);
    }

    private static String[] segments(String path) {
        String trimmed = path.startsWith("/") ? path.substring(1) : path;
        return trimmed.isEmpty() ? new String[0] : trimmed.split("/", -1);
    }

    private static String decode(String raw) {
        // Path segments: a '+' is a plus sign, not a space.
        return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
