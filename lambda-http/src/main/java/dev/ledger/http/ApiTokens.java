package dev.ledger.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The static bearer tokens the API accepts, each with a name and a role, and the one owner of how
 * they are kept: as SHA-256 digests only, never the token, in a stored form (the JSON value of the
 * stack's Secrets Manager secret, {@link #storedForm}) that the authorizer reads and
 * {@code ./ledger tokens} writes. Presented tokens are compared in constant time against every
 * digest every time, so neither a match's position nor a prefix leaks through timing.
 *
 * <p>The stored form: {@code {"tokens":[{"name":"...","role":"payments","sha256":"<64 hex>"}]}}.
 * Readers ignore fields they do not know, so later versions may add some; a document that breaks any
 * rule here (an unknown role, a digest that is not 64 lowercase hex digits, a repeated name or
 * digest) is refused whole, and the authorizer then denies every request: it fails closed.
 */
public final class ApiTokens implements Authenticator {

    private static final Pattern BEARER = Pattern.compile("[ \t]*bearer +([A-Za-z0-9._~+/-]+=*)[ \t]*",
            Pattern.CASE_INSENSITIVE);
    /**
     * A token's name: the caller's subject in the authorizer's context and in logs and audit records,
     * so printable, short and without spaces.
     */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of();

    /** The stored form with no token in it: what a new stack's secret holds. */
    public static final String EMPTY_STORED_FORM = "{\"tokens\":[]}";

    /**
     * One token as it is kept: its name, its role and the SHA-256 digest of the token (lowercase hex).
     *
     * @throws IllegalArgumentException for a name or digest of the wrong form
     */
    public record StoredToken(String name, Role role, String sha256) {

        public StoredToken {
            if (name == null || !NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("a token's name is 1 to 64 letters, digits, '.', '_' or '-',"
                        + " starting with a letter or digit");
            }
            if (role == null) {
                throw new IllegalArgumentException("a token needs a role");
            }
            if (sha256 == null || !SHA256_HEX.matcher(sha256).matches()) {
                throw new IllegalArgumentException("a token's digest is 64 lowercase hexadecimal digits (SHA-256)");
            }
        }

        /** The stored form of a token: its digest, never the token. */
        public static StoredToken of(String name, Role role, String token) {
            return new StoredToken(name, role, sha256Hex(token));
        }
    }

    /** One token in the clear, and the role it grants: what a tool hands out, never what is stored. */
    public record Grant(String token, Role role) {
    }

    private record Entry(String name, byte[] digest, Role role) {
    }

    private final List<Entry> entries;

    private ApiTokens(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** Tokens from their stored form (digests). */
    public static ApiTokens of(List<StoredToken> stored) {
        List<Entry> entries = new ArrayList<>();
        for (StoredToken token : checked(stored)) {
            entries.add(new Entry(token.name(), HEX.parseHex(token.sha256()), token.role()));
        }
        return new ApiTokens(entries);
    }

    /**
     * Tokens given in the clear as {@code token=role,token=role} (tests, a local stack's own tokens),
     * named as {@link #named} names them.
     */
    public static ApiTokens parse(String spec) {
        return of(named(grants(spec)));
    }

    /**
     * Stored forms for tokens in the clear, each named after its role ({@code payments}), the second
     * and later of one role with a number ({@code payments-2}): the names of the tokens a local stack
     * generates or is given.
     */
    public static List<StoredToken> named(List<Grant> grants) {
        Map<Role, Integer> seen = new EnumMap<>(Role.class);
        List<StoredToken> stored = new ArrayList<>();
        for (Grant grant : grants) {
            int n = seen.merge(grant.role(), 1, Integer::sum);
            String name = n == 1 ? grant.role().label() : grant.role().label() + "-" + n;
            stored.add(StoredToken.of(name, grant.role(), grant.token()));
        }
        return List.copyOf(stored);
    }

    /** True for a name {@link #named} gives: a role's label, alone or with a number ({@code payments-2}). */
    public static boolean namedByRole(String name) {
        for (Role role : Role.values()) {
            if (name.equals(role.label()) || name.matches(Pattern.quote(role.label()) + "-[1-9][0-9]*")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The tokens of a {@code token=role,token=role} value, in order: the one reading of it, for the
     * tools that generate or hand out tokens (the local stack).
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

    // ----------------------------------------------------------------------------------------
    // The stored form
    // ----------------------------------------------------------------------------------------

    /**
     * The tokens of a stored form, in order.
     *
     * @throws IllegalArgumentException when the document breaks any rule of the format. The message
     *     never quotes the document: it may be logged, and a misplaced token must not reach a log.
     */
    public static List<StoredToken> readStored(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException notJson) {
            throw new IllegalArgumentException("the stored API tokens are not JSON"); // no cause: it quotes the text
        }
        if (root == null || !root.isObject() || !root.path("tokens").isArray()) {
            throw new IllegalArgumentException("the stored API tokens are not an object with a \"tokens\" list");
        }
        List<StoredToken> stored = new ArrayList<>();
        int index = 0;
        for (JsonNode token : root.get("tokens")) {
            if (!token.isObject() || !token.path("name").isTextual() || !token.path("role").isTextual()
                    || !token.path("sha256").isTextual()) {
                throw new IllegalArgumentException("stored API token " + index + " lacks a text name, role or sha256");
            }
            Role role;
            try {
                role = Role.fromLabel(token.get("role").asText());
            } catch (IllegalArgumentException unknown) {
                throw new IllegalArgumentException("stored API token " + index + " has an unknown role");
            }
            try {
                stored.add(new StoredToken(token.get("name").asText(), role, token.get("sha256").asText()));
            } catch (IllegalArgumentException malformed) {
                throw new IllegalArgumentException("stored API token " + index + ": " + malformed.getMessage());
            }
            index++;
        }
        return checked(stored);
    }

    /** The stored form of these tokens (digests, names and roles), as {@link #readStored} reads it. */
    public static String storedForm(List<StoredToken> tokens) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode list = root.putArray("tokens");
        for (StoredToken token : checked(tokens)) {
            list.addObject().put("name", token.name()).put("role", token.role().label()).put("sha256", token.sha256());
        }
        return root.toString();
    }

    /** The lowercase hex SHA-256 of a token's UTF-8 bytes: all that is ever kept of it. */
    public static String sha256Hex(String token) {
        return HEX.formatHex(digest(token));
    }

    private static List<StoredToken> checked(List<StoredToken> tokens) {
        Set<String> names = new HashSet<>();
        Set<String> digests = new HashSet<>();
        for (StoredToken token : tokens) {
            if (!names.add(token.name())) {
                throw new IllegalArgumentException("two stored API tokens are named " + token.name());
            }
            if (!digests.add(token.sha256())) {
                // One token, two names (or roles): which caller it is would depend on the order.
                throw new IllegalArgumentException("stored API token " + token.name() + " repeats another's digest");
            }
        }
        return List.copyOf(tokens);
    }

    // ----------------------------------------------------------------------------------------
    // Checking a presented token
    // ----------------------------------------------------------------------------------------

    /** The stored token a presented token is, if it is one of ours (its name and role, and its digest). */
    public Optional<StoredToken> find(String token) {
        byte[] presented = digest(token);
        Entry found = null;
        for (Entry entry : entries) {
            if (MessageDigest.isEqual(entry.digest, presented) && found == null) {
                found = entry;
            }
        }
        return Optional.ofNullable(found).map(e -> new StoredToken(e.name, e.role, HEX.formatHex(e.digest)));
    }

    /** The role of a presented token, if it is one of ours. */
    public Optional<Role> roleOf(String token) {
        return find(token).map(StoredToken::role);
    }

    /** How many tokens these are. */
    public int size() {
        return entries.size();
    }

    /**
     * The caller of a request's bearer token: named by the token's name.
     *
     * @throws ApiException 401 without a known token
     */
    @Override
    public Caller authenticate(HttpRequest request) {
        String token = bearerToken(request.header("authorization")).orElseThrow(() -> new ApiException(401,
                "unauthenticated", "send an Authorization: Bearer <token> header"));
        StoredToken found = find(token).orElseThrow(() -> new ApiException(401, "unauthenticated",
                "the bearer token is not recognised"));
        return new Caller(found.name(), Set.of(found.role()));
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
