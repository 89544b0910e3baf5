package dev.ledger.infra.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The auditors' console (issue 16) on the local stack's own origin: {@code /console/} and its files, read
 * from this module's resources ({@code console/}). Only the local stack serves them: on AWS the same
 * files are hosted elsewhere and call the API with CORS (the template's ConsoleOrigin; docs/console.md).
 * The files hold no secret, so they need no token; every API call they make does.
 *
 * <p>A fixed list of files, not a path looked up in the resources: nothing a request names can reach
 * another resource of the jar.
 */
final class ConsoleAssets {

    static final String PREFIX = "/console";
    private static final Map<String, String> FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "console.css", "text/css; charset=utf-8",
            "api.js", "text/javascript; charset=utf-8",
            "page.js", "text/javascript; charset=utf-8",
            "console.js", "text/javascript; charset=utf-8");
    /**
     * Scripts and styles from this origin only, API calls to it only, no frames: a page that injected
     * markup could neither run it nor send a token elsewhere.
     */
    private static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self';"
            + " img-src 'self'; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

    private ConsoleAssets() {
    }

    /** Whether the path is the console's (then {@link #answer} answers it, not the API's routes). */
    static boolean owns(String rawPath) {
        return rawPath.equals(PREFIX) || rawPath.startsWith(PREFIX + "/");
    }

    static LocalHttpResponse answer(String method, String rawPath, String requestId) {
        if (!method.equals("GET") && !method.equals("HEAD")) {
            // As API Gateway answers a route without this method (the README's answers table).
            return notFound(requestId);
        }
        if (rawPath.equals(PREFIX)) {
            // The pages name their files relative to /console/.
            return new LocalHttpResponse(301, List.of(Map.entry("Location", PREFIX + "/")), new byte[0]);
        }
        String name = rawPath.substring(PREFIX.length() + 1);
        if (name.isEmpty()) {
            name = "index.html";
        }
        Optional<byte[]> body = FILES.containsKey(name) ? read(name) : Optional.empty();
        if (body.isEmpty()) {
            return notFound(requestId);
        }
        return new LocalHttpResponse(200, List.of(
                Map.entry("Content-Type", FILES.get(name)),
                Map.entry("Content-Security-Policy", CONTENT_SECURITY_POLICY),
                Map.entry("X-Content-Type-Options", "nosniff"),
                Map.entry("Referrer-Policy", "no-referrer"),
                Map.entry("Cache-Control", "no-cache")), body.get());
    }

    private static LocalHttpResponse notFound(String requestId) {
        return LocalHttpResponse.message(404, "Not Found", List.of(Map.entry("apigw-requestid", requestId)));
    }

    private static Optional<byte[]> read(String name) {
        try (InputStream in = ConsoleAssets.class.getResourceAsStream("/console/" + name)) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the console's " + name, e);
        }
    }
}
