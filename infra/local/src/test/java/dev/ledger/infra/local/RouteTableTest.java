package dev.ledger.infra.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.infra.Template;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RouteTableTest {

    private final RouteTable routes = new RouteTable(List.of(
            route("GET /health"), route("POST /accounts"), route("POST /accounts/{accountId}/freeze"),
            route("POST /accounts/special/freeze"), route("ANY /files/{path+}"), route("GET /files/{path+}")));

    @Test
    void matches_literal_routes_by_method_and_path() {
        assertThat(key("GET", "/health")).contains("GET /health");
        assertThat(key("POST", "/health")).isEmpty();
        assertThat(key("GET", "/health/")).isEmpty();
    }

    @Test
    void binds_path_variables_and_prefers_the_more_literal_route() {
        RouteTable.Match match = routes.match("POST", "/accounts/a%2Fb/freeze").orElseThrow();
        assertThat(match.route().routeKey()).isEqualTo("POST /accounts/{accountId}/freeze");
        assertThat(match.pathParameters()).isEqualTo(Map.of("accountId", "a/b"));
        assertThat(key("POST", "/accounts/special/freeze")).contains("POST /accounts/special/freeze");
        assertThat(key("POST", "/accounts//freeze")).isEmpty();
    }

    @Test
    void greedy_variables_take_the_rest_and_a_named_method_beats_any() {
        RouteTable.Match match = routes.match("GET", "/files/a/b/c").orElseThrow();
        assertThat(match.route().routeKey()).isEqualTo("GET /files/{path+}");
        assertThat(match.pathParameters()).isEqualTo(Map.of("path", "a/b/c"));
        assertThat(key("PUT", "/files/x")).contains("ANY /files/{path+}");
        assertThat(key("GET", "/files")).isEmpty();
    }

    @Test
    void the_default_route_catches_the_rest_when_there_is_one() {
        RouteTable withDefault = new RouteTable(List.of(route("GET /health"), route("$default")));
        assertThat(withDefault.match("DELETE", "/x").orElseThrow().route().routeKey()).isEqualTo("$default");
        assertThat(withDefault.match("GET", "/health").orElseThrow().route().routeKey()).isEqualTo("GET /health");
    }

    private Optional<String> key(String method, String path) {
        return routes.match(method, path).map(m -> m.route().routeKey());
    }

    private static Template.Route route(String key) {
        int space = key.indexOf(' ');
        return new Template.Route(key, key, space < 0 ? "ANY" : key.substring(0, space),
                space < 0 ? key : key.substring(space + 1), "NONE", Optional.empty(), "Fn", Optional.empty());
    }
}
