package dev.ledger.infra.local;

import dev.ledger.infra.local.jwt.JwtAuthorizer;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Who may call the API, as the template's parameters say it: {@code AuthMode} tokens (the token
 * authorizer) or jwt ({@code JwtIssuer}, {@code JwtAudience}, and where the roles are,
 * {@code RoleClaim} and {@code RoleValuePrefix}). Locally a JWT authorizer is {@link JwtAuthorizer}.
 * Whether jwt mode has what it needs is the template's Rules' to say (checked at deployment).
 *
 * @param clock "now" for the JWT checks (exp, nbf, iat) and the key cache; a test pins it
 */
public record ApiAuth(String mode, Optional<String> jwtIssuer, List<String> jwtAudience, Optional<String> roleClaim,
                      Optional<String> rolePrefix, Clock clock) {

    public ApiAuth {
        if (!mode.equals("tokens") && !mode.equals("jwt")) {
            throw new IllegalArgumentException("The auth mode is tokens or jwt, not '" + mode + "'");
        }
        jwtAudience = List.copyOf(jwtAudience);
        Objects.requireNonNull(clock);
    }

    public static ApiAuth tokens() {
        return new ApiAuth("tokens", Optional.empty(), List.of(), Optional.empty(), Optional.empty(), Clock.systemUTC());
    }

    public static ApiAuth jwt(String issuer, List<String> audience) {
        return new ApiAuth("jwt", Optional.of(issuer), audience, Optional.empty(), Optional.empty(), Clock.systemUTC());
    }

    public ApiAuth withMode(String value) {
        return new ApiAuth(value, jwtIssuer, jwtAudience, roleClaim, rolePrefix, clock);
    }

    public ApiAuth withIssuer(String value) {
        return new ApiAuth(mode, Optional.of(value), jwtAudience, roleClaim, rolePrefix, clock);
    }

    public ApiAuth withAudience(List<String> value) {
        return new ApiAuth(mode, jwtIssuer, value, roleClaim, rolePrefix, clock);
    }

    public ApiAuth withRoleClaim(String value) {
        return new ApiAuth(mode, jwtIssuer, jwtAudience, Optional.of(value), rolePrefix, clock);
    }

    public ApiAuth withRolePrefix(String value) {
        return new ApiAuth(mode, jwtIssuer, jwtAudience, roleClaim, Optional.of(value), clock);
    }

    public ApiAuth withClock(Clock value) {
        return new ApiAuth(mode, jwtIssuer, jwtAudience, roleClaim, rolePrefix, value);
    }

    public boolean isJwt() {
        return mode.equals("jwt");
    }

    /** The template parameters this sets; the ones left out keep their defaults. */
    Map<String, String> templateParameters() {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("AuthMode", mode);
        jwtIssuer.ifPresent(issuer -> parameters.put("JwtIssuer", issuer));
        if (!jwtAudience.isEmpty()) {
            parameters.put("JwtAudience", String.join(",", jwtAudience));
        }
        roleClaim.ifPresent(claim -> parameters.put("RoleClaim", claim));
        rolePrefix.ifPresent(prefix -> parameters.put("RoleValuePrefix", prefix));
        return parameters;
    }
}
