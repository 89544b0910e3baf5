package dev.ledger.infra.local;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Hostile and borderline JWTs, each with the answer the local API Gateway must give it on a read
 * route every role may use: 401 {"message":"Unauthorized"} for every token API Gateway's JWT
 * authorizer refuses, 403 {@code forbidden} from the handler for a verified token that names no role
 * of ours, 200 for the borderline tokens that are valid (within the clock skew, Cognito's client_id,
 * a list role claim). The stack runs with issuer {@link JwtIssuer#url()}, audiences
 * {@value #AUDIENCE} and {@value #OTHER_AUDIENCE}, role claim {@code scope} with prefix
 * {@value #PREFIX}, and its clock pinned at the {@code now} given here.
 */
final class JwtHostileCorpus {

    static final String AUDIENCE = "ledger-api";
    static final String OTHER_AUDIENCE = "ledger-console";
    static final String PREFIX = "ledger/";
    static final String UNAUTHORIZED = "Unauthorized";
    static final String FORBIDDEN = "forbidden";
    static final String OK = "-";

    /**
     * One request's Authorization header (null: none sent) and the answer it must get.
     *
     * @param answer the message of a 401, the error code of a 403, "-" for a 200
     */
    record Row(String name, String authorization, int status, String answer) {
        @Override
        public String toString() {
            return name + " -> " + status + " " + answer;
        }
    }

    private final JwtIssuer issuer;
    private final Instant now;
    private final long epoch;

    JwtHostileCorpus(JwtIssuer issuer, Instant now) {
        this.issuer = issuer;
        this.now = now;
        this.epoch = now.getEpochSecond();
    }

    List<Row> all() {
        List<Row> rows = new ArrayList<>();
        rows.addAll(signatures());
        rows.addAll(lifetimes());
        rows.addAll(issuersAndAudiences());
        rows.addAll(roles());
        rows.addAll(shapes());
        return rows;
    }

    private List<Row> signatures() {
        String valid = bearer(signed(c -> { }));
        String[] parts = token(valid).split("\\.");
        byte[] signature = Base64.getUrlDecoder().decode(parts[2]);
        signature[signature.length - 1] ^= 1;
        String flipped = parts[0] + "." + parts[1] + "." + JwtIssuer.encode(signature);
        String payload = JwtIssuer.json(claims(c -> { }));
        return List.of(
                accepted("a valid token (the control)", valid),
                refused("a signature with one bit flipped", "Bearer " + flipped),
                refused("another issuer's key under the same kid",
                        "Bearer " + JwtIssuer.sign(JwtIssuer.header(), payload, issuer.strangerKey.getPrivate(), "SHA256withRSA")),
                refused("a kid the issuer does not publish", "Bearer " + JwtIssuer.sign(header(h -> h.put("kid", "k9")), payload,
                        issuer.key.getPrivate(), "SHA256withRSA")),
                refused("no kid", "Bearer " + JwtIssuer.sign(header(h -> h.remove("kid")), payload, issuer.key.getPrivate(),
                        "SHA256withRSA")),
                refused("alg none without a signature", "Bearer " + JwtIssuer.encode(JwtIssuer.json(header(h -> h.put("alg", "none"))))
                        + "." + JwtIssuer.encode(payload) + "."),
                refused("alg none with the valid token's signature", "Bearer " + JwtIssuer.encode(JwtIssuer.json(
                        header(h -> h.put("alg", "none")))) + "." + JwtIssuer.encode(payload) + "." + parts[2]),
                refused("alg HS256 keyed with the public key's X.509 bytes", "Bearer " + hmac(header(h -> h.put("alg", "HS256")),
                        payload, issuer.key.getPublic().getEncoded())),
                refused("alg HS256 keyed with the public key's PEM text", "Bearer " + hmac(header(h -> h.put("alg", "HS256")),
                        payload, pem(issuer.key.getPublic().getEncoded()))),
                refused("an ES256 header", "Bearer " + JwtIssuer.encode(JwtIssuer.json(header(h -> h.put("alg", "ES256"))))
                        + "." + JwtIssuer.encode(payload) + "." + JwtIssuer.encode(new byte[64])),
                refused("alg rs256 in lower case", "Bearer " + JwtIssuer.sign(header(h -> h.put("alg", "rs256")), payload,
                        issuer.key.getPrivate(), "SHA256withRSA")),
                refused("RS512 under a key whose JWK pins RS256", "Bearer " + JwtIssuer.sign(header(h -> h.put("alg", "RS512")),
                        payload, issuer.key.getPrivate(), "SHA512withRSA")),
                accepted("RS384 under a key whose JWK names no alg", "Bearer " + JwtIssuer.sign(header(h -> {
                    h.put("alg", "RS384");
                    h.put("kid", JwtIssuer.KID_ANY_RSA);
                }), payload, issuer.anyAlgorithmKey.getPrivate(), "SHA384withRSA")),
                refused("a crit header parameter", "Bearer " + JwtIssuer.sign(header(h -> h.put("crit", List.of("exp"))), payload,
                        issuer.key.getPrivate(), "SHA256withRSA")));
    }

    private List<Row> lifetimes() {
        return List.of(
                refused("expired two minutes ago", bearer(signed(c -> c.put("exp", epoch - 120)))),
                accepted("expired ten seconds ago, within the 30 s skew", bearer(signed(c -> c.put("exp", epoch - 10)))),
                refused("expired exactly the skew ago", bearer(signed(c -> c.put("exp", epoch - 30)))),
                refused("nbf two minutes ahead", bearer(signed(c -> c.put("nbf", epoch + 120)))),
                accepted("nbf ten seconds ahead, within the skew", bearer(signed(c -> c.put("nbf", epoch + 10)))),
                refused("iat two minutes ahead", bearer(signed(c -> c.put("iat", epoch + 120)))),
                refused("no exp", bearer(signed(c -> c.remove("exp")))),
                refused("exp as a string", bearer(signed(c -> c.put("exp", Long.toString(epoch + 600))))),
                refused("nbf as a string", bearer(signed(c -> c.put("nbf", Long.toString(epoch - 60))))));
    }

    private List<Row> issuersAndAudiences() {
        return List.of(
                refused("another issuer", bearer(signed(c -> c.put("iss", "https://login.example.com")))),
                refused("the issuer with a trailing slash", bearer(signed(c -> c.put("iss", issuer.url() + "/")))),
                refused("the issuer in upper case", bearer(signed(c -> c.put("iss", issuer.url().toUpperCase(java.util.Locale.ROOT))))),
                refused("no iss", bearer(signed(c -> c.remove("iss")))),
                refused("another audience", bearer(signed(c -> c.put("aud", "someone-else")))),
                refused("an audience list without ours", bearer(signed(c -> c.put("aud", List.of("a", "b"))))),
                accepted("an audience list with ours", bearer(signed(c -> c.put("aud", List.of("a", OTHER_AUDIENCE))))),
                accepted("no aud and our client_id (Cognito's access tokens)", bearer(signed(c -> {
                    c.remove("aud");
                    c.put("client_id", AUDIENCE);
                }))),
                refused("neither aud nor client_id", bearer(signed(c -> c.remove("aud")))),
                refused("another aud and our client_id (aud decides)", bearer(signed(c -> {
                    c.put("aud", "someone-else");
                    c.put("client_id", AUDIENCE);
                }))),
                refused("aud a number", bearer(signed(c -> c.put("aud", 7)))));
    }

    private List<Row> roles() {
        return List.of(
                forbidden("no role claim", bearer(signed(c -> c.remove("scope")))),
                forbidden("a role under another prefix", bearer(signed(c -> c.put("scope", "other/auditor")))),
                forbidden("a role without the prefix", bearer(signed(c -> c.put("scope", "auditor")))),
                forbidden("an unknown role", bearer(signed(c -> c.put("scope", PREFIX + "admin")))),
                accepted("the role among other scopes", bearer(signed(c -> c.put("scope", "openid " + PREFIX + "auditor email")))),
                accepted("the role claim as a JSON list", bearer(signed(c -> c.put("scope", List.of(PREFIX + "auditor"))))));
    }

    private List<Row> shapes() {
        String valid = token(bearer(signed(c -> { })));
        String[] parts = valid.split("\\.");
        String payload = JwtIssuer.json(claims(c -> { }));
        return List.of(
                refused("no Authorization header", null),
                refused("a token over 8 KiB", bearer(signed(c -> c.put("pad", "x".repeat(5800))))),
                refused("truncated", "Bearer " + valid.substring(0, valid.length() - 10)),
                refused("two segments", "Bearer " + parts[0] + "." + parts[1]),
                refused("four segments", "Bearer " + valid + "." + parts[2]),
                refused("standard base64 characters", "Bearer " + parts[0] + "." + parts[1] + "+/." + parts[2]),
                refused("base64 padding", "Bearer " + parts[0] + "=." + parts[1] + "." + parts[2]),
                refused("a header that is not JSON", "Bearer " + JwtIssuer.encode("alg=RS256") + "." + parts[1] + "." + parts[2]),
                refused("claims that are not JSON", "Bearer " + signRaw("iss=" + issuer.url())),
                refused("claims that are a JSON array", "Bearer " + signRaw("[" + payload + "]")),
                refused("claims with iss twice", "Bearer " + signRaw(payload.substring(0, payload.length() - 1)
                        + ",\"iss\":\"https://login.example.com\"}")),
                refused("claims with trailing content", "Bearer " + signRaw(payload + "{}")),
                refused("another scheme", "Basic " + valid),
                refused("an empty bearer", "Bearer "),
                refused("the scheme twice", "Bearer Bearer " + valid),
                accepted("the token without Bearer (API Gateway takes a bare token)", valid));
    }

    // ----------------------------------------------------------------------------------------

    private Map<String, Object> claims(Consumer<Map<String, Object>> change) {
        Map<String, Object> claims = issuer.claims(now, AUDIENCE, PREFIX + "auditor");
        change.accept(claims);
        return claims;
    }

    private String signed(Consumer<Map<String, Object>> change) {
        return issuer.sign(claims(change));
    }

    private String signRaw(String payload) {
        return JwtIssuer.sign(JwtIssuer.header(), payload, issuer.key.getPrivate(), "SHA256withRSA");
    }

    private static Map<String, Object> header(Consumer<Map<String, Object>> change) {
        Map<String, Object> header = new LinkedHashMap<>(JwtIssuer.header());
        change.accept(header);
        return header;
    }

    private static String hmac(Map<String, Object> header, String payload, byte[] key) {
        String input = JwtIssuer.encode(JwtIssuer.json(header)) + "." + JwtIssuer.encode(payload);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return input + "." + JwtIssuer.encode(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] pem(byte[] der) {
        return ("-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END PUBLIC KEY-----\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static String bearer(String token) {
        return "Bearer " + token;
    }

    private static String token(String bearer) {
        return bearer.substring("Bearer ".length());
    }

    private static Row accepted(String name, String authorization) {
        return new Row(name, authorization, 200, OK);
    }

    private static Row refused(String name, String authorization) {
        return new Row(name, authorization, 401, UNAUTHORIZED);
    }

    private static Row forbidden(String name, String authorization) {
        return new Row(name, authorization, 403, FORBIDDEN);
    }
}
