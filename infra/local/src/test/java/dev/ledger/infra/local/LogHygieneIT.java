package dev.ledger.infra.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ledger.functions.LedgerFixture;
import dev.ledger.functions.LedgerWrites;
import dev.ledger.functions.api.CommandApiHostileCorpus;
import dev.ledger.functions.api.HostileRequest;
import dev.ledger.http.ApiRoutes;
import dev.ledger.infra.Template;
import dev.ledger.projections.api.QueryApiHostileCorpus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the local stack logs holds no metadata value, token, JWT or request body. The stack runs
 * whole (its own emulator, the gateway and authorizer, every handler, the event sources) with API
 * tokens that are canaries (unique strings); both hostile-input corpora go to it over HTTP, their
 * tokens swapped for the canaries, then requests carrying canaries of each kind: metadata values
 * (accepted, so they travel the log, the stream and the projections, and refused), bodies the
 * parsers choke on, a JWT as the bearer token and in another header. Everything the stack wrote
 * meanwhile (standard output and error of this JVM, where the handlers, the gateway, the event
 * sources and the SDK write, and the emulator's own log) is then searched for every canary, for
 * {@code eyJ} (a base64url JSON object: a JWT's header) and for a bearer credential; each failure
 * names the lines.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class LogHygieneIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final String RUN = HexFormat.of().formatHex(new SecureRandom().generateSeed(6));
    private static final String PAYMENTS = "canary-token-payments-" + RUN;
    private static final String AUDITOR = "canary-token-auditor-" + RUN;
    private static final String OPERATOR = "canary-token-operator-" + RUN;
    private static final String METADATA = "canary-metadata-" + RUN;
    private static final String REFUSED_METADATA = "canary-refused-metadata-" + RUN;
    /** A bare word where JSON wants a value: a parser's message quotes such a token. */
    private static final String BODY = "canarybody" + RUN;
    private static final String BODY_FIELD = "canary-body-field-" + RUN;
    /** Shaped like a JWT (header.claims.signature, base64url), with the run's canary in its claims. */
    private static final String JWT = base64Url("{\"alg\":\"RS256\",\"kid\":\"canary\"}") + "."
            + base64Url("{\"sub\":\"canary-jwt-" + RUN + "\",\"scope\":\"payments\"}") + "." + base64Url("signature");
    /**
     * A base64url JSON object ({@code {"} encodes as {@code eyJ}) long enough to be a JWT's header: 17
     * characters or more, which the gateway's random 16-character request ids (standard base64, padded)
     * cannot hold, so they never match by chance.
     */
    private static final Pattern JWT_LIKE = Pattern.compile("eyJ[A-Za-z0-9_-]{14,}");
    /** A route as a log line names it, its parameters' names left out: {@code GET /accounts/{}}. */
    private static final Pattern LOGGED_ROUTE = Pattern.compile("\"route\":\"([^\"]*)\"");
    private static final Pattern BEARER = Pattern.compile("(?i)bearer\\s+[A-Za-z0-9._~+/=-]+");

    @TempDir
    static Path directory;
    private PrintStream originalOut;
    private PrintStream originalErr;
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private LocalStack stack;
    private final Map<String, List<String>> logs = new LinkedHashMap<>();
    private int answered;
    private final List<String> unanswered = new ArrayList<>();

    @BeforeAll
    void sendTheCorporaAndTheCanaries() throws Exception {
        // Before the stack starts: the handlers take System.out when they are constructed.
        originalOut = System.out;
        originalErr = System.err;
        System.setOut(new PrintStream(new Tee(originalOut, stdout), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new Tee(originalErr, stderr), true, StandardCharsets.UTF_8));
        Path emulatorLog;
        try {
            stack = LocalStack.start(LocalStack.Options.defaults()
                    .withPort(0)
                    .withStackName("log-hygiene")
                    .withCodeBucket("log-hygiene-code")
                    .withApiTokens(PAYMENTS + "=payments," + AUDITOR + "=auditor," + OPERATOR + "=operator")
                    .withStateFile(directory.resolve("local.json")));
            CommandApiHostileCorpus.seed(overHttp());
            for (HostileRequest row : CommandApiHostileCorpus.all()) {
                send(row);
            }
            for (HostileRequest row : QueryApiHostileCorpus.all()) {
                send(row);
            }
            sendCanaries();
            awaitProjectionsOfTheCanaryTransfer();
            emulatorLog = stack.emulatorLog().orElseThrow();
            logs.put("emulator log", Files.readAllLines(emulatorLog, StandardCharsets.UTF_8));
        } finally {
            if (stack != null) {
                stack.close();
            }
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
        logs.put("stdout", lines(stdout));
        logs.put("stderr", lines(stderr));
    }

    @AfterAll
    void restoreStreams() {
        if (originalOut != null) {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
    }

    @Test
    void the_stack_logged_the_traffic_so_the_search_below_searched_something() {
        assertThat(answered).as("requests answered over HTTP").isGreaterThan(CommandApiHostileCorpus.all().size());
        assertThat(unanswered).as("requests the stack closed without an answer").isEmpty();
        assertThat(logs.get("stdout")).as("request lines of the command and read APIs")
                .anyMatch(line -> line.contains("\"route\":\"POST /transfers\""))
                .anyMatch(line -> line.contains("\"route\":\"GET /transfers/{id}\""));
        assertThat(logs.get("stdout")).as("batch lines of the projections")
                .anyMatch(line -> line.contains("\"projection\":\"transfers\""));
        assertThat(logs.get("emulator log")).as("the emulator's request lines").isNotEmpty();
    }

    @Test
    void a_line_names_a_route_of_the_template_or_unmatched_never_the_path_a_caller_sent() {
        Set<String> routes = new TreeSet<>(Set.of(ApiRoutes.UNMATCHED));
        Template.bundled().routes().forEach(route -> routes.add(withoutParameterNames(route.method() + " " + route.path())));
        List<String> found = new ArrayList<>();
        logs.forEach((source, lines) -> lines.forEach(line -> {
            Matcher route = LOGGED_ROUTE.matcher(line);
            if (route.find() && !routes.contains(withoutParameterNames(route.group(1)))) {
                found.add(source + ": " + line);
            }
        }));
        assertThat(found).as("log lines naming a route the template does not have").isEmpty();
    }

    private static String withoutParameterNames(String route) {
        return route.replaceAll("\\{[^}]*}", "{}");
    }

    @Test
    void no_line_carries_an_api_token() {
        assertNoLineContains("an API token", PAYMENTS, AUDITOR, OPERATOR, LedgerFixture.PAYMENTS,
                LedgerFixture.AUDITOR, LedgerFixture.OPERATOR);
    }

    @Test
    void no_line_carries_a_metadata_value() {
        assertNoLineContains("a metadata value", METADATA, REFUSED_METADATA);
    }

    @Test
    void no_line_carries_a_request_body() {
        assertNoLineContains("a request body", BODY, BODY_FIELD);
    }

    @Test
    void no_line_carries_a_jwt_or_a_bearer_credential() {
        assertNoLineContains("a JWT", JWT, "canary-jwt-" + RUN);
        assertNoLineMatches("a JWT's base64url JSON header", JWT_LIKE);
        assertNoLineMatches("a bearer credential", BEARER);
    }

    // ----------------------------------------------------------------------------------------

    private void assertNoLineContains(String what, String... canaries) {
        List<String> found = new ArrayList<>();
        logs.forEach((source, lines) -> {
            for (String line : lines) {
                for (String canary : canaries) {
                    if (line.contains(canary)) {
                        found.add(source + ": " + line);
                        break;
                    }
                }
            }
        });
        assertThat(found).as("log lines carrying %s", what).isEmpty();
    }

    private void assertNoLineMatches(String what, Pattern pattern) {
        List<String> found = logs.entrySet().stream().flatMap(source -> source.getValue().stream()
                        .filter(line -> pattern.matcher(line).find()).map(line -> source.getKey() + ": " + line))
                .collect(Collectors.toList());
        assertThat(found).as("log lines carrying %s", what).isEmpty();
    }

    /** Accepted and refused requests carrying canaries of every kind. */
    private void sendCanaries() throws IOException, InterruptedException {
        LedgerWrites ledger = overHttp();
        expect(ledger.openAccount("canary-debit", "EUR", "null"), 201);
        expect(ledger.openAccount("canary-credit", "EUR", null), 201);
        // Accepted: the value goes to the log, the stream and every projection.
        expect(ledger.post("/transfers", transferWithMetadata("canary-transfer", "{\"note\":\"" + METADATA + "\"}")), 201);
        // Refused: 17 keys, one of them the canary.
        StringBuilder seventeen = new StringBuilder("{");
        for (int k = 0; k < 17; k++) {
            seventeen.append(k == 0 ? "" : ",").append("\"k").append(k).append("\":\"").append(REFUSED_METADATA).append('"');
        }
        expect(ledger.post("/transfers", transferWithMetadata("canary-refused", seventeen + "}")), 400);
        // Bodies the parser or the validation refuses, quoting them if anything does.
        expect(ledger.post("/transfers", "{\"transferId\":" + BODY + "}"), 400);
        expect(ledger.post("/transfers", "{\"transferId\":\"t\",\"" + BODY_FIELD + "\":\"" + BODY_FIELD + "\"}"), 400);
        expect(ledger.post("/accounts", BODY), 400);
        // A JWT where a bearer token goes, and beside a good token in a header nobody reads.
        assertThat(call("POST", "/transfers", Map.of("authorization", "Bearer " + JWT),
                transferWithMetadata("canary-jwt", "{}")).statusCode()).isEqualTo(403);
        assertThat(call("POST", "/transfers", Map.of("authorization", "Bearer " + PAYMENTS, "x-forwarded-id-token", JWT,
                "content-type", "application/json"), transferWithMetadata("canary-jwt-header", "{}")).statusCode())
                .isEqualTo(201);
        // ... and where an id or a parameter goes.
        for (String path : List.of("/accounts/" + JWT, "/accounts/canary-debit/history?cursor=" + JWT, "/nowhere/" + JWT)) {
            assertThat(call("GET", path, auditor(), null).statusCode()).as(path).isBetween(400, 499);
        }
    }

    private static String transferWithMetadata(String id, String metadataJson) {
        return "{\"transferId\":\"" + id + "\",\"debitAccountId\":\"canary-debit\",\"creditAccountId\":\"canary-credit\","
                + "\"amount\":\"1.00\",\"currency\":\"EUR\",\"metadata\":" + metadataJson + "}";
    }

    /**
     * Until the canary transfer is in every projection (balances, history, transfers, the metadata index): the batch that carried its metadata has been
     * through each of them, and logged whatever it logs.
     */
    private void awaitProjectionsOfTheCanaryTransfer() {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            HttpResponse<String> transfer = call("GET", "/transfers/canary-transfer", auditor(), null);
            assertThat(transfer.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(transfer.body()).path("metadata").path("note").asText()).isEqualTo(METADATA);
            HttpResponse<String> history = call("GET", "/accounts/canary-credit/history", auditor(), null);
            assertThat(history.statusCode()).isEqualTo(200);
            assertThat(history.body()).contains("canary-transfer");
            HttpResponse<String> account = call("GET", "/accounts/canary-credit", auditor(), null);
            assertThat(account.statusCode()).isEqualTo(200);
            // The canary transfer and the one sent beside a JWT header, 1.00 each.
            assertThat(JSON.readTree(account.body()).path("balance").asText()).isEqualTo("2.00");
            // The metadata index, asked by the canary value itself (a query parameter must not reach a log either).
            HttpResponse<String> byMetadata = call("GET", "/transfers?metadata.note="
                    + URLEncoder.encode(METADATA, StandardCharsets.UTF_8), auditor(), null);
            assertThat(byMetadata.statusCode()).isEqualTo(200);
            assertThat(byMetadata.body()).contains("canary-transfer");
        });
    }

    private static Map<String, String> auditor() {
        return Map.of("authorization", "Bearer " + AUDITOR);
    }

    /** The command API over HTTP, as the payments role. */
    private LedgerWrites overHttp() {
        return (path, body) -> {
            try {
                HttpResponse<String> response = call("POST", path, Map.of("authorization", "Bearer " + PAYMENTS,
                        "content-type", "application/json"), body);
                JsonNode json = response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
                return new LedgerFixture.Reply(response.statusCode(), json);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        };
    }

    private HttpResponse<String> call(String method, String path, Map<String, String> headers, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(stack.httpUrl() + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void expect(LedgerFixture.Reply reply, int status) {
        assertThat(reply.status()).as("answer %s", reply).isEqualTo(status);
    }

    /**
     * One hostile row as the bytes a client would send: the path and headers as written (UTF-8), the
     * query percent-encoded, a base64-flagged body decoded when it decodes, the fixture's tokens
     * swapped for the canaries. Its answer does not matter here (the corpora's own tests check it),
     * only that the stack answered.
     */
    private void send(HostileRequest row) {
        StringBuilder target = new StringBuilder(row.path());
        String separator = "?";
        for (Map.Entry<String, String> parameter : row.query().entrySet()) {
            target.append(separator).append(encode(parameter.getKey())).append('=').append(encode(parameter.getValue()));
            separator = "&";
        }
        byte[] body = body(row);
        StringBuilder head = new StringBuilder(row.method()).append(' ').append(target).append(" HTTP/1.1\r\n")
                .append("host: 127.0.0.1:").append(stack.httpPort()).append("\r\n");
        row.headers().forEach((name, value) -> head.append(name).append(": ").append(withCanaryTokens(value)).append("\r\n"));
        if (body != null) {
            head.append("content-length: ").append(body.length).append("\r\n");
        }
        head.append("connection: close\r\n\r\n");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
        if (body != null) {
            bytes.writeBytes(body);
        }
        try {
            RawHttp.exchange(stack.httpPort(), bytes.toString(StandardCharsets.ISO_8859_1));
            answered++;
        } catch (IOException e) {
            unanswered.add(row + ": " + e);
        }
    }

    private static byte[] body(HostileRequest row) {
        if (row.body() == null) {
            return null;
        }
        if (row.base64()) {
            try {
                return Base64.getDecoder().decode(row.body());
            } catch (IllegalArgumentException notBase64) {
                // a row that only claims to be base64: sent as it is
            }
        }
        return row.body().getBytes(StandardCharsets.UTF_8);
    }

    private static String withCanaryTokens(String value) {
        return value.replace(LedgerFixture.PAYMENTS, PAYMENTS).replace(LedgerFixture.AUDITOR, AUDITOR)
                .replace(LedgerFixture.OPERATOR, OPERATOR);
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String base64Url(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> lines(ByteArrayOutputStream captured) {
        synchronized (captured) {
            return captured.toString(StandardCharsets.UTF_8).lines().toList();
        }
    }

    /** Writes to the console as before, and keeps a copy. */
    private static final class Tee extends OutputStream {
        private final OutputStream console;
        private final ByteArrayOutputStream copy;

        Tee(OutputStream console, ByteArrayOutputStream copy) {
            this.console = console;
            this.copy = copy;
        }

        @Override
        public void write(int b) throws IOException {
            console.write(b);
            synchronized (copy) {
                copy.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            console.write(b, off, len);
            synchronized (copy) {
                copy.write(b, off, len);
            }
        }

        @Override
        public void flush() throws IOException {
            console.flush();
        }
    }
}
