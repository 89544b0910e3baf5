package dev.ledger.infra.local.jwt;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * An issuer's signing keys, found as API Gateway finds them: the discovery document at
 * {@code <issuer>/.well-known/openid-configuration} names the {@code jwks_uri}, whose key set is
 * fetched and kept for {@link #CACHE_FOR} (API Gateway keeps keys up to an hour). A token naming a
 * key id not in the set fetches the set again, as after a key rotation, but at most once per
 * {@link #REFETCH_UNKNOWN_KID_EVERY}: a stream of made-up kids must not become a stream of fetches.
 *
 * <p>Only https, except plain http to this machine (127.0.0.1, localhost, ::1), where a test serves
 * its own keys. No redirects are followed, and a document over {@link #MAX_DOCUMENT_BYTES} is refused.
 * When a fetch fails the keys already held stay in use; with none, every token is refused.
 */
final class OpenIdKeys implements SigningKeys {

    static final Duration CACHE_FOR = Duration.ofHours(1);
    static final Duration REFETCH_UNKNOWN_KID_EVERY = Duration.ofMinutes(1);
    static final int MAX_DOCUMENT_BYTES = 512 * 1024;
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final Set<String> LOCAL_HOSTS = Set.of("127.0.0.1", "localhost", "[::1]", "::1");

    private final String issuer;
    private final URI discovery;
    private final Clock clock;
    private final HttpClient http;
    private JsonWebKeys keys;
    private Instant fetchedAt = Instant.MIN;
    private Instant lastFetch = Instant.MIN;

    OpenIdKeys(String issuer, Clock clock) {
        this.issuer = issuer;
        this.discovery = allowed(stripSlash(issuer) + "/.well-known/openid-configuration", "JwtIssuer");
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public synchronized Optional<RSAPublicKey> key(String kid, String algorithm) {
        Instant now = clock.instant();
        if (keys == null || !now.isBefore(fetchedAt.plus(CACHE_FOR))) {
            fetch(now);
        }
        Optional<RSAPublicKey> key = keys == null ? Optional.empty() : keys.key(kid, algorithm);
        if (key.isEmpty() && keys != null && !now.isBefore(lastFetch.plus(REFETCH_UNKNOWN_KID_EVERY))
                && !keys.byKid().containsKey(kid)) {
            fetch(now);
            key = keys.key(kid, algorithm);
        }
        return key;
    }

    /** Fetches discovery document and key set; on failure keeps what it had and says why once. */
    private void fetch(Instant now) {
        lastFetch = now;
        try {
            JsonNode configuration = get(discovery);
            if (!issuer.equals(configuration.path("issuer").asText())) {
                // OpenID Connect Discovery 1.0, section 4.3: the document must name the issuer it was fetched for.
                throw new IOException("its discovery document names issuer '" + configuration.path("issuer").asText()
                        + "', not '" + issuer + "'");
            }
            String jwksUri = configuration.path("jwks_uri").asText("");
            if (jwksUri.isEmpty()) {
                throw new IOException("its discovery document has no jwks_uri");
            }
            keys = JsonWebKeys.parse(get(allowed(jwksUri, "jwks_uri")));
            fetchedAt = now;
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("[local http api] signing keys of " + issuer + " not fetched: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.err.println("[local http api] signing keys of " + issuer + " not fetched: interrupted");
        }
    }

    private JsonNode get(URI uri) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                .header("Accept", "application/json").GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                throw new IOException(uri + " answered " + response.statusCode());
            }
            byte[] bytes = body.readNBytes(MAX_DOCUMENT_BYTES + 1);
            if (bytes.length > MAX_DOCUMENT_BYTES) {
                throw new IOException(uri + " sent more than " + MAX_DOCUMENT_BYTES + " bytes");
            }
            JsonNode document = JwtJson.read(bytes).orElseThrow(() -> new IOException(uri + " sent no JSON object"));
            return document;
        }
    }

    /** The URL if it is https, or plain http to this machine. */
    static URI allowed(String url, String what) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException(what + " is not a URL: " + url, e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        if (host.isEmpty() || uri.getRawUserInfo() != null
                || !(scheme.equals("https") || scheme.equals("http") && LOCAL_HOSTS.contains(host))) {
            throw new IllegalArgumentException(what + " must be an https URL (plain http only to 127.0.0.1 or"
                    + " localhost): " + url);
        }
        return uri;
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
