package dev.ledger.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GatewayCallerTest {

    private final GatewayCaller cognito = new GatewayCaller("scope", "ledger/");

    private static HttpRequest through(GatewayAuthorizer authorizer) {
        return new HttpRequest("GET", "/accounts/a", Map.of(), Map.of(), null, "req-1", authorizer);
    }

    @Test
    void aRequestThatCameThroughNoAuthorizerIsUnauthenticatedEvenWithABearerToken() {
        HttpRequest request = new HttpRequest("GET", "/accounts/a", Map.of("Authorization", "Bearer anything"),
                Map.of(), null, "req-1");
        assertThatThrownBy(() -> cognito.authenticate(request)).isInstanceOfSatisfying(ApiException.class,
                refused -> assertThat(refused.toResponse().status()).isEqualTo(401));
    }

    @Test
    void theLambdaAuthorizersContextNamesTheRoleAndTheSubject() {
        Caller caller = cognito.authenticate(through(new GatewayAuthorizer(
                Map.of("role", "operator", "subject", "ops-laptop"), Map.of())));
        assertThat(caller).isEqualTo(new Caller("ops-laptop", Set.of(Role.OPERATOR)));
    }

    @Test
    void aJwtsRolesAreTheClaimsValuesWithThePrefixAndNothingElse() {
        Caller caller = cognito.authenticate(through(new GatewayAuthorizer(Map.of(), Map.of(
                "sub", "svc-checkout", "scope", "openid ledger/payments other/operator ledger/Auditor ledger/auditor"))));
        assertThat(caller).isEqualTo(new Caller("svc-checkout", Set.of(Role.PAYMENTS, Role.AUDITOR)));
    }

    @Test
    void aListClaimAsApiGatewayRendersItIsReadValueByValue() {
        GatewayCaller groups = new GatewayCaller("cognito:groups", "");
        Caller caller = groups.authenticate(through(new GatewayAuthorizer(Map.of(), Map.of(
                "client_id", "auditor-app", "cognito:groups", "[auditor operators]"))));
        assertThat(caller).isEqualTo(new Caller("auditor-app", Set.of(Role.AUDITOR)));
    }

    @Test
    void aVerifiedJwtWithoutTheRoleClaimIsACallerWithNoRoles() {
        Caller caller = cognito.authenticate(through(new GatewayAuthorizer(Map.of(), Map.of("sub", "someone"))));
        assertThat(caller.roles()).isEmpty();
    }
}
