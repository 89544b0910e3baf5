package dev.ledger.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.ledger.http.ApiRoutes.Handled;
import dev.ledger.http.Route.Answer;
import dev.ledger.http.RouteTable.MethodRefusal;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** One match per request, and the refusals in the order both APIs answer them: 404, 405, 401, 403, 400. */
class RouteTableTest {

    private static final ApiTokens TOKENS = ApiTokens.parse("pay=payments,aud=auditor");

    private final RouteTable table = new RouteTable(TOKENS, MethodRefusal.NAMES_THE_PATH, List.of(
            Route.open("GET", "/health", call -> Answer.of(ok("healthy"))),
            new Route("POST", "/accounts/{accountId}/freeze", Set.of(Role.PAYMENTS),
                    call -> new Answer(ok(call.id()), null)),
            new Route("POST", "/transfers/{transferId}/void", Set.of(Role.PAYMENTS),
                    call -> new Answer(ok(call.id()), call.id()))));

    @Test
    void aMatchedRouteGetsItsDecodedIdAndIsLoggedUnderItsPattern() {
        Handled handled = table.handle(request("POST", "/accounts/%61lice/freeze", "pay"), "c-1");

        assertThat(handled.response().body().get("said").asText()).isEqualTo("alice");
        assertThat(handled.route()).isEqualTo("POST /accounts/{id}/freeze");
        assertThat(table.handle(request("POST", "/transfers/t-1/void", "pay"), "c-2").transferId()).isEqualTo("t-1");
        assertThat(table.handle(request("GET", "/health", null), "c-3").route()).isEqualTo("GET /health");
    }

    @Test
    void noRouteIs404EvenWithoutAToken() {
        assertRefused(request("GET", "/accounts/alice", null), 404, "not_found");
        assertRefused(request("POST", "/accounts/alice/freeze/", "pay"), 404, "not_found");
    }

    @Test
    void theMethodIsCheckedBeforeTheTokenAndTheTokenBeforeTheId() {
        assertRefused(request("GET", "/accounts/%zz/freeze", null), 405, "method_not_allowed");
        assertRefused(request("POST", "/accounts/%zz/freeze", null), 401, "unauthenticated");
        assertRefused(request("POST", "/accounts/%zz/freeze", "forged"), 401, "unauthenticated");
        assertRefused(request("POST", "/accounts/%zz/freeze", "aud"), 403, "forbidden");
        assertRefused(request("POST", "/accounts/%zz/freeze", "pay"), 400, "invalid_request");
        assertThatThrownBy(() -> table.handle(request("POST", "/accounts/a%20b/freeze", "pay"), "c"))
                .hasMessageStartingWith("account id must be");
    }

    @Test
    void a405NamesTheMethodsThePathTakes() {
        assertThatThrownBy(() -> table.handle(request("DELETE", "/health", null), "c"))
                .hasMessage("DELETE is not allowed on /health; use GET");
        RouteTable here = new RouteTable(TOKENS, MethodRefusal.HERE,
                List.of(new Route("GET", "/transfers/{transferId}", Set.of(Role.AUDITOR), call -> Answer.of(ok("")))));
        assertThatThrownBy(() -> here.handle(request("POST", "/transfers/t", null), "c"))
                .hasMessage("POST is not allowed here; use GET");
    }

    @Test
    void aRefusedRequestIsLoggedUnderTheRouteItMatchedOrAsUnmatchedNeverUnderItsPath() {
        assertThat(table.routeOf(request("POST", "/accounts/eyJhbGciOiJub25lIn0.e30./freeze", "aud")))
                .isEqualTo("POST /accounts/{id}/freeze");
        assertThat(table.routeOf(request("GET", "/accounts/eyJhbGciOiJub25lIn0.e30.", null))).isEqualTo(ApiRoutes.UNMATCHED);
        assertThat(table.routeOf(request("GET", "/accounts/alice/freeze", "pay"))).as("another method")
                .isEqualTo(ApiRoutes.UNMATCHED);
        assertThat(table.routeOf(request("GET", null, null))).isEqualTo(ApiRoutes.UNMATCHED);
    }

    private void assertRefused(HttpRequest request, int status, String code) {
        assertThatThrownBy(() -> table.handle(request, "c")).isInstanceOfSatisfying(ApiException.class, refused -> {
            assertThat(refused.status()).isEqualTo(status);
            assertThat(refused.code()).isEqualTo(code);
        });
    }

    private static HttpRequest request(String method, String path, String token) {
        Map<String, String> headers = token == null ? Map.of() : Map.of("Authorization", "Bearer " + token);
        return new HttpRequest(method, path, headers, Map.of(), null, "r-1");
    }

    private static HttpResponse ok(String said) {
        return new HttpResponse(200, JsonNodeFactory.instance.objectNode().put("said", said));
    }
}
