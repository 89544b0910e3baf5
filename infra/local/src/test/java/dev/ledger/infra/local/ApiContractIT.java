package dev.ledger.infra.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ledger.infra.Template;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's table of answers is the API's contract, checked both ways through the local stack
 * (the local API Gateway, the authorizer and the real handlers): every request below must get the
 * answer it names, every answer must be a row of the table, and every row must be answered by some
 * request here, but for the few rows no well-behaved ledger can be driven to give on demand. Reads
 * here come from the log (balance as of, verify), so no projection has to catch up first.
 */
@ExtendWith(LocalAwsExtension.class)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ApiContractIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final Pattern ROW = Pattern.compile("^\\| (\\d{3}) \\| `?([^`|]+?)`? \\|.*$");

    /** Rows no request here can produce, each with where it is produced instead. */
    private static final Map<String, String> NOT_PRODUCIBLE_HERE = Map.of(
            "409 concurrent_modification", "needs every retry of a command to lose a race for its whole budget:"
                    + " ContentionAnswerIT drives requests there deterministically (the answer, its Retry-After),"
                    + " HoldRaceIT a command, ConcurrentTransfersIT and HoldRaceOverHttpIT see it under load",
            "500 internal_error", "the answer to a defect: no request may produce it, which is what this test checks",
            "500 Internal Server Error", "a function that throws or answers nothing usable: HttpApiGatewayTest",
            "408 Request Timeout", "waits out the request deadline: HttpApiGatewayRawSocketTest, with a short one",
            "503 Service Unavailable", "needs 1,024 open connections: HttpApiGatewayRawSocketTest, with a low maximum",
            "503 projection_unavailable", "needs a projection's table dropped, which every later read here would see:"
                    + " ProjectionUnavailableIT drops each in turn and calls every read route",
            "503 projection_behind", "needs one projection to lag another at the moment of a read: TransferListIT"
                    + " feeds the metadata index alone and reads the list");

    @TempDir
    static Path directory;
    private static LocalStack stack;
    private static String payments;
    private static String auditor;
    private static String operator;
    private static AwsClients emulator;

    @BeforeAll
    static void start(AwsClients aws, TestNames names) {
        emulator = aws;
        stack = LocalStack.start(LocalStack.Options.defaults()
                .withPort(0)
                .withEmulator(aws.endpoint())
                .withStackName(names.stack("contract"))
                .withCodeBucket(names.bucket("code"))
                .withoutEventSources()
                .withStateFile(directory.resolve("local.json")));
        payments = stack.token("payments").orElseThrow();
        auditor = stack.token("auditor").orElseThrow();
        operator = stack.token("operator").orElseThrow();
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void every_answer_is_a_row_of_the_readme_and_every_row_is_answered() throws Exception {
        Set<String> documented = documentedAnswers();
        Map<String, String> answered = new LinkedHashMap<>();
        List<String> wrong = new ArrayList<>();
        // Every route is called here, so every call of the API functions (and the sweeper's) is met.
        HandlerPermissions.watch(Template.bundled());
        for (Case c : cases()) {
            String answer = c.send();
            answered.putIfAbsent(answer, c.name());
            if (!answer.equals(c.expected())) {
                wrong.add(c.name() + ": expected " + c.expected() + ", got " + answer);
            }
        }

        assertThat(wrong).as("requests whose answer is not the one the README gives for them").isEmpty();
        assertThat(answered.keySet()).as("answers missing from the README's table").isSubsetOf(documented);
        Set<String> neverAnswered = new LinkedHashSet<>(documented);
        neverAnswered.removeAll(answered.keySet());
        neverAnswered.removeAll(NOT_PRODUCIBLE_HERE.keySet());
        assertThat(neverAnswered).as("rows of the README's table no request produced").isEmpty();
        HandlerPermissions.assertAllowed(Template.bundled(), emulator.cloudFormation(), stack.stackName());
    }

    /** "status code-or-message" for each row between the README's answers markers. */
    private static Set<String> documentedAnswers() throws IOException {
        String readme = Files.readString(Path.of("..", "..", "README.md"), StandardCharsets.UTF_8);
        String table = readme.substring(readme.indexOf("<!-- answers:start -->"), readme.indexOf("<!-- answers:end -->"));
        Set<String> rows = new LinkedHashSet<>();
        for (String line : table.split("\n")) {
            Matcher row = ROW.matcher(line);
            if (row.matches()) {
                rows.add(row.group(1) + " " + row.group(2).trim());
            }
        }
        assertThat(rows).as("rows read from the README's answers table").hasSizeGreaterThan(20);
        return rows;
    }

    /**
     * One request, sent when the case before it has been answered, and the answer the README gives
     * for it, as "status code-or-message": "-" for a success, the gateway's message, or the error code.
     */
    private record Case(String name, Callable<String> answer, String expected) {

        Case(String name, HttpRequest request, String expected) {
            this(name, () -> answerTo(name, request), expected);
        }

        /** A request made only when its turn comes, from what the cases before it left. */
        static Case later(String name, Callable<HttpRequest> request, String expected) {
            return new Case(name, () -> answerTo(name, request.call()), expected);
        }

        /** A request written byte for byte on a socket: what no HTTP client would send. */
        static Case raw(String name, String request, String expected) {
            return new Case(name, () -> {
                RawHttp.Answer answer = RawHttp.exchange(stack.httpPort(), request);
                assertThat(answer.header("content-type")).as(name).isEqualTo("application/json");
                return answer.status() + " " + JSON.readTree(answer.body()).path("message").asText();
            }, expected);
        }

        String send() throws Exception {
            return answer.call();
        }
    }

    private static String answerTo(String name, HttpRequest sent) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(sent, HttpResponse.BodyHandlers.ofString());
        int status = response.statusCode();
        if (status == 200 || status == 201 || status == 301) {
            return status + " -";
        }
        if (sent.method().equals("HEAD")) {
            assertThat(response.body()).as(name + ": a HEAD answer has no body").isEmpty();
            return status + " " + GATEWAY_MESSAGE_OF_HEAD.getOrDefault(status, "?");
        }
        JsonNode body = JSON.readTree(response.body());
        assertThat(response.headers().firstValue("content-type")).as(name).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        return status + " " + (body.has("error") ? body.get("error").asText() : body.path("message").asText());
    }

    /** What the gateway's answer to a HEAD request would say, had it a body. */
    private static final Map<Integer, String> GATEWAY_MESSAGE_OF_HEAD = Map.of(404, "Not Found");

    private static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("health", get("/health", null), "200 -"));
        cases.add(new Case("open bank", post("/accounts", payments,
                "{\"accountId\":\"bank\",\"currency\":\"EUR\",\"overdraftLimit\":null}"), "201 -"));
        cases.add(new Case("open bank again", post("/accounts", payments,
                "{\"accountId\":\"bank\",\"currency\":\"EUR\",\"overdraftLimit\":null}"), "200 -"));
        for (String account : List.of("alice", "bob", "frozen", "closed", "big")) {
            cases.add(new Case("open " + account, post("/accounts", payments,
                    "{\"accountId\":\"" + account + "\",\"currency\":\"EUR\"}"), "201 -"));
        }
        cases.add(new Case("open dollars", post("/accounts", payments,
                "{\"accountId\":\"dollars\",\"currency\":\"USD\"}"), "201 -"));
        cases.add(new Case("open bob in another currency", post("/accounts", payments,
                "{\"accountId\":\"bob\",\"currency\":\"USD\"}"), "409 account_exists"));
        cases.add(new Case("open with a float amount", post("/accounts", payments,
                "{\"accountId\":\"carol\",\"currency\":\"EUR\",\"overdraftLimit\":1.5}"), "400 invalid_request"));
        cases.add(new Case("fund alice", transfer("fund-alice", "bank", "alice", "100.00", "EUR"), "201 -"));
        cases.add(new Case("fund alice again", transfer("fund-alice", "bank", "alice", "100.00", "EUR"), "200 -"));
        cases.add(new Case("reuse fund-alice for another amount", transfer("fund-alice", "bank", "alice", "1.00", "EUR"),
                "409 idempotency_conflict"));
        cases.add(new Case("freeze", post("/accounts/frozen/freeze", payments, ""), "200 -"));
        cases.add(new Case("close", post("/accounts/closed/close", payments, ""), "200 -"));
        cases.add(new Case("no token", post("/accounts", null, "{\"accountId\":\"x\",\"currency\":\"EUR\"}"),
                "401 Unauthorized"));
        cases.add(new Case("an unknown token", get("/accounts/alice", "not-a-token"), "403 Forbidden"));
        cases.add(new Case("a Basic credential", HttpRequest.newBuilder(uri("/accounts/alice"))
                .header("Authorization", "Basic dXNlcjpwYXNz").GET().build(), "403 Forbidden"));
        cases.add(new Case("an auditor moving money", HttpRequest.newBuilder(uri("/transfers"))
                .header("Authorization", "Bearer " + auditor)
                .POST(BodyPublishers.ofString(transferBody("by-auditor", "alice", "bob", "1.00", "EUR"))).build(),
                "403 forbidden"));
        cases.add(new Case("an auditor verifying", get("/audit/accounts/alice/verify", auditor), "200 -"));
        cases.add(new Case("an auditor exporting", get("/audit/accounts/alice/events?limit=2", auditor), "200 -"));
        cases.add(new Case("the console", get("/console/", null), "200 -"));
        cases.add(new Case("the console without its slash", get("/console", null), "301 -"));
        cases.add(new Case("a file the console does not have", get("/console/secret.txt", null), "404 Not Found"));
        cases.add(new Case("an unknown route", get("/nowhere", payments), "404 Not Found"));
        cases.add(new Case("a wrong method", HttpRequest.newBuilder(uri("/accounts/alice"))
                .header("Authorization", "Bearer " + payments).DELETE().build(), "404 Not Found"));
        cases.add(new Case("HEAD", HttpRequest.newBuilder(uri("/health"))
                .method("HEAD", BodyPublishers.noBody()).build(), "404 Not Found"));
        cases.add(Case.raw("a bad percent-escape in the path", "GET /accounts/%zz HTTP/1.1\r\nHost: x\r\n"
                + "Authorization: Bearer " + payments + "\r\n\r\n", "400 Bad Request"));
        cases.add(Case.raw("a folded Authorization line", "GET /accounts/alice HTTP/1.1\r\nHost: x\r\n"
                + "Authorization: Bearer\r\n " + payments + "\r\n\r\n", "400 Bad Request"));
        cases.add(Case.raw("a token with a trailing NUL", "GET /accounts/alice HTTP/1.1\r\nHost: x\r\n"
                + "Authorization: Bearer " + payments + "\u0000\r\n\r\n", "403 Forbidden"));
        cases.add(Case.raw("headers over 10,240 bytes", "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: "
                + "b".repeat(10_241) + "\r\n\r\n", "431 Request Header Fields Too Large"));
        cases.add(Case.raw("a gzip transfer coding", "POST /accounts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                + payments + "\r\nTransfer-Encoding: gzip\r\n\r\n", "501 Not Implemented"));
        cases.add(Case.raw("HTTP/2.0 in the request line", "GET /health HTTP/2.0\r\nHost: x\r\n\r\n",
                "505 HTTP Version Not Supported"));
        cases.add(new Case("an unknown account", get("/accounts/nobody", payments), "404 account_not_found"));
        // Issue 16: account metadata replaced, and accounts listed from the balances table's indexes.
        cases.add(new Case("replace alice's metadata", post("/accounts/alice/metadata", payments,
                "{\"metadata\":{\"customer\":\"c-1\"}}"), "200 -"));
        cases.add(new Case("accounts by id prefix", get("/accounts?idPrefix=al", payments), "200 -"));
        cases.add(new Case("accounts of a currency and status", get("/accounts?currency=EUR&status=OPEN", payments),
                "200 -"));
        cases.add(new Case("accounts by metadata", get("/accounts?metadata.customer=c-1", payments), "200 -"));
        cases.add(new Case("accounts by metadata and currency", get("/accounts?metadata.customer=c-1&currency=EUR",
                payments), "400 invalid_request"));
        cases.add(new Case("an unknown transfer", get("/transfers/nothing", payments), "404 transfer_not_found"));
        // Issue 16: transfers listed by account (its history) or status (the transfers table's index).
        // The history's reader reads the account's cursor item by key: its role must allow GetItem there.
        cases.add(new Case("an unknown account's history", get("/accounts/nobody/history", payments),
                "404 account_not_found"));
        // (An account the projections may not have reached yet would answer 404 until they do: not asserted here.)
        cases.add(new Case("transfers of an unknown account", get("/transfers?accountId=nobody", payments),
                "404 account_not_found"));
        cases.add(new Case("transfers of a status", get("/transfers?status=POSTED&limit=5", payments), "200 -"));
        cases.add(new Case("transfers with no filter", get("/transfers", payments), "400 invalid_request"));
        cases.add(new Case("transfers by metadata", get("/transfers?metadata.order=o-1", payments), "200 -"));
        cases.add(new Case("transfers by metadata and status", get("/transfers?metadata.order=o-1&status=POSTED",
                payments), "400 invalid_request"));
        cases.add(new Case("a body over 10 MB", post("/transfers", payments, "x".repeat(10 * 1024 * 1024 + 1)),
                "413 Request Entity Too Large"));
        cases.add(new Case("more than alice has", transfer("too-much", "alice", "bob", "1000.00", "EUR"),
                "422 insufficient_funds"));
        cases.add(new Case("euros into a dollar account", transfer("to-dollars", "alice", "dollars", "1.00", "EUR"),
                "422 currency_mismatch"));
        cases.add(new Case("to a frozen account", transfer("to-frozen", "alice", "frozen", "1.00", "EUR"),
                "422 account_frozen"));
        cases.add(new Case("to a closed account", transfer("to-closed", "alice", "closed", "1.00", "EUR"),
                "422 account_closed"));
        cases.add(new Case("closing alice with money", post("/accounts/alice/close", payments, ""),
                "422 account_not_empty"));
        cases.add(new Case("to herself", transfer("to-self", "alice", "alice", "1.00", "EUR"), "422 same_account"));
        cases.add(new Case("a hold", hold("hold-1", "10.00", 600), "201 -"));
        cases.add(new Case("a partial post over the hold", post("/transfers/hold-1/post", payments,
                "{\"amount\":\"10.01\"}"), "422 amount_exceeds_pending"));
        cases.add(new Case("void the hold", post("/transfers/hold-1/void", payments, ""), "200 -"));
        cases.add(new Case("post the voided hold", post("/transfers/hold-1/post", payments, ""),
                "422 transfer_not_pending"));
        cases.add(new Case("void the voided hold again", post("/transfers/hold-1/void", payments, ""), "200 -"));
        cases.add(new Case("reverse the voided hold", post("/transfers/hold-1/reverse", payments,
                "{\"reversalId\":\"rev-hold\"}"), "422 transfer_not_posted"));
        cases.add(new Case("refund part of fund-alice", post("/transfers/fund-alice/reverse", payments,
                "{\"reversalId\":\"rev-1\",\"amount\":\"1.00\"}"), "201 -"));
        cases.add(new Case("refund part of fund-alice again", post("/transfers/fund-alice/reverse", payments,
                "{\"reversalId\":\"rev-1\",\"amount\":\"1.00\"}"), "200 -"));
        cases.add(new Case("refund more than is left", post("/transfers/fund-alice/reverse", payments,
                "{\"reversalId\":\"rev-2\",\"amount\":\"99.01\"}"), "422 reversal_exceeds_posted"));
        cases.add(new Case("force a refund as payments", post("/transfers/fund-alice/reverse", payments,
                "{\"reversalId\":\"rev-3\",\"force\":true}"), "403 force_requires_operator"));
        cases.add(new Case("reverse a reversal", post("/transfers/rev-1/reverse", payments,
                "{\"reversalId\":\"rev-4\"}"), "422 cannot_reverse_reversal"));
        cases.add(new Case("open mint", post("/accounts", payments,
                "{\"accountId\":\"mint\",\"currency\":\"EUR\",\"overdraftLimit\":null}"), "201 -"));
        cases.add(new Case("the largest amount to big", transfer("max", "mint", "big", "92233720368547758.07", "EUR"),
                "201 -"));
        cases.add(new Case("a cent more to big", transfer("max-plus", "bank", "big", "0.01", "EUR"),
                "422 balance_overflow"));
        // Issue 16: a date outside any window the configuration allows, so the answer does not depend on the day.
        cases.add(new Case("a transfer dated in the year 2000", post("/transfers", payments,
                "{\"transferId\":\"dated-2000\",\"debitAccountId\":\"bank\",\"creditAccountId\":\"alice\","
                        + "\"amount\":\"1.00\",\"currency\":\"EUR\",\"effectiveAt\":\"2000-01-01T00:00:00Z\"}"),
                "422 effective_date_out_of_range"));
        cases.addAll(transactions());
        cases.addAll(batches());
        cases.addAll(transactionReversals());
        cases.addAll(expiredHold());
        cases.add(Case.later("an operator reading a balance as of now", () -> get("/accounts/alice/balance?asOf="
                + Instant.now(), operator), "200 -"));
        cases.add(Case.later("an auditor reading a balance as of now on the effective basis", () -> get(
                "/accounts/alice/balance?asOf=" + Instant.now() + "&basis=effective", auditor), "200 -"));
        cases.addAll(auditTrail());
        return cases;
    }

    /**
     * The audit trail of operator actions (issue 15): read by auditors and operators, newest first, after the
     * operator's shard raises above put entries on it; not by payment services.
     */
    private static List<Case> auditTrail() {
        return List.of(
                new Case("an auditor listing operator actions", get("/audit/operations?limit=5", auditor), "200 -"),
                new Case("an operator listing operator actions", get("/audit/operations", operator), "200 -"),
                new Case("payments listing operator actions", get("/audit/operations", payments), "403 forbidden"),
                new Case("an audit cursor that is not a version", get("/audit/operations?cursor=next", auditor),
                        "400 invalid_request"));
    }

    /** A hold of one second, then a post once the clock has passed its expiry (whether swept or not). */
    private static List<Case> expiredHold() {
        return List.of(
                new Case("a hold of one second", hold("hold-2", "1.00", 1), "201 -"),
                Case.later("post the hold once it expired", () -> {
                    // The same request again answers the original body, expiry included.
                    HttpResponse<String> held = HTTP.send(hold("hold-2", "1.00", 1), HttpResponse.BodyHandlers.ofString());
                    Instant expiresAt = Instant.parse(JSON.readTree(held.body()).get("expiresAt").asText());
                    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                            .until(() -> Instant.now().isAfter(expiresAt));
                    return post("/transfers/hold-2/post", payments, "");
                }, "422 transfer_expired"));
    }

    /** Multi-leg transactions: recorded, repeated, refused, settled, and one left to expire. */
    private static List<Case> transactions() {
        String payment = transactionBody("tx-1", false, 0, entry("alice", "debit", "1.00"), entry("bob", "credit", "0.90"),
                entry("bank", "credit", "0.10"));
        StringBuilder fifty = new StringBuilder(entry("bank", "debit", "0.50"));
        for (int i = 1; i <= 50; i++) {
            fifty.append(',').append(entry("shop-" + i, "credit", "0.01"));
        }
        return List.of(
                new Case("a card payment with its fee", post("/transactions", payments, payment), "201 -"),
                new Case("the card payment again", post("/transactions", payments, payment), "200 -"),
                new Case("tx-1 reused for other entries", post("/transactions", payments, transactionBody("tx-1", false, 0,
                        entry("alice", "debit", "2.00"), entry("bob", "credit", "2.00"))), "409 idempotency_conflict"),
                new Case("a transaction of one entry", post("/transactions", payments, transactionBody("tx-2", false, 0,
                        entry("alice", "debit", "1.00"))), "400 too_few_entries"),
                new Case("a transaction on 51 accounts", post("/transactions", payments, transactionBody("tx-3", false, 0,
                        fifty.toString())), "400 too_many_entries"),
                new Case("debits above credits", post("/transactions", payments, transactionBody("tx-4", false, 0,
                        entry("alice", "debit", "1.00"), entry("bob", "credit", "0.99"))), "422 unbalanced"),
                new Case("an unknown transaction", get("/transactions/nothing", auditor), "404 transaction_not_found"),
                new Case("posting an unknown transaction", post("/transactions/nothing/post", payments, ""),
                        "404 transaction_not_found"),
                new Case("a pending transaction", post("/transactions", payments, transactionBody("tx-5", true, 600,
                        entry("alice", "debit", "1.00"), entry("bob", "credit", "1.00"))), "201 -"),
                new Case("void the pending transaction", post("/transactions/tx-5/void", payments, ""), "200 -"),
                new Case("post the voided transaction", post("/transactions/tx-5/post", payments, ""),
                        "422 transaction_not_pending"),
                new Case("a pending transaction of one second", post("/transactions", payments, transactionBody("tx-6",
                        true, 1, entry("alice", "debit", "1.00"), entry("bob", "credit", "1.00"))), "201 -"),
                Case.later("post the transaction once it expired", () -> {
                    HttpResponse<String> held = HTTP.send(post("/transactions", payments, transactionBody("tx-6", true, 1,
                            entry("alice", "debit", "1.00"), entry("bob", "credit", "1.00"))),
                            HttpResponse.BodyHandlers.ofString());
                    Instant expiresAt = Instant.parse(JSON.readTree(held.body()).get("expiresAt").asText());
                    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                            .until(() -> Instant.now().isAfter(expiresAt));
                    return post("/transactions/tx-6/post", payments, "");
                }, "422 transaction_expired"));
    }

    /** Batches: one recorded, the same again, one too large for one atomic write. */
    private static List<Case> batches() {
        String batch = "{\"batchId\":\"batch-1\",\"atomic\":true,\"items\":[{\"type\":\"transfer\","
                + transferBody("batch-t-1", "alice", "bob", "0.01", "EUR").substring(1) + ",{\"type\":\"transaction\","
                + transactionBody("batch-x-1", false, 0, entry("bob", "debit", "0.01"), entry("alice", "credit", "0.01"))
                .substring(1) + "]}";
        StringBuilder twentyFive = new StringBuilder();
        for (int i = 0; i < 25; i++) {
            twentyFive.append(i == 0 ? "" : ",").append("{\"type\":\"transfer\",")
                    .append(transferBody("batch-big-" + i, "bank", "bob", "0.01", "EUR").substring(1));
        }
        return List.of(
                new Case("an atomic batch of a transfer and a transaction", post("/batches", payments, batch), "201 -"),
                new Case("the same batch again", post("/batches", payments, batch), "200 -"),
                new Case("the batch's record", get("/batches/batch-1", auditor), "200 -"),
                new Case("an unknown batch", get("/batches/nothing", auditor), "404 batch_not_found"),
                new Case("an atomic batch of 25 items", post("/batches", payments,
                        "{\"batchId\":\"batch-2\",\"atomic\":true,\"items\":[" + twentyFive + "]}"),
                        "400 batch_too_large"));
    }

    /** Reversals of whole transactions (issue 12 §2) and a pending transaction's post sent again (§3). */
    private static List<Case> transactionReversals() {
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("reverse the card payment", post("/transactions/tx-1/reverse", payments,
                "{\"reversalId\":\"txr-1\"}"), "201 -"));
        cases.add(new Case("the same reversal of the card payment again", post("/transactions/tx-1/reverse", payments,
                "{\"reversalId\":\"txr-1\"}"), "200 -"));
        cases.add(new Case("reverse the card payment again under another id", post("/transactions/tx-1/reverse",
                payments, "{\"reversalId\":\"txr-2\"}"), "422 reversal_exceeds_posted"));
        cases.add(new Case("reverse the voided transaction", post("/transactions/tx-5/reverse", payments,
                "{\"reversalId\":\"txr-3\"}"), "422 transaction_not_posted"));
        cases.add(new Case("a pending transaction to post twice", post("/transactions", payments, transactionBody(
                "tx-7", true, 600, entry("alice", "debit", "1.00"), entry("bob", "credit", "1.00"))), "201 -"));
        cases.add(new Case("post it", post("/transactions/tx-7/post", payments, ""), "200 -"));
        cases.add(new Case("post it again, as after a lost answer", post("/transactions/tx-7/post", payments, ""),
                "200 -"));
        StringBuilder wide = new StringBuilder(entry("bank", "debit", "0.48"));
        for (int i = 1; i <= 48; i++) {
            cases.add(new Case("open wide-" + i, post("/accounts", payments,
                    "{\"accountId\":\"wide-" + i + "\",\"currency\":\"EUR\"}"), "201 -"));
            wide.append(',').append(entry("wide-" + i, "credit", "0.01"));
        }
        cases.add(new Case("a transaction on 49 accounts", post("/transactions", payments, transactionBody("tx-wide",
                false, 0, wide.toString())), "201 -"));
        cases.add(new Case("reverse the transaction on 49 accounts", post("/transactions/tx-wide/reverse", payments,
                "{\"reversalId\":\"txr-wide\"}"), "422 reversal_too_large"));
        cases.addAll(shardedAccounts(wide));
        return cases;
    }

    /**
     * A sharded account (issue 13): opened with shards, raised by an operator, never lowered; a transaction
     * on 49 accounts that debits it while its funds sit on another shard than its own stream would have
     * to move them in the same write, past 100 items.
     */
    private static List<Case> shardedAccounts(StringBuilder wideCredits) {
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("open a sharded account", post("/accounts", payments,
                "{\"accountId\":\"wide-house\",\"currency\":\"EUR\",\"shards\":30}"), "201 -"));
        cases.add(new Case("raise its shards, as an operator", post("/accounts/wide-house/shards", operator,
                "{\"shards\":32}"), "200 -"));
        cases.add(new Case("lower its shards", post("/accounts/wide-house/shards", operator, "{\"shards\":4}"),
                "422 shards_cannot_decrease"));
        // AccountShards.pick("dep-wide-house", 1, 32) is shard 4: the deposit lands away from shard 0.
        cases.add(new Case("fund the sharded account", post("/transfers", payments, "{\"transferId\":\"dep-wide-house\","
                + "\"debitAccountId\":\"bank\",\"creditAccountId\":\"wide-house\",\"amount\":\"1.00\","
                + "\"currency\":\"EUR\"}"), "201 -"));
        String debits = wideCredits.toString().replace(entry("bank", "debit", "0.48"), entry("wide-house", "debit", "0.48"));
        cases.add(new Case("a transaction on 49 accounts that gathers the sharded account's funds",
                post("/transactions", payments, transactionBody("tx-wide-house", false, 0, debits)),
                "400 transaction_too_large"));
        return cases;
    }

    private static String transactionBody(String id, boolean pending, int timeoutSeconds, String... entries) {
        return "{\"transactionId\":\"" + id + "\",\"entries\":[" + String.join(",", entries) + "]"
                + (pending ? ",\"pending\":true,\"timeoutSeconds\":" + timeoutSeconds : "") + "}";
    }

    private static String entry(String accountId, String direction, String amount) {
        return "{\"accountId\":\"" + accountId + "\",\"direction\":\"" + direction + "\",\"amount\":\"" + amount
                + "\",\"currency\":\"EUR\"}";
    }

    private static HttpRequest hold(String id, String amount, int timeoutSeconds) {
        return post("/transfers", payments, "{\"transferId\":\"" + id + "\",\"debitAccountId\":\"alice\","
                + "\"creditAccountId\":\"bob\",\"amount\":\"" + amount + "\",\"currency\":\"EUR\",\"pending\":true,"
                + "\"timeoutSeconds\":" + timeoutSeconds + "}");
    }

    private static HttpRequest transfer(String id, String debit, String credit, String amount, String currency) {
        return post("/transfers", payments, transferBody(id, debit, credit, amount, currency));
    }

    private static String transferBody(String id, String debit, String credit, String amount, String currency) {
        return "{\"transferId\":\"" + id + "\",\"debitAccountId\":\"" + debit + "\",\"creditAccountId\":\"" + credit
                + "\",\"amount\":\"" + amount + "\",\"currency\":\"" + currency + "\"}";
    }

    private static HttpRequest get(String path, String token) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri(path)).GET();
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return builder.build();
    }

    private static HttpRequest post(String path, String token, String body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString(body));
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return builder.build();
    }

    private static URI uri(String path) {
        return stack.httpUrl().resolve(path);
    }
}
