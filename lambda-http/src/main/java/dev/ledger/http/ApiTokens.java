package dev.ledger.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The bearer tokens the API accepts and the role of each, from {@code token=role,token=role}.
 * Tokens are kept only as SHA-256 digests and compared in constant time, every configured token
 * every time, so neither a match's position nor a prefix leaks through timing.
 */
public final class ApiTokens implements Authenticator {

    private static final Pattern BEARER = Pattern.compile("[ \t]*bearer +([A-Za-z0-9._~+/-]+=*)[ \t]*",
            Pattern.CASE_INSENSITIVE);

    private record Entry(byte[] digest, Role role) {
    }

    private final List<Entry> entries;

    private ApiTokens(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** One configured token and the role it grants. */
    public record Grant(String token, Role role) {
    }

    public static ApiTokens parse(String spec) {
        List<Entry> entries = new ArrayList<>();
        for (Grant grant : grants(spec)) {
            entries.add(new Entry(digest(grant.token()), grant.role()));
        }
        return new ApiTokens(entries);
    }

    /**
     * The tokens of a {@code token=role,token=role} value, in order: the one reading of it, for the
     * handlers and for the tools that generate or hand out tokens (the local stack).
     *
     * @throws IllegalArgumentException for a pair without both parts, an unknown role, or no token at all
     */
    public static List<Grant> grants(String spec) {
        List<Grant> grants = new ArrayList<>();
        for (String pair : spec.split(",")) {
            String trimmed = pair.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            int equals = trimmed.lastIndexOf('=');
            if (equals <= 0 || equals == trimmed.length() - 1) {
                throw new IllegalArgumentException("API tokens are given as token=role pairs separated by commas");
            }
            grants.add(new Grant(trimmed.substring(0, equals), Role.fromLabel(trimmed.substring(equals + 1))));
        }
        if (grants.isEmpty()) {
            throw new IllegalArgumentException("no API tokens configured");
        }
        return List.copyOf(grants);
    }

    /** The role of a presented token, if it is one of ours. */
    public Optional<Role> roleOf(String token) {
        byte[] presented = digest(token);
        Role found = null;
        for (Entry entry : entries) {
            if (MessageDigest.isEqual(entry.digest, presented) && found == null) {
                found = entry.role;
            }
        }
        return Optional.ofNullable(found);
    }

    /**
     * The caller of a request's bearer token: named by its role, since these tokens have no other name.
     *
     * @throws ApiException 401 without a known token
     */
    @Override
    public Caller authenticate(HttpRequest request) {
        String token = bearerToken(request.header("authorization")).orElseThrow(() -> new ApiException(401,
                "unauthenticated", "send an Authorization: Bearer <token> header"));
        Role role = roleOf(token).orElseThrow(() -> new ApiException(401, "unauthenticated",
                "the bearer token is not recognised"));
        return new Caller(role.label() + " token", java.util.Set.of(role));
    }

    /**
     * The token of an {@code Authorization: Bearer <token>} header value, if it has that form: the
     * scheme in any case, spaces, and a token of RFC 6750's b64token characters. Anything else is no
     * token at all, rather than trimmed into one: {@link String#trim} would also strip a NUL or other
     * control characters a tampered header appends.
     */
    public static Optional<String> bearerToken(String authorization) {
        if (authorization == null) {
            return Optional.empty();
        }
        Matcher bearer = BEARER.matcher(authorization);
        return bearer.matches() ? Optional.of(bearer.group(1)) : Optional.empty();
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
