package dev.ledger.infra.local;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OpenID issuer for tests, on 127.0.0.1: its own RSA keys, its discovery document at
 * {@code /.well-known/openid-configuration} and its key set at {@code /jwks.json}, served by the
 * JDK's HTTP server; it signs the tokens the tests send. Key {@value #KID} pins RS256 in its JWK,
 * key {@value #KID_ANY_RSA} names no algorithm. A second key pair, never published, stands for
 * another issuer's key that happens to use the same kid.
 */
final class JwtIssuer implements AutoCloseable {

    static final String KID = "k1";
    static final String KID_ANY_RSA = "k2";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

    final KeyPair key = rsa();
    final KeyPair anyAlgorithmKey = rsa();
    final KeyPair strangerKey = rsa();
    /** Published only after {@link #rotate()}, under kid {@value #KID_ROTATED}. */
    final KeyPair rotatedKey = rsa();
    static final String KID_ROTATED = "k3";
    private volatile boolean rotated;
    private final HttpServer server;
    private final String url;
    private final AtomicInteger keySetFetches = new AtomicInteger();

    private JwtIssuer(HttpServer server) {
        this.server = server;
        this.url = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    static JwtIssuer start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        JwtIssuer issuer = new JwtIssuer(server);
        server.createContext("/.well-known/openid-configuration", exchange -> respond(exchange,
                json(Map.of("issuer", issuer.url, "jwks_uri", issuer.url + "/jwks.json"))));
        server.createContext("/jwks.json", exchange -> {
            issuer.keySetFetches.incrementAndGet();
            respond(exchange, issuer.keySet());
        });
        server.start();
        return issuer;
    }

    /** The issuer URL: the tokens' iss, and where the keys are found. */
    String url() {
        return url;
    }

    /** Publishes {@link #rotatedKey} beside the others, as an issuer does before it signs with a new key. */
    void rotate() {
        rotated = true;
    }

    int keySetFetches() {
        return keySetFetches.get();
    }

    /** The default header: RS256 with key {@value #KID}. */
    static Map<String, Object> header() {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("alg", "RS256");
        header.put("typ", "JWT");
        header.put("kid", KID);
        return header;
    }

    /** Claims of a valid token issued a minute before {@code now}, valid ten minutes. */
    Map<String, Object> claims(Instant now, String audience, String scope) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", url);
        claims.put("sub", "client-1");
        claims.put("aud", audience);
        claims.put("scope", scope);
        claims.put("iat", now.getEpochSecond() - 60);
        claims.put("exp", now.getEpochSecond() + 600);
        return claims;
    }

    /** A token signed with the published key {@value #KID} (RS256). */
    String sign(Map<String, Object> claims) {
        return sign(header(), json(claims), key.getPrivate(), "SHA256withRSA");
    }

    /** Header and payload as given (any JSON text), signed with this key and JCA algorithm. */
    static String sign(Map<String, Object> header, String payload, PrivateKey privateKey, String algorithm) {
        String input = encode(json(header)) + "." + encode(payload);
        return input + "." + B64URL.encodeToString(signature(input, privateKey, algorithm));
    }

    static String encode(String text) {
        return B64URL.encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    static String encode(byte[] bytes) {
        return B64URL.encodeToString(bytes);
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private String keySet() {
        List<Map<String, Object>> keys = new java.util.ArrayList<>(List.of(jwk((RSAPublicKey) key.getPublic(), KID, "RS256"),
                jwk((RSAPublicKey) anyAlgorithmKey.getPublic(), KID_ANY_RSA, null)));
        if (rotated) {
            keys.add(jwk((RSAPublicKey) rotatedKey.getPublic(), KID_ROTATED, "RS256"));
        }
        return json(Map.of("keys", keys));
    }

    private static Map<String, Object> jwk(RSAPublicKey publicKey, String kid, String algorithm) {
        Map<String, Object> jwk = new LinkedHashMap<>();
        jwk.put("kty", "RSA");
        jwk.put("kid", kid);
        jwk.put("use", "sig");
        if (algorithm != null) {
            jwk.put("alg", algorithm);
        }
        jwk.put("n", encode(unsigned(publicKey.getModulus())));
        jwk.put("e", encode(unsigned(publicKey.getPublicExponent())));
        return jwk;
    }

    /** Big-endian without the sign byte, as JWK's n and e are (RFC 7518, section 6.3.1). */
    private static byte[] unsigned(BigInteger value) {
        byte[] bytes = value.toByteArray();
        return bytes[0] == 0 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
    }

    private static byte[] signature(String input, PrivateKey privateKey, String algorithm) {
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(privateKey);
            signer.update(input.getBytes(StandardCharsets.US_ASCII));
            return signer.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair rsa() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void respond(com.sun.net.httpserver.HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
